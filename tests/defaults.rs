//! The defaults format and the selection rule, independent of any release.

use kubelet_wrapper::release::model::{self, Defaults, TrustCondition};
use kubelet_wrapper::release::version::{Version, select};
use kubelet_wrapper::release::{registry, schema};
use serde_json::Value;

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

/// The whole rule: a project release only by its own name, the version
/// rule among one family's files only (Flatcar's for Flatcar hosts and pins
/// from its first file on, CoreOS's otherwise), and never past a file's end.
#[test]
fn project_releases_only_by_name_and_nothing_past_the_end() {
    use kubelet_wrapper::release::version::{Family, Lineage, Scope, Uncovered, choose};
    let coreos = |s: &str| Scope {
        version: v(s),
        family: Family::Coreos,
        until: None,
    };
    let mut files = vec![coreos("960.0.0"), coreos("1353.0.0"), coreos("1353.6.0")];
    files.push(Scope {
        until: Some(v("3033.2.0")),
        ..coreos("2512.0.0")
    });
    files.push(Scope {
        family: Family::Project,
        ..coreos("3000.0.0")
    });
    for lineage in [Lineage::Coreos, Lineage::Flatcar] {
        let ch = |r: &str| choose(&files, v(r), lineage).map(|x| x.to_string());
        assert_eq!(ch("3000.0.0"), Ok("3000.0.0".into()), "by name");
        // never reached by the rule: its major, later majors, a fallback
        assert_eq!(ch("3000.1.0"), Ok("2512.0.0".into()));
        assert_eq!(ch("3001.0.0"), Ok("2512.0.0".into()));
        assert_eq!(ch("2605.12.0"), Ok("2512.0.0".into()), "Flatcar with rkt");
        assert_eq!(ch("3033.1.9"), Ok("2512.0.0".into()));
        // no Flatcar file: past the CoreOS files' end nothing covers it
        let past = Err(Uncovered::Past {
            file: v("2512.0.0"),
            until: v("3033.2.0"),
        });
        assert_eq!(choose(&files, v("3033.2.0"), lineage), past);
        assert_eq!(choose(&files, v("9999.0.0"), lineage), past);
        assert_eq!(ch("1353.7.0"), Ok("1353.6.0".into()));
        assert_eq!(ch("899.0.0"), Ok("960.0.0".into()), "older than every file");
    }
    // Flatcar's own files from the first of them on, for Flatcar only
    let flatcar = |s: &str| Scope {
        family: Family::Flatcar,
        ..coreos(s)
    };
    files.extend([
        flatcar("3033.2.0"),
        flatcar("3500.0.0"),
        flatcar("3600.3.0"),
    ]);
    let fl = |r: &str| choose(&files, v(r), Lineage::Flatcar).map(|x| x.to_string());
    assert_eq!(fl("3033.1.9"), Ok("2512.0.0".into()), "before: CoreOS's");
    assert_eq!(fl("3033.2.0"), Ok("3033.2.0".into()));
    assert_eq!(fl("3033.3.0"), Ok("3033.2.0".into()));
    // a family's first file is what the rule falls back to in it
    assert_eq!(fl("3139.2.0"), Ok("3033.2.0".into()));
    assert_eq!(fl("3500.0.0"), Ok("3500.0.0".into()));
    assert_eq!(fl("3600.2.0"), Ok("3500.0.0".into()), "before the backport");
    assert_eq!(fl("3600.4.0"), Ok("3600.3.0".into()));
    assert_eq!(
        fl("4230.2.0"),
        Ok("3500.0.0".into()),
        "a backport stays in its major"
    );
    assert_eq!(fl("3000.0.0"), Ok("3000.0.0".into()), "by name still");
    let co = |r: &str| choose(&files, v(r), Lineage::Coreos);
    assert_eq!(
        co("4230.2.0"),
        Err(Uncovered::Past {
            file: v("2512.0.0"),
            until: v("3033.2.0"),
        }),
        "a CoreOS host never gets a Flatcar file"
    );
    // only project files: nothing but their own names
    let only = [files[4]];
    assert_eq!(
        choose(&only, v("3000.0.0"), Lineage::Flatcar),
        Ok(v("3000.0.0"))
    );
    assert_eq!(
        choose(&only, v("2512.0.0"), Lineage::Flatcar),
        Err(Uncovered::NoFile)
    );
    // the scopes survive the build's hand-over
    assert_eq!(
        kubelet_wrapper::release::version::parse_scopes(
            &kubelet_wrapper::release::version::format_scopes(&files)
        ),
        files
    );
}

