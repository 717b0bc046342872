//! The documentation stays true: every command shown with its output in the
//! README and docs/ is run and its output compared with the text, every
//! command block is valid shell whose scripts exist, and every link between
//! the pages reaches a file and a heading that exist.
//!
//! The rules, for whoever writes a page (docs/development.md says the same):
//!
//! - A ```` ```console ```` block is a transcript: each `$ ` line is a
//!   command (a line ending in `\` continues on the next), the lines up to
//!   the next `$ ` line are its output, stdout and stderr together. The
//!   command runs with `sh -c` in the repository's root, with only `PATH`
//!   (the built `kubelet-wrapper` and `kubelet-wrapperctl` first), `HOME`
//!   and `LANG=C.UTF-8` in its environment; it must exit 0 (show a failure
//!   with `; echo "exit status $?"`). Transcripts must not depend on the
//!   machine: use `--release` and `--no-host`, or data in the repository.
//!   `KW_UPDATE_DOCS=1 cargo test --test docs` writes the outputs into the
//!   pages instead of comparing them (review the diff).
//! - A ```` ```sh ```` block is what a reader types: it must parse
//!   (`bash -n`), and a script it runs by path (`bash X`, `sh X`, `./X`,
//!   `os-overlay/X`) must exist. Those commands are the set-up, the suites,
//!   builds and benchmarks: CI runs the first two itself (`.ci/run`), the
//!   rest have their own tests (tests/cli.rs runs the README's main
//!   command, tests/reproducible.rs the image build) or their own commands.
//! - A console block inside a list item (indented) is not run here: its
//!   own test runs it on a prepared machine (docs/admin.md's `render`
//!   example needs a shared /var: tests/cli.rs runs it in a sandbox).
//! - Other blocks (```` ``` ````, `ini`, `text`) are shown, not run: units,
//!   output of commands that need a node (docs/check-example.sh runs the
//!   admin guide's example in a mount namespace, tests/check.rs compares it).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CTL: &str = env!("CARGO_BIN_EXE_kubelet-wrapperctl");

/// The pages: the README, docs/*.md, the overlay's README.
fn pages() -> Vec<PathBuf> {
    let root = Path::new(ROOT);
    let mut v = vec![root.join("README.md"), root.join("os-overlay/README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    v.extend(docs);
    v
}

fn rel(p: &Path) -> String {
    p.strip_prefix(ROOT).unwrap().display().to_string()
}

/// A fenced block: its info string, the line its body starts on (0-based),
/// and its body lines.
struct Block {
    info: String,
    start: usize,
    body: Vec<String>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match open.take() {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    open = Some(Block {
                        info: info.trim().to_string(),
                        start: i + 1,
                        body: Vec::new(),
                    });
                }
            }
            Some(mut b) => {
                if line.starts_with("```") {
                    out.push(b);
                } else {
                    b.body.push(line.to_string());
                    open = Some(b);
                }
            }
        }
    }
    assert!(open.is_none(), "a fenced block is not closed");
    out
}

/// A transcript's commands with their expected output.
fn transcript(body: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut lines = body.iter().peekable();
    while let Some(line) = lines.next() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            let mut cmd = cmd.to_string();
            while cmd.ends_with('\\') {
                let next = lines.next().expect("a continued command goes on");
                cmd.push('\n');
                cmd.push_str(next);
            }
            let mut expected = String::new();
            while let Some(l) = lines.peek() {
                if l.starts_with("$ ") {
                    break;
                }
                expected.push_str(l);
                expected.push('\n');
                lines.next();
            }
            out.push((cmd, expected));
        } else {
            assert!(
                out.is_empty() && line.is_empty(),
                "a console block starts with a `$ ` line: {line:?}"
            );
        }
    }
    out
}

