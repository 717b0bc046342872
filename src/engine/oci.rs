//! podman and docker: `run` with the kubelet privileged in the host's PID
//! and network namespaces (as the release's `run_flags` say), each volume as
//! `--volume=SRC:DST:ro|rw[,rshared]`, the kubelet as `--entrypoint`, its
//! flags after the image.
//!
//! ```text
//! PODMAN... run RUN_FLAGS... --name=NAME [--replace] TRUST... TRANSLATED_RKT_ARGS... PODMAN_RUN_ARGS...
//!     VOLUMES... --entrypoint=COMMAND IMAGE... KUBELET_FLAGS...
//! ```
//!
//! When the release asks (`remove_previous`), a container of the same name
//! left by a crash or a reboot is removed first: by podman itself with
//! `--replace` (one process instead of a separate `podman rm`, which cost
//! 34 to 153 ms per start), by `DOCKER rm --force NAME` before the run on
//! docker, which has no such flag.

use super::RenderError;
use super::translate::{self, CarriedOver, Intent, Target, Translation};
use super::{Rendered, push_var, push_var_or};
use crate::admin::AdminConfig;
use crate::command::{Arg, Origin};
use crate::defaults::model::{Defaults, Oci, TrustRule};
use crate::words::split;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

/// The `--volume` value for a bind mount.
fn volume(source: &OsStr, target: &OsStr, read_only: bool, recursive: bool) -> OsString {
    let mut v = OsString::from("--volume=");
    v.push(source);
    v.push(":");
    v.push(target);
    v.push(if read_only { ":ro" } else { ":rw" });
    if recursive {
        v.push(",rshared");
    }
    v
}

/// The engine arguments for one translated rkt argument, and what to tell
/// the admin about it.
fn intent_args(t: &Translation, target: Target) -> (Vec<OsString>, String) {
    let e = target.name();
    let cat = |a: &str, b: &OsStr| {
        let mut s = OsString::from(a);
        s.push(b);
        s
    };
    match &t.intent {
        Intent::Mount(m) => (
            vec![volume(&m.source, &m.target, m.read_only, m.recursive)],
            String::new(),
        ),
        Intent::Env(kv) => (vec![cat("--env=", kv)], String::new()),
        Intent::EnvFile(p) => (vec![cat("--env-file=", p)], String::new()),
        Intent::HostNetwork => (vec!["--network=host".into()], String::new()),
        Intent::Dns(ip) => (vec![cat("--dns=", ip)], String::new()),
        Intent::AddHost { ip, host } => {
            let mut v = cat("--add-host=", host);
            v.push(":");
            v.push(ip);
            (vec![v], String::new())
        }
        // podman's --cidfile refuses to start while the file of the previous
        // run is there, and the wrapper deletes nothing: the container is
        // found by its name instead (render refuses this when the release
        // does not remove the previous container).
        Intent::SaveId(_) => (
            vec![],
            format!(
                ": dropped, {e} finds the previous kubelet container by its name and removes it before each start; no uuid file is written"
            ),
        ),
        Intent::SignaturePolicy => (
            vec![],
            format!(
                ": dropped, {e} checks image signatures by its own policy (/etc/containers/policy.json for podman), not per run"
            ),
        ),
        Intent::SkipTls => (
            vec!["--tls-verify=false".into()],
            ": registry TLS verification is switched off".into(),
        ),
        Intent::Unpaired(u) => (vec![], u.explain()),
    }
}

/// The notice for one translation.
pub(crate) fn notice(t: &Translation, args: &[OsString], target: Target, extra: &str) -> String {
    let shown: Vec<String> = args
        .iter()
        .map(|a| crate::quote::escape(a.as_bytes()))
        .collect();
    if shown.is_empty() {
        format!("{}: {} is an rkt argument{extra}", t.var, t.rkt)
    } else {
        format!(
            "{}: rkt argument {} translated for {} as {}{extra}",
            t.var,
            t.rkt,
            target.name(),
            shown.join(" ")
        )
    }
}

