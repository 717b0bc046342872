//! Engine arguments read for the mounts they ask for, as rkt, podman/docker
//! and systemd-nspawn read them: byte 0 chooses the engine, the rest is the
//! command's words separated by NUL bytes.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&syntax, rest)) = data.split_first() else {
        return;
    };
    let words: Vec<Vec<u8>> = rest.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
    props::check_mounts(syntax, &words);
});
