//! podman and docker: `run` with the kubelet privileged in the host's PID
//! and network namespaces (as the release's `run_flags` say), the kubelet
//! as `--entrypoint`, its flags after the image.
//!
//! ```text
//! PODMAN... run RUN_FLAGS... UNIT_INTEGRATION... --name=NAME [--replace] TRUST... TRANSLATED_RKT_ARGS... PODMAN_RUN_ARGS...
//!     VOLUMES... --entrypoint=COMMAND IMAGE... KUBELET_FLAGS...
//! ```
//!
//! `UNIT_INTEGRATION` fits the container into its systemd unit as the
//! release's `cgroup`, `log` and `notify` ask (see [`unit_integration`]):
//! `--cgroups=split --log-driver=passthrough --sdnotify=container`, and
//! `--detach` under a unit that waits for readiness, as podman's own units
//! (Quadlet, `podman generate systemd`) run containers.
//!
//! Each volume is a bind that refuses a host path that does not exist,
//! so the kubelet never gets an empty directory where the release gives it
//! a file or a directory of the host: podman's `--volume=SRC:DST:ro|rw[,rshared]`
//! refuses a missing source; docker's `--volume` would create it (as an
//! empty directory, even for `/etc/machine-id`), so docker gets
//! `--mount=type=bind,source=SRC,target=DST[,readonly][,bind-propagation=rshared]`,
//! which its daemon refuses ("bind source path does not exist") before
//! creating the container.
//!
//! When the release asks (`remove_previous`), a container of the same name
//! left by a crash or a reboot is removed first: by podman itself with
//! `--replace` (one process instead of a separate `podman rm`, which cost
//! 34 to 153 ms per start), by `DOCKER rm --force NAME` before the run on
//! docker, which has no such flag. docker 20.10 and later exit 0 when there
//! is no such container but still print "Error: No such container"; the
//! wrapper shows a preparatory command's error output only when the
//! command fails (see [`crate::launch`]), so a clean start logs nothing.
//!
//! docker takes image references without rkt's (and podman's) `docker://`
//! transport: on docker the wrapper gives the reference without it, with
//! a notice, so a unit written for rkt (`KUBELET_IMAGE_URL=docker://...`)
//! keeps working.

use super::RenderError;
use super::translate::{self, CarriedOver, Intent, Target, Translation};
use super::{Rendered, push_var, push_var_or};
use crate::admin::AdminConfig;
use crate::admin::Var;
use crate::engine::command::{Arg, Origin};
use crate::release::model::{Cgroup, Defaults, Log, Notify, Oci, TrustRule};
use crate::text::words::split;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

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

/// The `--mount` value for a bind mount on docker. docker reads the value
/// as one CSV record (Go's encoding/csv, then `key=value` per field): a
/// field holding a quote, a comma or a line break is quoted, its quotes
/// doubled. (Release paths never hold one, and translated rkt paths cannot:
/// rkt's own syntax separates on commas, and quoted rkt words are refused.)
fn docker_mount(source: &OsStr, target: &OsStr, read_only: bool, recursive: bool) -> OsString {
    let field = |key: &str, value: &OsStr| -> Vec<u8> {
        let mut f = key.as_bytes().to_vec();
        f.push(b'=');
        f.extend_from_slice(value.as_bytes());
        if f.iter().any(|b| matches!(b, b'"' | b',' | b'\n' | b'\r')) {
            let mut q = vec![b'"'];
            for &b in &f {
                if b == b'"' {
                    q.push(b'"');
                }
                q.push(b);
            }
            q.push(b'"');
            q
        } else {
            f
        }
    };
    let mut v = b"--mount=type=bind,".to_vec();
    v.extend(field("source", source));
    v.push(b',');
    v.extend(field("target", target));
    if read_only {
        v.extend_from_slice(b",readonly");
    }
    if recursive {
        v.extend_from_slice(b",bind-propagation=rshared");
    }
    OsString::from_vec(v)
}

