//! The defaults format and the selection rule, independent of any release.

use kubelet_wrapper::defaults::model::{self, Defaults, TrustCondition};
use kubelet_wrapper::defaults::registry;
use kubelet_wrapper::defaults::version::{Version, select};

fn v(s: &str) -> Version {
    s.parse().unwrap()
}

#[test]
fn version_parsing_is_strict() {
    assert_eq!(v("2512.3.0"), Version::new(2512, 3, 0));
    assert_eq!(v("0.0.0"), Version::new(0, 0, 0));
    for bad in [
        "",
        "1",
        "1.2",
        "1.2.3.4",
        "1..3",
        "a.b.c",
        "+1.2.3",
        "-1.2.3",
        " 1.2.3",
        "1.2.3 ",
        "1.2.3-rc1",
        "99999999999.0.0",
        "1.2.",
        "１.2.3",
    ] {
        assert!(Version::parse(bad).is_err(), "{bad:?} accepted");
    }
    assert!(
        v("1353.10.0") > v("1353.8.0"),
        "numeric, not lexical, order"
    );
}

#[test]
fn selection_rule() {
    let files: Vec<Version> = [
        "960.0.0", "1353.0.0", "1353.6.0", "1353.8.0", "1409.4.0", "1423.0.0",
    ]
    .iter()
    .map(|s| v(s))
    .collect();
    let sel = |r: &str| select(&files, v(r)).unwrap().to_string();
    assert_eq!(sel("1353.5.0"), "1353.0.0"); // same major, before the backport
    assert_eq!(sel("1353.6.0"), "1353.6.0");
    assert_eq!(sel("1353.7.1"), "1353.6.0");
    assert_eq!(sel("1353.99.0"), "1353.8.0");
    assert_eq!(sel("1409.2.0"), "1353.0.0"); // a backport is not inherited...
    assert_eq!(sel("1409.5.0"), "1409.4.0");
    assert_eq!(sel("1410.0.0"), "1353.0.0"); // ...by later majors
    assert_eq!(sel("99999.0.0"), "1423.0.0");
    assert_eq!(sel("899.0.0"), "960.0.0"); // older than every file: the oldest
    assert_eq!(sel("0.0.0"), "960.0.0");
    assert_eq!(select(&[], v("1.0.0")), None);
    // a backport alone in its major does not apply to earlier releases of it
    let only_backport = [v("1500.2.0"), v("1400.0.0")];
    assert_eq!(select(&only_backport, v("1500.1.0")), Some(v("1400.0.0")));
    let none_older = [v("1500.2.0")];
    assert_eq!(select(&none_older, v("1500.1.0")), Some(v("1500.2.0")));
}

#[test]
fn every_embedded_file_is_valid_and_named_after_its_release() {
    let files = registry::files();
    assert_eq!(files.len(), 15);
    for f in &files {
        let name = format!("{}.json", f.version);
        let d = model::check_file(&name, &name, f.text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.release, f.version.to_string());
        assert_eq!(d.schema.as_deref(), Some("schema.json"));
    }
}

fn sample() -> Defaults {
    registry::select(v("2512.0.0")).parse()
}

