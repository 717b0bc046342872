//! The reader on whole units, with an in-memory host. The cases follow the
//! examples of systemd.exec(5), systemd.service(5) and systemd.syntax(7);
//! tests/units.rs holds the same kind of units against systemd itself.

use super::*;
use std::collections::BTreeMap;

#[derive(Default)]
struct Mem {
    files: BTreeMap<String, Vec<u8>>,
    /// What glob says for every pattern instead, when set.
    glob_error: Option<String>,
}

impl Host for Mem {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(path.to_str().unwrap())
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
    fn glob(&self, pattern: &str) -> io::Result<Vec<PathBuf>> {
        if let Some(e) = &self.glob_error {
            return Err(io::Error::other(e.clone()));
        }
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

fn with(u: &Unit, severity: Severity) -> Vec<String> {
    u.findings
        .iter()
        .filter(|f| f.severity == severity)
        .map(|f| f.message.clone())
        .collect()
}

fn errors(u: &Unit) -> Vec<String> {
    with(u, Severity::Error)
}

fn warnings(u: &Unit) -> Vec<String> {
    with(u, Severity::Warning)
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
    assert_eq!(export.severity, Severity::Warning);
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
fn unset_and_pass_environment_take_names_and_warn_about_the_rest() {
    // UnsetEnvironment= also takes NAME=VALUE; PassEnvironment= only names;
    // what systemd ignores is a warning each, and an empty value clears
    let u = unit(&format!(
        "[Service]\nEnvironment=A=1 B=2\nUnsetEnvironment=1A B=2\nPassEnvironment=X=1 Y\nUnsetEnvironment=A-\n{EXEC}"
    ));
    assert_eq!(
        warnings(&u),
        vec![
            "UnsetEnvironment=: \"1A\" is neither a name nor NAME=VALUE: systemd ignores it",
            "PassEnvironment=: \"X=1\" is not a variable name: systemd ignores it",
            "UnsetEnvironment=: \"A-\" is neither a name nor NAME=VALUE: systemd ignores it",
        ]
    );
    assert_eq!(env(&u), pairs(&[("A", "1")]));
    let u = unit(&format!(
        "[Service]\nEnvironment=A=1\nUnsetEnvironment=A\nUnsetEnvironment=\n{EXEC}"
    ));
    assert_eq!(env(&u), pairs(&[("A", "1")]));
}

#[test]
fn the_classic_unquoted_value_is_a_warning_with_the_quoted_form() {
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
    assert_eq!(f.severity, Severity::Warning);
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
        warnings(&u)[0].contains("systemd ignores the line from there on"),
        "{:?}",
        u.findings
    );
    let u = unit(&format!(
        "[Service]\nEnvironment=1X=2 NOEQ OK=1 \"SP ACE=1\"\n{EXEC}"
    ));
    assert_eq!(env(&u), pairs(&[("OK", "1")]));
    assert_eq!(warnings(&u).len(), 2, "{:?}", u.findings);
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
    // the node's own values: a note each, naming the value used
    let w: Vec<&Finding> = u
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Info)
        .collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].message.contains("%H depends on the node") && w[0].message.contains("node-7"));
    let u = unit(&format!("[Service]\nEnvironment=A=%z B=1\n{EXEC}"));
    assert_eq!(env(&u), pairs(&[("B", "1")]));
    assert!(
        warnings(&u)[0].contains(
            "%z is not a specifier systemd knows, so systemd ignores the assignment \"A=%z\""
        ),
        "{:?}",
        u.findings
    );
    // systemd resolves %c, this check cannot: it says so, not that systemd ignores it
    let u = unit(&format!("[Service]\nEnvironment=C=%c\n{EXEC}"));
    assert!(
        with(&u, Severity::Info)[0].contains(
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
    let w: Vec<(&str, &str)> = u
        .findings
        .iter()
        .map(|f| (f.message.as_str(), f.fix.as_str()))
        .collect();
    assert_eq!(
        w,
        [
            (
                "Unknown key 'Environment' in section [Unit], ignoring. (systemd ignores the line)",
                "Environment= belongs in the [Service] section: move it there"
            ),
            (
                "Unknown key 'environment' in section [Service], ignoring. (systemd ignores the line)",
                "did you mean Environment=? systemd's keys are case-sensitive"
            )
        ]
    );
    assert!(u.findings.iter().all(|f| f.severity == Severity::Warning));
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
    // where the setting begins
    assert_eq!(u.command.as_ref().unwrap().at.line, 3);
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
    let e = errors(&unit("[Service]\nExecStart=/bin/sh /etc/kubelet.sh\n"));
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
    // systemd expands an unset variable to nothing: a note
    assert!(
        msgs.iter().any(|(s, m)| *s == Severity::Info
            && m.contains(
                "$KUBELET_ARGS, which the unit does not set: systemd expands it to nothing"
            )),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(s, m)| *s == Severity::Warning && m.contains("\"--a=$A\" is passed as written")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(s, m)| *s == Severity::Info && m.contains("$PATH, which systemd sets")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(s, m)| *s == Severity::Warning && m.contains("\"A/x\"")),
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

fn at_lines(u: &Unit, severity: Severity) -> Vec<usize> {
    u.findings
        .iter()
        .filter(|f| f.severity == severity)
        .filter_map(|f| f.at.as_ref().map(|a| a.line))
        .collect()
}

#[test]
fn every_exec_setting_with_its_prefixes_words_and_first_line() {
    let u = unit(
        "[Service]\nEnvironment=U=/var/cache/kubelet-pod.uuid\nExecStartPre=-/usr/bin/rkt rm \\\n  --uuid-file=${U}\nExecStartPre=+/bin/mkdir -p /x\nExecStart=/usr/lib/coreos/kubelet-wrapper\nExecStartPost=:/bin/echo $U\nExecCondition=/bin/true\nExecReload=/bin/kill -HUP $MAINPID\nExecStop=-/usr/bin/rkt stop --uuid-file=$U\nExecStopPost=!!/bin/rm -f ${U}\nExecStopPost=\nExecStopPost=/bin/true ; /bin/false\n",
    );
    let lines: Vec<(Directive, String, usize, Vec<String>)> = u
        .exec
        .iter()
        .map(|e| {
            (
                e.directive,
                e.command.prefixes(),
                e.at.line,
                e.expanded.iter().map(|w| lossy(w)).collect(),
            )
        })
        .collect();
    let v = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        lines,
        [
            (Directive::ExecCondition, "".into(), 8, v(&["/bin/true"])),
            (
                Directive::ExecStartPre,
                "-".into(),
                3,
                v(&[
                    "/usr/bin/rkt",
                    "rm",
                    "--uuid-file=/var/cache/kubelet-pod.uuid"
                ])
            ),
            (
                Directive::ExecStartPre,
                "+".into(),
                5,
                v(&["/bin/mkdir", "-p", "/x"])
            ),
            (
                Directive::ExecStart,
                "".into(),
                6,
                v(&["/usr/lib/coreos/kubelet-wrapper"])
            ),
            (
                Directive::ExecStartPost,
                ":".into(),
                7,
                v(&["/bin/echo", "$U"])
            ),
            (
                Directive::ExecReload,
                "".into(),
                9,
                v(&["/bin/kill", "-HUP"])
            ),
            (
                Directive::ExecStop,
                "-".into(),
                10,
                // $U inside a word: systemd passes it as written
                v(&["/usr/bin/rkt", "stop", "--uuid-file=$U"])
            ),
            // the empty ExecStopPost= emptied the list before it
            (Directive::ExecStopPost, "".into(), 13, v(&["/bin/true"])),
            (Directive::ExecStopPost, "".into(), 13, v(&["/bin/false"])),
        ]
    );
    // as loaded: the variables are still there
    assert_eq!(lossy(&u.exec[1].command.argv[2]), "--uuid-file=${U}");
    assert_eq!(u.exec[1].command.path, b"/usr/bin/rkt");
    // only ExecStart='s expansion is the wrapper's: $MAINPID and the
    // braceless $U of the other lines are not reported
    assert!(u.findings.is_empty(), "{:?}", u.findings);
}

#[test]
fn the_directories_execstartpre_creates() {
    let u = unit(
        "[Service]\nEnvironment=D=/var/lib/calico\nExecStartPre=/bin/mkdir -p /etc/kubernetes/manifests /opt/cni/bin\nExecStartPre=-/usr/bin/mkdir --parents ${D} rel/dir\nExecStartPre=mkdir -pm 0750 /a -- -b\nExecStartPre=/usr/bin/install -d -m 0700 -o root /c\nExecStartPre=/usr/bin/install --directory --mode=755 /d\nExecStartPre=/bin/sh -c \"mkdir -p /opt/bin && curl -o /opt/bin/x $(date) && mkdir -p /never\"\nExecStartPre=/bin/bash -ec 'mkdir -p \"/e f\" $D/sub; exec install -d /g || mkdir -p /maybe'\nExecStartPre=/usr/bin/env A=1 mkdir -p /h/./i/\nExecStartPre=/bin/mkdir /no-parents\nExecStartPre=/usr/bin/install -m 644 /src /no-dir\nExecStartPre=/opt/bin/mkdir -p /not-coreutils\nExecStart=/bin/mkdir -p /not-pre\n",
    );
    let got: Vec<(String, Option<String>, usize, &str)> = u
        .created_directories()
        .into_iter()
        .map(|d| (d.path.display().to_string(), d.mode, d.at.line, d.by))
        .collect();
    let d = |p: &str, m: Option<&str>, l, by| (p.to_string(), m.map(String::from), l, by);
    assert_eq!(
        got,
        [
            d("/etc/kubernetes/manifests", None, 3, "mkdir"),
            d("/opt/cni/bin", None, 3, "mkdir"),
            d("/var/lib/calico", None, 4, "mkdir"),
            d("/rel/dir", None, 4, "mkdir"),
            d("/a", Some("0750"), 5, "mkdir"),
            d("/-b", Some("0750"), 5, "mkdir"),
            d("/c", Some("0700"), 6, "install"),
            d("/d", Some("755"), 7, "install"),
            // a script: up to what it cannot read
            d("/opt/bin", None, 8, "mkdir"),
            // quoting and variables as the shell has them; up to "||"
            d("/e f", None, 9, "mkdir"),
            d("/var/lib/calico/sub", None, 9, "mkdir"),
            d("/g", None, 9, "install"),
            d("/h/i", None, 10, "mkdir"),
        ]
    );
}

#[test]
fn the_rkt_commands_the_unit_runs() {
    let u = unit(
        "[Service]\nEnvironment=U=/var/cache/kubelet-pod.uuid\nExecStartPre=-/usr/bin/rkt rm --uuid-file=${U}\nExecStartPre=/bin/sh -c 'rkt gc --grace-period=0s; echo done'\nExecStart=/usr/lib/coreos/kubelet-wrapper\nExecStop=-/usr/bin/rkt stop \\\n  --uuid-file=${U}\nExecStopPost=/opt/rkt/rkt-not-this\n",
    );
    let got: Vec<(Directive, Vec<String>, usize, bool)> = u
        .rkt_commands()
        .into_iter()
        .map(|r| {
            (
                r.directive,
                r.argv
                    .iter()
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect(),
                r.at.line,
                r.ignore_failure,
            )
        })
        .collect();
    let v = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        [
            (
                Directive::ExecStartPre,
                v(&[
                    "/usr/bin/rkt",
                    "rm",
                    "--uuid-file=/var/cache/kubelet-pod.uuid"
                ]),
                3,
                true
            ),
            (
                Directive::ExecStartPre,
                v(&["rkt", "gc", "--grace-period=0s"]),
                4,
                false
            ),
            (
                Directive::ExecStop,
                v(&[
                    "/usr/bin/rkt",
                    "stop",
                    "--uuid-file=/var/cache/kubelet-pod.uuid"
                ]),
                6,
                true
            ),
        ]
    );
}