/// The selection of spec section 5 written out plainly, from the files'
/// own `origin` and `until`: the expectation for the embedded files.
fn reference_choice(
    files: &[Defaults],
    release: Version,
    flatcar_host: bool,
) -> Result<String, String> {
    use model::ReleaseOrigin::{Coreos, Flatcar, Project};
    if files
        .iter()
        .any(|f| f.origin == Project && v(&f.release) == release)
    {
        return Ok(release.to_string());
    }
    let of = |o: model::ReleaseOrigin| -> Vec<&Defaults> {
        files.iter().filter(|f| f.origin == o).collect()
    };
    let first_flatcar = of(Flatcar).iter().map(|f| v(&f.release)).min();
    let family = match first_flatcar {
        Some(first) if flatcar_host && release >= first => of(Flatcar),
        _ => of(Coreos),
    };
    // 1. same major, not newer; 2. older main line; 3. the oldest
    let versions: Vec<Version> = family.iter().map(|f| v(&f.release)).collect();
    let picked = versions
        .iter()
        .filter(|x| x.major == release.major && **x <= release)
        .max()
        .or_else(|| {
            versions
                .iter()
                .filter(|x| x.minor == 0 && x.patch == 0 && x.major < release.major)
                .max()
        })
        .or_else(|| versions.iter().min())
        .ok_or("no file of the family")?;
    let file = family.iter().find(|f| v(&f.release) == *picked).unwrap();
    match &file.until {
        Some(u) if release >= v(&u.release) => Err(format!("until {}", u.release)),
        _ => Ok(picked.to_string()),
    }
}

/// The embedded files under that rule, for every release at and around
/// each file and its end, on a CoreOS and a Flatcar host and for a pin
/// (tests/releases.rs checks every CoreOS release of the table): the
/// expectation comes from the files present, so adding a release file
/// needs no edit here.
#[test]
fn embedded_files_select_as_their_origins_say() {
    use kubelet_wrapper::release::version::Lineage;
    let files: Vec<Defaults> = registry::files().iter().map(|f| f.parse()).collect();
    let mut releases: Vec<Version> = vec![v("0.0.0"), v("99999.0.0")];
    for f in &files {
        let r = v(&f.release);
        let mut around = vec![r, Version::new(r.major, r.minor, r.patch + 1)];
        around.push(Version::new(r.major + 1, 0, 0));
        around.push(Version::new(r.major + 1, 2, 0));
        if r.patch > 0 {
            around.push(Version::new(r.major, r.minor, r.patch - 1));
        } else if r.minor > 0 {
            around.push(Version::new(r.major, r.minor - 1, 99));
        } else if r.major > 0 {
            around.push(Version::new(r.major - 1, 99, 0));
        }
        if let Some(u) = &f.until {
            let u = v(&u.release);
            around.extend([u, Version::new(u.major, u.minor, u.patch + 1)]);
            around.push(Version::new(u.major + 1, 0, 0));
        }
        releases.extend(around);
    }
    for r in releases {
        for (lineage, flatcar) in [(Lineage::Coreos, false), (Lineage::Flatcar, true)] {
            let got = registry::lookup_for(r, lineage)
                .map(|f| f.version.to_string())
                .map_err(|e| e.to_string());
            let want = reference_choice(&files, r, flatcar);
            assert_eq!(
                got.is_ok(),
                want.is_ok(),
                "{r} {lineage:?}: {got:?} {want:?}"
            );
            if let (Ok(g), Ok(w)) = (&got, &want) {
                assert_eq!(g, w, "{r} {lineage:?}");
            }
        }
        // a pin and --release ask as Flatcar: its numbering continued CoreOS's
        assert_eq!(
            registry::lookup(r).map(|f| f.version).ok(),
            registry::lookup_for(r, Lineage::Flatcar)
                .map(|f| f.version)
                .ok(),
            "{r}"
        );
    }
    assert_eq!(registry::scopes().len(), registry::files().len());
}

