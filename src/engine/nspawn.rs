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
use crate::command::{Arg, Origin};
use crate::defaults::model::{Defaults, Nspawn};
use crate::words::split;
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
    match &t.intent {
        Intent::Mount(m) => (vec![bind(&m.source, &m.target, m.read_only)], String::new()),
        Intent::Env(kv) => {
            let mut v = OsString::from("--setenv=");
            v.push(kv);
            (vec![v], String::new())
        }
        Intent::HostNetwork => (
            vec![],
            ": dropped, systemd-nspawn shares the host's network unless told otherwise".into(),
        ),
        Intent::SignaturePolicy => (
            vec![],
            ": dropped, a local machine directory is not fetched or verified".into(),
        ),
        // translate() refuses the rest for systemd-nspawn
        _ => unreachable!("refused by translate::translate for systemd-nspawn"),
    }
}

/// Renders the systemd-nspawn command.
pub fn render(
    defaults: &Defaults,
    n: &Nspawn,
    admin: &AdminConfig,
    image: (&OsStr, Origin),
    kubelet_args: &[OsString],
) -> Result<Rendered, RenderError> {
    let path = image.0.as_bytes();
    if !path.starts_with(b"/") || split(image.0).len() != 1 {
        return Err(RenderError::LocalImage {
            image: crate::quote::escape(image.0.as_bytes()),
        });
    }
    let CarriedOver {
        translations,
        command,
        mut notices,
    } = translate::carry_over(admin, Target::Nspawn)?;

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
    for t in &translations {
        let (args, extra) = intent_args(t);
        notices.push(notice(t, &args, Target::Nspawn, &extra));
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
    let (command, origin) =
        command.unwrap_or_else(|| (n.command.clone().into(), Origin::Release("command")));
    argv.push(Arg::new(command, origin));
    argv.extend(
        kubelet_args
            .iter()
            .map(|a| Arg::new(a.clone(), Origin::Kubelet)),
    );
    Ok(Rendered {
        argv,
        before: Vec::new(),
        notices,
    })
}
