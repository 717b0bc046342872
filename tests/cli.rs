//! kubelet-wrapperctl's conventions: help text on every argument,
//! `--format text|json` on every subcommand that prints (text by default),
//! messages prefixed `kubelet-wrapperctl: `, a result that cannot be
//! written is an error, `--version` names the pin and the source revision,
//! the JSON fields docs/admin.md documents, and the packaged man pages and
//! completions are what the tool generates.

mod common;

use clap::CommandFactory;
use common::{CTL, ctl};
use kubelet_wrapper::ctl::Cli;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every subcommand, with its path (`defaults show`).
fn subcommands(cmd: &clap::Command, path: &str, out: &mut Vec<(String, clap::Command)>) {
    for sub in cmd.get_subcommands() {
        let p = format!("{path} {}", sub.get_name()).trim().to_string();
        out.push((p.clone(), sub.clone()));
        subcommands(sub, &p, out);
    }
}

fn all() -> Vec<(String, clap::Command)> {
    let mut out = Vec::new();
    subcommands(&Cli::command(), "", &mut out);
    out
}

#[test]
fn every_argument_and_subcommand_has_help() {
    for (path, cmd) in all() {
        assert!(cmd.get_about().is_some(), "{path} has no help text");
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            assert!(
                a.get_help().is_some(),
                "{path}: argument {id} has no help text"
            );
        }
    }
}

