//! `check --unit`: a preflight of a kubelet unit before rollout.
//!
//! What systemd would make of the unit ([`crate::admin::unit`]), then what the
//! wrapper would make of that: its variables ([`variables`]), the plan and
//! its notices ([`plan_findings`]), and on this host the engine program, the
//! volumes' host paths, the directories and the propagation of the mounts
//! the kubelet's own mounts must reach ([`host_findings`]). Every
//! finding names the unit line where there is one, and what to change.
//! Exit 0 only when there is no error.

use super::cli::ShowFormat;
use super::input::{Layer, Target, admin_layer, target_in};
use super::json::{self, Bytes, Layout};
use super::output::{Failure, Output};
use super::unitfile;
use super::unitfile::FindingJson;
use crate::admin::unit::{self, Finding, Location, Severity, Unit};
use crate::admin::{self, Var};
use crate::engine::RenderError;
use crate::engine::command::{Arg, Origin};
use crate::engine::mounts::{self, Mount, Syntax};
use crate::engine::translate::TranslateError;
use crate::host::propagation::{self, SharedSource};
use crate::launch::{self, LaunchError};
use crate::plan::{self, Plan, PlanError};
use crate::release::model::Defaults;
use serde::Serialize;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

fn finding(severity: Severity, at: Option<Location>, message: String, fix: String) -> Finding {
    Finding {
        severity,
        at,
        message,
        fix,
    }
}

/// Where the unit sets a variable.
fn set_at(u: &Unit, name: &str) -> Option<Location> {
    u.get(name).map(|v| v.at.clone())
}

/// The unit line behind a message that starts with a variable's name
/// (`RKT_RUN_ARGS: ...`, `KUBELET_VERSION environment variable ...`).
fn message_at(u: &Unit, message: &str) -> Option<Location> {
    Var::ALL
        .iter()
        .filter(|v| {
            message
                .strip_prefix(v.name())
                .is_some_and(|rest| rest.starts_with([':', ' ', '=']))
        })
        .max_by_key(|v| v.name().len())
        .and_then(|v| set_at(u, v.name()))
        .or_else(|| {
            // "$VAR: ..." and "$URL:$TAG: ..." (origins)
            let name: String = message
                .trim_start_matches('$')
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                .collect();
            set_at(u, &name)
        })
}

/// The variables of the unit, as the wrapper sees them: names that are not
/// the wrapper's, deprecated ones, values that are the release's default.
pub fn variables(u: &Unit, defaults: &Defaults) -> Vec<Finding> {
    let mut out = Vec::new();
    let uses: &[String] = u.command.as_ref().map_or(&[], |c| &c.uses);
    let names: Vec<&str> = u.environment.iter().map(|v| v.name.as_str()).collect();
    for unknown in admin::unknown_variables(&names) {
        let at = set_at(u, &unknown.name);
        if uses.contains(&unknown.name) {
            out.push(finding(
                Severity::Info,
                at,
                format!(
                    "{} is not a kubelet-wrapper variable: ExecStart= expands it into the kubelet's flags, and the wrapper ignores it in its environment",
                    unknown.name
                ),
                String::new(),
            ));
            continue;
        }
        // a near miss of one of the wrapper's names means the setting is
        // lost (a warning); a name far from all of them is most likely for
        // another consumer (the engine, a script): a note
        let near = unknown.edits <= 3 && unknown.name != admin::RELEASE_VAR;
        let fix = if unknown.name == admin::RELEASE_VAR {
            format!(
                "remove {}: the image's build pins the release",
                unknown.name
            )
        } else if unknown.edits <= 3 {
            format!(
                "rename {} to {} (or remove it)",
                unknown.name, unknown.closest
            )
        } else {
            format!(
                "remove {0}: nothing reads it (or pass it to the kubelet with ${{{0}}} in ExecStart=)",
                unknown.name
            )
        };
        let message = if unknown.edits <= 3 {
            unknown.notice()
        } else {
            format!(
                "{} is not a kubelet-wrapper variable, and ExecStart= does not use it: the wrapper ignores it (the engine and the kubelet get the environment, but neither reads it unless told to)",
                unknown.name
            )
        };
        let severity = if near {
            Severity::Warning
        } else {
            Severity::Info
        };
        out.push(finding(severity, at, message, fix));
    }
    for v in Var::DEPRECATED {
        if u.get(v.name()).is_some_and(|x| !x.value.is_empty()) {
            let new = v.replacement().expect("deprecated");
            // the wrapper still reads it: a note
            out.push(finding(
                Severity::Info,
                set_at(u, v.name()),
                admin::deprecation_notice(v),
                format!("rename {v} to {new}"),
            ));
        }
    }
    let program_var = crate::engine::program_var(&defaults.engine);
    let defaults_of: [(Var, &str); 2] = [
        (Var::KubeletImageUrl, &defaults.image.default_url),
        (program_var, defaults.engine.program()),
    ];
    for (v, default) in defaults_of {
        if u.get(v.name()).is_some_and(|x| x.value == default) {
            out.push(finding(
                Severity::Info,
                set_at(u, v.name()),
                format!("{v} is set to the release's own default ({default})"),
                format!("remove {v} to follow the release's default when it changes"),
            ));
        }
    }
    out
}

