//! The corpus of real kubelet units (tests/data/units, README there):
//! units that Typhoon, coreos-kubernetes, Lokomotive and matchbox wrote for
//! CoreOS's wrapper, each with the node files it reads, where it comes from,
//! the kubelet flags systemd gives the wrapper and its genuine defects.
//!
//! For every unit, on the release of its era and on every release file of
//! this project's own in defaults/ (3000.0.0, podman):
//!
//! - `render --unit` runs on a node made of the unit's root (its files at
//!   their node paths, and the files the OS writes at boot) in a private
//!   mount namespace, and every kubelet flag of its ExecStart= reaches the
//!   engine's command, in order, after the image;
//! - every admin mount of RKT_RUN_ARGS / RKT_OPTS (`--volume`/`--mount`
//!   pairs, `--dns=host`, `--hosts-entry host`) reaches the engine's
//!   command: as written on an rkt release; on another engine translated
//!   (`--volume=SRC:DST:ro|rw`, `--bind[-ro]=SRC:DST`) or, where the
//!   release already mounts that very source at that target, once, with a
//!   notice that says so;
//! - `check --root ROOT --no-host` checks the unit off the node (the unit,
//!   its files and the release, not this machine) and reports no error but
//!   the unit's listed defects, and reports each of those.
//!
//! Each test goes through the whole corpus and lists every case that fails
//! before failing, so that one run gives the whole picture.

mod common;

use common::{CTL, Sandbox};
use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/units");

/// The off-node mode of `check` that issue 16 asks for: the unit, its files
/// and the release are checked; nothing of this machine is.
const OFF_NODE: &str = "--no-host";

struct Defect {
    file: String,
    lines: Option<(u64, u64)>,
    what: String,
    /// The severity `check` should report it with (`None`: a kubelet-level
    /// mistake the wrapper cannot know).
    check: Option<String>,
}

struct Unit {
    id: String,
    root: PathBuf,
    unit: String,
    files: Vec<String>,
    runtime_files: BTreeMap<String, String>,
    release: String,
    environment: BTreeMap<String, String>,
    kubelet_flags: Vec<String>,
    defects: Vec<Defect>,
}

