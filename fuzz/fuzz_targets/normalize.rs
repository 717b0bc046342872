//! Path normalisation of arbitrary bytes, and every spelling of the strict
//! release's system targets refused (bytes 0 and 1 choose the target and
//! the form of the mount, the rest spells it).
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    props::check_normalize(data);
    if let [which, form, ops @ ..] = data {
        props::check_spelled_target(*which as usize, *form, &ops[..ops.len().min(16)]);
    }
});