#[test]
fn unknown_keys_and_sections_get_systemds_warning_and_the_key_meant() {
    let u = unit(
        "[Unit]\nDescripton=x\n[Service]\nEnviroment=KUBELET_IMAGE_TAG=v1\nExecStrat=/x\nX-Mine=ok\nKubeletFlags=--v=2\n[Instal]\nWantedBy=multi-user.target\n[X-Own]\nA=1\nExecStart=/usr/lib/coreos/kubelet-wrapper\n",
    );
    let got: Vec<(usize, &str, &str)> = u
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| {
            (
                f.at.as_ref().unwrap().line,
                f.message.as_str(),
                f.fix.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                8,
                "Unknown section 'Instal'. Ignoring. (systemd skips it and its settings)",
                "did you mean [Install]? A service unit has the sections [Unit], [Service] and [Install]"
            ),
            (
                2,
                "Unknown key 'Descripton' in section [Unit], ignoring. (systemd ignores the line)",
                "did you mean Description=?"
            ),
            (
                4,
                "Unknown key 'Enviroment' in section [Service], ignoring. (systemd ignores the line)",
                "did you mean Environment=?"
            ),
            (
                5,
                "Unknown key 'ExecStrat' in section [Service], ignoring. (systemd ignores the line)",
                "did you mean ExecStart=?"
            ),
            (
                7,
                "Unknown key 'KubeletFlags' in section [Service], ignoring. (systemd ignores the line)",
                "remove the line, or name a setting of your own X-KubeletFlags"
            ),
        ]
    );
    // the misspelt setting is lost, as in systemd; the X- section holds
    // the ExecStart=, which is lost too
    assert!(u.environment.is_empty());
    assert!(u.command.is_none());
    assert!(errors(&u)[0].contains("no ExecStart="));
}