fn run(cmd: &str) -> (bool, String) {
    let bin = Path::new(CTL).parent().unwrap();
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!("exec 2>&1\n{cmd}"))
        .current_dir(ROOT)
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                bin.display()
            ),
        )
        .env("HOME", std::env::var_os("HOME").unwrap_or("/root".into()))
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn every_transcript_prints_what_the_page_shows() {
    let update = std::env::var_os("KW_UPDATE_DOCS").is_some();
    let mut failures = Vec::new();
    let mut count = 0;
    for page in pages() {
        let text = fs::read_to_string(&page).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        // rewrite from the end, so that earlier blocks keep their lines
        let mut console: Vec<Block> = blocks(&text)
            .into_iter()
            .filter(|b| b.info == "console")
            .collect();
        console.reverse();
        for b in console {
            let mut rewritten = Vec::new();
            for (cmd, expected) in transcript(&b.body) {
                count += 1;
                let (ok, got) = run(&cmd);
                if !ok {
                    failures.push(format!(
                        "{}:{}: `{cmd}` failed (show a failure with `; echo \"exit status $?\"`):\n{got}",
                        rel(&page),
                        b.start + 1
                    ));
                }
                if got != expected && !update {
                    failures.push(format!(
                        "{}:{}: `{cmd}` printed another output than the page shows \
                         (KW_UPDATE_DOCS=1 cargo test --test docs rewrites it):\n--- page\n{expected}--- printed\n{got}",
                        rel(&page),
                        b.start + 1
                    ));
                }
                for (i, l) in cmd.lines().enumerate() {
                    rewritten.push(if i == 0 {
                        format!("$ {l}")
                    } else {
                        l.to_string()
                    });
                }
                rewritten.extend(got.lines().map(str::to_string));
            }
            if update {
                lines.splice(b.start..b.start + b.body.len(), rewritten);
            }
        }
        if update {
            let mut new = lines.join("\n");
            new.push('\n');
            if new != text {
                fs::write(&page, new).unwrap();
            }
        }
    }
    assert!(count >= 5, "the pages show only {count} transcripts");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The first word of each simple command of a line, and the word after it.
fn scripts_run(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in line.split(['|', ';', '&']) {
        let words: Vec<&str> = part
            .split_whitespace()
            .skip_while(|w| w.contains('=') && !w.starts_with('-'))
            .collect();
        let Some(first) = words.first() else { continue };
        let script = match *first {
            "bash" | "sh" => words.get(1).copied().filter(|w| !w.starts_with('-')),
            w if w.starts_with("./") || w.starts_with("os-overlay/") || w.starts_with("tests/") => {
                Some(w)
            }
            _ => None,
        };
        if let Some(s) = script {
            out.push(s.trim_start_matches("./").to_string());
        }
    }
    out
}

#[test]
fn every_command_block_is_shell_that_names_existing_scripts() {
    let mut failures = Vec::new();
    let mut count = 0;
    for page in pages() {
        let text = fs::read_to_string(&page).unwrap();
        for b in blocks(&text).into_iter().filter(|b| b.info == "sh") {
            count += 1;
            let body = b.body.join("\n");
            let o = Command::new("bash")
                .args(["-n", "-c", &body])
                .output()
                .unwrap();
            if !o.status.success() {
                failures.push(format!(
                    "{}:{}: not valid shell: {}",
                    rel(&page),
                    b.start + 1,
                    String::from_utf8_lossy(&o.stderr)
                ));
            }
            for line in &b.body {
                let line = line.split(" #").next().unwrap();
                for s in scripts_run(line) {
                    if !Path::new(ROOT).join(&s).is_file() {
                        failures.push(format!(
                            "{}:{}: runs {s}, which the repository does not have",
                            rel(&page),
                            b.start + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(count >= 10, "only {count} command blocks");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A heading's anchor as GitHub makes it: lower case, punctuation other
/// than `-` and `_` removed, each space a `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut in_block = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
        } else if !in_block && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every `](target)` outside code: the page and line, and the target.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut in_block = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push((i + 1, after[..end].to_string()));
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn every_link_between_the_pages_reaches_a_file_and_a_heading() {
    let mut failures = Vec::new();
    let mut count = 0;
    for page in pages() {
        let text = fs::read_to_string(&page).unwrap();
        for (line, target) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            count += 1;
            let (file, frag) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target.as_str(), None),
            };
            let path = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            if !path.exists() {
                failures.push(format!("{}:{line}: {target}: no such file", rel(&page)));
                continue;
            }
            if let Some(a) = frag {
                let known = anchors(&fs::read_to_string(&path).unwrap_or_default());
                if !known.contains(a) {
                    failures.push(format!(
                        "{}:{line}: {target}: no heading with that anchor in {}",
                        rel(&page),
                        rel(&path)
                    ));
                }
            }
        }
    }
    assert!(count >= 20, "only {count} links");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_rules_read_transcripts_and_anchors_as_meant() {
    let body: Vec<String> = ["$ a \\", "  b", "out 1", "out 2", "$ c", ""]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        transcript(&body),
        vec![
            ("a \\\n  b".to_string(), "out 1\nout 2\n".to_string()),
            ("c".to_string(), "\n".to_string())
        ]
    );
    assert_eq!(
        anchor(" Engines: rkt, podman, docker, systemd-nspawn"),
        "engines-rkt-podman-docker-systemd-nspawn"
    );
    assert_eq!(
        anchor(" Which release's defaults"),
        "which-releases-defaults"
    );
    assert_eq!(
        scripts_run("KW_NODE_KIT=/x bash tests/run.sh; ./fuzz/run.sh 60 | cat"),
        vec!["tests/run.sh", "fuzz/run.sh"]
    );
}
