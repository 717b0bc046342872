//! The reader on whole units, with an in-memory host. The cases follow the
//! examples of systemd.exec(5), systemd.service(5) and systemd.syntax(7);
//! tests/units.rs holds the same kind of units against systemd itself.

use super::*;
use std::collections::BTreeMap;

#[derive(Default)]
struct Mem {
    files: BTreeMap<String, Vec<u8>>,
}

impl Host for Mem {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(path.to_str().unwrap())
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
    fn glob(&self, pattern: &str) -> io::Result<Vec<PathBuf>> {
        // enough for the tests: a trailing "*"
        Ok(match pattern.strip_suffix('*') {
            Some(p) => self
                .files
                .keys()
                .filter(|k| k.starts_with(p))
                .map(PathBuf::from)
                .collect(),
            None => self
                .files
                .keys()
                .filter(|k| *k == pattern)
                .map(PathBuf::from)
                .collect(),
        })
    }
    fn specifier(&self, c: char) -> Option<String> {
        (c == 'H').then(|| "node-7".into())
    }
}

const PATH: &str = "/etc/systemd/system/kubelet.service";

fn file(path: &str, text: &str) -> File {
    File {
        path: path.into(),
        text: text.as_bytes().to_vec(),
    }
}

fn unit_with(text: &str, dropins: &[(&str, &str)], host: &Mem) -> Unit {
    let d: Vec<File> = dropins.iter().map(|(p, t)| file(p, t)).collect();
    read(&file(PATH, text), &d, host)
}

fn unit(text: &str) -> Unit {
    unit_with(text, &[], &Mem::default())
}

