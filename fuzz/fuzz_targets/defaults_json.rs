//! Defaults JSON parsing and validation of arbitrary text.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        props::check_defaults_json(text);
    }
});
