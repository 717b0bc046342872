//! rkt (fly stage1): the engine of every historical CoreOS release.
//!
//! The command, in the spec's order (section 3):
//!
//! ```text
//! RKT RKT_GLOBAL_ARGS... run RKT_RUN_ARGS... RKT_OPTS... TRUST...
//!     VOLUMES... MOUNTS... RUN_FLAGS... STAGE1... IMAGE... IMAGE_ARGS... -- KUBELET_FLAGS...
//! ```
//!
//! Every admin variable is split into words as an unquoted shell expansion.

use super::{Rendered, push_var, push_var_or, rkt_flags, translate};
use crate::admin::{AdminConfig, Var};
use crate::engine::command::{Arg, Origin};
use crate::release::model::{Defaults, Rkt, TrustRule};
use crate::text::words::split;
use std::ffi::{OsStr, OsString};

/// Renders the rkt command (with the stale pod cleanup before it, when the
/// release asks) and notices for other engines' variables.
pub fn render(
    defaults: &Defaults,
    rkt: &Rkt,
    admin: &AdminConfig,
    image: (&OsStr, Origin),
    trust: Option<&TrustRule>,
    kubelet_args: &[OsString],
) -> Rendered {
    let mut argv = Vec::with_capacity(64 + kubelet_args.len());
    push_var_or(
        &mut argv,
        Var::Rkt,
        admin.engine.as_ref(),
        "engine.rkt.program",
        std::slice::from_ref(&rkt.program),
    );
    push_var(&mut argv, Var::RktGlobalArgs, admin.global_args.as_ref());
    argv.push(Arg::new("run", Origin::Syntax));
    push_var(&mut argv, Var::RktRunArgs, admin.run_args.as_ref());
    push_var(&mut argv, Var::RktOpts, admin.opts.as_ref());
    if let Some(f) = &rkt.uuid_file {
        argv.push(Arg::new(
            format!("--uuid-file-save={f}"),
            Origin::Release("engine.rkt.uuid_file"),
        ));
    }
    if let Some(rule) = trust {
        argv.extend(
            rule.args
                .iter()
                .map(|a| Arg::new(a, Origin::Release("engine.rkt.trust"))),
        );
    }
    for (i, v) in defaults.volumes.iter().enumerate() {
        let mut spec = format!("{},kind=host,source={}", v.name, v.source);
        if rkt.read_only_attribute {
            spec.push_str(if v.read_only {
                ",readOnly=true"
            } else {
                ",readOnly=false"
            });
        }
        if v.recursive {
            spec.push_str(",recursive=true");
        }
        argv.push(Arg::new("--volume", Origin::Syntax));
        argv.push(Arg::new(spec, Origin::Volume(i)));
    }
    for (i, v) in defaults.volumes.iter().enumerate() {
        argv.push(Arg::new("--mount", Origin::Syntax));
        argv.push(Arg::new(
            format!("volume={},target={}", v.name, v.target),
            Origin::Volume(i),
        ));
    }
    argv.extend(
        rkt.run_flags
            .iter()
            .map(|a| Arg::new(a, Origin::Release("engine.rkt.run_flags"))),
    );
    push_var_or(
        &mut argv,
        Var::RktStage1Arg,
        admin.stage1.as_ref(),
        "engine.rkt.stage1",
        &rkt.stage1,
    );
    argv.extend(split(image.0).into_iter().map(|w| Arg::new(w, image.1)));
    push_var_or(
        &mut argv,
        Var::KubeletImageArgs,
        admin.image_args.as_ref(),
        "engine.rkt.image_args",
        &rkt.image_args,
    );
    argv.push(Arg::new("--", Origin::Syntax));
    argv.extend(
        kubelet_args
            .iter()
            .map(|a| Arg::new(a.clone(), Origin::Kubelet)),
    );
    let mut before = Vec::new();
    if let Some(f) = &rkt.uuid_file {
        // the same program words as the run (RKT and RKT_GLOBAL_ARGS)
        let run = argv
            .iter()
            .position(|a| a.origin == Origin::Syntax && a.value == "run")
            .expect("rkt run");
        let mut rm = argv[..run].to_vec();
        rm.push(Arg::new("rm", Origin::Syntax));
        rm.push(Arg::new(
            format!("--uuid-file={f}"),
            Origin::Release("engine.rkt.uuid_file"),
        ));
        before.push(rm);
    }
    let mistakes = unpaired(defaults, admin);
    let mut notices = admin.ignored_engine_vars("rkt", &[]);
    notices.extend(mistakes.iter().cloned());
    Rendered {
        argv,
        before,
        notices,
        notes: Vec::new(),
        mistakes,
        errors: Vec::new(),
    }
}

/// The admin's `--volume`s that no `--mount` uses and `--mount`s of
/// volumes that neither the admin nor the release declares: rkt mounts
/// the first nowhere and refuses to start with the second. One notice
/// each; the command is left as written.
fn unpaired(defaults: &Defaults, admin: &AdminConfig) -> Vec<String> {
    // (volume name, the argument as written, its variable) of each flag
    let mut volumes: Vec<(String, String, Var)> = Vec::new();
    let mut mounts: Vec<(String, String, Var)> = Vec::new();
    // read as rkt reads them: RKT_GLOBAL_ARGS before `run`, RKT_RUN_ARGS
    // and RKT_OPTS as one sequence after it; a value rkt refuses is
    // check_engine_args' notice
    for vars in [&[Var::RktGlobalArgs][..], &[Var::RktRunArgs, Var::RktOpts]] {
        let mut words = Vec::new();
        for &var in vars {
            words.extend(translate::tagged(
                admin.args_var(var).map(OsString::as_os_str),
                var,
            ));
        }
        for f in rkt_flags::read(&words) {
            if let Some(Ok(v)) = f.word.volume() {
                volumes.push((v.name, f.text, f.var));
            } else if let Some(Ok(m)) = f.word.mount() {
                mounts.push((m.volume, f.text, f.var));
            }
        }
    }
    let mut out = Vec::new();
    for (name, text, var) in &volumes {
        if !mounts.iter().any(|(m, ..)| m == name) {
            out.push(format!(
                "{var}: {text}: no --mount uses volume {name}, so rkt mounts it nowhere; add --mount volume={name},target=PATH"
            ));
        }
    }
    for (name, text, var) in &mounts {
        if !volumes.iter().any(|(v, ..)| v == name)
            && !defaults.volumes.iter().any(|v| &v.name == name)
        {
            out.push(format!(
                "{var}: {text}: no --volume declares volume {name}, so rkt will refuse to start; add --volume {name},kind=host,source=PATH"
            ));
        }
    }
    out
}
