//! The admin's engine arguments read with the engines' own grammars, and
//! through the plan: byte 0 chooses podman or docker, the rest is the
//! words separated by NUL bytes. No word may become the image, end the
//! options or take a release argument as its value.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;
#[path = "../../tests/variants/mod.rs"]
mod variants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let words: Vec<Vec<u8>> = rest.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
    thread_local! {
        static DOCKER: kubelet_wrapper::release::model::Defaults = variants::docker_release();
    }
    DOCKER.with(|d| props::check_engine_words(which, &words, d));
});