/// Whether the unit's readiness fits the release's engine: a unit that
/// waits for a notification the kubelet cannot send never starts (measured
/// on a booted node: rkt fly gives the kubelet no `NOTIFY_SOCKET`, and the
/// start timed out); a unit that does not wait where the release passes the
/// kubelet's readiness on misses what it gives.
pub fn readiness(u: &Unit, defaults: &Defaults) -> Vec<Finding> {
    use crate::release::model::Engine;
    let cannot = match &defaults.engine {
        Engine::Rkt(_) => Some("rkt fly gives the kubelet no NOTIFY_SOCKET"),
        Engine::Docker(_) => Some("docker passes no sd_notify message on"),
        Engine::SystemdNspawn(n) if !n.run_flags.iter().any(|f| f == "--notify-ready=yes") => {
            Some("the release's systemd-nspawn does not wait for the kubelet (--notify-ready=yes)")
        }
        _ => None,
    };
    let mut out = Vec::new();
    match (u.notify, cannot) {
        (true, Some(why)) => out.push(finding(
            Severity::Error,
            u.notify_at.clone(),
            format!(
                "systemd waits for the service's readiness (Type=notify, or NotifyAccess=), which never comes on this release: {why}; the start times out and the unit fails"
            ),
            "remove Type=notify and NotifyAccess= (the default Type=simple: the wrapper's process is the unit's main process)".into(),
        )),
        (false, None) if matches!(&defaults.engine, Engine::Podman(o) if o.notify.is_some()) => {
            out.push(finding(
                Severity::Info,
                None,
                "the release passes the kubelet's own readiness to a Type=notify unit: `systemctl start` would return once the kubelet is ready, and podman's client would leave once the container runs, its supervisor (conmon) becoming the unit's main process, as in podman's own units".into(),
                "add Type=notify, KillMode=mixed and Delegate=yes to [Service] (as /usr/share/kubelet-wrapper/kubelet.service has)".into(),
            ))
        }
        _ => {}
    }
    out
}

