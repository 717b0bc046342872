//! Drop-in directories of any entries (names of any bytes, directories,
//! links to /dev/null, to each other and out of the tree), read by the
//! tool's edge with `/` and under a root: the drop-ins in systemd's order,
//! and what they set is what the reader makes of them.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| props::check_dropin_tree(data));
