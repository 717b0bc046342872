//! os-release parsing of arbitrary bytes: no panic, keys with a variable's
//! grammar, values that read back the same written in double quotes.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| props::check_os_release(data));