/// The plan's notices as findings: what only records how the unit's
/// settings were carried over (a translation, a redundant mount dropped, a
/// deprecated name) is a note; the rest changes what the kubelet gets
/// against what the unit says (a likely mistake, a setting ignored or
/// dropped, a weakened check): a warning. Unknown names are [`variables`]'.
pub fn plan_findings(u: &Unit, p: &Plan) -> Vec<Finding> {
    let handled: Vec<String> = {
        let names: Vec<&str> = u.environment.iter().map(|v| v.name.as_str()).collect();
        let mut h: Vec<String> = admin::unknown_variables(&names)
            .iter()
            .map(admin::Unknown::notice)
            .collect();
        h.extend(Var::DEPRECATED.into_iter().map(admin::deprecation_notice));
        h
    };
    let mut out = Vec::new();
    for n in &p.notices {
        if handled.contains(n) {
            continue;
        }
        let at = message_at(u, n);
        let (severity, fix) = if p.trust_weakened.contains(n) {
            (
                Severity::Warning,
                "keep it only if switching the check off is intended".to_string(),
            )
        } else if p.notes.contains(n) {
            (Severity::Info, fix_for(n))
        } else {
            (Severity::Warning, fix_for(n))
        };
        out.push(finding(severity, at, n.clone(), fix));
    }
    out
}

/// What to change, for a notice that does not say it itself.
fn fix_for(notice: &str) -> String {
    if let Some((_, add)) = notice.rsplit_once("; add ") {
        format!("add {add}")
    } else if notice.contains("holds quote characters") {
        "remove the quote characters from the value (systemd already removed the quotes of Environment=\"NAME=...\")".into()
    } else if let Some((var, rest)) = notice.split_once(": ")
        && let Some((arg, why)) = rest
            .split_once(" is an rkt argument: dropped, ")
            .or_else(|| rest.split_once(": dropped, "))
    {
        let arg = arg.strip_prefix("the admin mount ").unwrap_or(arg);
        let pair = if arg.contains(" + --mount") {
            " (the --volume and its --mount)"
        } else {
            ""
        };
        if why.starts_with("the release already mounts") || why.starts_with("the release's volume")
        {
            format!("remove {arg} from {var}{pair}: the release mounts it itself")
        } else {
            format!("remove {arg} from {var}{pair}: nothing on this release needs it")
        }
    } else if notice.contains(" is ignored") {
        "remove it from the unit, or set the variable this release uses".into()
    } else if notice.contains("is likely a mistake") {
        "correct the value".into()
    } else {
        String::new()
    }
}

/// The host paths of the plan's volumes: the release's, and the admin's
/// bind mounts as the engine command has them; each with whose it is.
fn volume_sources(defaults: &Defaults, argv: &[Arg]) -> Vec<(PathBuf, String, Option<Var>)> {
    let mut out: Vec<(PathBuf, String, Option<Var>)> = defaults
        .volumes
        .iter()
        .map(|v| {
            (
                PathBuf::from(&v.source),
                format!("the release's volume {}", v.name),
                None,
            )
        })
        .collect();
    // the admin's binds, read as the engine reads its arguments
    let words: Vec<&[u8]> = argv.iter().map(|a| a.value.as_bytes()).collect();
    for f in mounts::mounts(Syntax::of(&defaults.engine), &words) {
        let var = match argv[f.at].origin {
            Origin::Variable(v) | Origin::Translated(v) => v,
            _ => continue,
        };
        let (Mount::At { source, .. } | Mount::RktVolume { source, .. }) = f.mount else {
            continue;
        };
        if let Some(s) = source.filter(|s| s.starts_with(b"/")) {
            out.push((
                PathBuf::from(OsStr::from_bytes(&s)),
                format!("a volume of {var}"),
                Some(var),
            ));
        }
    }
    out
}

/// The stack size limit systemd gives a service unless the unit says
/// otherwise (its soft `LimitSTACK=` default, the kernel's 8 MiB): execve
/// takes a quarter of it for arguments and environment.
const SERVICE_STACK: usize = 8 << 20;

