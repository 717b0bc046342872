//! `kubelet-wrapperctl defaults schema`, as a release engineer runs it.

mod common;

use common::ctl;

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
fn schema_prints_the_committed_file_byte_for_byte() {
    // so that `defaults schema > defaults/schema.json` is the whole update
    assert_eq!(
        stdout(&["defaults", "schema"]),
        include_str!("../defaults/schema.json"),
        "regenerate with `{}`",
        kubelet_wrapper::defaults::schema::REGENERATE
    );
}