/// A bind mount as `target`'s engine takes it.
fn bind(
    target: Target,
    source: &OsStr,
    dest: &OsStr,
    read_only: bool,
    recursive: bool,
) -> OsString {
    match target {
        Target::Docker => docker_mount(source, dest, read_only, recursive),
        _ => volume(source, dest, read_only, recursive),
    }
}

/// rkt's scheme for docker images, which podman reads as its transport and
/// docker refuses ("invalid reference format").
const DOCKER_SCHEME: &[u8] = b"docker://";

/// The engine arguments for one translated rkt argument (and whether they
/// go before `run`, as the engine's own options), and what to tell the
/// admin about it.
fn intent_args(t: &Translation, target: Target, o: &Oci) -> (Vec<OsString>, bool, String) {
    let e = target.name();
    let cat = |a: &str, b: &OsStr| {
        let mut s = OsString::from(a);
        s.push(b);
        s
    };
    let run = |args: Vec<OsString>| (args, false, String::new());
    match &t.intent {
        Intent::Mount(m) => run(vec![bind(target, &m.source, &m.target, m.read_only, m.recursive)]),
        Intent::Redundant(r) => (vec![], false, r.explain()),
        Intent::EmptyDir(target) => run(vec![cat("--volume=", target)]),
        Intent::Env(kv) => run(vec![cat("--env=", kv)]),
        Intent::EnvFile(p) => run(vec![cat("--env-file=", p)]),
        Intent::InheritEnv => run(vec!["--env-host".into()]),
        Intent::HostNetwork
            if o.run_flags
                .iter()
                .any(|f| matches!(f.as_str(), "--network=host" | "--net=host")) =>
        {
            (
                vec![],
                false,
                ": dropped, the release already runs the kubelet in the host's network".into(),
            )
        }
        Intent::HostNetwork => run(vec!["--network=host".into()]),
        Intent::Dns(ip) => run(vec![cat("--dns=", ip)]),
        Intent::DnsSearch(d) => run(vec![cat("--dns-search=", d)]),
        Intent::DnsOption(d) => run(vec![cat("--dns-option=", d)]),
        Intent::AddHost { ip, host } => {
            let mut v = cat("--add-host=", host);
            v.push(":");
            v.push(ip);
            run(vec![v])
        }
        Intent::IpcHost => run(vec!["--ipc=host".into()]),
        Intent::Pull(p) => run(vec![format!("--pull={}", p.oci()).into()]),
        Intent::Debug => match target {
            Target::Docker => (vec!["--debug".into()], true, String::new()),
            _ => (vec!["--log-level=debug".into()], true, String::new()),
        },
        Intent::User(u) => run(vec![cat("--user=", u)]),
        Intent::GroupAdd(gids) => run(gids
            .as_bytes()
            .split(|&b| b == b',')
            .filter(|g| !g.is_empty())
            .map(|g| cat("--group-add=", OsStr::from_bytes(g)))
            .collect()),
        Intent::WorkDir(d) => run(vec![cat("--workdir=", d)]),
        Intent::Annotation(kv) if target == Target::Podman => run(vec![cat("--annotation=", kv)]),
        Intent::Annotation(_) => (
            vec![],
            false,
            format!(
                ": dropped, it is metadata of rkt's pod that nothing reads, and {e} run has no annotations"
            ),
        ),
        Intent::Label(kv) => run(vec![cat("--label=", kv)]),
        // the renderer takes the command from it
        Intent::Exec(_) => (vec![], false, String::new()),
        // podman's --cidfile refuses to start while the file of the previous
        // run is there, and the wrapper deletes nothing: the container is
        // found by its name instead (render refuses this when the release
        // does not remove the previous container).
        Intent::SaveId(_) => (
            vec![],
            false,
            format!(
                ": dropped, {e} finds the previous kubelet container by its name and removes it before each start; no uuid file is written"
            ),
        ),
        Intent::SignaturePolicy => (
            vec![],
            false,
            match target {
                Target::Docker => ": dropped, docker has no per-run verification switch: what it verifies is its own configuration (content trust where the unit sets DOCKER_CONTENT_TRUST=1; registries in /etc/docker/daemon.json)".to_string(),
                _ => format!(
                    ": dropped, {e} checks image signatures by its own policy (/etc/containers/policy.json for podman), not per run"
                ),
            },
        ),
        Intent::SkipTls => (
            vec!["--tls-verify=false".into()],
            false,
            ": registry TLS verification is switched off".into(),
        ),
        Intent::Dropped(why) | Intent::Lost(why) => (vec![], false, format!(": dropped, {why}")),
        Intent::Unpaired(u) => (vec![], false, u.explain()),
    }
}