/// Whether execve will take the engine command with the unit's
/// environment: a unit whose flags or variables are too large starts, and
/// the wrapper then fails with 126. Checked with what systemd gives a
/// service (not this host's limits): the unit decides it, not the machine
/// the check runs on.
pub fn exec_size_findings(u: &Unit, p: &Plan) -> Vec<Finding> {
    let argv: Vec<&OsStr> = p.argv.iter().map(|a| a.value.as_os_str()).collect();
    let env: Vec<Vec<u8>> = u
        .environment
        .iter()
        .map(|v| format!("{}={}", v.name, v.value).into_bytes())
        .collect();
    let limit = (SERVICE_STACK / 4).clamp(128 << 10, 6 << 20);
    match launch::check_exec_size(argv[0], &argv, &env, limit) {
        Ok(()) => Vec::new(),
        Err(e) => vec![finding(
            Severity::Error,
            u.command.as_ref().map(|c| c.at.clone()),
            format!("the wrapper would refuse to start (exit 126): {e}"),
            "shorten the kubelet's flags or the variables of engine arguments, or move kubelet settings into a --config file".into(),
        )],
    }
}

/// On this host: the engine program, every volume's host path, every
/// directory the wrapper creates.
pub fn host_findings(u: &Unit, defaults: &Defaults, p: &Plan, root: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    let rooted = root != Path::new("/");
    let here = if rooted {
        format!(
            "in {}",
            crate::text::quote::escape(root.as_os_str().as_bytes())
        )
    } else {
        "on this host".to_string()
    };
    let path = u
        .get("PATH")
        .map_or(unit::DEFAULT_PATH.to_string(), |v| v.value.clone());
    let program = p.argv[0].value.as_os_str();
    // the engine program as the node will look it up: a path with a /
    // inside the tree, a name in each PATH directory of the tree
    let found = if rooted {
        resolve_in(root, program, &path, p.program_var.name())
    } else {
        launch::resolve_program(program, Some(OsStr::new(&path)), p.program_var.name()).map(|_| ())
    };
    if let Err(e) = found {
        out.push(finding(
            Severity::Error,
            set_at(u, p.program_var.name()),
            e.to_string(),
            format!(
                "install {} in the node's image, or set {}= in the unit to its path",
                p.engine, p.program_var
            ),
        ));
    }
    // what the unit's own ExecStartPre= lines create exists when the
    // wrapper starts
    let made_by_unit = u.created_directories();
    for (source, whose, var) in volume_sources(defaults, &p.argv) {
        let created = p.directories.iter().any(|d| d.starts_with(&source))
            || made_by_unit.iter().any(|d| source.starts_with(&d.path));
        let exists =
            unitfile::chase(root, &source).is_ok_and(|real| std::fs::metadata(real).is_ok());
        if created || exists {
            continue;
        }
        let (at, fix) = match var {
            Some(v) => (
                set_at(u, v.name()),
                format!(
                    "create {} on every node (ExecStartPre=/bin/mkdir -p {} for a directory), or correct the volume's source in {v}",
                    source.display(),
                    source.display()
                ),
            ),
            None => (
                None,
                format!(
                    "create {} in the node's image: the release mounts it and the engine fails without it",
                    source.display()
                ),
            ),
        };
        out.push(finding(
            Severity::Error,
            at,
            format!("{} does not exist {here} ({whose})", source.display()),
            fix,
        ));
    }
    if let Err(e) = launch::check_directories(root, &p.directories) {
        out.push(finding(
            Severity::Error,
            None,
            format!("the wrapper would fail: {e}"),
            "remove or move what is in the way, or make that file system writable".into(),
        ));
    }
    if !rooted {
        out.extend(propagation_findings(
            &super::describe::host_state,
            &p.shared,
        ));
    }
    out
}

/// The engine program looked up in the node's tree at `root`, as the
/// node's execvp will: with a `/`, that path; else each directory of
/// `path` in turn.
fn resolve_in(
    root: &Path,
    program: &OsStr,
    path: &str,
    var: &'static str,
) -> Result<(), LaunchError> {
    let candidates: Vec<PathBuf> = if program.as_bytes().contains(&b'/') {
        vec![PathBuf::from(program)]
    } else {
        path.split(':')
            .filter(|d| d.starts_with('/'))
            .map(|d| Path::new(d).join(program))
            .collect()
    };
    for c in &candidates {
        if let Ok(real) = unitfile::chase(root, c)
            && std::fs::metadata(&real).is_ok()
        {
            return launch::resolve_program(real.as_os_str(), None, var).map(|_| ());
        }
    }
    Err(LaunchError::NotFound {
        program: program.to_owned(),
        path: (!program.as_bytes().contains(&b'/')).then(|| path.into()),
        var,
    })
}