impl Unit {
    fn unit_path(&self) -> PathBuf {
        self.root.join(self.unit.trim_start_matches('/'))
    }
    /// The words of a variable of engine arguments, split as the wrapper
    /// splits them.
    fn words(&self, var: &str) -> Vec<String> {
        self.environment
            .get(var)
            .map(|v| v.split_whitespace().map(String::from).collect())
            .unwrap_or_default()
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

fn corpus() -> Vec<Unit> {
    let text = fs::read_to_string(Path::new(DATA).join("corpus.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| Unit {
            id: u["id"].as_str().unwrap().to_string(),
            root: Path::new(DATA).join(u["root"].as_str().unwrap()),
            unit: u["unit"].as_str().unwrap().to_string(),
            files: strings(&u["files"]),
            runtime_files: u["runtime_files"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect(),
            release: u["release"].as_str().unwrap().to_string(),
            environment: u["environment"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect(),
            kubelet_flags: strings(&u["kubelet_flags"]),
            defects: u["defects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| Defect {
                    file: d["file"].as_str().unwrap().to_string(),
                    lines: d["lines"]
                        .as_array()
                        .map(|l| (l[0].as_u64().unwrap(), l[1].as_u64().unwrap())),
                    what: d["what"].as_str().unwrap().to_string(),
                    check: d["check"].as_str().map(String::from),
                })
                .collect(),
        })
        .collect()
}

/// A release file in defaults/ that is not CoreOS's: this project's own
/// (3000.0.0, podman) and Flatcar's (3033.2.0, docker).
struct ProjectRelease {
    release: String,
    /// (source, target) of each volume the release mounts.
    volumes: Vec<(String, String)>,
}

fn project_releases() -> Vec<ProjectRelease> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("defaults");
    let mut out = Vec::new();
    for e in fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") || path.ends_with("schema.json") {
            continue;
        }
        let v: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        // the releases after CoreOS's: this project's own and Flatcar's
        if !matches!(v["origin"].as_str(), Some("project" | "flatcar")) {
            continue;
        }
        let volumes = v["volumes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        (
                            x["source"].as_str().unwrap().to_string(),
                            x["target"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(ProjectRelease {
            release: v["release"].as_str().unwrap().to_string(),
            volumes,
        });
    }
    out.sort_by(|a, b| a.release.cmp(&b.release));
    assert!(
        out.iter().any(|r| r.release == "3000.0.0"),
        "defaults/3000.0.0.json is a project release"
    );
    out
}

// ---------------------------------------------------------------------------
// The admin's rkt arguments, read independently of the wrapper.

/// A host path mounted into the kubelet's container by the admin.
#[derive(Debug)]
struct AdminMount {
    /// How the unit says it (for messages).
    written: String,
    source: String,
    target: String,
    read_only: bool,
}

/// The admin mounts of rkt arguments: each `--mount` of a `--volume` the
/// same arguments declare, `--dns=host` and `--hosts-entry host`. Both
/// `--flag value` and `--flag=value` are read, as rkt reads them.
fn admin_mounts(words: &[String]) -> Vec<AdminMount> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let (flag, value) = match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (w.clone(), None),
        };
        let takes_value = matches!(
            flag.as_str(),
            "--volume" | "--mount" | "--dns" | "--hosts-entry"
        );
        let value = match value {
            Some(v) => v,
            None if takes_value && i + 1 < words.len() => {
                i += 1;
                words[i].clone()
            }
            None => {
                i += 1;
                continue;
            }
        };
        if takes_value {
            pairs.push((flag, value));
        }
        i += 1;
    }
    let fields = |v: &str| -> BTreeMap<String, String> {
        v.split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let volumes: BTreeMap<String, (String, BTreeMap<String, String>)> = pairs
        .iter()
        .filter(|(f, _)| f == "--volume")
        .map(|(_, v)| {
            let name = v.split(',').next().unwrap().to_string();
            (name, (v.clone(), fields(v)))
        })
        .collect();
    let mut out = Vec::new();
    for (flag, value) in &pairs {
        match flag.as_str() {
            "--mount" => {
                let m = fields(value);
                let Some((vol, vf)) = volumes.get(&m["volume"]) else {
                    continue; // a release volume's name: nothing of the admin's
                };
                out.push(AdminMount {
                    written: format!("--volume {vol} --mount {value}"),
                    source: vf["source"].clone(),
                    target: m["target"].clone(),
                    read_only: vf.get("readOnly").is_some_and(|b| b == "true"),
                });
            }
            "--dns" if value == "host" => out.push(AdminMount {
                written: "--dns=host".into(),
                source: "/etc/resolv.conf".into(),
                target: "/etc/resolv.conf".into(),
                read_only: true,
            }),
            "--hosts-entry" if value == "host" => out.push(AdminMount {
                written: "--hosts-entry host".into(),
                source: "/etc/hosts".into(),
                target: "/etc/hosts".into(),
                read_only: true,
            }),
            _ => {}
        }
    }
    out
}

/// A path without trailing slashes (`/etc/iscsi/` is `/etc/iscsi`).
fn norm(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() { "/" } else { t }
}