#[test]
fn a_trailing_backslash_that_folds_the_next_directive_is_a_warning() {
    let u = unit(
        "[Service]\nExecStart=/usr/lib/coreos/kubelet-wrapper \\\n  --kubeconfig=/etc/kubernetes/kubeconfig \\\n  --v=2 \\\nRestart=always\nRestartSec=5\n",
    );
    // systemd passes "Restart=always" to the kubelet, and never restarts it
    assert_eq!(
        args(&u),
        [
            "--kubeconfig=/etc/kubernetes/kubeconfig",
            "--v=2",
            "Restart=always"
        ]
    );
    let w: Vec<&Finding> = u
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    assert_eq!(w.len(), 1, "{:?}", u.findings);
    assert_eq!(w[0].at.as_ref().unwrap().line, 2);
    assert_eq!(
        w[0].message,
        "the backslash at the end of line 4 continues ExecStart= onto line 5, so systemd reads \"Restart=always\" as part of ExecStart= and not as a setting of its own"
    );
    assert_eq!(w[0].fix, "remove the backslash at the end of line 4");
    // a section header folded in
    let u = unit(&format!(
        "[Service]\n{EXEC}Environment=A=1 \\\n[Install]\nWantedBy=multi-user.target\n"
    ));
    assert!(
        warnings(&u)
            .iter()
            .any(|m| m.contains("\"[Install]\" as part of Environment=")),
        "{:?}",
        u.findings
    );
    // a continued value of names that are not directives: nothing to say
    let u = unit(&format!("[Service]\n{EXEC}Environment=A=1 \\\n  B=2\n"));
    assert!(u.findings.is_empty(), "{:?}", u.findings);
}