/// The `rkt` commands of a unit whose release runs another engine: rkt is
/// not on such a node, so each does nothing (with `-`) or fails the
/// start (without); one finding each, with what to write instead.
pub fn rkt_command_findings(u: &Unit, defaults: &Defaults) -> Vec<Finding> {
    use crate::release::model::Engine;
    use unit::Directive;
    if matches!(defaults.engine, Engine::Rkt(_)) {
        return Vec::new();
    }
    let engine = defaults.engine.name();
    let removes_previous = match &defaults.engine {
        Engine::Podman(o) | Engine::Docker(o) => o.remove_previous,
        _ => false,
    };
    let mut out = Vec::new();
    for c in u.rkt_commands() {
        let sub = c
            .argv
            .iter()
            .skip(1)
            .find(|w| !w.as_bytes().starts_with(b"-"))
            .map(|w| String::from_utf8_lossy(w.as_bytes()).into_owned())
            .unwrap_or_default();
        let shown: Vec<String> = c
            .argv
            .iter()
            .map(|a| crate::text::quote::escape(a.as_bytes()))
            .collect();
        let line = format!(
            "{}={}{}",
            c.directive.name(),
            if c.ignore_failure { "-" } else { "" },
            shown.join(" ")
        );
        let instead = match (sub.as_str(), c.directive) {
            ("rm" | "gc", _) if removes_previous => {
                "remove the line: the release removes the previous kubelet container itself before each start".to_string()
            }
            ("stop", Directive::ExecStop | Directive::ExecStopPost) => format!(
                "remove the line: stopping the unit stops the kubelet ({engine} is the unit's main process and gets systemd's SIGTERM)"
            ),
            ("fetch" | "image", _) => format!(
                "remove the line, or fetch the image with {engine} (e.g. ExecStartPre=-/usr/bin/{engine} pull IMAGE)"
            ),
            _ => format!("remove the line, or do the same with {engine}"),
        };
        let (severity, consequence) = match (c.ignore_failure, c.directive) {
            (true, _) => (
                Severity::Info,
                "its failure is ignored ('-'), so it only adds a line to the journal".to_string(),
            ),
            (false, Directive::ExecStop | Directive::ExecStopPost | Directive::ExecReload) => (
                Severity::Warning,
                "it fails on every stop, and systemd marks the stop failed".to_string(),
            ),
            (false, _) => (
                Severity::Error,
                "it fails, and systemd does not start the service".to_string(),
            ),
        };
        out.push(finding(
            severity,
            Some(c.at.clone()),
            format!(
                "{line}: this release runs {engine}, and a node of it has no rkt: {consequence}"
            ),
            instead,
        ));
    }
    out
}

/// Environment files the OS itself writes at boot: off the node (under
/// `--root`, or with `--no-host`) their absence is no defect of the unit.
const BOOT_FILES: &[(&str, &str)] = &[
    (
        "/etc/environment",
        "coreos-setup-environment.service writes it at boot (the node's addresses)",
    ),
    (
        "/run/metadata/",
        "the metadata agent (coreos-metadata, afterburn) writes it at boot from the cloud's or the machine's metadata",
    ),
];

/// A missing environment file the OS writes at boot, found off the node:
/// a note that says so, not the error the unit reader gives.
fn boot_file_notes(findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        if f.severity != Severity::Error {
            continue;
        }
        let Some(rest) = f.message.strip_prefix("EnvironmentFile=") else {
            continue;
        };
        let path = rest.split(": ").next().unwrap_or("");
        let Some((_, who)) = BOOT_FILES.iter().find(|(p, _)| {
            if p.ends_with('/') {
                path.starts_with(p)
            } else {
                path == *p
            }
        }) else {
            continue;
        };
        f.severity = Severity::Info;
        f.message = format!(
            "EnvironmentFile={path}: not in the tree checked; the OS provides it at run time: {who}; the variables it sets are not known here"
        );
        f.fix = String::new();
    }
}