/// The bind mounts of an OCI engine's or systemd-nspawn's command, as
/// (source, target, read-only).
fn engine_binds(engine: &str, argv: &[String]) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for a in argv {
        if engine == "systemd-nspawn" {
            let (spec, ro) = if let Some(s) = a.strip_prefix("--bind-ro=") {
                (s, true)
            } else if let Some(s) = a.strip_prefix("--bind=") {
                (s, false)
            } else {
                continue;
            };
            let (s, t) = spec.split_once(':').unwrap_or((spec, spec));
            let t = t.split(':').next().unwrap();
            out.push((norm(s).to_string(), norm(t).to_string(), ro));
        } else if let Some(spec) = a.strip_prefix("--mount=") {
            // docker's binds: type=bind,source=S,target=T[,readonly][,...]
            let items: Vec<(&str, &str)> = spec
                .split(',')
                .map(|kv| kv.split_once('=').unwrap_or((kv, "")))
                .collect();
            if !items.iter().any(|(k, v)| *k == "type" && *v == "bind") {
                continue;
            }
            let get = |keys: &[&str]| {
                items
                    .iter()
                    .rev()
                    .find(|(k, _)| keys.contains(k))
                    .map(|(_, v)| *v)
                    .unwrap_or("")
            };
            let ro = items
                .iter()
                .any(|(k, v)| matches!(*k, "readonly" | "ro") && matches!(*v, "" | "true" | "1"));
            out.push((
                norm(get(&["source", "src"])).to_string(),
                norm(get(&["target", "dst", "destination"])).to_string(),
                ro,
            ));
        } else if let Some(spec) = a.strip_prefix("--volume=") {
            let mut parts = spec.splitn(3, ':');
            let s = parts.next().unwrap_or("");
            let t = parts.next().unwrap_or("");
            let opts = parts.next().unwrap_or("");
            let ro = opts.split(',').any(|o| o == "ro");
            out.push((norm(s).to_string(), norm(t).to_string(), ro));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Running the tool.

/// `render --unit` on a node made of the unit's root: its files (but the
/// unit itself, read where it is) and the files the OS writes at boot, in a
/// private mount namespace over fresh /etc, /var, /run and /opt.
fn render(u: &Unit, release: &str) -> Result<Value, String> {
    let mut sb = Sandbox::new();
    let mut setup = String::from("set -e\n");
    let mut copy = |from: &Path, to: &str| {
        setup.push_str(&format!(
            "mkdir -p '{dir}'\ncp '{from}' '{to}'\n",
            dir = Path::new(to).parent().unwrap().display(),
            from = from.display(),
        ));
    };
    for f in u.files.iter().filter(|f| **f != u.unit) {
        copy(&u.root.join(f.trim_start_matches('/')), f);
    }
    for (i, (path, text)) in u.runtime_files.iter().enumerate() {
        let local = sb.dir.join(format!("runtime-{i}"));
        fs::write(&local, text).unwrap();
        copy(&local, path);
    }
    sb.setup = setup;
    let args: Vec<OsString> = vec![
        "render".into(),
        "--unit".into(),
        u.unit_path().into(),
        "--release".into(),
        release.into(),
        "--format".into(),
        "json".into(),
    ];
    let r = sb.run(CTL, &args);
    if r.status() != 0 {
        // the refusal is the last line; the notices before it are the
        // same as in the JSON of a run that goes through
        let stderr = r.stderr();
        return Err(format!(
            "render exits {}: {}",
            r.status(),
            stderr.trim_end().lines().last().unwrap_or("")
        ));
    }
    serde_json::from_slice(&r.output.stdout).map_err(|e| format!("render's JSON: {e}"))
}

/// `check --root ROOT --no-host --unit /etc/systemd/system/kubelet.service
/// --release R --format json` (the unit named as the node names it, as
/// `systemd-analyze --root` does), on this machine as it is: off the node,
/// nothing of it may matter.
fn check(u: &Unit, release: &str) -> Result<(i32, Value), String> {
    let args: Vec<OsString> = vec![
        "check".into(),
        "--root".into(),
        u.root.clone().into(),
        OFF_NODE.into(),
        "--unit".into(),
        u.unit.clone().into(),
        "--release".into(),
        release.into(),
        "--format".into(),
        "json".into(),
    ];
    let o = common::ctl(&args, &[]);
    let status = o.status.code().unwrap_or(-1);
    let v: Value = serde_json::from_slice(&o.stdout).map_err(|_| {
        format!(
            "check exits {status} without a JSON report: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .next()
                .unwrap_or("")
        )
    })?;
    Ok((status, v))
}

// ---------------------------------------------------------------------------
// The assertions.

#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn add(&mut self, u: &Unit, release: &str, what: &str, detail: String) {
        self.0
            .push(format!("{} @ {release}: {what}: {detail}", u.id));
    }
    fn assert_none(self, what: &str, cases: usize) {
        if !self.0.is_empty() {
            panic!(
                "{} of {cases} cases fail ({what}):\n  {}",
                self.0.len(),
                self.0.join("\n  ")
            );
        }
    }
}

/// Every kubelet flag reaches argv, in order, after the image: the command
/// ends with exactly the unit's flags, and the image comes before them.
fn flags_reach_argv(u: &Unit, release: &str, v: &Value, argv: &[String], f: &mut Failures) {
    let n = u.kubelet_flags.len();
    if argv.len() < n || argv[argv.len() - n..] != u.kubelet_flags[..] {
        f.add(
            u,
            release,
            "kubelet flags",
            format!(
                "argv does not end with the unit's {n} flags {:?}; it ends with {:?}",
                u.kubelet_flags,
                &argv[argv.len().saturating_sub(n)..]
            ),
        );
        return;
    }
    let image = v["image"].as_str().unwrap_or("");
    // docker takes no transport: the release gives it the reference
    // without docker:// (with a notice)
    let given = match v["engine"].as_str() {
        Some("docker") => image.strip_prefix("docker://").unwrap_or(image),
        _ => image,
    };
    match argv[..argv.len() - n].iter().rposition(|a| a == given) {
        Some(_) => {}
        None => f.add(
            u,
            release,
            "kubelet flags",
            format!("the image {image:?} is not before the flags in {argv:?}"),
        ),
    }
}