#[test]
fn every_subcommand_that_prints_takes_format() {
    // what prints a fixed format: the schema (JSON by definition) and the
    // generated man pages and completions
    let fixed = ["defaults schema", "generate man", "generate completion"];
    for (path, cmd) in all() {
        if cmd.has_subcommands() || fixed.contains(&path.as_str()) {
            continue;
        }
        let format = cmd
            .get_arguments()
            .find(|a| a.get_id() == "format")
            .unwrap_or_else(|| panic!("{path} has no --format"));
        let values: Vec<String> = format
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect();
        assert!(
            values.contains(&"text".into()) && values.contains(&"json".into()),
            "{path}: {values:?}"
        );
        // one default everywhere: text for people, --format json asked for
        assert_eq!(
            format.get_default_values(),
            ["text"],
            "{path}: the default format is not text"
        );
    }
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn messages_are_prefixed_with_the_tools_name() {
    for (args, message) in [
        (
            vec!["render", "--release", "2512.3.0"],
            "kubelet-wrapperctl: One of KUBELET_IMAGE KUBELET_IMAGE_TAG must be set",
        ),
        (
            vec!["render", "--bogus"],
            "kubelet-wrapperctl: unexpected argument '--bogus' found",
        ),
        (
            vec!["check", "--unit", "/nonexistent/kubelet.service"],
            "kubelet-wrapperctl: cannot read the unit /nonexistent/kubelet.service: No such file or directory",
        ),
        (
            vec!["defaults", "validate", "/nonexistent/1.0.0.json"],
            "kubelet-wrapperctl: /nonexistent/1.0.0.json: cannot read",
        ),
        (
            vec!["render", "--drop-in", "/x"],
            "kubelet-wrapperctl: the following required arguments were not provided",
        ),
    ] {
        let o = ctl(&args, &[]);
        assert_ne!(o.status.code(), Some(0), "{args:?}");
        assert!(stderr(&o).starts_with(message), "{args:?}: {}", stderr(&o));
    }
    // usage errors keep clap's status 2, help goes to stdout
    assert_eq!(ctl(&["render", "--bogus"], &[]).status.code(), Some(2));
    let o = ctl(&["check", "--help"], &[]);
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).contains("--drop-in <DIR>"));
    // --unit and kubelet flags after -- exclude each other
    let o = ctl(&["render", "--unit", "/x.service", "--", "--a"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .starts_with("kubelet-wrapperctl: the argument '--unit <UNIT>' cannot be used with"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_result_that_cannot_be_written_is_an_error() {
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let o = Command::new(CTL)
        .args(["defaults", "list"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "kubelet-wrapperctl: cannot write to standard output: No space left on device (os error 28)\n"
    );
}

#[test]
fn version_names_the_pin_and_the_revision() {
    let o = ctl(&["--version"], &[]);
    let v = String::from_utf8_lossy(&o.stdout).into_owned();
    let rev = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(ROOT)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout)[..12].to_string())
        .unwrap_or_else(|| "unknown".into());
    // an unpinned build names the engines of every release the selection
    // rule may reach (not those used only when pinned by name), joined by |
    let list: serde_json::Value =
        serde_json::from_slice(&ctl(&["defaults", "list", "--format", "json"], &[]).stdout)
            .unwrap();
    let mut engines: Vec<&str> = list["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["scope"] != "by name")
        .map(|f| f["engine"].as_str().unwrap())
        .collect();
    engines.sort();
    engines.dedup();
    let engine = engines.join("|");
    assert_eq!(
        v,
        format!(
            "kubelet-wrapperctl {} (release {}, engine {engine}, source {rev})\n",
            env!("CARGO_PKG_VERSION"),
            kubelet_wrapper::release::registry::PINNED
        )
    );
    // subcommands say the same
    assert_eq!(
        String::from_utf8_lossy(&ctl(&["check", "--version"], &[]).stdout),
        v.replace("kubelet-wrapperctl ", "kubelet-wrapperctl-check ")
    );
}

fn files(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The shells and their completion files under completions/.
const COMPLETIONS: [(&str, &str); 3] = [
    ("bash", "kubelet-wrapperctl"),
    ("zsh", "_kubelet-wrapperctl"),
    ("fish", "kubelet-wrapperctl.fish"),
];

/// The packaged man pages and completions are what the tool generates.
/// With `KW_UPDATE_DOCS` set, the test writes them instead (a new release
/// file changes the release list of kubelet-wrapper.defaults(5) and of the
/// completions of `--release`).
#[test]
fn man_pages_and_completions_are_the_generated_ones() {
    let regenerate = "regenerate them: KW_UPDATE_DOCS=1 cargo test --test cli, or \
        cargo run --bin kubelet-wrapperctl -- generate man docs/man; \
        for s in bash zsh fish; do ...generate completion $s > completions/FILE; done (docs/image-build.md, \"Man pages and completions\")";
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("man");
    let _ = fs::remove_dir_all(&dir);
    let o = ctl(&["generate", "man", dir.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let committed = Path::new(ROOT).join("docs/man");
    if std::env::var_os("KW_UPDATE_DOCS").is_some() {
        for f in files(&committed) {
            fs::remove_file(committed.join(f)).unwrap();
        }
        for f in files(&dir) {
            fs::copy(dir.join(&f), committed.join(&f)).unwrap();
        }
        for (shell, file) in COMPLETIONS {
            let o = ctl(&["generate", "completion", shell], &[]);
            assert!(o.status.success());
            fs::write(Path::new(ROOT).join("completions").join(file), &o.stdout).unwrap();
        }
    }
    assert_eq!(files(&dir), files(&committed), "{regenerate}");
    for f in files(&dir) {
        assert!(
            fs::read(dir.join(&f)).unwrap() == fs::read(committed.join(&f)).unwrap(),
            "docs/man/{f} differs: {regenerate}"
        );
    }
    for (shell, file) in COMPLETIONS {
        let o = ctl(&["generate", "completion", shell], &[]);
        assert!(o.status.success());
        assert!(
            o.stdout == fs::read(Path::new(ROOT).join("completions").join(file)).unwrap(),
            "completions/{file} differs: {regenerate}"
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

/// Every page renders without a warning from groff (`-ww`) or mandoc's
/// linter, as `man -l` shows it; the wrapper's own page has every section
/// a system program's page has, and every admin variable and exit status
/// the code knows (tests/run.sh installs groff and mandoc).
#[test]
fn man_pages_render_without_warnings_and_say_everything() {
    let dir = Path::new(ROOT).join("docs/man");
    for f in files(&dir) {
        let page = dir.join(&f);
        for (tool, args) in [
            ("groff", &["-ww", "-man", "-z"][..]),
            ("mandoc", &["-T", "lint", "-W", "warning"][..]),
        ] {
            let o = std::process::Command::new(tool)
                .args(args)
                .arg(&page)
                .output()
                .unwrap_or_else(|e| panic!("{tool}: {e} (tests/run.sh installs it)"));
            assert!(
                o.status.success()
                    && o.stderr.is_empty()
                    && (tool != "mandoc" || o.stdout.is_empty()),
                "{tool} on docs/man/{f}: {}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
    let page = fs::read_to_string(dir.join("kubelet-wrapper.8")).unwrap();
    for s in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "ENVIRONMENT",
        "EXIT STATUS",
        "FILES",
        "NOTES",
        "SEE ALSO",
    ] {
        assert!(
            page.contains(&format!(".SH \"{s}\"")) || page.contains(&format!(".SH {s}\n")),
            "no {s} section"
        );
    }
    for v in kubelet_wrapper::admin::Var::ALL {
        assert!(
            page.contains(v.name()),
            "{} is not in kubelet-wrapper(8)",
            v.name()
        );
    }
    for (status, _) in kubelet_wrapper::launch::EXIT_STATUSES {
        assert!(
            page.contains(&format!(".TP\n\\fB{status}\\fR")),
            "exit status {status} is not in kubelet-wrapper(8)"
        );
    }
    let format = fs::read_to_string(dir.join("kubelet-wrapper.defaults.5")).unwrap();
    for field in [
        "release",
        "volumes.read_only",
        "engine.rkt.stage1",
        "image.default_url",
    ] {
        assert!(
            format.contains(&format!("\\fB{field}\\fR")),
            "{field} is not in kubelet-wrapper.defaults(5)"
        );
    }
}

#[test]
fn bash_completes_subcommands_and_options() {
    let script = format!(
        r#"source {ROOT}/completions/kubelet-wrapperctl
fn=$(complete -p kubelet-wrapperctl | sed -E 's/.* -F ([^ ]+) .*/\1/')
complete_words() {{ COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}; COMPREPLY=(); "$fn" kubelet-wrapperctl "${{COMP_WORDS[$COMP_CWORD]}}" "${{COMP_WORDS[$COMP_CWORD-1]}}"; printf '%s\n' "${{COMPREPLY[@]}}"; }}
complete_words kubelet-wrapperctl ch
echo --
complete_words kubelet-wrapperctl check --dr
echo --
complete_words kubelet-wrapperctl render --format ''
echo --
complete_words kubelet-wrapperctl check --release 30
echo --
complete_words kubelet-wrapperctl defaults diff 1758.0.0 25
echo --
complete -p kubelet-wrapperctl
"#
    );
    let o = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    let parts: Vec<Vec<&str>> = out.split("--\n").map(|p| p.lines().collect()).collect();
    assert_eq!(parts[0], ["check"], "{out}");
    assert_eq!(parts[1], ["--drop-in"], "{out}");
    assert_eq!(parts[2], ["text", "json", "shell"], "{out}");
    // the embedded releases for a release, files for a file
    let releases: Vec<String> = kubelet_wrapper::release::registry::files()
        .iter()
        .map(|f| f.version.to_string())
        .collect();
    let want = |prefix: &str| -> Vec<&str> {
        let mut v: Vec<&str> = releases
            .iter()
            .map(String::as_str)
            .filter(|r| r.starts_with(prefix))
            .collect();
        v.sort();
        v
    };
    fn sorted<'a>(p: &[&'a str]) -> Vec<&'a str> {
        let mut v = p.to_vec();
        v.sort();
        v
    }
    assert_eq!(sorted(&parts[3]), want("30"), "{out}");
    assert!(!parts[3].is_empty(), "{out}");
    let mut diff = sorted(&parts[4]);
    diff.dedup();
    assert_eq!(diff, want("25"), "{out}");
    // a file or directory argument gets nothing from the script, and bash
    // then completes file names itself (-o default)
    assert!(parts[5][0].contains("-o default"), "{out}");
}

#[test]
fn fish_and_zsh_load_the_completions() {
    let c = |s: &str| format!("{ROOT}/completions/{s}");
    let o = Command::new("fish")
        .args(["--no-config", "-c"])
        .arg(format!(
            "source {}; complete -C 'kubelet-wrapperctl ch'; complete -C 'kubelet-wrapperctl check --dr'",
            c("kubelet-wrapperctl.fish")
        ))
        .output()
        .expect("fish runs (tests/run.sh installs it)");
    let out = String::from_utf8_lossy(&o.stdout);
    let firsts: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(firsts, ["check", "--drop-in"], "{out}{}", stderr(&o));
    let o = Command::new("zsh")
        .args(["-f", "-c"])
        .arg(format!(
            "autoload -U compinit && compinit -u && source {} && print -r -- $_comps[kubelet-wrapperctl]",
            c("_kubelet-wrapperctl")
        ))
        .output()
        .expect("zsh runs (tests/run.sh installs it)");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "_kubelet-wrapperctl\n",
        "{}",
        stderr(&o)
    );
}

/// The keys of a JSON object.
fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn json(args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    let env: Vec<(std::ffi::OsString, std::ffi::OsString)> =
        env.iter().map(|(k, v)| (k.into(), v.into())).collect();
    let o = ctl(args, &env);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stderr(&o)))
}

/// The fields docs/admin.md documents: a field may be added, never renamed
/// or removed.
#[test]
fn json_fields_are_the_documented_ones() {
    let tag = [("KUBELET_IMAGE_TAG", "v1.18.0")];
    let render = json(
        &["render", "--release", "2512.3.0", "--format", "json"],
        &tag,
    );
    assert_eq!(
        keys(&render),
        set(&[
            "release",
            "release_source",
            "defaults",
            "engine",
            "before",
            "argv",
            "directories",
            "shared",
            "notices",
            "origins",
            "image",
            "trust"
        ])
    );
    let explain = json(
        &["explain", "--release", "2512.3.0", "--format", "json"],
        &tag,
    );
    assert_eq!(
        keys(&explain),
        set(&[
            "release",
            "release_source",
            "defaults",
            "summary",
            "engine",
            "image",
            "trust",
            "trust_weakened",
            "directories",
            "before",
            "shared",
            "notices",
            "arguments"
        ])
    );
    for v in [&render, &explain] {
        assert_eq!(
            keys(&v["shared"][0]),
            set(&["volume", "path", "when_not_shared", "mount", "propagation"])
        );
    }
    assert_eq!(
        keys(&explain["arguments"][0]),
        set(&["value", "origin", "set_at"])
    );
    let list = json(&["defaults", "list", "--format", "json"], &[]);
    assert_eq!(
        keys(&list),
        set(&["pinned", "detected", "refused", "uses", "files"])
    );
    assert_eq!(
        keys(&list["files"][0]),
        set(&["release", "scope", "origin", "engine", "summary", "used"])
    );
    let validate = json(
        &[
            "defaults",
            "validate",
            "--format",
            "json",
            &format!("{ROOT}/defaults/2512.0.0.json"),
        ],
        &[],
    );
    assert_eq!(keys(&validate), set(&["ok", "files"]));
    assert_eq!(
        keys(&validate["files"][0]),
        set(&["file", "ok", "problems"])
    );

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-json");
    fs::create_dir_all(&dir).unwrap();
    let unit = dir.join("kubelet.service");
    fs::write(&unit, "[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.18.0\nExecStart=/usr/lib/coreos/kubelet-wrapper --v=2\n").unwrap();
    let u = unit.to_str().unwrap();
    let render = json(
        &[
            "render",
            "--release",
            "2512.3.0",
            "--unit",
            u,
            "--format",
            "json",
        ],
        &[],
    );
    assert!(keys(&render).contains("unit"));
    assert_eq!(
        keys(&render["unit"]),
        set(&["name", "files", "environment", "kubelet_flags", "findings"])
    );
    assert_eq!(
        keys(&render["unit"]["environment"][0]),
        set(&["name", "value", "file", "line"])
    );
    assert_eq!(
        render["unit"]["kubelet_flags"],
        serde_json::json!(["--v=2"])
    );
    let explain = json(
        &[
            "explain",
            "--release",
            "2512.3.0",
            "--unit",
            u,
            "--format",
            "json",
        ],
        &[],
    );
    assert!(keys(&explain).contains("unit"));
    let flag = explain["arguments"].as_array().unwrap().last().unwrap();
    assert_eq!(flag["value"], "--v=2");
    assert_eq!(flag["set_at"], format!("{u}:3"));
    // without --format: text, the command one argument per line
    let text = ctl(&["render", "--release", "2512.3.0", "--unit", u], &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(&format!("\nunit      {u}\n")), "{text}");
    assert!(
        text.contains(
            "\nexec (the wrapper's process becomes the engine):\n  /usr/bin/rkt \\\n      run \\\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("\n      -- \\\n      --v=2\n"), "{text}");
    let check = json(
        &[
            "check",
            "--release",
            "2512.3.0",
            "--unit",
            u,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        keys(&check),
        set(&[
            "unit",
            "files",
            "release",
            "release_source",
            "defaults",
            "engine",
            "ok",
            "host",
            "errors",
            "warnings",
            "notes",
            "findings",
            "argv",
            "directories"
        ])
    );
    assert_eq!(
        keys(&check["findings"][0]),
        set(&["severity", "file", "line", "message", "fix"])
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// The README's first command, the project's main job, run as a new user
/// runs it (through `cargo run`, whose environment carries what the build
/// script exported): a script for the release with no notice, since the
/// command sets nothing an admin could have got wrong.
#[test]
fn the_readme_main_command_renders_without_notices() {
    let readme = fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let setup = &readme[readme.find("## Set-up").expect("a Set-up section")..];
    let block = &setup[setup.find("```sh\n").unwrap() + 6..];
    let line = block[..block.find("```").unwrap()].trim();
    let runner = "cargo run --locked --quiet --bin kubelet-wrapperctl --";
    assert!(line.contains(runner), "{line}");
    let (assignments, rest) = line.split_once(runner).unwrap();
    let args: Vec<&str> = rest.split_whitespace().collect();
    let mut cmd = Command::new(CTL);
    cmd.args(&args);
    for a in assignments.split_whitespace() {
        let (k, v) = a.split_once('=').expect("VAR=value before cargo run");
        cmd.env(k, v);
    }
    // what `cargo run` adds to the environment: every variable the build
    // script exports (cargo sets them for tests too)
    let build = fs::read_to_string(Path::new(ROOT).join("build.rs")).unwrap();
    let exported: Vec<&str> = build
        .split("cargo::rustc-env=")
        .skip(1)
        .map(|s| &s[..s.find('=').unwrap()])
        .collect();
    assert!(!exported.is_empty());
    for k in exported {
        let v = std::env::var_os(k).unwrap_or_else(|| panic!("cargo sets {k} for tests"));
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.starts_with("#!/bin/sh\n"), "{out}");
    assert!(!out.contains("notice"), "{out}");
    assert!(
        out.lines()
            .last()
            .unwrap()
            .ends_with(" -- --kubeconfig=/etc/kubernetes/kubeconfig"),
        "{out}"
    );
}

/// On the docker release, `explain` says where image verification is
/// decided: docker has no per-run flags for it, and the release's rule
/// adds none.
#[test]
fn explain_names_where_docker_verifies_images() {
    let v = json(
        &["explain", "--release", "4230.2.0", "--format", "json"],
        &[("KUBELET_IMAGE_TAG", "v1.36.1")],
    );
    assert_eq!(v["engine"], "docker");
    let trust = v["trust"].as_str().unwrap();
    assert!(
        trust.starts_with(
            "engine (rule 0 for every image): docker has no per-run verification flags"
        ) && trust.contains("/etc/docker/daemon.json")
            && trust.contains("DOCKER_CONTENT_TRUST=1"),
        "{trust}"
    );
    let o = ctl(
        &["explain", "--release", "4230.2.0"],
        &[("KUBELET_IMAGE_TAG".into(), "v1.36.1".into())],
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("trust     engine (rule 0")),
        "{text}"
    );
}

/// docs/admin.md's example of `render` (in "The companion tool") is what
/// render prints: its command run as written, in a sandbox (tests/common)
/// whose /var is a shared mount of its own, as the example says.
#[test]
fn the_documented_render_example_is_what_render_prints() {
    let readme = fs::read_to_string(Path::new(ROOT).join("docs/admin.md")).unwrap();
    let start = readme
        .find("  ```console\n  $ KUBELET_IMAGE_TAG=")
        .expect("docs/admin.md's example of render");
    let block = &readme[start + "  ```console\n".len()..];
    let block = &block[..block.find("  ```\n").expect("the example's end")];
    let mut lines = block.lines().map(|l| l.strip_prefix("  ").unwrap_or(l));
    // the command: from `$ ` to the first line without a continuation
    let mut command = String::new();
    for l in lines.by_ref() {
        let l = l.strip_prefix("$ ").unwrap_or(l);
        command.push_str(l);
        command.push('\n');
        if !l.ends_with('\\') {
            break;
        }
    }
    let want: String = lines.map(|l| format!("{l}\n")).collect();
    assert!(command.contains(" kubelet-wrapperctl render "), "{command}");
    let command = command.replacen(" kubelet-wrapperctl ", &format!(" {CTL} "), 1);
    let sb = common::Sandbox::new();
    let r = sb.run("sh", &["-c".into(), command.into()]);
    assert_eq!(r.status(), 0, "{}", r.stderr());
    let got = String::from_utf8_lossy(&r.output.stdout);
    assert!(
        got == want,
        "docs/admin.md's example differs from what render prints:\n{got}"
    );
}
