//! `kubelet-wrapperctl render --format shell` is a POSIX sh script that
//! does what the wrapper does: run under dash and under bash (in a private
//! mount namespace, see tests/common) it runs the commands of
//! `render --format json` (`before`, then `argv`), each with exactly the
//! same bytes, whatever the values. No value adds a line of script: every
//! line is printable text, a notice is one comment line.
//!
//! `render`'s default, the text for people, shows the same commands one
//! argument per line, quoted for bash: pasted into bash they run with
//! exactly those bytes too, and no value adds a line.

mod common;

use common::{Sandbox, ctl, os};
use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// A recorder that keeps every call: `calls/N` holds call N's argv
/// (argv[0] as invoked), NUL-separated.
fn recorder(dir: &Path) -> OsString {
    let rec = dir.join("engine");
    fs::create_dir_all(dir.join("calls")).unwrap();
    fs::write(
        &rec,
        format!(
            "#!/bin/sh\nd='{}/calls'\nn=$(ls \"$d\" | wc -l)\nprintf '%s\\0' \"$0\" \"$@\" > \"$d/$n\"\n",
            dir.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&rec, fs::Permissions::from_mode(0o755)).unwrap();
    rec.into_os_string()
}

fn calls(dir: &Path) -> Vec<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for n in 0.. {
        let Ok(b) = fs::read(dir.join("calls").join(n.to_string())) else {
            break;
        };
        let mut v: Vec<Vec<u8>> = b.split(|&c| c == 0).map(<[u8]>::to_vec).collect();
        v.pop();
        out.push(v);
    }
    let _ = fs::remove_dir_all(dir.join("calls"));
    fs::create_dir_all(dir.join("calls")).unwrap();
    out
}