/// Renders the podman (or docker) command.
pub fn render(
    defaults: &Defaults,
    o: &Oci,
    target: Target,
    admin: &AdminConfig,
    image: (&OsStr, Origin),
    trust: Option<&TrustRule>,
    kubelet_args: &[OsString],
) -> Result<Rendered, RenderError> {
    let (program_var, args_var) = (target.program_var(), target.args_var());
    let field = match target {
        Target::Docker => "engine.docker",
        _ => "engine.podman",
    };
    if o.require_digest && !image.0.as_bytes().windows(8).any(|w| w == b"@sha256:") {
        return Err(RenderError::DigestRequired {
            image: crate::quote::escape(image.0.as_bytes()),
        });
    }
    let CarriedOver {
        translations,
        command,
        mut notices,
    } = translate::carry_over(admin, target)?;
    if !o.remove_previous
        && let Some(t) = translations
            .iter()
            .find(|t| matches!(t.intent, Intent::SaveId(_)))
    {
        return Err(translate::TranslateError::NoEquivalent {
            var: t.var,
            arg: t.rkt.clone(),
            engine: target.name(),
            engine_var: args_var,
            why: " (this release does not remove the previous container, and --cidfile would stop the next start)".into(),
        }
        .into());
    }

    let mut program = Vec::new();
    push_var_or(
        &mut program,
        program_var,
        admin.engine_var(program_var),
        field,
        std::slice::from_ref(&o.program),
    );

    let mut argv = program.clone();
    argv.push(Arg::new("run", Origin::Syntax));
    argv.extend(
        o.run_flags
            .iter()
            .map(|a| Arg::new(a, Origin::Release("run_flags"))),
    );
    argv.push(Arg::new(
        format!("--name={}", o.container_name),
        Origin::Release("container_name"),
    ));
    // podman removes a container of that name left by a crash or a reboot
    // in the same process that starts the new one
    if o.remove_previous && target == Target::Podman {
        argv.push(Arg::new("--replace", Origin::Release("remove_previous")));
    }
    if let Some(rule) = trust {
        argv.extend(
            rule.args
                .iter()
                .map(|a| Arg::new(a, Origin::Release("trust"))),
        );
    }
    let mut mistakes = Vec::new();
    for t in &translations {
        let (args, extra) = intent_args(t, target);
        notices.push(notice(t, &args, target, &extra));
        if matches!(t.intent, Intent::Unpaired(_)) {
            mistakes.push(notice(t, &args, target, &extra));
        }
        argv.extend(
            args.into_iter()
                .map(|a| Arg::new(a, Origin::Translated(t.var))),
        );
    }
    push_var(&mut argv, args_var, admin.engine_var(args_var));
    for (i, v) in defaults.volumes.iter().enumerate() {
        argv.push(Arg::new(
            volume(
                OsStr::new(&v.source),
                OsStr::new(&v.target),
                v.read_only,
                v.recursive,
            ),
            Origin::Volume(i),
        ));
    }
    let (command, origin) = match command {
        Some((c, _)) if c == o.command.as_str() => (c, Origin::Release("command")),
        Some(c) => c,
        None => (o.command.clone().into(), Origin::Release("command")),
    };
    let mut entrypoint = OsString::from("--entrypoint=");
    entrypoint.push(&command);
    argv.push(Arg::new(entrypoint, origin));
    argv.extend(split(image.0).into_iter().map(|w| Arg::new(w, image.1)));
    argv.extend(
        kubelet_args
            .iter()
            .map(|a| Arg::new(a.clone(), Origin::Kubelet)),
    );

    let mut before = Vec::new();
    if o.remove_previous && target == Target::Docker {
        let mut rm = program;
        rm.push(Arg::new("rm", Origin::Syntax));
        rm.push(Arg::new("--force", Origin::Syntax));
        rm.push(Arg::new(
            o.container_name.clone(),
            Origin::Release("container_name"),
        ));
        before.push(rm);
    }
    Ok(Rendered {
        argv,
        before,
        notices,
        mistakes,
    })
}