/// Whether the kubelet's mounts below the release's shared volumes would
/// reach this host: an error where the release requires a shared source
/// and it is not, a note where the wrapper will make it so at start.
fn propagation_findings(
    lookup: &dyn Fn(&Path) -> Option<propagation::State>,
    shared: &[SharedSource],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in shared {
        let Some(st) = lookup(&s.path) else {
            continue;
        };
        if st.passes_on() {
            continue;
        }
        // the decision is propagation's, on the state just looked up
        match propagation::check(&|_| Some(st.clone()), Path::new("/"), std::slice::from_ref(s)) {
            Err(e @ propagation::Refused::Unbindable(_)) => out.push(finding(
                Severity::Error,
                None,
                format!("the wrapper would refuse to start: {e}"),
                format!(
                    "make {} shared before the kubelet starts (mount --make-shared {}): mount(2) binds nothing from an unbindable mount",
                    crate::text::quote::escape(st.mount.as_os_str().as_bytes()),
                    crate::text::quote::escape(st.mount.as_os_str().as_bytes()),
                ),
            )),
            Err(e) => out.push(finding(
                Severity::Error,
                None,
                format!("the wrapper would refuse to start: {e}"),
                format!(
                    "make the mount of {} shared before the kubelet starts: systemd makes / shared at boot, so this is a host where it did not run as PID 1 or something remounted it; or add ExecStartPre=/bin/sh -c 'mount --bind {} {} && mount --make-shared {}' to the unit",
                    s.path.display(),
                    s.path.display(),
                    s.path.display(),
                    s.path.display()
                ),
            )),
            Ok(_) => out.push(finding(
                Severity::Info,
                None,
                format!(
                    "{} (volume {}) is on mount {}, whose propagation is {}: when it starts, the wrapper binds it onto itself and marks it shared (once: the bind stays until the node reboots), so that pods' volumes reach the pods",
                    crate::text::quote::escape(s.path.as_os_str().as_bytes()),
                    s.volume,
                    crate::text::quote::escape(st.mount.as_os_str().as_bytes()),
                    st.propagation
                ),
                "nothing to change; on a host that boots with systemd / is shared and the wrapper binds nothing".into(),
            )),
        }
    }
    out
}

/// What check found, for both formats.
struct Report {
    unit: Unit,
    target: Target,
    defaults: Defaults,
    plan: Option<Plan>,
    findings: Vec<Finding>,
    options: Options,
}

/// The newest CoreOS release file that runs rkt, for the fixes that a
/// release choice would make.
fn newest_rkt_release() -> Option<String> {
    crate::release::registry::files()
        .iter()
        .filter(|f| {
            let d = f.parse();
            d.origin == crate::release::model::ReleaseOrigin::Coreos
                && matches!(d.engine, crate::release::model::Engine::Rkt(_))
        })
        .map(|f| f.version)
        .max()
        .map(|v| v.to_string())
}

/// How `check` runs.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Check this host's facts (the engine program, volume sources,
    /// directories, propagation); off for a unit checked off the node.
    pub host: bool,
    /// Warnings make the exit status 1 too.
    pub strict: bool,
}

/// What `--no-host` leaves out, for the output.
pub const NOT_CHECKED: &str = "not checked (--no-host): the engine program, the volumes' host paths, the directories the wrapper creates, mount propagation";