/// The arguments that fit the container into its systemd unit, from the
/// release's `cgroup`, `log` and `notify` (podman's; the format refuses
/// them on docker): the kubelet in a cgroup below the unit's, writing to
/// the unit's output, its readiness passed on; and where the unit waits
/// for that readiness (`notify_socket`), the client detached once the
/// container runs, so that conmon, which stays, is the unit's main process.
fn unit_integration(o: &Oci, notify_socket: bool) -> Vec<(&'static str, Origin)> {
    let mut v = Vec::new();
    if o.cgroup == Some(Cgroup::Unit) {
        v.push(("--cgroups=split", Origin::Release("cgroup")));
    }
    if o.log == Some(Log::Unit) {
        v.push(("--log-driver=passthrough", Origin::Release("log")));
    }
    if o.notify == Some(Notify::Kubelet) {
        v.push(("--sdnotify=container", Origin::Release("notify")));
        if notify_socket {
            v.push(("--detach", Origin::UnitNotify));
        }
    }
    v
}

/// One notice for each of the admin's engine arguments that undoes one of
/// [`unit_integration`]'s (the engine takes the last of a repeated flag),
/// saying what it costs.
fn overridden(integration: &[(&str, Origin)], var: Var, admin: &AdminConfig) -> Vec<String> {
    let Some(value) = admin.engine_var(var) else {
        return Vec::new();
    };
    let mut notices = Vec::new();
    for w in split(value) {
        let word = w.to_string_lossy();
        let name = word.split_once('=').map_or(&*word, |(n, _)| n);
        let (ours, cost) = match name {
            "--cgroups" | "--cgroup-parent" => (
                "--cgroups=split",
                "the kubelet leaves the unit's cgroup, out of reach of its limits and of its stop",
            ),
            "--log-driver" => (
                "--log-driver=passthrough",
                "the engine's log driver and the attached client both write the kubelet's lines to the journal",
            ),
            "--sdnotify" => (
                "--sdnotify=container",
                "systemd no longer hears the kubelet's own readiness",
            ),
            _ => continue,
        };
        if integration.iter().any(|(a, _)| *a == ours) {
            notices.push(format!(
                "{var}: {} replaces the release's {ours}: {cost}",
                crate::text::quote::escape(w.as_bytes())
            ));
        }
    }
    notices
}

