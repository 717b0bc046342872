//! What the engine command is made of: each argument with where it came
//! from.
//!
//! The renderers beside this module build `Vec<Arg>`, [`crate::plan`] puts
//! them together, and its checks ([`crate::plan::checks`]) and
//! [`crate::launch`] read the origins; all of them stand above the engines,
//! so the dependencies run one way.

use crate::admin::Var;
use std::ffi::OsString;
use std::fmt;

/// Where an argument of the engine command comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A field of the release's defaults file.
    Release(&'static str),
    /// The release's volume of this index (`volumes[i]`).
    Volume(usize),
    /// An admin's rkt argument, translated for the release's engine.
    Translated(Var),
    /// An admin variable.
    Variable(Var),
    /// The image reference built as `URL:TAG`; `url` is `None` when the URL
    /// is the release's `image.default_url`.
    Image { url: Option<Var>, tag: Var },
    /// The command's own syntax (`run`, `--volume`, the `--` before the
    /// kubelet's flags).
    Syntax,
    /// The kubelet's own arguments, as given to the wrapper.
    Kubelet,
    /// The release's `notify` field, where the unit waits for readiness
    /// (systemd set `NOTIFY_SOCKET`).
    UnitNotify,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Release(field) => write!(f, "release {field}"),
            Origin::Volume(i) => write!(f, "release volumes[{i}]"),
            Origin::Translated(v) => write!(f, "${v}, translated from rkt"),
            Origin::Variable(v) => write!(f, "${v}"),
            Origin::Image { url: Some(u), tag } => write!(f, "${u}:${tag}"),
            Origin::Image { url: None, tag } => write!(f, "release image.default_url:${tag}"),
            Origin::Syntax => f.write_str("wrapper"),
            Origin::Kubelet => f.write_str("kubelet flags"),
            Origin::UnitNotify => f.write_str("release notify, as the unit waits for readiness"),
        }
    }
}

impl Origin {
    /// The admin setting an argument comes from, as messages name it, or
    /// `None` for the release's and the wrapper's own arguments and the
    /// kubelet's flags. Every argument with an admin origin gets the same
    /// checks, whichever variable it came from: a tag or image location
    /// with white space puts words into the command too.
    pub fn admin(&self) -> Option<String> {
        match self {
            Origin::Variable(v) | Origin::Translated(v) => Some(v.name().to_string()),
            Origin::Image { url: None, tag } => Some(tag.name().to_string()),
            Origin::Image { url: Some(u), tag } => Some(format!("{u}:{tag}")),
            Origin::Release(_)
            | Origin::Volume(_)
            | Origin::Syntax
            | Origin::Kubelet
            | Origin::UnitNotify => None,
        }
    }
}

/// One element of the engine's argv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub value: OsString,
    pub origin: Origin,
}

impl Arg {
    pub fn new(value: impl Into<OsString>, origin: Origin) -> Arg {
        Arg {
            value: value.into(),
            origin,
        }
    }
}
