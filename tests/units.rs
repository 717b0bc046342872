//! The unit reader against systemd itself, on this machine.
//!
//! `systemd --test` (run as an unprivileged user, as it requires) loads
//! units from a directory of ours and dumps each unit's `Environment=`
//! list and command lines as it parsed them, and logs what it rejects,
//! line by line. The cases follow systemd.exec(5), systemd.service(5) and
//! systemd.syntax(7); for each, the reader must give the same variables,
//! the same arguments, and warn about the same lines.
//!
//! systemd does not read `EnvironmentFile=` files until a service starts,
//! and cannot start one here (it is not PID 1). Its environment.d
//! generator reads files with the same parser, so the files' syntax is
//! compared through it. Variable expansion in `ExecStart=` happens only at
//! start too; src/admin/unit/tests.rs holds the man pages' examples of it.

mod common;

use common::{is_root, scratch, write_under};
use kubelet_wrapper::admin::unit::{self, File, Host, Severity};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What systemd made of one unit.
#[derive(Debug, Default)]
struct Dump {
    load_state: String,
    /// The drop-ins systemd lists for the unit.
    dropins: Vec<String>,
    environment: Vec<String>,
    command_lines: Vec<String>,
    /// The lines of the unit's files systemd logged about.
    warned: Vec<(String, usize)>,
}

/// Loads every unit of `dir` with `systemd --test` and returns its dump
/// per unit name.
fn systemd_dump(dir: &Path, names: &[&str]) -> BTreeMap<String, Dump> {
    systemd_dump_with(dir, &[], names)
}

/// [`systemd_dump`] with more unit directories after `dir`, in order.
fn systemd_dump_with(dir: &Path, more: &[&Path], names: &[&str]) -> BTreeMap<String, Dump> {
    let mut driver = String::from("[Unit]\nDefaultDependencies=no\nWants=");
    driver.push_str(&names.join(" "));
    driver.push_str("\n[Service]\nExecStart=/bin/true\n");
    fs::write(dir.join("kw-driver.service"), driver).unwrap();
    for e in std::iter::once(dir)
        .chain(more.iter().copied())
        .flat_map(walk)
    {
        let mode = if e.is_dir() { 0o755 } else { 0o644 };
        fs::set_permissions(&e, fs::Permissions::from_mode(mode)).unwrap();
    }
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "systemd",
        ]);
        c
    } else {
        Command::new("systemd")
    };
    let out = cmd
        .args([
            "--test",
            "--system",
            "--unit=kw-driver.service",
            "--no-pager",
        ])
        .env(
            "SYSTEMD_UNIT_PATH",
            std::env::join_paths(std::iter::once(dir).chain(more.iter().copied())).unwrap(),
        )
        .env("SYSTEMD_LOG_COLOR", "0")
        .current_dir("/")
        .output()
        .expect("systemd runs (tests/run.sh installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut dumps: BTreeMap<String, Dump> = BTreeMap::new();
    let mut current: Option<String> = None;
    let prefix = format!("{}/", dir.display());
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(&prefix) {
            // DIR/NAME.service[.d/FILE]:LINE: message
            let mut parts = rest.splitn(3, ':');
            let (file, num) = (parts.next().unwrap(), parts.next().unwrap_or(""));
            if let Ok(n) = num.parse() {
                let unit_name = file.split(".d/").next().unwrap().to_string();
                dumps
                    .entry(unit_name)
                    .or_default()
                    .warned
                    .push((file.to_string(), n));
            }
            continue;
        }
        if let Some(name) = line
            .strip_prefix("\t-> Unit ")
            .and_then(|l| l.strip_suffix(':'))
        {
            current = Some(name.to_string());
            continue;
        }
        let Some(name) = &current else { continue };
        let d = dumps.entry(name.clone()).or_default();
        if let Some(v) = line.strip_prefix("\t\tUnit Load State: ") {
            d.load_state = v.to_string();
        } else if let Some(v) = line.strip_prefix("\t\tDropIn Path: ") {
            d.dropins.push(v.to_string());
        } else if let Some(v) = line.strip_prefix("\t\tEnvironment: ") {
            d.environment.push(v.to_string());
        } else if let Some(v) = line.strip_prefix("\t\t\tCommand Line: ") {
            d.command_lines.push(v.to_string());
        }
    }
    assert!(
        dumps
            .get("kw-driver.service")
            .is_some_and(|d| d.load_state == "loaded"),
        "systemd --test did not load the units:\n{text}"
    );
    dumps
}

