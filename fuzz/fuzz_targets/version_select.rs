//! Release version parsing and the selection rule.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (text, extra) = data.split_at(data.len().min(24));
    let extra: Vec<(u32, u32, u32)> = extra
        .chunks_exact(3)
        .map(|c| (c[0] as u32 * 16, c[1] as u32 % 8, c[2] as u32 % 4))
        .collect();
    props::check_version(&String::from_utf8_lossy(text), &extra);
});