/// On rkt: RKT_RUN_ARGS then RKT_OPTS, as written, right after `run`.
fn rkt_args_as_written(u: &Unit, release: &str, argv: &[String], f: &mut Failures) {
    let mut want = u.words("RKT_RUN_ARGS");
    want.extend(u.words("RKT_OPTS"));
    let Some(run) = argv.iter().position(|a| a == "run") else {
        f.add(u, release, "admin mounts", format!("no `run` in {argv:?}"));
        return;
    };
    let got = &argv[run + 1..(run + 1 + want.len()).min(argv.len())];
    if got != want.as_slice() {
        f.add(
            u,
            release,
            "admin mounts",
            format!("rkt's arguments after `run` are {got:?}, not the unit's {want:?}"),
        );
    }
}

/// On another engine: each admin mount translated, or, where the release
/// mounts that very source at that target, once with a notice.
fn mounts_translated(
    u: &Unit,
    r: &ProjectRelease,
    engine: &str,
    v: &Value,
    argv: &[String],
    f: &mut Failures,
) {
    let mut words = u.words("RKT_RUN_ARGS");
    words.extend(u.words("RKT_OPTS"));
    let binds = engine_binds(engine, argv);
    let notices = strings(&v["notices"]);
    for m in admin_mounts(&words) {
        let (s, t) = (norm(&m.source), norm(&m.target));
        let at_target: Vec<_> = binds.iter().filter(|b| b.1 == t).collect();
        let release_has = r
            .volumes
            .iter()
            .any(|(rs, rt)| norm(rs) == s && norm(rt) == t);
        if release_has {
            if at_target.len() != 1 {
                f.add(
                    u,
                    &r.release,
                    "admin mounts",
                    format!(
                        "{}: the release mounts {s} at {t} already; the command has {} mounts at {t}: {at_target:?}",
                        m.written,
                        at_target.len()
                    ),
                );
            }
            if !notices
                .iter()
                .any(|n| n.contains(t) && n.contains("release"))
            {
                f.add(
                    u,
                    &r.release,
                    "admin mounts",
                    format!(
                        "{}: dropped for the release's own mount of {t}, but no notice says so: {notices:?}",
                        m.written
                    ),
                );
            }
        } else if !at_target.iter().any(|b| b.0 == s && b.2 == m.read_only) {
            f.add(
                u,
                &r.release,
                "admin mounts",
                format!(
                    "{} ({s} at {t}, {}) is not in the command; mounts at {t}: {at_target:?}",
                    m.written,
                    if m.read_only { "ro" } else { "rw" }
                ),
            );
        }
    }
}

/// The releases a unit is rendered and checked on: its era's, then this
/// project's own.
fn releases_of<'a>(
    u: &'a Unit,
    project: &'a [ProjectRelease],
) -> Vec<(&'a str, Option<&'a ProjectRelease>)> {
    let mut out = vec![(u.release.as_str(), None)];
    out.extend(project.iter().map(|r| (r.release.as_str(), Some(r))));
    out
}

#[test]
fn every_unit_renders_with_its_flags_and_mounts() {
    let project = project_releases();
    let mut f = Failures::default();
    let mut cases = 0;
    for u in corpus() {
        for (release, pr) in releases_of(&u, &project) {
            cases += 1;
            let v = match render(&u, release) {
                Ok(v) => v,
                Err(e) => {
                    f.add(&u, release, "render", e);
                    continue;
                }
            };
            let argv = strings(&v["argv"]);
            flags_reach_argv(&u, release, &v, &argv, &mut f);
            let engine = v["engine"].as_str().unwrap_or("").to_string();
            match (engine.as_str(), pr) {
                ("rkt", _) => rkt_args_as_written(&u, release, &argv, &mut f),
                (_, Some(pr)) => mounts_translated(&u, pr, &engine, &v, &argv, &mut f),
                (e, None) => f.add(&u, release, "render", format!("the era's release runs {e}")),
            }
        }
    }
    f.assert_none("render --unit", cases);
}

/// A finding's file as a node path (check may name it below the root).
fn node_path(root: &Path, file: &str) -> String {
    let r = root.to_str().unwrap();
    file.strip_prefix(r).unwrap_or(file).to_string()
}

fn at(d: &Defect, root: &Path, finding: &Value) -> bool {
    let Some((a, b)) = d.lines else { return false };
    let file = finding["file"].as_str().map(|x| node_path(root, x));
    let line = finding["line"].as_u64();
    file.as_deref() == Some(d.file.as_str()) && line.is_some_and(|l| a <= l && l <= b)
}

