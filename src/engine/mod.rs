//! Renderers: one module per container engine, each turning the release's
//! settings and the admin layer into the engine's command.
//!
//! How to add an engine: add a variant to [`crate::defaults::model::Engine`]
//! with the engine's release-fixed settings (and its validation in
//! `model.rs`), a module here with a `render` function returning a
//! [`Rendered`], a [`translate::Target`] if admins' rkt arguments can be
//! carried over to it, and a match arm in [`crate::plan::plan`].
//! Historical releases keep rendering through [`rkt`] unchanged.

pub mod nspawn;
pub mod oci;
pub mod rkt;
pub mod translate;

use crate::admin::{AdminConfig, Var};
use crate::command::{Arg, Origin};
use crate::defaults::model::Engine;
use crate::words::split;
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
pub(crate) fn push_var_or(
    argv: &mut Vec<Arg>,
    var: Var,
    value: Option<&OsString>,
    field: &'static str,
    fixed: &[String],
) {
    match value {
        Some(_) => push_var(argv, var, value),
        None => argv.extend(fixed.iter().map(|w| Arg::new(w, Origin::Release(field)))),
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

/// Notices for rkt-only variables that a release running another engine
/// does not use.
pub(crate) fn ignored_rkt_vars(admin: &AdminConfig, engine: &str, program_var: Var) -> Vec<String> {
    let mut n = Vec::new();
    if admin.engine.is_some() {
        n.push(format!("RKT is ignored: this release runs {engine}; set {program_var} to choose the {engine} program"));
    }
    if admin.stage1.is_some() {
        n.push(format!(
            "RKT_STAGE1_ARG is ignored: this release runs {engine}, which has no stage1"
        ));
    }
    n
}

/// Notices for other engines' variables set on a release that does not use them.
pub(crate) fn ignored_engine_vars(admin: &AdminConfig, engine: &str, own: &[Var]) -> Vec<String> {
    admin
        .engine_vars
        .iter()
        .filter(|(v, _)| !own.contains(v))
        .map(|(v, _)| format!("{v} is ignored: this release runs {engine}"))
        .collect()
}
