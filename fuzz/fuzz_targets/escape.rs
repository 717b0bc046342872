//! Any bytes shown in a message, the trace line or the script: one inert
//! line, and the escapes say exactly which bytes they were.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| props::check_escape(data));