fn env(u: &Unit) -> Vec<(String, String)> {
    u.environment
        .iter()
        .map(|v| (v.name.clone(), v.value.clone()))
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn args(u: &Unit) -> Vec<String> {
    u.command
        .as_ref()
        .expect("a wrapper command")
        .kubelet_args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

fn errors(u: &Unit) -> Vec<String> {
    u.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.message.clone())
        .collect()
}

const EXEC: &str = "ExecStart=/usr/lib/coreos/kubelet-wrapper\n";

#[test]
fn environment_quoting_from_systemd_exec_5() {
    // systemd.exec(5): three variables, "$" has no special meaning
    let u = unit(&format!(
        "[Service]\nEnvironment=\"VAR1=word1 word2\" VAR2=word3 \"VAR3=$word 5 6\"\n{EXEC}"
    ));
    assert_eq!(
        env(&u),
        pairs(&[
            ("VAR1", "word1 word2"),
            ("VAR2", "word3"),
            ("VAR3", "$word 5 6")
        ])
    );
    assert!(u.findings.is_empty(), "{:?}", u.findings);
}

#[test]
fn expansion_from_systemd_service_5() {
    // systemd.service(5): $ONE and $TWO as words are split, ${TWO} is one word
    let u = unit(
        "[Service]\nEnvironment=\"ONE=one\" 'TWO=two two'\nExecStart=/usr/lib/coreos/kubelet-wrapper $ONE $TWO ${TWO}\n",
    );
    assert_eq!(args(&u), ["one", "two", "two", "two two"]);
    // quotes inside a value: removed in Environment=, and again when $NAME is split
    let u = unit(
        "[Service]\nEnvironment=ONE='one' \"TWO='two two' too\" THREE=\nExecStart=/usr/lib/coreos/kubelet-wrapper ${ONE} ${TWO} ${THREE} $ONE $TWO $THREE\n",
    );
    assert_eq!(
        args(&u),
        ["one", "'two two' too", "", "one", "two two", "too"]
    );
    assert_eq!(u.command.as_ref().unwrap().uses, ["ONE", "TWO", "THREE"]);
    assert!(u.findings.is_empty(), "{:?}", u.findings);
}

#[test]
fn later_assignments_win_and_empty_ones_reset() {
    let u = unit_with(
        &format!("[Service]\nEnvironment=A=1 B=1\nEnvironment=C=1\n{EXEC}"),
        &[
            (
                "/etc/systemd/system/kubelet.service.d/10-a.conf",
                "[Service]\nEnvironment=B=2\n",
            ),
            (
                "/etc/systemd/system/kubelet.service.d/20-b.conf",
                "[Service]\nEnvironment=\nEnvironment=D=4 A=4\nExecStart=\nExecStart=/usr/lib/coreos/kubelet-wrapper --x=${A}\n",
            ),
        ],
        &Mem::default(),
    );
    assert_eq!(env(&u), pairs(&[("D", "4"), ("A", "4")]));
    assert_eq!(args(&u), ["--x=4"]);
    assert_eq!(u.files.len(), 3);
    assert_eq!(u.get("A").unwrap().at.line, 3);
    // a value replaced keeps its place
    let u = unit(&format!("[Service]\nEnvironment=A=1 B=2 A=3\n{EXEC}"));
    assert_eq!(env(&u), pairs(&[("A", "3"), ("B", "2")]));
}

#[test]
fn dropin_order() {
    let d = |s: &str| PathBuf::from(s);
    let got = order_dropins(&[
        (
            d("/etc/systemd/system/k.service.d"),
            vec!["50-b.conf".into(), "10-a.conf".into(), "notes.txt".into()],
        ),
        (
            d("/run/systemd/system/k.service.d"),
            vec!["50-b.conf".into(), "20-run.conf".into()],
        ),
    ]);
    assert_eq!(
        got,
        [
            d("/etc/systemd/system/k.service.d/10-a.conf"),
            d("/run/systemd/system/k.service.d/20-run.conf"),
            d("/etc/systemd/system/k.service.d/50-b.conf"),
        ]
    );
}

#[test]
fn environment_files_override_environment_wherever_they_stand() {
    let mut host = Mem::default();
    host.files.insert("/etc/kubelet.env".into(), b"# tag\nKUBELET_IMAGE_TAG=\"v1.18.0_coreos.0\"\nRKT_RUN_ARGS='--net=host --dns=host'\nexport KUBELET_IMAGE_URL=x\n".to_vec());
    host.files
        .insert("/etc/kubelet.d/a".into(), b"A=1\n".to_vec());
    host.files
        .insert("/etc/kubelet.d/b".into(), b"A=2\n".to_vec());
    let u = unit_with(
        &format!(
            "[Service]\nEnvironmentFile=/etc/kubelet.env\nEnvironmentFile=-/etc/missing.env\nEnvironmentFile=/etc/kubelet.d/*\nEnvironment=KUBELET_IMAGE_TAG=v1 A=0\n{EXEC}"
        ),
        &[],
        &host,
    );
    assert_eq!(
        env(&u),
        pairs(&[
            ("KUBELET_IMAGE_TAG", "v1.18.0_coreos.0"),
            ("A", "2"),
            ("RKT_RUN_ARGS", "--net=host --dns=host")
        ])
    );
    let tag = u.get("KUBELET_IMAGE_TAG").unwrap();
    assert_eq!(
        (tag.at.file.to_str().unwrap(), tag.at.line),
        ("/etc/kubelet.env", 2)
    );
    // the optional file is an info, "export" an error naming the fix
    assert!(
        u.findings
            .iter()
            .any(|f| f.severity == Severity::Info && f.message.contains("/etc/missing.env"))
    );
    let export = u
        .findings
        .iter()
        .find(|f| f.message.contains("export KUBELET_IMAGE_URL"))
        .unwrap();
    assert_eq!(export.severity, Severity::Error);
    assert!(
        export.fix.contains("KUBELET_IMAGE_URL=... without export"),
        "{}",
        export.fix
    );

    // a missing file without "-", or one that is not UTF-8: the service does not start
    host.files
        .insert("/etc/bad.env".into(), b"A=\xff\n".to_vec());
    for f in ["/etc/nope.env", "/etc/bad.env"] {
        let u = unit_with(
            &format!("[Service]\nEnvironmentFile={f}\n{EXEC}"),
            &[],
            &host,
        );
        assert!(
            errors(&u)
                .iter()
                .any(|e| e.contains("systemd will not start the service")),
            "{f}: {:?}",
            u.findings
        );
    }
    let u = unit_with(
        &format!("[Service]\nEnvironmentFile=-/etc/bad.env\n{EXEC}"),
        &[],
        &host,
    );
    assert!(errors(&u).is_empty(), "{:?}", u.findings);
    // relative paths are ignored; an empty EnvironmentFile= resets
    let u = unit_with(
        &format!(
            "[Service]\nEnvironmentFile=etc/kubelet.env\nEnvironmentFile=/etc/kubelet.env\nEnvironmentFile=\n{EXEC}"
        ),
        &[],
        &host,
    );
    assert!(u.environment.is_empty());
    assert!(errors(&u)[0].contains("not absolute"));
}

#[test]
fn unset_environment() {
    let u = unit(&format!(
        "[Service]\nEnvironment=A=1 B=2 C=3\nUnsetEnvironment=A C=4 B=2\n{EXEC}"
    ));
    assert_eq!(env(&u), pairs(&[("C", "3")]));
}

#[test]
fn the_classic_unquoted_value_is_an_error_with_the_quoted_form() {
    let u = unit(&format!(
        "[Service]\nEnvironment=RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid --volume dns,kind=host,source=/etc/resolv.conf\n{EXEC}"
    ));
    assert_eq!(
        env(&u),
        pairs(&[(
            "RKT_RUN_ARGS",
            "--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid"
        )])
    );
    assert_eq!(u.findings.len(), 1, "{:?}", u.findings);
    let f = &u.findings[0];
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.message,
        "Environment=: systemd cuts an unquoted value at blanks, so RKT_RUN_ARGS is only \"--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid\"; \"--volume\", \"dns,kind=host,source=/etc/resolv.conf\" are ignored (not NAME=VALUE)"
    );
    assert_eq!(
        f.fix,
        "quote the whole assignment: Environment=\"RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid --volume dns,kind=host,source=/etc/resolv.conf\""
    );
    assert_eq!(f.at.as_ref().unwrap().line, 2);

    // with its --mount: "volume=dns,..." looks like an assignment to systemd
    let u = unit(&format!(
        "[Service]\nEnvironment=RKT_RUN_ARGS=--net=host --volume dns,kind=host,source=/etc/resolv.conf --mount volume=dns,target=/etc/resolv.conf KUBELET_IMAGE_TAG=v1\n{EXEC}"
    ));
    assert_eq!(
        env(&u),
        pairs(&[
            ("RKT_RUN_ARGS", "--net=host"),
            ("volume", "dns,target=/etc/resolv.conf"),
            ("KUBELET_IMAGE_TAG", "v1")
        ])
    );
    assert_eq!(u.findings.len(), 1, "{:?}", u.findings);
    assert!(u.findings[0].message.ends_with("are ignored (not NAME=VALUE), and \"volume=dns,target=/etc/resolv.conf\" sets a variable of its own"), "{}", u.findings[0].message);
    assert!(
        u.findings[0]
            .fix
            .ends_with("--mount volume=dns,target=/etc/resolv.conf\""),
        "{}",
        u.findings[0].fix
    );
}