/// What the issue of today's Flatcar asks, in terms of the files present:
/// the file an `ID=flatcar` host of 4230.2.0 gets, and the one a host of
/// 2605.12.0 gets, are those the rule picks ([`reference_choice`]) and run
/// what those releases ship (4230.2.0 no rkt, 2605.12.0 rkt: those are
/// facts of the releases, whichever file applies); a CoreOS host of
/// 4230.2.0 gets nothing, since CoreOS's line ended where rkt did.
#[test]
fn todays_flatcar_runs_its_own_file() {
    use kubelet_wrapper::release::version::Lineage;
    let files: Vec<Defaults> = registry::files().iter().map(|f| f.parse()).collect();
    let pick = |r: &str| {
        let want = reference_choice(&files, v(r), true).unwrap_or_else(|e| panic!("{r}: {e}"));
        let got = registry::lookup_for(v(r), Lineage::Flatcar)
            .unwrap_or_else(|e| panic!("{r}: {e}"))
            .parse();
        assert_eq!(got.release, want, "{r}");
        got
    };
    let today = pick("4230.2.0");
    assert_eq!(today.origin, model::ReleaseOrigin::Flatcar);
    assert_ne!(
        today.engine.name(),
        "rkt",
        "Flatcar ships no rkt from 3033.2.0 on"
    );
    assert_eq!(
        pick("2605.12.0").engine.name(),
        "rkt",
        "Flatcar 2605.12.0 ships rkt"
    );
    let e = registry::lookup_for(v("4230.2.0"), Lineage::Coreos)
        .unwrap_err()
        .to_string();
    // the CoreOS file the rule picks ends before it (`until`)
    let end = reference_choice(&files, v("4230.2.0"), false).unwrap_err();
    assert!(e.contains(&format!("applies {end} (")), "{e}");
}

#[test]
fn every_embedded_file_is_valid_and_named_after_its_release() {
    let files = registry::files();
    // every release file in defaults/ is embedded, and nothing else: the
    // count comes from the directory, so adding a release needs no edit here
    let mut on_disk: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/defaults"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json") && n != model::SCHEMA_FILE)
            .collect();
    on_disk.sort_by_key(|n| v(n.trim_end_matches(".json")));
    let embedded: Vec<String> = files
        .iter()
        .map(|f| format!("{}.json", f.version))
        .collect();
    assert_eq!(embedded, on_disk);
    assert!(
        files.len() >= 15,
        "the CoreOS releases' files and the project's own"
    );
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
    let until = |r: &str| {
        Some(model::Until {
            release: r.into(),
            reason: "the engine is gone".into(),
        })
    };
    expect(
        &|d| d.until = until("1758.0.0"),
        "until.release: 1758.0.0 is not after",
    );
    expect(
        &|d| d.until = until("3033.2"),
        "until.release: \"3033.2\" is not a release version",
    );
    expect(
        &|d| {
            d.until = until("3033.2.0");
            d.until.as_mut().unwrap().reason = "two\nlines".into();
        },
        "until.reason",
    );
    expect(
        &|d| {
            d.until = until("3033.2.0");
            d.origin = model::ReleaseOrigin::Project;
        },
        "until: a project release applies only to itself",
    );
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
    expect(
        &|d| {
            let r = &mut model_rkt(d).trust[0];
            r.policy = model::TrustPolicy::Engine;
            r.description.clear();
        },
        "adds no arguments",
    );
    expect(
        &|d| {
            let r = &mut model_rkt(d).trust[0];
            r.policy = model::TrustPolicy::Engine;
            r.args.clear();
            r.description.clear();
        },
        "say where the engine's configuration decides what is verified",
    );
    // docker: no docker:// transport in the default image
    let flatcar = |d: &mut Defaults| {
        *d = registry::files()
            .iter()
            .map(|f| f.parse())
            .find(|d| d.engine.name() == "docker")
            .expect("a docker release");
    };
    expect(
        &|d| {
            flatcar(d);
            d.image.default_url = "docker://quay.io/poseidon/kubelet".into();
        },
        "docker takes image references without a docker:// transport",
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

// ---------------------------------------------------------------------------
// The committed JSON Schema (defaults/schema.json).

#[test]
fn committed_schema_is_the_one_derived_from_the_model() {
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../defaults/schema.json"))
            .expect("defaults/schema.json is JSON");
    assert!(
        committed == schema::schema(),
        "defaults/schema.json does not match the defaults format in src/release/model.rs; \
         regenerate it with `{}` and commit it",
        schema::REGENERATE
    );
}

/// Checks `value` against the subset of JSON Schema that schemars writes for
/// the model. An unknown keyword fails loudly rather than being ignored.
fn schema_errors(root: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let s = schema.as_object().expect("a schema is an object");
    for (k, want) in s {
        match k.as_str() {
            "$schema" | "$defs" | "title" | "description" | "default" => {}
            "$ref" => {
                let name = want.as_str().unwrap().strip_prefix("#/$defs/").unwrap();
                schema_errors(root, &root["$defs"][name], value, at, errors);
            }
            "type" => {
                let types: Vec<&str> = match want {
                    Value::Array(a) => a.iter().map(|t| t.as_str().unwrap()).collect(),
                    t => vec![t.as_str().unwrap()],
                };
                let is = match value {
                    Value::Null => "null",
                    Value::Bool(_) => "boolean",
                    Value::Number(_) => "number",
                    Value::String(_) => "string",
                    Value::Array(_) => "array",
                    Value::Object(_) => "object",
                };
                if !types.contains(&is) {
                    errors.push(format!("{at}: {is}, expected {types:?}"));
                }
            }
            "const" => {
                if value != want {
                    errors.push(format!("{at}: {value}, expected {want}"));
                }
            }
            "required" => {
                for r in want.as_array().unwrap() {
                    if value.get(r.as_str().unwrap()).is_none() {
                        errors.push(format!("{at}: missing {r}"));
                    }
                }
            }
            "properties" => {
                if let Some(obj) = value.as_object() {
                    for (name, v) in obj {
                        if let Some(p) = want.get(name) {
                            schema_errors(root, p, v, &format!("{at}.{name}"), errors);
                        }
                    }
                }
            }
            "additionalProperties" => {
                assert_eq!(want, &Value::Bool(false), "only `false` is checked");
                if let Some(obj) = value.as_object() {
                    for name in obj.keys() {
                        if s["properties"].get(name).is_none() {
                            errors.push(format!("{at}: unknown property {name}"));
                        }
                    }
                }
            }
            "items" => {
                if let Some(a) = value.as_array() {
                    for (i, v) in a.iter().enumerate() {
                        schema_errors(root, want, v, &format!("{at}[{i}]"), errors);
                    }
                }
            }
            // anyOf: at least one alternative matches; oneOf: exactly one
            "anyOf" | "oneOf" => {
                let mut per_alternative: Vec<Vec<String>> = want
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|alt| {
                        let mut e = Vec::new();
                        schema_errors(root, alt, value, at, &mut e);
                        e
                    })
                    .collect();
                let matching = per_alternative.iter().filter(|e| e.is_empty()).count();
                if matching == 0 || (k == "oneOf" && matching > 1) {
                    errors.push(format!("{at}: matches {matching} of the {k} alternatives"));
                }
                if matching == 0 {
                    // say why the closest alternative does not match
                    per_alternative.sort_by_key(Vec::len);
                    errors.append(&mut per_alternative[0]);
                }
            }
            other => panic!("schema keyword {other:?} at {at} is not understood by this test"),
        }
    }
}

