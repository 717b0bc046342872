//! `kubelet-wrapperctl defaults diff` and `defaults schema`, as a release
//! engineer runs them.

mod common;

use common::ctl;
use serde_json::Value;

fn stdout(args: &[&str]) -> String {
    let o = ctl(args, &[]);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn diff_names_the_image_default_and_the_docker_rule() {
    let out = stdout(&["defaults", "diff", "1758.0.0", "2512.3.0"]);
    assert!(
        out.starts_with("from 1758.0.0  defaults/1758.0.0.json: Adds coreos-etc-machine-id"),
        "{out}"
    );
    assert!(
        out.contains("\nto   2512.3.0  defaults/2512.0.0.json: "),
        "{out}"
    );
    assert!(out.contains("\n3 changes for the kubelet:\n"), "{out}");
    assert!(
        out.contains(
            "\n  - default image quay.io/coreos/hyperkube -> docker://quay.io/coreos/hyperkube "
        ),
        "{out}"
    );
    assert!(
        out.contains("\n  - new trust rule: --insecure-options=image for images whose reference starts with docker:/ (image not verified)\n"),
        "{out}"
    );

    let v: Value = serde_json::from_str(&stdout(&[
        "defaults", "diff", "1758.0.0", "2512.3.0", "--format", "json",
    ]))
    .unwrap();
    assert_eq!(v["from"]["release"], "1758.0.0");
    assert_eq!(v["to"]["release"], "2512.3.0");
    assert_eq!(v["to"]["defaults"], "2512.0.0");
    let kinds: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "image_default_changed",
            "trust_rule_added",
            "default_image_trust_changed"
        ]
    );
    assert_eq!(v["changes"][1]["rule"]["when"]["image_prefix"], "docker:");
    assert_eq!(v["changes"][1]["rule"]["policy"], "insecure");
}

#[test]
fn diff_of_equal_layers_says_so() {
    let out = stdout(&["defaults", "diff", "1409.4.0", "1353.8.0"]);
    assert!(
        out.ends_with("\n\nNo change for the kubelet: the two files give the same system layer.\n"),
        "{out}"
    );
    let out = stdout(&["defaults", "diff", "1353.8.0", "1353.9.2"]);
    assert!(
        out.ends_with("both releases use the same defaults file.\n"),
        "{out}"
    );
    let v: Value = serde_json::from_str(&stdout(&[
        "defaults", "diff", "1409.4.0", "1353.8.0", "--format", "json",
    ]))
    .unwrap();
    assert_eq!(v["changes"], serde_json::json!([]));
}