/// Every directory and file below `dir`, itself included; not symbolic
/// links (changing their mode would change their target's: /dev/null's).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let t = fs::symlink_metadata(&p).unwrap().file_type();
        if t.is_dir() {
            out.extend(walk(&p));
        } else if t.is_file() {
            out.push(p);
        }
    }
    out
}

/// Reads systemd's display of a command line back into words: a word in
/// double quotes where it needed them, `\` before `"`, `\`, `` ` `` and
/// `$`, C escapes for control characters.
fn command_line_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            i += 1;
            continue;
        }
        let mut w = Vec::new();
        if b[i] == b'"' {
            i += 1;
            while b[i] != b'"' {
                if b[i] == b'\\' {
                    if matches!(b[i + 1], b'"' | b'\\' | b'`' | b'$') {
                        w.push(b[i + 1]);
                        i += 2;
                    } else {
                        let (bytes, used) = unit::escape::unescape_one(&b[i + 1..]).unwrap();
                        w.extend(bytes);
                        i += 1 + used;
                    }
                } else {
                    w.push(b[i]);
                    i += 1;
                }
            }
            i += 1;
        } else {
            while i < b.len() && b[i] != b' ' {
                w.push(b[i]);
                i += 1;
            }
        }
        out.push(String::from_utf8(w).unwrap());
    }
    out
}

/// No environment files, no node: every case is about the unit's text.
struct NoHost;

impl Host for NoHost {
    fn read(&self, _: &Path) -> io::Result<Vec<u8>> {
        Err(io::ErrorKind::NotFound.into())
    }
    fn glob(&self, _: &str) -> io::Result<Vec<PathBuf>> {
        Ok(Vec::new())
    }
    fn specifier(&self, _: char) -> Option<String> {
        None
    }
}

/// Environment files from memory.
#[derive(Default)]
struct MemFiles(BTreeMap<PathBuf, Vec<u8>>);

impl Host for MemFiles {
    fn read(&self, p: &Path) -> io::Result<Vec<u8>> {
        self.0
            .get(p)
            .cloned()
            .ok_or_else(|| io::ErrorKind::NotFound.into())
    }
    fn glob(&self, pattern: &str) -> io::Result<Vec<PathBuf>> {
        Ok(self
            .0
            .keys()
            .filter(|k| k.as_os_str() == pattern)
            .cloned()
            .collect())
    }
    fn specifier(&self, _: char) -> Option<String> {
        None
    }
}

const HEAD: &str = "[Unit]\nDefaultDependencies=no\n[Service]\n";
const KW: &str = "/usr/lib/coreos/kubelet-wrapper";