#[test]
fn a_blank_line_ends_a_continued_setting_and_the_lines_below_are_warned() {
    let u = unit(
        "[Service]\nExecStart=/usr/lib/coreos/kubelet-wrapper \\\n  --kubeconfig=/etc/kubernetes/kubeconfig \\\n   \n  --node-labels=role=worker \\\n  $KUBELET_EXTRA\nRestart=always\n",
    );
    // as systemd: the flags below the blank line are not the kubelet's
    assert_eq!(args(&u), ["--kubeconfig=/etc/kubernetes/kubeconfig"]);
    let w: Vec<(usize, &str, &str)> = u
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| {
            (
                f.at.as_ref().unwrap().line,
                f.message.as_str(),
                f.fix.as_str(),
            )
        })
        .collect();
    assert_eq!(
        w,
        [(
            5,
            "\"--node-labels=role=worker    $KUBELET_EXTRA\" is not part of ExecStart=: the blank line 4 ends ExecStart= (line 2), as systemd ends a continued setting at an empty or blank line, and systemd reads this line on its own (Unknown key '--node-labels' in section [Service], ignoring.)",
            "remove line 4, or the backslash before it if ExecStart= ends there"
        )]
    );
    // blanks after a backslash: no continuation at all
    // (and systemd keeps the lone backslash as a word, with a warning)
    let u = unit("[Service]\nExecStart=/usr/lib/coreos/kubelet-wrapper --a \\ \n  --b\n");
    assert_eq!(at_lines(&u, Severity::Warning), [3, 2]);
    assert!(warnings(&u)[0].contains("the backslash at the end of line 2 is followed by blanks"));
    assert_eq!(args(&u), ["--a", "\\"]);
}