pub fn check(
    unit_path: &Path,
    drop_ins: &[PathBuf],
    root: &Path,
    release: Option<&str>,
    format: ShowFormat,
    options: Options,
) -> Result<Output, Failure> {
    let Layer {
        admin,
        kubelet,
        unit,
        root,
    } = admin_layer(Some(unit_path), drop_ins, root, Vec::new())?;
    let u = unit.expect("a layer read from a unit has it");
    let t = target_in(release, &root)?;
    let defaults = t.file.parse();
    let mut findings = u.findings.clone();
    if root != Path::new("/") || !options.host {
        boot_file_notes(&mut findings);
    }
    // a unit systemd refuses to load runs nothing: its errors say why, and
    // a plan from what little was read would only add false ones
    let loads = !u.no_command.as_deref().is_some_and(|why| {
        why.starts_with("systemd refuses to load the unit")
            || why.ends_with("systemd refuses to load it")
    });
    if loads {
        findings.extend(variables(&u, &defaults));
        findings.extend(rkt_command_findings(&u, &defaults));
        findings.extend(readiness(&u, &defaults));
    }
    let plan = match loads.then(|| plan::plan(&defaults, &admin, &kubelet)) {
        None => None,
        Some(Ok(p)) => {
            findings.extend(plan_findings(&u, &p));
            findings.extend(exec_size_findings(&u, &p));
            if options.host {
                findings.extend(host_findings(&u, &defaults, &p, &root));
            }
            Some(p)
        }
        Some(Err(e)) => {
            // every problem, each with its own fix
            for e in e.each() {
                let message = e.to_string();
                let mut fix = e.fix();
                // what rkt reads as written: a release that runs rkt
                if let PlanError::Render(RenderError::Translate(TranslateError::NoEquivalent {
                    ..
                })) = e
                    && let Some(rkt) = newest_rkt_release()
                {
                    fix.push_str(&format!(
                        "; on a release that runs rkt (--release {rkt}) rkt gets it as written"
                    ));
                }
                findings.push(finding(
                    Severity::Error,
                    message_at(&u, &message),
                    format!("the wrapper refuses to start: {message}"),
                    fix,
                ));
            }
            None
        }
    };
    findings.sort_by_key(|f| f.severity);
    let report = Report {
        unit: u,
        target: t,
        defaults,
        plan,
        findings,
        options,
    };
    let errors = report
        .findings
        .iter()
        .filter(|f| {
            f.severity == Severity::Error || (options.strict && f.severity == Severity::Warning)
        })
        .count();
    let stdout = match format {
        ShowFormat::Text => text(&report),
        ShowFormat::Json => json_report(&report),
    };
    Ok(Output {
        stdout,
        stderr: Vec::new(),
        status: u8::from(errors > 0),
    })
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn text(r: &Report) -> String {
    let mut out = format!(
        "{}\n",
        crate::text::quote::escape(r.unit.files[0].as_os_str().as_bytes())
    );
    for f in &r.unit.files[1..] {
        out.push_str(&format!(
            "  + {}\n",
            crate::text::quote::escape(f.as_os_str().as_bytes())
        ));
    }
    out.push_str(&format!(
        "  for release {} ({}): defaults/{}.json, {}\n",
        r.target.release,
        r.target.source_text(),
        r.target.file.version,
        r.defaults.engine.name()
    ));
    if !r.options.host {
        out.push_str(&format!("  {NOT_CHECKED}\n"));
    }
    out.push('\n');
    for f in &r.findings {
        let at = unitfile::finding_at(f);
        // each one line, whatever the unit's values hold
        out.push_str(&format!(
            "{:<8} {}{}\n",
            f.severity.name(),
            crate::text::quote::line(&at),
            crate::text::quote::line(&f.message)
        ));
        if !f.fix.is_empty() {
            out.push_str(&format!(
                "         fix: {}\n",
                crate::text::quote::line(&f.fix)
            ));
        }
    }
    let n = |s| r.findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings, notes) = (n(Severity::Error), n(Severity::Warning), n(Severity::Info));
    if !r.findings.is_empty() {
        out.push('\n');
    }
    if errors > 0 {
        out.push_str(&format!(
            "{}, {}, {}: fix the errors before rolling the unit out.\n",
            count(errors, "error"),
            count(warnings, "warning"),
            count(notes, "note")
        ));
    } else if r.options.strict && warnings > 0 {
        out.push_str(&format!(
            "No errors, but {} and {} (--strict): fix the warnings before rolling the unit out.\n",
            count(warnings, "warning"),
            count(notes, "note")
        ));
    } else {
        out.push_str(&format!(
            "No errors ({}, {}): the unit is ready to roll out.\n",
            count(warnings, "warning"),
            count(notes, "note")
        ));
    }
    out
}

