//! systemd-nspawn: the kubelet from a local machine directory (or `.raw`
//! image), each volume as `--bind=SRC:DST` or `--bind-ro=SRC:DST` (nspawn's
//! binds are recursive), the host's network (nspawn's default), the kubelet's
//! path as the command and its flags after it.
//!
//! ```text
//! SYSTEMD_NSPAWN... RUN_FLAGS... TRANSLATED_RKT_ARGS... NSPAWN_ARGS...
//!     BINDS... --directory=DIR|--image=FILE -- COMMAND KUBELET_FLAGS...
//! ```

use super::RenderError;
use super::oci::notice;
use super::translate::{self, CarriedOver, Intent, Target, Translation};
use super::{Rendered, push_var, push_var_or};
use crate::admin::{AdminConfig, Var};
use crate::engine::command::{Arg, Origin};
use crate::release::model::{Defaults, Nspawn};
use crate::text::words::split;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

fn bind(source: &OsStr, target: &OsStr, read_only: bool) -> OsString {
    let mut v = OsString::from(if read_only { "--bind-ro=" } else { "--bind=" });
    v.push(source);
    v.push(":");
    v.push(target);
    v
}

fn intent_args(t: &Translation) -> (Vec<OsString>, String) {
    let cat = |a: &str, b: &OsStr| {
        let mut v = OsString::from(a);
        v.push(b);
        v
    };
    match &t.intent {
        Intent::Mount(m) => (vec![bind(&m.source, &m.target, m.read_only)], String::new()),
        Intent::Redundant(r) => (vec![], r.explain()),
        Intent::Env(kv) => (vec![cat("--setenv=", kv)], String::new()),
        Intent::User(u) => (vec![cat("--user=", u)], String::new()),
        Intent::WorkDir(d) => (vec![cat("--chdir=", d)], String::new()),
        Intent::HostNetwork => (
            vec![],
            ": dropped, systemd-nspawn shares the host's network unless told otherwise".into(),
        ),
        Intent::SignaturePolicy | Intent::Pull(_) => (
            vec![],
            ": dropped, a local machine directory is not fetched or verified".into(),
        ),
        Intent::Debug => (
            vec![],
            ": dropped, systemd-nspawn takes its log level from SYSTEMD_LOG_LEVEL in its environment, not from an option".into(),
        ),
        Intent::Annotation(_) | Intent::Label(_) => (
            vec![],
            ": dropped, it is metadata of rkt's pod that nothing reads, and systemd-nspawn has none".into(),
        ),
        // the renderer takes the command from it
        Intent::Exec(_) => (vec![], String::new()),
        Intent::Dropped(why) | Intent::Lost(why) => (vec![], format!(": dropped, {why}")),
        Intent::Unpaired(u) => (vec![], u.explain()),
        // translate() refuses the rest for systemd-nspawn
        Intent::EmptyDir(_)
        | Intent::EnvFile(_)
        | Intent::InheritEnv
        | Intent::Dns(_)
        | Intent::DnsSearch(_)
        | Intent::DnsOption(_)
        | Intent::AddHost { .. }
        | Intent::IpcHost
        | Intent::GroupAdd(_)
        | Intent::SaveId(_)
        | Intent::SkipTls => (vec![], String::new()),
    }
}

/// Renders the systemd-nspawn command.
pub fn render(
    defaults: &Defaults,
    n: &Nspawn,
    admin: &AdminConfig,
    image: (&OsStr, Origin),
    kubelet_args: &[OsString],
) -> Rendered {
    let path = image.0.as_bytes();
    let mut errors = Vec::new();
    if !path.starts_with(b"/") || split(image.0).len() != 1 {
        errors.push(RenderError::LocalImage {
            image: crate::text::quote::escape(image.0.as_bytes()),
        });
    }
    let CarriedOver {
        translations,
        command,
        mut notices,
        mut notes,
        errors: refused,
    } = translate::carry_over(admin, Target::Nspawn, defaults);
    errors.extend(refused.into_iter().map(RenderError::from));

    let mut argv = Vec::new();
    push_var_or(
        &mut argv,
        Var::SystemdNspawn,
        admin.engine_var(Var::SystemdNspawn),
        "engine.systemd-nspawn",
        std::slice::from_ref(&n.program),
    );
    argv.extend(
        n.run_flags
            .iter()
            .map(|a| Arg::new(a, Origin::Release("run_flags"))),
    );
    let mut mistakes = Vec::new();
    for t in &translations {
        let (args, extra) = intent_args(t);
        let n = notice(t, &args, Target::Nspawn, &extra);
        if matches!(t.intent, Intent::Unpaired(_)) {
            mistakes.push(n.clone());
        }
        if t.harmless() {
            notes.push(n.clone());
        }
        notices.push(n);
        argv.extend(
            args.into_iter()
                .map(|a| Arg::new(a, Origin::Translated(t.var))),
        );
    }
    push_var(
        &mut argv,
        Var::NspawnArgs,
        admin.engine_var(Var::NspawnArgs),
    );
    for (i, v) in defaults.volumes.iter().enumerate() {
        argv.push(Arg::new(
            bind(OsStr::new(&v.source), OsStr::new(&v.target), v.read_only),
            Origin::Volume(i),
        ));
    }
    let mut machine = OsString::from(if path.ends_with(b".raw") {
        "--image="
    } else {
        "--directory="
    });
    machine.push(image.0);
    argv.push(Arg::new(machine, image.1));
    argv.push(Arg::new("--", Origin::Syntax));
    let (command, origin) = match command {
        Some((c, _)) if c == n.command.as_str() => (c, Origin::Release("command")),
        Some(c) => c,
        None => (n.command.clone().into(), Origin::Release("command")),
    };
    argv.push(Arg::new(command, origin));
    argv.extend(
        kubelet_args
            .iter()
            .map(|a| Arg::new(a.clone(), Origin::Kubelet)),
    );
    Rendered {
        argv,
        before: Vec::new(),
        notices,
        notes,
        mistakes,
        errors,
    }
}