#[test]
fn a_shell_script_that_runs_the_wrapper_is_read_with_the_shells_rules() {
    let mut host = Mem::default();
    host.files.insert(
        "/etc/kubernetes/kubelet.env".into(),
        b"KUBELET_OPTS=\"--node-labels=role=worker --v=2\"\nQ=\"'a b' c\"\n".to_vec(),
    );
    let run = |exec: &str| {
        unit_with(
            &format!("[Service]\nEnvironmentFile=-/etc/kubernetes/kubelet.env\nExecStart={exec}\n"),
            &[],
            &host,
        )
    };
    // the shell splits $KUBELET_OPTS; systemd leaves it to the shell
    let u = run(
        "/bin/sh -c \"exec /usr/lib/coreos/kubelet-wrapper --kubeconfig=/etc/kubernetes/kubeconfig $KUBELET_OPTS\"",
    );
    assert_eq!(
        args(&u),
        [
            "--kubeconfig=/etc/kubernetes/kubeconfig",
            "--node-labels=role=worker",
            "--v=2"
        ]
    );
    let c = u.command.as_ref().unwrap();
    assert_eq!(c.through.as_deref(), Some("/bin/sh -c"));
    assert_eq!(c.uses, ["KUBELET_OPTS"]);
    assert!(
        errors(&u).is_empty() && warnings(&u).is_empty(),
        "{:?}",
        u.findings
    );
    // ${Q} is systemd's, first: its quotes reach the shell, which reads them
    let u = run("/usr/bin/bash -c 'exec kubelet-wrapper ${Q} \"$Q\"'");
    assert_eq!(args(&u), ["a b", "c", "'a b' c"]);
    // positional parameters and "$@"; env's assignments reach the wrapper
    let u = run("/bin/sh -ec 'exec \"$0\" \"$@\"' /usr/lib/coreos/kubelet-wrapper --a '--b c'");
    assert_eq!(args(&u), ["--a", "--b c"]);
    let u = run("/usr/bin/env KUBELET_IMAGE_TAG=v1.25.4 /usr/lib/coreos/kubelet-wrapper --x");
    assert_eq!(args(&u), ["--x"]);
    assert_eq!(u.get("KUBELET_IMAGE_TAG").unwrap().value, "v1.25.4");
    assert!(
        u.vars()
            .contains(&("KUBELET_IMAGE_TAG".into(), "v1.25.4".into()))
    );
    // an unset variable: the shell expands it to nothing, a note
    let u = run("/bin/sh -c 'exec /usr/lib/coreos/kubelet-wrapper $NOT_SET'");
    assert!(args(&u).is_empty());
    assert!(
        with(&u, Severity::Info)
            .iter()
            .any(|m| m.contains("uses $NOT_SET, which is not set"))
    );
    // a pattern: kept as written, with a note
    let u = run("/bin/sh -c 'exec /usr/lib/coreos/kubelet-wrapper --files=/etc/k/*.yaml'");
    assert_eq!(args(&u), ["--files=/etc/k/*.yaml"]);
    assert!(
        with(&u, Severity::Info)
            .iter()
            .any(|m| m.contains("passes \"--files=/etc/k/*.yaml\" unquoted"))
    );
    // what cannot be read is an error, and the command is absent with why
    for (exec, why) in [
        (
            "/bin/sh -c '/usr/lib/coreos/kubelet-wrapper --a | logger'",
            "a pipe (|)",
        ),
        (
            "/bin/sh -c 'mkdir -p /x && exec /usr/lib/coreos/kubelet-wrapper'",
            "a list of several commands",
        ),
        (
            "/bin/sh -c 'exec /usr/lib/coreos/kubelet-wrapper --node-ip=$(hostname -i)'",
            "a command substitution ($(...))",
        ),
        (
            "/bin/sh -c 'exec /usr/lib/coreos/kubelet-wrapper > /var/log/k'",
            "a redirection",
        ),
        (
            "/bin/bash -c 'if true; then exec /usr/lib/coreos/kubelet-wrapper; fi'",
            "a compound command or keyword (if)",
        ),
    ] {
        let u = run(exec);
        assert!(u.command.is_none(), "{exec}");
        let e = errors(&u);
        assert_eq!(e.len(), 1, "{exec}: {:?}", u.findings);
        assert!(
            e[0].contains("this check cannot read") && e[0].contains(why),
            "{exec}: {e:?}"
        );
        assert!(u.no_command.as_ref().unwrap().contains(why), "{exec}");
    }
    // a script that runs something else
    let u = run("/bin/sh -c 'exec /usr/bin/kubelet --v=2'");
    assert!(
        errors(&u)[0].contains("runs /usr/bin/kubelet (through /bin/sh -c), not kubelet-wrapper")
    );
}