#[test]
fn bad_environment_syntax_keeps_what_came_before() {
    // measured with systemd 252: A, B and C are set, the rest of the line is not
    let u = unit(&format!(
        "[Service]\nEnvironment=\"A=one two\" B=three 'C=fo\\x41ur' D=a\\ b E=5\n{EXEC}"
    ));
    assert_eq!(
        env(&u),
        pairs(&[("A", "one two"), ("B", "three"), ("C", "foAur")])
    );
    assert!(
        errors(&u)[0].contains("systemd ignores the line from there on"),
        "{:?}",
        u.findings
    );
    let u = unit(&format!(
        "[Service]\nEnvironment=1X=2 NOEQ OK=1 \"SP ACE=1\"\n{EXEC}"
    ));
    assert_eq!(env(&u), pairs(&[("OK", "1")]));
    assert_eq!(errors(&u).len(), 2, "{:?}", u.findings);
}

#[test]
fn specifiers() {
    let u = unit(
        "[Service]\nEnvironment=N=%n P=100%% H=%H\nExecStart=/usr/lib/coreos/kubelet-wrapper --hostname-override=%H %%n\n",
    );
    assert_eq!(
        env(&u),
        pairs(&[("N", "kubelet.service"), ("P", "100%"), ("H", "node-7")])
    );
    assert_eq!(args(&u), ["--hostname-override=node-7", "%n"]);
    let w: Vec<&Finding> = u
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].message.contains("%H depends on the node") && w[0].message.contains("node-7"));
    let u = unit(&format!("[Service]\nEnvironment=A=%z B=1\n{EXEC}"));
    assert_eq!(env(&u), pairs(&[("B", "1")]));
    assert!(
        errors(&u)[0].contains(
            "%z is not a specifier systemd knows, so systemd ignores the assignment \"A=%z\""
        ),
        "{:?}",
        u.findings
    );
    // systemd resolves %c, this check cannot: it says so, not that systemd ignores it
    let u = unit(&format!("[Service]\nEnvironment=C=%c\n{EXEC}"));
    assert!(
        errors(&u)[0].contains(
            "%c depends on the manager's cgroup tree, unknown here, so this check leaves out"
        ),
        "{:?}",
        u.findings
    );
}