#[test]
fn every_unit_checks_clean_off_the_node_but_for_its_defects() {
    let project = project_releases();
    let mut f = Failures::default();
    let mut cases = 0;
    for u in corpus() {
        for (release, _) in releases_of(&u, &project) {
            cases += 1;
            let (status, v) = match check(&u, release) {
                Ok(x) => x,
                Err(e) => {
                    f.add(&u, release, "check", e);
                    continue;
                }
            };
            let findings = v["findings"].as_array().cloned().unwrap_or_default();
            let mut errors = 0;
            for x in &findings {
                if x["severity"] != "error" {
                    continue;
                }
                errors += 1;
                if !u.defects.iter().any(|d| at(d, &u.root, x)) {
                    f.add(
                        &u,
                        release,
                        "check",
                        format!(
                            "an error that is not one of the unit's defects: {}:{} {} (fix: {})",
                            x["file"].as_str().unwrap_or("-"),
                            x["line"],
                            x["message"].as_str().unwrap_or(""),
                            x["fix"].as_str().unwrap_or("")
                        ),
                    );
                }
            }
            for d in &u.defects {
                let Some(want) = &d.check else { continue };
                let reported = findings.iter().any(|x| {
                    at(d, &u.root, x)
                        && (x["severity"] == "error"
                            || (want == "warning" && x["severity"] == "warning"))
                });
                if !reported {
                    f.add(
                        &u,
                        release,
                        "check",
                        format!("the defect is not reported as a {want}: {}", d.what),
                    );
                }
            }
            if status != i32::from(errors > 0) {
                f.add(
                    &u,
                    release,
                    "check",
                    format!("exit status {status} with {errors} errors"),
                );
            }
        }
    }
    f.assert_none("check --root --no-host", cases);
}

// ---------------------------------------------------------------------------
// The corpus itself.

#[test]
fn the_corpus_is_what_its_manifest_says() {
    let units = corpus();
    assert!(units.len() >= 20, "{} units", units.len());
    let projects: std::collections::BTreeSet<&str> = units
        .iter()
        .map(|u| {
            u.root
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        projects.into_iter().collect::<Vec<_>>(),
        ["coreos-kubernetes", "lokomotive", "matchbox", "typhoon"]
    );
    let shipped = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/coreos-releases.tsv"),
    )
    .unwrap();
    let text = fs::read_to_string(Path::new(DATA).join("corpus.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut ids = std::collections::BTreeSet::new();
    for (u, raw) in units.iter().zip(doc["units"].as_array().unwrap()) {
        assert!(ids.insert(u.id.clone()), "{}: two units with this id", u.id);
        let commit = raw["commit"].as_str().unwrap();
        assert!(
            commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
            "{}: commit {commit}",
            u.id
        );
        for key in ["repository", "path", "date", "release_basis", "notes"] {
            assert!(
                raw[key].as_str().is_some_and(|s| !s.is_empty()),
                "{}: {key}",
                u.id
            );
        }
        assert!(
            shipped
                .lines()
                .any(|l| l.split('\t').next() == Some(u.release.as_str())),
            "{}: release {} is not one of tests/data/coreos-releases.tsv",
            u.id,
            u.release
        );
        // the root holds exactly the files listed, the unit among them
        let mut on_disk = Vec::new();
        let mut stack = vec![u.root.clone()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    on_disk.push(format!("/{}", p.strip_prefix(&u.root).unwrap().display()));
                }
            }
        }
        on_disk.sort();
        let mut listed = u.files.clone();
        listed.sort();
        assert_eq!(on_disk, listed, "{}", u.id);
        assert!(u.files.contains(&u.unit), "{}", u.id);
        let text = fs::read_to_string(u.unit_path()).unwrap();
        assert!(
            text.contains("/usr/lib/coreos/kubelet-wrapper"),
            "{}: the unit does not start the wrapper",
            u.id
        );
        assert!(!u.kubelet_flags.is_empty(), "{}", u.id);
        for d in &u.defects {
            assert!(u.files.contains(&d.file), "{}: {}", u.id, d.what);
            if let Some((a, b)) = d.lines {
                assert!(a <= b && b as usize <= text.lines().count(), "{}", u.id);
            }
        }
        // every substitution is recorded with its value and reason
        for s in raw["substitutions"].as_array().unwrap() {
            for key in ["template", "value", "why"] {
                assert!(s[key].is_string(), "{}: {s}", u.id);
            }
        }
    }
    // and every root under tests/data/units is in the manifest
    for p in fs::read_dir(DATA).unwrap() {
        let p = p.unwrap().path();
        if !p.is_dir() {
            continue;
        }
        for r in fs::read_dir(&p).unwrap() {
            let r = r.unwrap().path();
            assert!(
                units.iter().any(|u| u.root == r),
                "{} is not in corpus.json",
                r.display()
            );
        }
    }
}