/// `check --format json`.
#[derive(Serialize)]
struct ReportJson<'a> {
    unit: Bytes<'a>,
    files: Vec<Bytes<'a>>,
    release: &'a str,
    release_source: &'static str,
    defaults: String,
    engine: &'static str,
    ok: bool,
    host: bool,
    errors: usize,
    warnings: usize,
    notes: usize,
    findings: Vec<FindingJson<'a>>,
    argv: Option<Vec<Bytes<'a>>>,
    directories: Option<Vec<Bytes<'a>>>,
}

fn json_report(r: &Report) -> String {
    let n = |s| r.findings.iter().filter(|f| f.severity == s).count();
    let out = ReportJson {
        unit: Bytes::os(&r.unit.files[0]),
        files: json::each(&r.unit.files),
        release: &r.target.release,
        release_source: r.target.source,
        defaults: r.target.file.version.to_string(),
        engine: r.defaults.engine.name(),
        ok: n(Severity::Error) == 0 && !(r.options.strict && n(Severity::Warning) > 0),
        host: r.options.host,
        errors: n(Severity::Error),
        warnings: n(Severity::Warning),
        notes: n(Severity::Info),
        findings: r.findings.iter().map(FindingJson::from).collect(),
        argv: r
            .plan
            .as_ref()
            .map(|p| json::each(p.argv.iter().map(|a| &a.value))),
        directories: r.plan.as_ref().map(|p| json::each(&p.directories)),
    };
    json::document(
        &out,
        &Layout {
            lines: &[&["", "files", "findings", "findings[]"]],
            indent: "  ",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::mountinfo::MountTable;
    use crate::release::model::SharedRule;

    fn kubelet_dir(rule: SharedRule) -> Vec<SharedSource> {
        vec![SharedSource {
            volume: "var-lib-kubelet".into(),
            path: "/nonexistent-kw-check/var/lib/kubelet".into(),
            rule,
        }]
    }

    fn table(root_optional: &str) -> MountTable {
        MountTable::parse(
            format!("1 0 254:0 / / rw {root_optional}- ext4 /dev/vda rw\n").as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn propagation_on_a_shared_root_needs_nothing() {
        for rule in [SharedRule::Make, SharedRule::Require] {
            let t = table("shared:1 ");
            assert!(
                propagation_findings(&|p| propagation::state_in(&t, p), &kubelet_dir(rule))
                    .is_empty()
            );
        }
    }

    #[test]
    fn propagation_on_a_private_root_is_a_note_or_an_error_as_the_release_decides() {
        let private = table("");
        let made = propagation_findings(
            &|p| propagation::state_in(&private, p),
            &kubelet_dir(SharedRule::Make),
        );
        assert_eq!(made.len(), 1);
        assert_eq!(made[0].severity, Severity::Info);
        assert!(
            made[0]
                .message
                .contains("is on mount /, whose propagation is private"),
            "{}",
            made[0].message
        );
        let slave = table("master:2 ");
        let refused = propagation_findings(
            &|p| propagation::state_in(&slave, p),
            &kubelet_dir(SharedRule::Require),
        );
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].severity, Severity::Error);
        assert!(
            refused[0]
                .message
                .starts_with("the wrapper would refuse to start: ")
                && refused[0].message.contains("propagation is slave"),
            "{}",
            refused[0].message
        );
        assert!(
            refused[0].fix.contains("--make-shared"),
            "{}",
            refused[0].fix
        );
    }
}