/// `render` in `format`, or without `--format` (the default, text) for
/// `None`.
fn render(
    format: Option<&str>,
    release: &str,
    env: &[(OsString, OsString)],
    args: &[OsString],
) -> Vec<u8> {
    let mut argv: Vec<OsString> = ["render", "--release", release].map(OsString::from).into();
    if let Some(f) = format {
        argv.extend(["--format", f].map(OsString::from));
    }
    argv.push("--".into());
    argv.extend_from_slice(args);
    let out = ctl(&argv, env);
    assert!(
        out.status.success(),
        "render {format:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A JSON value as render writes it: arrays and strings, whose `\udcXX`
/// (a lone surrogate) stands for a byte that is not UTF-8.
#[derive(Debug)]
enum Json {
    Str(Vec<u8>),
    Arr(Vec<Json>),
}

fn parse_json(b: &[u8], i: &mut usize) -> Json {
    while b[*i] == b' ' {
        *i += 1;
    }
    if b[*i] == b'[' {
        *i += 1;
        let mut items = Vec::new();
        loop {
            while b[*i] == b' ' || b[*i] == b',' {
                *i += 1;
            }
            if b[*i] == b']' {
                *i += 1;
                return Json::Arr(items);
            }
            items.push(parse_json(b, i));
        }
    }
    assert_eq!(b[*i], b'"', "a string at {i}");
    *i += 1;
    let mut out = Vec::new();
    let hex = |b: &[u8], at: usize| {
        u32::from_str_radix(std::str::from_utf8(&b[at..at + 4]).unwrap(), 16).unwrap()
    };
    loop {
        match b[*i] {
            b'"' => {
                *i += 1;
                return Json::Str(out);
            }
            b'\\' => {
                let e = b[*i + 1];
                *i += 2;
                let simple = match e {
                    b'n' => Some(b'\n'),
                    b't' => Some(b'\t'),
                    b'r' => Some(b'\r'),
                    b'b' => Some(8),
                    b'f' => Some(12),
                    b'"' | b'\\' | b'/' => Some(e),
                    _ => None,
                };
                if let Some(c) = simple {
                    out.push(c);
                    continue;
                }
                assert_eq!(e, b'u');
                let u = hex(b, *i);
                *i += 4;
                if (0xdc80..=0xdcff).contains(&u) {
                    out.push((u - 0xdc00) as u8);
                } else if (0xd800..0xdc00).contains(&u) {
                    let lo = hex(b, *i + 2);
                    *i += 6;
                    let c = char::from_u32(0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00)).unwrap();
                    out.extend_from_slice(c.to_string().as_bytes());
                } else {
                    out.extend_from_slice(char::from_u32(u).unwrap().to_string().as_bytes());
                }
            }
            c => {
                out.push(c);
                *i += 1;
            }
        }
    }
}

/// The value of `key` in render's JSON (each key is on its own line).
fn field(json: &[u8], key: &str) -> Json {
    let text = String::from_utf8_lossy(json);
    let at = text
        .find(&format!("\n  \"{key}\": "))
        .unwrap_or_else(|| panic!("no {key} in {text}"));
    let mut i = at + key.len() + 7;
    parse_json(json, &mut i)
}

fn words(j: Json) -> Vec<Vec<u8>> {
    match j {
        Json::Arr(items) => items
            .into_iter()
            .map(|w| match w {
                Json::Str(s) => s,
                Json::Arr(_) => panic!("a string"),
            })
            .collect(),
        Json::Str(_) => panic!("an array"),
    }
}

/// The commands of render's JSON: `before`, then `argv`.
fn json_commands(json: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut cmds: Vec<Vec<Vec<u8>>> = match field(json, "before") {
        Json::Arr(c) => c.into_iter().map(words).collect(),
        Json::Str(_) => panic!("before is an array"),
    };
    cmds.push(words(field(json, "argv")));
    cmds
}

/// Values no script may mangle: quotes, expansions, globs, control
/// characters, bytes that are not UTF-8, trailing newlines, a leading '-'.
fn hostile_args() -> Vec<OsString> {
    os(&[
        b"--kubeconfig=/etc/kubernetes/kubeconfig",
        b"",
        b"a b",
        b"'",
        b"it's",
        b"\"$HOME\"",
        b"$(touch \"$SANDBOX/ran\")",
        b"`touch \"$SANDBOX/ran\"`",
        b"back\\slash\\n",
        b"%s%%%d",
        b"*",
        b"-e",
        b"-v",
        b"--",
        b"a\nb",
        b"trailing\n\n",
        b"\n",
        b"\r",
        b"\t",
        b"\x1b[31mred",
        b"\x01\x7f",
        b"\xff\xfe",
        b"caf\xc3\xa9",
        "\u{202e}txt.exe".as_bytes(),
        b"\\x41\\101",
        b"~",
        b"#",
        b"!",
    ])
}

fn check_script_is_inert(script: &[u8], notices: usize) {
    let text = std::str::from_utf8(script).expect("the script is UTF-8 text");
    assert!(text.starts_with("#!/bin/sh\n"), "{text}");
    assert!(
        !text.contains("$'"),
        "bash's $'...' quoting is not POSIX sh:\n{text}"
    );
    for line in text.lines() {
        assert!(
            !line.chars().any(|c| c.is_control()),
            "a control character in a line of script: {line:?}"
        );
    }
    let commented = text.lines().filter(|l| l.starts_with("# notice: ")).count();
    assert_eq!(commented, notices, "one comment line per notice:\n{text}");
    // and a script checker finds nothing to warn about in it as POSIX sh
    // (literal `$(...)` in single quotes is an "info", on purpose)
    let mut check = Command::new("shellcheck")
        .args(["--shell=sh", "--severity=warning", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("shellcheck runs (tests/run.sh installs it)");
    std::io::Write::write_all(&mut check.stdin.take().unwrap(), script).unwrap();
    let out = check.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "shellcheck:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The commands of render's text, as bash reads them: `mkdir -p` of each
/// line under "directories created first", then the lines under "run
/// first" and "exec" up to the next empty line, which are the commands one
/// argument per line with `\` continuations. Every line of the text is
/// printable, and there is one line under "notices" per notice.
fn text_commands(text: &[u8], notices: usize) -> String {
    let text = std::str::from_utf8(text).expect("render's text is UTF-8");
    for line in text.lines() {
        assert!(
            !line.chars().any(|c| c.is_control()),
            "a control character in a line of render's text: {line:?}"
        );
    }
    let mut script = String::new();
    let mut shown = 0;
    for block in text.split("\n\n") {
        let (head, body) = block.split_once('\n').unwrap_or((block, ""));
        if head.starts_with("directories created first (") {
            for d in body.lines() {
                script.push_str(&format!("mkdir -p {}\n", d.trim_start()));
            }
        } else if head.starts_with("run first (") || head.starts_with("exec (") {
            script.push_str(body);
            script.push('\n');
        } else if head.starts_with("notices (") {
            shown = body.lines().count();
        }
    }
    assert_eq!(shown, notices, "one line per notice:\n{text}");
    script
}

/// Runs the script with `shell` in a sandbox; returns the commands it ran.
fn run_script(sb: &Sandbox, shell: &str, script: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let path = sb.dir.join("script.sh");
    fs::write(&path, script).unwrap();
    let run = sb.run(shell, &[path.into_os_string()]);
    assert_eq!(run.status(), 0, "{shell}: {}", run.stderr());
    assert!(
        !sb.dir.join("ran").exists(),
        "{shell}: a value was run as code"
    );
    for d in ["/etc/kubernetes", "/var/lib/kubelet"] {
        assert!(
            run.after.lines().any(|l| l == d),
            "{shell}: {d} was not created: {}",
            run.after
        );
    }
    calls(&sb.dir)
}

fn check(release: &str, program_var: &str, extra_env: &[(&str, &[u8])]) {
    let mut sb = Sandbox::new();
    let rec = recorder(&sb.dir);
    sb.var(program_var, rec);
    for (k, v) in extra_env {
        sb.var(k, OsString::from_vec(v.to_vec()));
    }
    let args = hostile_args();
    let json = render(Some("json"), release, &sb.env, &args);
    let want = json_commands(&json);
    let notices = words(field(&json, "notices")).len();
    let script = render(Some("shell"), release, &sb.env, &args);
    check_script_is_inert(&script, notices);
    let pasted = text_commands(&render(None, release, &sb.env, &args), notices);
    for (shell, what, script) in [
        ("dash", "the shell format", &script),
        ("bash", "the shell format", &script),
        ("bash", "the text's commands", &pasted.into_bytes()),
    ] {
        let got = run_script(&sb, shell, script);
        let shell = format!("{what} under {shell}");
        assert_eq!(
            got.len(),
            want.len(),
            "{shell}: {} commands run, render's JSON has {}",
            got.len(),
            want.len()
        );
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(
                g.iter()
                    .map(|a| OsString::from_vec(a.clone()))
                    .collect::<Vec<_>>(),
                w.iter()
                    .map(|a| OsString::from_vec(a.clone()))
                    .collect::<Vec<_>>(),
                "{shell}: argv differs from render's JSON"
            );
        }
    }
}

#[test]
fn rkt_release_with_hostile_values() {
    check(
        "2512.3.0",
        "RKT",
        &[
            // a notice carries this value: its newline must not end the
            // comment and run the rest as a command
            (
                "KUBELET_IMAGE_URL",
                b"docker://quay.io/x\ntouch \"$SANDBOX/ran\" #",
            ),
            ("KUBELET_IMAGE_TAG", b"v1.18.0"),
            (
                "RKT_RUN_ARGS",
                b"--set-env=A=\x1b\\$x --volume=v,kind=host,source=/srv\xff",
            ),
        ],
    );
}

#[test]
fn podman_release_runs_the_removal_first() {
    check(
        "3000.0.0",
        "PODMAN",
        &[
            ("KUBELET_IMAGE_TAG", b"v1.25.4"),
            ("PODMAN_RUN_ARGS", b"--env=A=%s\x7f --label=x='y'"),
        ],
    );
}

/// docker's previous container is removed by a command of its own before
/// the run: the script runs it as the wrapper does, its error output kept
/// for a failure.
#[test]
fn docker_release_runs_the_removal_first() {
    check(
        "4230.2.0",
        "DOCKER",
        &[
            ("KUBELET_IMAGE_URL", b"docker://quay.io/poseidon/kubelet"),
            ("KUBELET_IMAGE_TAG", b"v1.36.1"),
            ("DOCKER_RUN_ARGS", b"--env=A=%s\x7f --label=x='y'"),
            (
                "RKT_RUN_ARGS",
                b"--volume=v,kind=host,source=/srv --mount volume=v,target=/srv",
            ),
        ],
    );
}