#[test]
fn diff_of_a_bad_version_is_exit_1() {
    let o = ctl(&["defaults", "diff", "1758.0.0", "2512.0"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "kubelet-wrapperctl: \"2512.0\" is not a release version: expected MAJOR.MINOR.PATCH with decimal numbers, e.g. 2512.3.0\n"
    );
}

#[test]
fn schema_prints_the_committed_file_byte_for_byte() {
    // so that `defaults schema > defaults/schema.json` is the whole update
    assert_eq!(
        stdout(&["defaults", "schema"]),
        include_str!("../defaults/schema.json"),
        "regenerate with `{}`",
        kubelet_wrapper::release::schema::REGENERATE
    );
}

/// The release file today's Flatcar uses, as the rule picks it from the
/// files present (tests/defaults.rs checks the rule itself).
fn flatcar_file(release: &str) -> kubelet_wrapper::release::model::Defaults {
    use kubelet_wrapper::release::{registry, version::Lineage};
    registry::lookup_for(release.parse().unwrap(), Lineage::Flatcar)
        .unwrap()
        .parse()
}

/// `defaults list`, `show` and `diff` on the Flatcar release: its origin
/// and scope in the list, its layer for a Flatcar release number, and what
/// changes for a node from the last Flatcar with rkt to today's.
#[test]
fn flatcar_in_list_show_and_diff() {
    let today = flatcar_file("4230.2.0");
    let list: Value =
        serde_json::from_str(&stdout(&["defaults", "list", "--format", "json"])).unwrap();
    let row = list["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["release"] == today.release.as_str())
        .expect("the Flatcar file is listed");
    assert_eq!(row["origin"], "flatcar");
    // a main-line file, or the first Flatcar file (which covers what
    // follows it), or else a backport of today's major
    let first_flatcar = list["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["origin"] == "flatcar")
        .unwrap();
    let version: kubelet_wrapper::release::Version = today.release.parse().unwrap();
    assert_eq!(
        row["scope"],
        if version.is_mainline() || first_flatcar == row {
            "main line"
        } else {
            "backport"
        }
    );
    assert_eq!(first_flatcar["scope"], "main line");
    assert_eq!(row["engine"], today.engine.name());
    let text = stdout(&["defaults", "list"]);
    assert!(
        text.lines()
            .any(|l| l.contains(&today.release) && l.contains(" flatcar ")),
        "{text}"
    );

    let show: Value = serde_json::from_str(&stdout(&[
        "defaults", "show", "4230.2.0", "--format", "json",
    ]))
    .unwrap();
    assert_eq!(show["defaults"], today.release.as_str());
    assert_eq!(
        show["layer"],
        serde_json::to_value(&today).unwrap(),
        "show gives the file's layer"
    );

    // from the last Flatcar with rkt (a CoreOS file) to today's
    let before = flatcar_file("2605.12.0");
    let diff: Value = serde_json::from_str(&stdout(&[
        "defaults",
        "diff",
        "2605.12.0",
        "4230.2.0",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(diff["from"]["defaults"], before.release.as_str());
    assert_eq!(diff["to"]["defaults"], today.release.as_str());
    let changes = diff["changes"].as_array().unwrap();
    let kinds: Vec<&str> = changes
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    // 2605.12.0 ships rkt, 4230.2.0 no rkt (tests/defaults.rs)
    assert!(kinds.contains(&"engine_changed"), "{kinds:?}");
    // every volume of today's file that no volume of the old one mounts at
    // its target is named as added
    for v in &today.volumes {
        if !before.volumes.iter().any(|b| b.target == v.target) {
            assert!(
                changes.iter().any(
                    |c| c["change"] == "volume_added" && c["volume"]["name"] == v.name.as_str()
                ),
                "{} not added in {changes:?}",
                v.name
            );
        }
    }
    let text = stdout(&["defaults", "diff", "2605.12.0", "4230.2.0"]);
    let engine = format!("\n  - engine rkt -> {} ", today.engine.name());
    assert!(text.contains(&engine), "{text}");
}

/// `defaults validate` reads what a release file can be, and refuses the
/// rest at once: a named pipe without a writer, a character device, a file
/// far larger than any release file, a name with an escape sequence shown
/// as an escape.
#[test]
fn validate_refuses_what_is_not_a_release_file_at_once() {
    let dir = std::env::temp_dir().join(format!("kw-validate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("3000.0.0.json");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string for the path
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let big = dir.join("3001.0.0.json");
    std::fs::write(&big, vec![b' '; 2 << 20]).unwrap();
    let odd = dir.join("\x1b[2J.json");
    std::fs::write(&odd, b"{}").unwrap();
    let start = std::time::Instant::now();
    let o = ctl(
        &[
            "defaults",
            "validate",
            fifo.to_str().unwrap(),
            "/dev/zero",
            big.to_str().unwrap(),
            odd.to_str().unwrap(),
        ],
        &[],
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("3000.0.0.json: cannot read: not a regular file"),
        "{err}"
    );
    assert!(
        err.contains("/dev/zero: cannot read: not a regular file"),
        "{err}"
    );
    assert!(
        err.contains("3001.0.0.json: cannot read: larger than 1048576 bytes"),
        "{err}"
    );
    assert!(err.contains("\\x1b[2J.json"), "{err}");
    assert!(!err.contains('\x1b'), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