#[test]
fn severities_follow_consequences() {
    // unset in ExecStart= (from an optional file): a note; the unit is fine
    let u = unit_with(
        "[Service]\nEnvironmentFile=-/etc/none.env\nExecStart=/usr/lib/coreos/kubelet-wrapper $KUBELET_EXTRA_ARGS\n",
        &[],
        &Mem::default(),
    );
    assert!(
        errors(&u).is_empty() && warnings(&u).is_empty(),
        "{:?}",
        u.findings
    );
    // systemd refuses the unit: an error, and no command to render
    let u = unit("[Service]\nExecStart=/usr/lib/coreos/kubelet-wrapper \"open\n");
    assert_eq!(errors(&u).len(), 1);
    assert!(u.no_command.is_some());
}

#[test]
fn values_that_are_not_utf8_refuse_the_unit_and_stop_a_dropin() {
    // systemd 252: "String is not UTF-8 clean", and the unit fails to load
    let u = read(
        &File {
            path: PATH.into(),
            text: b"[Service]\nEnvironment=A=\xff\nExecStart=/usr/lib/coreos/kubelet-wrapper\n"
                .to_vec(),
        },
        &[],
        &Mem::default(),
    );
    assert!(u.command.is_none() && u.environment.is_empty());
    assert!(
        errors(&u)[0].contains("systemd refuses to load the unit"),
        "{:?}",
        u.findings
    );
    // the same in a drop-in: what it set before stays, the rest is lost,
    // the other drop-ins apply (measured with systemd-analyze verify)
    let u = read(
        &File {
            path: PATH.into(),
            text: EXEC_UNIT.as_bytes().to_vec(),
        },
        &[
            File {
                path: "/etc/systemd/system/kubelet.service.d/10-a.conf".into(),
                text: "[Service]\nEnvironment=A=1\nEnvironment=B=\u{FFFE}\nEnvironment=C=1\n"
                    .as_bytes()
                    .to_vec(),
            },
            File {
                path: "/etc/systemd/system/kubelet.service.d/20-b.conf".into(),
                text: b"[Service]\nEnvironment=D=1\n".to_vec(),
            },
        ],
        &Mem::default(),
    );
    assert_eq!(env(&u), pairs(&[("A", "1"), ("D", "1")]));
    assert!(u.command.is_some());
    let e = errors(&u);
    assert!(
        e[0].contains("systemd ignores the rest of this drop-in"),
        "{e:?}"
    );
}

const EXEC_UNIT: &str = "[Service]\nExecStart=/usr/lib/coreos/kubelet-wrapper\n";

#[test]
fn environment_file_paths_as_systemd_checks_them() {
    let mut host = Mem::default();
    host.files.insert("/etc/k/a.env".into(), b"A=1\n".to_vec());
    let u = unit_with(
        &format!(
            "[Service]\nEnvironmentFile=/etc/../etc/k/a.env\nEnvironmentFile=-/etc//k/./a.env\nEnvironmentFile=/{}/x\nEnvironmentFile=etc/k/a.env\n{EXEC}",
            "n".repeat(256)
        ),
        &[],
        &host,
    );
    // "//" and "/./" are simplified; ".." makes systemd ignore the line
    assert_eq!(env(&u), pairs(&[("A", "1")]));
    let e: Vec<(usize, String)> = u
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.at.as_ref().unwrap().line, f.message.clone()))
        .collect();
    assert_eq!(e.len(), 3, "{e:?}");
    assert!(e[0].0 == 2 && e[0].1.contains("not normalized"), "{e:?}");
    assert!(e[1].0 == 4 && e[1].1.contains("too long"), "{e:?}");
    assert!(e[2].0 == 5 && e[2].1.contains("not absolute"), "{e:?}");
}