#[test]
fn committed_schema_accepts_every_release_file_and_rejects_broken_ones() {
    let root: Value = serde_json::from_str(include_str!("../defaults/schema.json")).unwrap();
    let check = |v: &Value| {
        let mut e = Vec::new();
        schema_errors(&root, &root, v, "$", &mut e);
        e
    };
    for f in registry::files() {
        let v: Value = serde_json::from_str(f.text).unwrap();
        assert_eq!(check(&v), Vec::<String>::new(), "{}", f.version);
    }
    let good: Value = serde_json::from_str(registry::select(v("2512.0.0")).text).unwrap();
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit, &str); 6] = [
        (
            "unknown field",
            |v| v["volumes"][0]["readOnly"] = true.into(),
            "$.volumes[0]: unknown property readOnly",
        ),
        (
            "missing field",
            |v| {
                v.as_object_mut().unwrap().remove("summary");
            },
            "$: missing \"summary\"",
        ),
        (
            "wrong type",
            |v| v["volumes"][1]["read_only"] = "yes".into(),
            "$.volumes[1].read_only: string, expected [\"boolean\"]",
        ),
        (
            "unknown engine",
            |v| {
                let rkt = v["engine"]["rkt"].take();
                v["engine"] = serde_json::json!({ "lxc": rkt });
            },
            "$.engine: matches 0 of the oneOf alternatives",
        ),
        (
            "unknown trust policy",
            |v| v["engine"]["rkt"]["trust"][0]["policy"] = "maybe".into(),
            "$.engine.rkt.trust[0].policy: matches 0 of the oneOf alternatives",
        ),
        (
            "trust condition as a bare prefix",
            |v| v["engine"]["rkt"]["trust"][0]["when"] = "quay.io".into(),
            "$.engine.rkt.trust[0].when: matches 0 of the oneOf alternatives",
        ),
    ];
    for (what, edit, expected) in cases {
        let mut v = good.clone();
        edit(&mut v);
        let e = check(&v);
        assert!(
            e.iter().any(|m| m == expected),
            "{what}: {expected:?} not in {e:?}"
        );
        // and the wrapper's own parser rejects it too
        assert!(
            Defaults::from_json(&v.to_string()).is_err(),
            "{what}: the parser accepts what the schema rejects"
        );
    }
}