#[test]
fn the_wrong_section_or_case_loses_the_setting() {
    let u = unit(&format!(
        "[Unit]\nEnvironment=A=1\n[Service]\nenvironment=B=1\n{EXEC}"
    ));
    assert!(u.environment.is_empty());
    let e = errors(&u);
    assert!(e[0].contains("Environment= in [Unit]"), "{e:?}");
    assert!(e[1].contains("environment= is not Environment="), "{e:?}");
}

#[test]
fn the_command() {
    // prefixes, argv[0], continuation lines with a comment inside
    let u = unit(
        "[Service]\nEnvironment=F=--a=1\nExecStart=-@/usr/lib/coreos/kubelet-wrapper kubelet-wrapper \\\n  # the kubeconfig\n  --kubeconfig=/etc/kubernetes/kubeconfig \\\n  $F\n",
    );
    assert_eq!(
        args(&u),
        ["--kubeconfig=/etc/kubernetes/kubeconfig", "--a=1"]
    );
    assert_eq!(u.command.as_ref().unwrap().at.line, 6);
    // ":" switches expansion off
    let u =
        unit("[Service]\nEnvironment=F=1\nExecStart=:/usr/lib/coreos/kubelet-wrapper $F ${F}\n");
    assert_eq!(args(&u), ["$F", "${F}"]);
    // a plain name (PATH lookup)
    assert_eq!(
        args(&unit("[Service]\nExecStart=kubelet-wrapper --x\n")),
        ["--x"]
    );
}

#[test]
fn command_problems() {
    let e = errors(&unit("[Service]\nEnvironment=A=1\n"));
    assert!(e[0].contains("no ExecStart="), "{e:?}");
    let e = errors(&unit(
        "[Service]\nExecStart=/bin/sh -c '/usr/lib/coreos/kubelet-wrapper'\n",
    ));
    assert!(e[0].contains("runs /bin/sh, not kubelet-wrapper"), "{e:?}");
    let e = errors(&unit(
        "[Service]\nExecStart=/usr/lib/coreos/kubelet-wrapper\nExecStart=/usr/lib/coreos/kubelet-wrapper\n",
    ));
    assert!(e[0].contains("more than one ExecStart="), "{e:?}");
    // unset and systemd-set variables, a braceless $NAME inside a word, $NAME/...
    let u = unit(
        "[Service]\nEnvironment=A=1\nExecStart=/usr/lib/coreos/kubelet-wrapper $KUBELET_ARGS --a=$A ${PATH} $A/x\n",
    );
    assert_eq!(args(&u), ["--a=$A", ""]);
    let msgs: Vec<(Severity, &str)> = u
        .findings
        .iter()
        .map(|f| (f.severity, f.message.as_str()))
        .collect();
    assert!(
        msgs.iter().any(|(s, m)| *s == Severity::Error
            && m.contains("$KUBELET_ARGS, which the unit does not set")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(s, m)| *s == Severity::Warning && m.contains("\"--a=$A\" is passed as written")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(s, m)| *s == Severity::Warning && m.contains("$PATH, which systemd sets")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(s, m)| *s == Severity::Error && m.contains("\"A/x\"")),
        "{msgs:?}"
    );
    // a fatal line stops the reading: systemd loads nothing
    let u = unit("[Service\nEnvironment=A=1\n");
    assert!(u.environment.is_empty() && u.command.is_none());
    assert!(errors(&u)[0].contains("invalid section header"));
}

#[test]
fn pass_environment_is_reported() {
    let u = unit(&format!(
        "[Service]\nPassEnvironment=KUBELET_IMAGE_TAG\n{EXEC}"
    ));
    assert!(u.findings[0].message.contains("systemd's own environment"));
}

#[test]
fn names() {
    let u = read(
        &file("/etc/systemd/system/kubelet.conf", EXEC),
        &[],
        &Mem::default(),
    );
    assert!(errors(&u)[0].contains("not a service unit"));
}

#[test]
fn a_file_that_ends_in_a_continuation_keeps_its_last_line() {
    for text in [
        "[Service]\nEnvironment=A=1 \\",
        "[Service]\nEnvironment=A=1 \\\n",
        "[Service]\nEnvironment=A=1 \\\nB=2",
    ] {
        let u = unit(text);
        assert_eq!(
            env(&u).first(),
            Some(&("A".to_string(), "1".to_string())),
            "{text:?}"
        );
    }
}
