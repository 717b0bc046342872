//! Renderers: one module per container engine, each turning the release's
//! settings and the admin layer into the engine's command ([`rkt`], [`oci`]
//! for podman and docker, [`nspawn`]), an admin's rkt arguments carried to
//! the others ([`translate`]); the engines' own grammars, read as each
//! engine's parser reads words ([`rkt_flags`], [`oci_flags`], and what a
//! command mounts: [`mounts`]); and what a command is made of
//! ([`command`]: each argument with its origin).
//!
//! How to add an engine: add a variant to [`crate::release::model::Engine`]
//! with the engine's release-fixed settings (and its validation in
//! `model.rs`), a module here with a `render` function returning a
//! [`Rendered`], a [`translate::Target`] if admins' rkt arguments can be
//! carried over to it, and a match arm in [`crate::plan::plan`]; the
//! compiler then names every other `match` on the engine, among them how
//! its arguments mount ([`mounts::Syntax::of`]), its program's variable
//! ([`program_var`]) and the release's checks of its arguments
//! ([`crate::plan::checks`]). Its variables are [`crate::admin`]'s to add.
//! Historical releases keep rendering through [`rkt`] unchanged.

pub mod command;
pub mod mounts;
pub mod nspawn;
pub mod oci;
pub mod oci_flags;
pub mod rkt;
pub mod rkt_flags;
pub mod translate;

use crate::admin::Var;
use crate::engine::command::{Arg, Origin};
use crate::release::model::Engine;
use crate::text::words::split;
use std::ffi::OsString;

/// A command the release's engine cannot be given with this admin layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Translate(#[from] translate::TranslateError),
    #[error(
        "image \"{image}\" is not pinned by digest, and this release runs only pinned images: set KUBELET_IMAGE=REPOSITORY@sha256:DIGEST"
    )]
    DigestRequired { image: String },
    #[error(
        "\"{image}\" is not a machine directory: this release runs systemd-nspawn, so set KUBELET_IMAGE to the absolute path of the kubelet's machine directory (or .raw image)"
    )]
    LocalImage { image: String },
}

impl RenderError {
    /// What to change, concretely.
    pub fn fix(&self) -> String {
        match self {
            RenderError::Translate(e) => e.fix(),
            RenderError::DigestRequired { .. } => {
                "set KUBELET_IMAGE=REPOSITORY@sha256:DIGEST (the digest of the tag you run)".into()
            }
            RenderError::LocalImage { .. } => {
                "set KUBELET_IMAGE=/var/lib/machines/DIRECTORY, the kubelet's machine directory"
                    .into()
            }
        }
    }
}

/// What a renderer produces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The engine command; `argv[0]` is the program.
    pub argv: Vec<Arg>,
    /// Commands run to completion before the engine starts; their failure
    /// is ignored (like systemd's `ExecStartPre=-`).
    pub before: Vec<Vec<Arg>>,
    /// What the admin should know about how their settings were carried over.
    pub notices: Vec<String>,
    /// Those of the notices that are only for the record: the kubelet gets
    /// what the unit meant (a translation, a redundant mount dropped).
    pub notes: Vec<String>,
    /// The likely mistakes among the notices (a volume without a mount, or
    /// the reverse).
    pub mistakes: Vec<String>,
    /// What the admin layer asks for that the engine cannot give: the
    /// command is not run when there is any.
    pub errors: Vec<RenderError>,
}

/// Appends the words of an admin variable, if set.
pub(crate) fn push_var(argv: &mut Vec<Arg>, var: Var, value: Option<&OsString>) {
    if let Some(v) = value {
        argv.extend(
            split(v)
                .into_iter()
                .map(|w| Arg::new(w, Origin::Variable(var))),
        );
    }
}

/// Appends the words of an admin variable if set, else the release's words.
/// A value that gives exactly the release's words is the release's: the
/// origin names the release, not the admin.
pub(crate) fn push_var_or(
    argv: &mut Vec<Arg>,
    var: Var,
    value: Option<&OsString>,
    field: &'static str,
    fixed: &[String],
) {
    match value {
        Some(v) if split(v) != fixed.iter().map(OsString::from).collect::<Vec<_>>() => {
            push_var(argv, var, value)
        }
        _ => argv.extend(fixed.iter().map(|w| Arg::new(w, Origin::Release(field)))),
    }
}

/// The admin variable that chooses an engine's program.
pub fn program_var(engine: &Engine) -> Var {
    match engine {
        Engine::Rkt(_) => Var::Rkt,
        Engine::Podman(_) => Var::Podman,
        Engine::Docker(_) => Var::Docker,
        Engine::SystemdNspawn(_) => Var::SystemdNspawn,
    }
}
