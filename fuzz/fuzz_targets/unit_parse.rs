//! A unit file and a drop-in of any bytes: the unit reader answers
//! without a panic, every finding one inert line at a line of its file,
//! the wrapper's command there or the reason it is not.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // up to the first 0xff byte the drop-in, after it the unit (both get
    // any other byte, NUL included)
    let (dropin, unit) = match data.iter().position(|&b| b == 0xff) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&data[..0], data),
    };
    props::check_unit(unit, dropin);
});