/// The notice for one translation.
pub(crate) fn notice(t: &Translation, args: &[OsString], target: Target, extra: &str) -> String {
    let shown: Vec<String> = args
        .iter()
        .map(|a| crate::text::quote::escape(a.as_bytes()))
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

/// Renders the podman (or docker) command. What the admin layer asks for
/// that this engine cannot give is in [`Rendered::errors`], all of it.
pub fn render(
    defaults: &Defaults,
    o: &Oci,
    target: Target,
    admin: &AdminConfig,
    image: (&OsStr, Origin),
    trust: Option<&TrustRule>,
    kubelet_args: &[OsString],
) -> Rendered {
    let (program_var, args_var) = (target.program_var(), target.args_var());
    let field = match target {
        Target::Docker => "engine.docker",
        _ => "engine.podman",
    };
    let mut errors = Vec::new();
    if o.require_digest && !image.0.as_bytes().windows(8).any(|w| w == b"@sha256:") {
        errors.push(RenderError::DigestRequired {
            image: crate::text::quote::escape(image.0.as_bytes()),
        });
    }
    let CarriedOver {
        translations,
        command,
        mut notices,
        mut notes,
        errors: refused,
    } = translate::carry_over(admin, target, defaults);
    errors.extend(refused.into_iter().map(RenderError::from));
    if !o.remove_previous {
        for t in translations
            .iter()
            .filter(|t| matches!(t.intent, Intent::SaveId(_)))
        {
            errors.push(
                translate::TranslateError::NoEquivalent {
                    var: t.var,
                    arg: t.rkt.clone(),
                    engine: target.name(),
                    engine_var: args_var,
                    why: " (this release does not remove the previous container, and --cidfile would stop the next start)".into(),
                }
                .into(),
            );
        }
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
    let mut run_args = Vec::new();
    let mut mistakes = Vec::new();
    for t in &translations {
        let (args, global, extra) = intent_args(t, target, o);
        let n = notice(t, &args, target, &extra);
        if matches!(t.intent, Intent::Unpaired(_)) {
            mistakes.push(n.clone());
        }
        if t.harmless() {
            notes.push(n.clone());
        }
        notices.push(n);
        let args = args
            .into_iter()
            .map(|a| Arg::new(a, Origin::Translated(t.var)));
        if global {
            argv.extend(args);
        } else {
            run_args.extend(args);
        }
    }
    argv.push(Arg::new("run", Origin::Syntax));
    argv.extend(
        o.run_flags
            .iter()
            .map(|a| Arg::new(a, Origin::Release("run_flags"))),
    );
    let integration = unit_integration(o, admin.notify);
    argv.extend(integration.iter().map(|(a, origin)| Arg::new(*a, *origin)));
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
    argv.extend(run_args);
    push_var(&mut argv, args_var, admin.engine_var(args_var));
    notices.extend(overridden(&integration, args_var, admin));
    for (i, v) in defaults.volumes.iter().enumerate() {
        argv.push(Arg::new(
            bind(
                target,
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
    let mut words = split(image.0);
    if target == Target::Docker
        && let Some(first) = words.first_mut()
        && let Some(rest) = first.as_bytes().strip_prefix(DOCKER_SCHEME)
    {
        let rest = OsString::from_vec(rest.to_vec());
        let from = match image.1 {
            Origin::Image { url: None, .. } => None,
            o => o.admin(),
        }
        .unwrap_or_else(|| "the release's image.default_url".to_string());
        let n = format!(
            "{from}: docker takes image references without rkt's docker:// scheme: {} is given to docker as {}",
            crate::text::quote::escape(first.as_bytes()),
            crate::text::quote::escape(rest.as_bytes())
        );
        // the same image: nothing for the admin to change
        notes.push(n.clone());
        notices.push(n);
        *first = rest;
    }
    argv.extend(words.into_iter().map(|w| Arg::new(w, image.1)));
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
    Rendered {
        argv,
        before,
        notices,
        notes,
        mistakes,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As Go's encoding/csv reads a record back, and docker each field:
    /// `key=value` at the first '='.
    fn fields(v: &OsStr) -> Vec<Vec<u8>> {
        let b = v.as_bytes().strip_prefix(b"--mount=").unwrap();
        let (mut out, mut cur, mut quoted, mut i) = (Vec::new(), Vec::new(), false, 0);
        while i < b.len() {
            match (b[i], quoted) {
                (b'"', false) if cur.is_empty() => quoted = true,
                (b'"', true) if b.get(i + 1) == Some(&b'"') => {
                    cur.push(b'"');
                    i += 1;
                }
                (b'"', true) => quoted = false,
                (b',', false) => out.push(std::mem::take(&mut cur)),
                (c, _) => cur.push(c),
            }
            i += 1;
        }
        out.push(cur);
        out
    }

    #[test]
    fn docker_mounts_are_one_csv_record() {
        let m = docker_mount(OsStr::new("/a,b\"c\nd"), OsStr::new("/t=u"), true, true);
        assert_eq!(
            fields(&m),
            [
                b"type=bind".to_vec(),
                b"source=/a,b\"c\nd".to_vec(),
                b"target=/t=u".to_vec(),
                b"readonly".to_vec(),
                b"bind-propagation=rshared".to_vec(),
            ]
        );
        assert_eq!(
            docker_mount(OsStr::new("/s"), OsStr::new("/t"), false, false),
            "--mount=type=bind,source=/s,target=/t"
        );
    }
}