fn problems(d: &Defaults) -> Vec<String> {
    d.problems(Some(&d.release))
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn each_rule_is_enforced() {
    let expect = |edit: &dyn Fn(&mut Defaults), needle: &str| {
        let mut d = sample();
        edit(&mut d);
        let p = problems(&d);
        assert!(
            p.iter().any(|m| m.contains(needle)),
            "expected {needle:?} in {p:?}"
        );
    };
    assert!(problems(&sample()).is_empty());
    expect(&|d| d.release = "2512.0".into(), "is not a release version");
    expect(&|d| d.release = "02512.0.0".into(), "no leading zeros");
    expect(&|d| d.summary = " ".into(), "summary");
    expect(
        &|d| d.directories.push("/etc/kubernetes".into()),
        "directories[4]: /etc/kubernetes is listed twice",
    );
    expect(
        &|d| d.directories[0] = "etc/kubernetes".into(),
        "is not an absolute path",
    );
    expect(
        &|d| d.directories[0] = "/etc/../kubernetes".into(),
        "is not normalised",
    );
    expect(
        &|d| d.directories[0] = "/etc/kubernetes/".into(),
        "must not end with '/'",
    );
    expect(&|d| d.volumes.clear(), "at least one volume");
    expect(
        &|d| d.volumes[0].name = "Etc_Kubernetes".into(),
        "is not a volume name",
    );
    expect(
        &|d| d.volumes[0].name = "etc--kubernetes".into(),
        "is not a volume name",
    );
    expect(
        &|d| d.volumes[1].name = d.volumes[0].name.clone(),
        "volumes[1].name: duplicate volume name",
    );
    expect(
        &|d| d.volumes[1].target = d.volumes[0].target.clone(),
        "volumes[1].target: duplicate target",
    );
    expect(
        &|d| d.volumes[2].source = "/a,readOnly=false".into(),
        "volume syntax cannot carry",
    );
    expect(
        &|d| d.image.default_url = "quay.io/x:".into(),
        "must not end with ':'",
    );
    expect(
        &|d| d.image.default_url = "quay.io/x y".into(),
        "contains ' '",
    );
    expect(
        &|d| model_rkt(d).program = "rkt".into(),
        "engine.rkt.program",
    );
    expect(&|d| model_rkt(d).stage1.clear(), "name the stage1");
    expect(
        &|d| model_rkt(d).image_args.push(String::new()),
        "must not be empty",
    );
    expect(
        &|d| model_rkt(d).run_flags = vec!["--hosts-entry host".into()],
        "give each argument as its own list element",
    );
    expect(
        &|d| model_rkt(d).trust[0].args.clear(),
        "at least one argument",
    );
    expect(
        &|d| model_rkt(d).trust[1].when = TrustCondition::ImagePrefix("quay.io".into()),
        "an earlier rule already matches quay.io",
    );
    expect(
        &|d| model_rkt(d).trust[0].when = TrustCondition::Always,
        "unreachable: an earlier rule applies to every image",
    );
    expect(
        &|d| model_rkt(d).trust[0].when = TrustCondition::ImagePrefix("quay.io/coreos".into()),
        "text before an image reference's first '/'",
    );
    let d = sample();
    let p: Vec<String> = d
        .problems(Some("2600.0.0"))
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert!(
        p.iter()
            .any(|m| m.contains("declares release 2512.0.0 but the file is named 2600.0.0.json")),
        "{p:?}"
    );
}

fn model_rkt(d: &mut Defaults) -> &mut model::Rkt {
    match &mut d.engine {
        model::Engine::Rkt(r) => r,
        e => panic!("2512.0.0 runs rkt, not {}", e.name()),
    }
}

#[test]
fn unknown_fields_and_bad_syntax_are_errors_with_positions() {
    let e = Defaults::from_json("{\n  \"release\": \"1.0.0\",\n  \"bogus\": 1\n}").unwrap_err();
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("unknown field `bogus`"), "{e}");
    let e = Defaults::from_json("{\"release\": \"1.0.0\",}").unwrap_err();
    assert_eq!((e.line, e.column), (1, 21), "{e}");
    let text = registry::select(v("2512.0.0"))
        .text
        .replacen("\"rkt\"", "\"lxc\"", 1);
    assert!(
        Defaults::from_json(&text)
            .unwrap_err()
            .message
            .contains("unknown variant `lxc`")
    );
    let e = model::check_file("x/2600.json", "2600.json", registry::newest().text).unwrap_err();
    assert!(
        e[0].starts_with("x/2600.json: not a release file name"),
        "{e:?}"
    );
}

#[test]
fn trust_conditions_look_before_the_first_slash() {
    let quay = TrustCondition::ImagePrefix("quay.io".into());
    let docker = TrustCondition::ImagePrefix("docker:".into());
    assert!(quay.matches(b"quay.io/coreos/hyperkube:v1"));
    assert!(quay.matches(b"quay.io"));
    assert!(!quay.matches(b"quay.io:443/coreos/hyperkube:v1"));
    assert!(!quay.matches(b" quay.io/coreos/hyperkube"));
    assert!(!quay.matches(b"docker://quay.io/coreos/hyperkube"));
    assert!(docker.matches(b"docker://quay.io/coreos/hyperkube:v1"));
    assert!(!docker.matches(b"docker:quay.io/x"));
    assert!(TrustCondition::Always.matches(b""));
}