#[test]
fn environment_files_systemd_cannot_read() {
    let mut host = Mem::default();
    host.files
        .insert("/etc/nul.env".into(), b"A=1\n\0B=2\n".to_vec());
    host.files
        .insert("/etc/big.env".into(), vec![b'#'; ENV_FILE_MAX + 1]);
    host.files.insert("/etc/null.env".into(), Vec::new());
    host.files.insert(
        "/etc/nonchar.env".into(),
        "A=\u{FDD0}\n".as_bytes().to_vec(),
    );
    for (f, why) in [
        ("/etc/nul.env", "holds a NUL byte"),
        ("/etc/big.env", "larger than"),
        ("/etc/nonchar.env", "not valid UTF-8"),
    ] {
        let u = unit_with(
            &format!("[Service]\nEnvironmentFile={f}\n{EXEC}"),
            &[],
            &host,
        );
        let e = errors(&u);
        assert!(
            e.len() == 1 && e[0].contains(why) && e[0].contains("will not start"),
            "{f}: {e:?}"
        );
        assert!(u.environment.is_empty(), "{f}");
    }
    // an empty file (as /dev/null reads) sets nothing, and is no problem
    let u = unit_with(
        &format!("[Service]\nEnvironmentFile=/etc/null.env\n{EXEC}"),
        &[],
        &host,
    );
    assert!(u.findings.is_empty(), "{:?}", u.findings);
    // a pattern the host stops following: an error, with the host's reason
    let host = Mem {
        glob_error: Some("the pattern matches more than 4096 paths: this check stops there".into()),
        ..Mem::default()
    };
    let u = unit_with(
        &format!("[Service]\nEnvironmentFile=-/proc/*/root/proc/*/environ\n{EXEC}"),
        &[],
        &host,
    );
    assert!(
        errors(&u)[0].contains("more than 4096 paths"),
        "{:?}",
        u.findings
    );
}

#[test]
fn expansion_that_grows_is_a_bounded_error() {
    // a 1 MiB value referenced in every word of a 1 MiB line: 250 GB if
    // expanded; the kernel takes 2 MiB of arguments, and so does the check
    let mut host = Mem::default();
    let mut text = b"A=".to_vec();
    text.extend(vec![b'x'; 1 << 20]);
    host.files.insert("/etc/big.env".into(), text);
    for words in [
        "${A}".repeat(200_000),
        "$A ".repeat(200_000),
        "${A}${A} ".repeat(10),
    ] {
        let t = std::time::Instant::now();
        let u = unit_with(
            &format!(
                "[Service]\nEnvironmentFile=/etc/big.env\nExecStart=/usr/lib/coreos/kubelet-wrapper {words}\n"
            ),
            &[],
            &host,
        );
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
        assert!(u.command.is_none());
        let e = errors(&u);
        assert!(
            e[0].contains("systemd cannot start the service (E2BIG)"),
            "{e:?}"
        );
    }
    // and through a shell script
    let u = unit_with(
        "[Service]\nEnvironmentFile=/etc/big.env\nExecStart=/bin/sh -c 'exec /usr/lib/coreos/kubelet-wrapper $A $A $A'\n",
        &[],
        &host,
    );
    assert!(errors(&u)[0].contains("ARG_MAX"), "{:?}", u.findings);
}

#[test]
fn names_that_are_not_utf8_or_not_names_get_a_notice() {
    // an escape can make a name of any bytes; systemd ignores it with a
    // warning, wherever it stands
    let mut host = Mem::default();
    host.files
        .insert("/etc/k.env".into(), b"\xffKEY=1\n".to_vec());
    let u = unit_with(
        "[Service]\nEnvironment=\"\\xffA=1\" B=2\nUnsetEnvironment=\\xffC\nPassEnvironment=\\xffD E\nEnvironmentFile=-/etc/k.env\nExecStart=/usr/lib/coreos/kubelet-wrapper ${\\xff} $\\xffF\n",
        &[],
        &host,
    );
    assert_eq!(env(&u), pairs(&[("B", "2")]));
    let lines: Vec<(Severity, usize, bool)> = u
        .findings
        .iter()
        .map(|f| {
            (
                f.severity,
                f.at.as_ref().unwrap().line,
                f.message.contains("\\xff"),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (Severity::Warning, 2, true),
            (Severity::Warning, 3, true),
            (Severity::Warning, 4, true),
            (Severity::Info, 5, false),
            (Severity::Info, 4, false),
            (Severity::Warning, 6, true),
            (Severity::Warning, 6, true),
        ],
        "{:?}",
        u.findings
    );
}
