//! A `sh -c` script of any bytes: the shell reader answers without a
//! panic, and what it read, quoted again, reads back the same.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| props::check_shell(data));