/// One unit: its name, text, drop-ins, and the lines (file, line) both
/// systemd and the reader must warn about.
struct Case {
    name: &'static str,
    text: Vec<u8>,
    dropins: Vec<(&'static str, String)>,
    warned: Vec<(&'static str, usize)>,
    /// The lines the reader warns about, where they are not systemd's: it
    /// names the line a setting begins on (systemd its last), and warns
    /// about more than systemd does (a directive folded into a value).
    ours: Option<Vec<(&'static str, usize)>>,
}

fn case(name: &'static str, body: &str, warned: &[usize]) -> Case {
    bytes_case(name, body.as_bytes(), warned)
}

fn bytes_case(name: &'static str, body: &[u8], warned: &[usize]) -> Case {
    Case {
        name,
        text: [HEAD.as_bytes(), body].concat(),
        dropins: Vec::new(),
        warned: warned.iter().map(|&l| (name, l)).collect(),
        ours: None,
    }
}

impl Case {
    fn ours(mut self, lines: &[usize]) -> Case {
        self.ours = Some(lines.iter().map(|&l| (self.name, l)).collect());
        self
    }
}

fn cases() -> Vec<Case> {
    let mut c = vec![
        // systemd.exec(5): three variables; $ is not special
        case(
            "exec5.service",
            &format!(
                "Environment=\"VAR1=word1 word2\" VAR2=word3 \"VAR3=$word 5 6\"\nExecStart={KW}\n"
            ),
            &[],
        ),
        // systemd.service(5): the words of the example command line
        case(
            "service5.service",
            &format!("Environment=\"ONE=one\" 'TWO=two two'\nExecStart={KW} $ONE $TWO ${{TWO}}\n"),
            &[],
        ),
        case(
            "service5b.service",
            &format!(
                "Environment=ONE='one' \"TWO='two two' too\" THREE=\nExecStart={KW} ${{ONE}} ${{TWO}} ${{THREE}}\n"
            ),
            &[],
        ),
        // systemd.syntax(7): quotes anywhere in a word, escapes in both kinds
        case(
            "quotes.service",
            &format!(
                "Environment=MID=a'b c'd X=a\"b\" 'S=it\\'s' \"D=say \\\"hi\\\"\"\nExecStart={KW} a'b c'd \"x\"y '' \"\"\n"
            ),
            &[],
        ),
        case(
            "escapes.service",
            &format!(
                "Environment=\"T=a\\tb\" \"X=\\x41\\101\\u00e9\\U0001F600\" \"S=a\\sb\" \"B=back\\\\slash\"\nExecStart={KW} x\\ty \\x41 \\u00e9 \\\\ \\\"\n"
            ),
            &[],
        ),
        // a bad escape: what came before stays, the rest of the line goes
        case(
            "bad-escape.service",
            &format!(
                "Environment=\"A=one two\" B=three 'C=fo\\x41ur' D=a\\ b E=5\nExecStart={KW}\n"
            ),
            &[4],
        ),
        // words that are not assignments are dropped one by one
        case(
            "invalid.service",
            &format!("Environment=1X=2 NOEQ OK=1 \"SP ACE=1\" A-B=1\nExecStart={KW}\n"),
            &[4, 4, 4, 4],
        ),
        // the classic: an unquoted value cut at its blanks
        case(
            "unquoted.service",
            &format!(
                "Environment=RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid --volume dns,kind=host,source=/etc/resolv.conf --mount volume=dns,target=/etc/resolv.conf\nExecStart={KW}\n"
            ),
            &[4, 4, 4],
        ),
        // an empty assignment resets; a later value replaces in place
        case(
            "reset.service",
            &format!(
                "Environment=A=1 B=2\nEnvironment=\nEnvironment=C=3 D=4 C=5\nExecStart={KW}\n"
            ),
            &[],
        ),
        // specifiers: the unit's name, %%, fixed directories; an unknown one
        case(
            "spec.service",
            &format!(
                "Environment=N=%n P=100%% F=%f I=%i J=%j T=%t S=%S C=%C L=%L E=%E U=%u G=%g H=%h D=%d Y=%y M=50% Q=%-x\nEnvironment=Z=%z OK=1\nExecStart={KW} %%n %n --dir=%t/kubelet\n"
            ),
            &[5],
        ),
        // continuations, comments inside them, a trailing backslash pair
        case(
            "continued.service",
            &format!(
                "ExecStart={KW} \\\n  --a=1 \\\n# a comment in the middle\n; another\n  --b=2 \\\n  --c=3\nEnvironment=A=x\\\\\nEnvironment=B=y\n"
            ),
            &[],
        ),
        // prefixes, argv[0], literal semicolons, an unknown escape kept
        case(
            "prefix.service",
            &format!("ExecStart=-@:{KW} kw --x \\; a\\qb\n"),
            &[4],
        ),
        // keys are case-sensitive; settings belong in [Service]
        case(
            "keys.service",
            &format!("environment=A=1\nEnvironment=B=2\nExecStart={KW}\n"),
            &[4],
        ),
        Case {
            name: "section.service",
            text: format!(
                "[Unit]\nDefaultDependencies=no\nEnvironment=A=1\n[Service]\nEnvironment=B=2\nExecStart={KW}\n"
            )
            .into_bytes(),
            dropins: Vec::new(),
            warned: vec![("section.service", 3)],
            ours: None,
        },
        // lines without '=' or key, unknown sections with their settings
        case(
            "skipped.service",
            &format!(
                "Environment\n=x\n[Bogus]\nEnvironment=C=3\n[X-Mine]\nEnvironment=D=4\n[Service]\nEnvironment=B=2\nExecStart={KW}\n"
            ),
            &[4, 5, 6],
        ),
        // CRLF line ends and a byte order mark
        Case {
            name: "crlf.service",
            text: format!(
                "\u{feff}{}",
                HEAD.replace('\n', "\r\n") + &format!("Environment=A=1\r\nExecStart={KW} --x\r\n")
            )
            .into_bytes(),
            dropins: Vec::new(),
            warned: Vec::new(),
            ours: None,
        },
        // a header systemd cannot read: the unit is not loaded at all
        case(
            "broken.service",
            &format!("[Service\nEnvironment=A=1\nExecStart={KW}\n"),
            &[4],
        ),
    ];
    // drop-ins in file-name order; empty assignments reset the unit's lists
    c.push(Case {
        name: "dropin.service",
        text: format!("{HEAD}Environment=A=1 B=1\nExecStart={KW} --old\n").into_bytes(),
        dropins: vec![
            ("20-b.conf", format!("[Service]\nEnvironment=\nEnvironment=C=3 A=3\nExecStart=\nExecStart={KW} --new ${{A}}\n")),
            ("10-a.conf", "[Service]\nEnvironment=B=2\n".to_string()),
            ("30-c.txt", "[Service]\nEnvironment=IGNORED=1\n".to_string()),
        ],
        warned: Vec::new(),
        ours: None,
    });
    c.extend(systemds_limits_and_rules());
    c
}

/// The cases of issue 17 and 16 that systemd can answer when it loads a
/// unit: its line limits, line ends, UTF-8, keys, and where continued
/// settings end.
fn systemds_limits_and_rules() -> Vec<Case> {
    let m = 1 << 20; // LONG_LINE_MAX
    let half = m / 2;
    // a value continued over two lines: LONG_LINE_MAX in all loads, one
    // byte more does not
    let continued = |extra: usize| {
        format!(
            "ExecStart={KW}\nEnvironment=A={}\\\n{}\n",
            "x".repeat(half - 15),
            "y".repeat(m - half + extra)
        )
    };
    vec![
        case("continued-max.service", &continued(0), &[6]).ours(&[5]),
        // refused without a line of its own; the reader names the setting
        case("continued-over.service", &continued(1), &[]).ours(&[5]),
        case(
            "line-max.service",
            &format!("ExecStart={KW}\nEnvironment=A={}\n", "x".repeat(m - 15)),
            &[],
        ),
        case(
            "line-over.service",
            &format!("ExecStart={KW}\nEnvironment=A={}\n", "x".repeat(m - 14)),
            &[],
        )
        .ours(&[5]),
        // "\n\r" is one line end: the continuation goes on
        case(
            "eol.service",
            &format!("ExecStart={KW} --a \\\n\r--b\n"),
            &[],
        ),
        // "\n\0\n" is two: the empty line ends it, "--b" is a line of its own
        case(
            "eol-nul.service",
            &format!("ExecStart={KW} --a \\\n\0\n--b\n"),
            &[6],
        ),
        // not UTF-8, and a noncharacter: the unit is not loaded
        bytes_case(
            "utf8.service",
            format!("ExecStart={KW}\nEnvironment=A=\u{FDD0}\n").as_bytes(),
            &[5],
        ),
        bytes_case(
            "bytes.service",
            &[
                format!("ExecStart={KW}\nEnvironment=A=").as_bytes(),
                b"\xff\n",
            ]
            .concat(),
            &[5],
        ),
        // misspelt keys: systemd's warning
        case(
            "typos.service",
            &format!("Enviroment=A=1\nExecStrat=/bin/true\nExecStart={KW}\nX-Own=1\n"),
            &[4, 5],
        ),
        // a trailing backslash folds Restart= into the command: systemd
        // says nothing, the reader warns (at the line the setting begins)
        case(
            "folded.service",
            &format!("ExecStart={KW} \\\n  --v=2 \\\nRestart=always\n"),
            &[],
        )
        .ours(&[4]),
        // a blank line ends a continued setting; systemd reads the lines
        // below on their own
        case(
            "cut.service",
            &format!("ExecStart={KW} \\\n  --a \\\n   \n  --b\n  --c=d\nRestart=always\n"),
            &[7, 8],
        ),
        // EnvironmentFile= paths systemd ignores when it loads the unit
        case(
            "envfile-path.service",
            &format!(
                "EnvironmentFile=/etc/../etc/kubernetes/kubelet.env\nEnvironmentFile=-etc/x.env\nEnvironmentFile=-/etc//kubernetes/./x.env\nExecStart={KW}\n"
            ),
            &[4, 5],
        ),
    ]
}

#[test]
fn the_reader_agrees_with_systemd() {
    let dir = scratch("systemd");
    let cases = cases();
    for c in &cases {
        fs::write(dir.join(c.name), &c.text).unwrap();
        if !c.dropins.is_empty() {
            let d = dir.join(format!("{}.d", c.name));
            fs::create_dir_all(&d).unwrap();
            for (f, t) in &c.dropins {
                fs::write(d.join(f), t).unwrap();
            }
        }
    }
    let names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    let dumps = systemd_dump(&dir, &names);
    for c in &cases {
        let dump = dumps
            .get(c.name)
            .unwrap_or_else(|| panic!("{}: not in systemd's dump", c.name));
        let path = dir.join(c.name);
        let d = path.with_file_name(format!("{}.d", c.name));
        let names: Vec<std::ffi::OsString> = c.dropins.iter().map(|(f, _)| f.into()).collect();
        let dropins: Vec<File> = unit::order_dropins(&[(d, names)])
            .into_iter()
            .map(|p| File {
                text: fs::read(&p).unwrap(),
                path: p,
            })
            .collect();
        let u = unit::read(
            &File {
                path: path.clone(),
                text: c.text.clone(),
            },
            &dropins,
            &NoHost,
        );

        // the same lines warned about, by both
        let mut expected: Vec<(String, usize)> =
            c.warned.iter().map(|(f, l)| (f.to_string(), *l)).collect();
        expected.sort();
        let mut theirs = dump.warned.clone();
        theirs.sort();
        assert_eq!(
            theirs, expected,
            "{}: systemd warned about other lines",
            c.name
        );
        if let Some(o) = &c.ours {
            expected = o.iter().map(|(f, l)| (f.to_string(), *l)).collect();
            expected.sort();
        }
        let mut ours: Vec<(String, usize)> = u
            .findings
            .iter()
            .filter(|f| {
                f.severity != Severity::Info && !f.message.contains("which the unit does not set")
            })
            .filter_map(|f| f.at.as_ref())
            .map(|a| {
                (
                    a.file
                        .strip_prefix(&dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                    a.line,
                )
            })
            .collect();
        ours.sort();
        ours.dedup();
        expected.dedup();
        assert_eq!(
            ours, expected,
            "{}: the reader warned about other lines: {:?}",
            c.name, u.findings
        );

        if dump.load_state != "loaded" {
            assert!(u.findings.iter().any(|f| f.severity == Severity::Error && f.message.contains("systemd refuses")), "{}: {:?}", c.name, u.findings);
            assert!(
                u.environment.is_empty() && u.command.is_none(),
                "{}",
                c.name
            );
            continue;
        }
        // the same environment, in the same order
        let env: Vec<String> = u
            .environment
            .iter()
            .map(|v| format!("{}={}", v.name, v.value))
            .collect();
        assert_eq!(env, dump.environment, "{}: another environment", c.name);
        // the same command line (before expansion: compare only where
        // nothing is to expand, or expansion is off)
        assert_eq!(dump.command_lines.len(), 1, "{}", c.name);
        let words = command_line_words(&dump.command_lines[0]);
        let cmd = u
            .command
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no command: {:?}", c.name, u.findings));
        let ours: Vec<String> = cmd
            .kubelet_args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        if cmd.uses.is_empty() {
            assert_eq!(ours, words[1..], "{}: other kubelet flags", c.name);
        }
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// systemd's major version on this machine.
fn systemd_version() -> u32 {
    let o = Command::new("systemctl")
        .arg("--version")
        .output()
        .expect("systemctl runs");
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("systemctl --version names the version")
}

#[test]
fn environment_files_agree_with_systemd() {
    // the environment.d generator prints the merged variables of the
    // files in $XDG_CONFIG_HOME/environment.d, as shell assignments
    let dir = scratch("envfile");
    let conf = dir.join("environment.d");
    fs::create_dir_all(&conf).unwrap();
    let text = "# comment\n ; also a comment\nKW_A=1\n  KW_B = two words  \n\nKW_C=\nKW_D\nKW_E=x # not a comment\r\n\
        KW_F=\"x y\"\nKW_G='a\\nb' \"c\"\nKW_H=\"esc \\\" \\\\ \\a \\` end\"\nKW_I=x \"y\"\nKW_J=\"x\"y\nKW_K='one\ntwo'\n\
        KW_L=\"a\\\nb\"\nKW_M=back\\\nslash\nKW_N=\\ lead\nexport KW_O=1\nKW_P-Q=1\nKW_R=é\nKW_S=last";
    fs::write(conf.join("50-kw.conf"), text).unwrap();
    let generator = [
        "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator",
        "/lib/systemd/user-environment-generators/30-systemd-environment-d-generator",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
    .expect("systemd's environment.d generator (tests/run.sh installs systemd)");
    let o = Command::new(generator)
        .env_clear()
        .env("XDG_CONFIG_HOME", &dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // KEY=VALUE lines, the value quoted as systemd displays a command
    // line's word where it needs quoting
    let mut theirs: Vec<(String, String)> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("KW_"))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_string(), command_line_words(v).concat())
        })
        .collect();
    let parsed = unit::envfile::parse(text.as_bytes());
    let mut ours: Vec<(String, String)> = parsed
        .pairs
        .iter()
        .filter(|p| unit::envfile::name_is_valid(&p.key))
        // the generator skips an assignment without a value, where
        // EnvironmentFile= sets the variable to "" (KW_C=)
        .filter(|p| p.key != b"KW_C")
        .map(|p| {
            (
                String::from_utf8(p.key.clone()).unwrap(),
                String::from_utf8(p.value.clone()).unwrap(),
            )
        })
        .collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);
    assert!(ours.iter().any(|(k, _)| k == "KW_S") && !ours.iter().any(|(k, _)| k == "KW_O"));

    // a file with a NUL byte: systemd refuses all of it (EBADMSG), the
    // other files count; the reader refuses it too
    fs::write(conf.join("50-kw.conf"), b"KW_BEFORE=1\n\0KW_AFTER=1\n").unwrap();
    fs::write(conf.join("60-kw.conf"), b"KW_OTHER=1\n").unwrap();
    let o = Command::new(generator)
        .env_clear()
        .env("XDG_CONFIG_HOME", &dir)
        .output()
        .unwrap();
    let seen = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        seen.contains("KW_OTHER=1") && !seen.contains("KW_BEFORE"),
        "{seen}"
    );
    let mut host = MemFiles::default();
    host.0.insert(
        PathBuf::from("/etc/kw.env"),
        b"KW_BEFORE=1\n\0KW_AFTER=1\n".to_vec(),
    );
    let u = unit::read(
        &File {
            path: "/etc/systemd/system/kw.service".into(),
            text: format!("[Service]\nEnvironmentFile=/etc/kw.env\nExecStart={KW}\n").into_bytes(),
        },
        &[],
        &host,
    );
    assert!(u.environment.is_empty());
    assert!(
        u.findings
            .iter()
            .any(|f| f.severity == Severity::Error && f.message.contains("NUL byte")),
        "{:?}",
        u.findings
    );
    fs::remove_file(conf.join("60-kw.conf")).unwrap();

    // where systemd versions differ: a comment ending in a backslash took
    // the next line with it before 254; the reader follows 254 and later
    fs::write(conf.join("50-kw.conf"), "# note \\\nKW_AFTER=1\n").unwrap();
    let o = Command::new(generator)
        .env_clear()
        .env("XDG_CONFIG_HOME", &dir)
        .output()
        .unwrap();
    let seen = String::from_utf8_lossy(&o.stdout).contains("KW_AFTER=");
    assert_eq!(
        seen,
        systemd_version() >= 254,
        "systemd {} and the comment continuation",
        systemd_version()
    );
    assert_eq!(
        unit::envfile::parse(b"# note \\\nKW_AFTER=1\n").pairs.len(),
        1
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// The environment and files of a unit read by the tool's own edge.
fn loaded(u: &unit::Unit) -> (Vec<String>, Vec<PathBuf>) {
    (
        u.environment
            .iter()
            .map(|v| format!("{}={}", v.name, v.value))
            .collect(),
        u.files.clone(),
    )
}

#[test]
fn dropin_directories_agree_with_systemd() {
    use std::os::unix::ffi::OsStrExt;
    // two unit directories: the unit and most drop-ins in the first, one
    // drop-in of the same name as a mask in the second
    let dir = scratch("dropins");
    let second = scratch("dropins-2");
    let name = "dd.service";
    fs::write(
        dir.join(name),
        format!("{HEAD}Environment=U=1\nExecStart={KW}\n"),
    )
    .unwrap();
    let d = dir.join(format!("{name}.d"));
    let d2 = second.join(format!("{name}.d"));
    fs::create_dir_all(&d).unwrap();
    fs::create_dir_all(&d2).unwrap();
    // a bad header ends this drop-in, after what it set
    fs::write(
        d.join("10-a.conf"),
        "[Service]\nEnvironment=A=1\n[Bad\nEnvironment=B=2\n",
    )
    .unwrap();
    // a directory named like a drop-in: listed, nothing read
    fs::create_dir_all(d.join("20-dir.conf")).unwrap();
    // a mask: hides the second directory's 30-m.conf
    std::os::unix::fs::symlink("/dev/null", d.join("30-m.conf")).unwrap();
    fs::write(d2.join("30-m.conf"), "[Service]\nEnvironment=M=1\n").unwrap();
    fs::write(d2.join("35-other.conf"), "[Service]\nEnvironment=O=1\n").unwrap();
    // hidden: not read
    fs::write(d.join(".40-hidden.conf"), "[Service]\nEnvironment=H=1\n").unwrap();
    // a line that is not UTF-8 ends this drop-in
    fs::write(
        d.join("45-u8.conf"),
        b"[Service]\nEnvironment=C=1\nEnvironment=X=\xff\nEnvironment=D=1\n",
    )
    .unwrap();
    // a name that is not UTF-8
    fs::write(
        d.join(std::ffi::OsStr::from_bytes(b"50-\xff.conf")),
        "[Service]\nEnvironment=E=1\n",
    )
    .unwrap();
    let dumps = systemd_dump_with(&dir, &[&second], &[name]);
    let dump = &dumps[name];
    assert_eq!(dump.load_state, "loaded");
    assert_eq!(dump.environment, ["U=1", "A=1", "O=1", "C=1", "E=1"]);

    let u = kubelet_wrapper::ctl::unitfile::load(
        &dir.join(name),
        std::slice::from_ref(&d2),
        Path::new("/"),
    )
    .unwrap_or_else(|f| panic!("{}", f.1));
    let (env, files) = loaded(&u);
    assert_eq!(env, dump.environment);
    // the same drop-ins, but the directory (which systemd lists, and
    // reads nothing from)
    let listed: Vec<String> = dump
        .dropins
        .iter()
        .filter(|p| !p.ends_with("20-dir.conf"))
        .cloned()
        .collect();
    // (the dump is read as UTF-8, lossily)
    let ours: Vec<String> = files[1..]
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(ours, listed);
    // systemd warned about the bad header and the bytes; so does the reader
    let mut warned = dump.warned.clone();
    warned.sort();
    assert_eq!(
        warned,
        [
            (format!("{name}.d/10-a.conf"), 3),
            (format!("{name}.d/45-u8.conf"), 3)
        ]
    );
    for (file, line) in [("10-a.conf", 3), ("45-u8.conf", 3)] {
        assert!(
            u.findings.iter().any(|f| f.severity == Severity::Error
                && f.at
                    .as_ref()
                    .is_some_and(|a| a.file == d.join(file) && a.line == line)
                && f.message
                    .contains("systemd ignores the rest of this drop-in")),
            "{file}: {:?}",
            u.findings
        );
    }
    // the directory and the mask are named as what they are
    for (file, what) in [
        ("20-dir.conf", "is a directory"),
        ("30-m.conf", "is a link to /dev/null"),
    ] {
        assert!(
            u.findings.iter().any(|f| f.severity == Severity::Info
                && f.message.contains(what)
                && f.at.as_ref().is_some_and(|a| a.file == d.join(file))),
            "{file}: {:?}",
            u.findings
        );
    }
    fs::remove_dir_all(&dir).unwrap();
    fs::remove_dir_all(&second).unwrap();
}

#[test]
fn a_root_is_read_as_systemd_analyze_root_reads_it() {
    // a node's tree: the unit in /etc, drop-ins in /run, /usr/lib and the
    // type-wide service.d, a mask in /etc over a /usr/lib drop-in, and an
    // absolute link that must resolve inside the tree
    let root = scratch("root");
    let mk = |p: &str, text: &str| write_under(&root, p, text);
    mk(
        "usr/lib/systemd/system/kubelet.service",
        &format!("{HEAD}Environment=UNIT=usr\nExecStart={KW} --old\n"),
    );
    // a linked unit file: /etc's link to a file of the tree (relative:
    // systemd-analyze opens the unit file without the root, so an
    // absolute link would lead it to this machine's /opt, where the
    // reader stays in the tree, src/ctl/unitfile.rs tests that); %H is
    // the tree's host name for the reader,
    // while systemd-analyze would use this machine's, so it is compared
    // only in the command
    mk(
        "opt/units/kubelet.service",
        &format!("{HEAD}Environment=UNIT=etc\nExecStart={KW} --hostname-override=%H\n"),
    );
    fs::create_dir_all(root.join("etc/systemd/system")).unwrap();
    std::os::unix::fs::symlink(
        "../../../opt/units/kubelet.service",
        root.join("etc/systemd/system/kubelet.service"),
    )
    .unwrap();
    mk(
        "run/systemd/system/kubelet.service.d/10-a.conf",
        "[Service]\nEnvironment=A=run\n",
    );
    mk(
        "usr/lib/systemd/system/kubelet.service.d/10-a.conf",
        "[Service]\nEnvironment=A=usr\n",
    );
    mk(
        "usr/lib/systemd/system/kubelet.service.d/20-m.conf",
        "[Service]\nEnvironment=M=usr\n",
    );
    fs::create_dir_all(root.join("etc/systemd/system/kubelet.service.d")).unwrap();
    std::os::unix::fs::symlink(
        "/dev/null",
        root.join("etc/systemd/system/kubelet.service.d/20-m.conf"),
    )
    .unwrap();
    mk(
        "usr/lib/systemd/system/service.d/50-t.conf",
        "[Service]\nEnvironment=T=type\n",
    );
    mk("etc/hostname", "node-7\n");
    let o = Command::new("systemd-analyze")
        .arg(format!("--root={}", root.display()))
        .args(["verify", "--man=no", "kubelet.service"])
        .env("SYSTEMD_LOG_LEVEL", "debug")
        .env("SYSTEMD_LOG_COLOR", "0")
        .output()
        .expect("systemd-analyze runs (tests/run.sh installs systemd)");
    let text =
        String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
    let field = |k: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix(&format!("\t\t{k}: ")))
            .map(str::to_string)
            .collect()
    };
    let theirs_env = field("Environment");
    let theirs_dropins = field("DropIn Path");
    assert_eq!(theirs_env, ["UNIT=etc", "A=run", "T=type"], "{text}");

    let u = kubelet_wrapper::ctl::unitfile::load(Path::new("kubelet.service"), &[], &root)
        .unwrap_or_else(|f| panic!("{}", f.1));
    let (env, files) = loaded(&u);
    assert_eq!(env, theirs_env);
    let ours: Vec<String> = files[1..].iter().map(|p| p.display().to_string()).collect();
    assert_eq!(ours, theirs_dropins);
    assert_eq!(
        u.command.as_ref().unwrap().kubelet_args,
        ["--hostname-override=node-7"]
    );
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn every_key_of_the_list_is_one_systemd_knows() {
    // each key of the list with an empty value (a reset), and a key of
    // our own after each: systemd must call only ours unknown
    let dir = scratch("keys");
    let mut text = String::from("[Service]\nExecStart=/bin/true\n");
    let mut n = 0;
    for section in ["Unit", "Service", "Install"] {
        text.push_str(&format!("[{section}]\n"));
        for k in unit::keys::of(section) {
            // an empty DynamicUser= is an error of its own in systemd 252
            let v = if k == "DynamicUser" { "no" } else { "" };
            text.push_str(&format!("{k}={v}\nZZ{k}=1\n"));
            n += 1;
        }
    }
    let path = dir.join("keys.service");
    fs::write(&path, text).unwrap();
    let o = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .expect("systemd-analyze runs");
    let out = String::from_utf8_lossy(&o.stderr);
    let unknown: Vec<&str> = out.lines().filter(|l| l.contains("Unknown key")).collect();
    assert_eq!(unknown.len(), n, "{out}");
    assert!(
        unknown.iter().all(|l| l.contains("Unknown key 'ZZ")),
        "{unknown:?}"
    );
    fs::remove_dir_all(&dir).unwrap();
}
