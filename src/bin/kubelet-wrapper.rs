//! `/usr/lib/coreos/kubelet-wrapper`: runs the kubelet in its container
//! engine. It has no flags of its own: every argument is a kubelet flag. The
//! admin layer comes from the environment (docs/admin.md), the system layer from
//! the defaults embedded at build time.
//!
//! The C `main` is this file's own (`no_main`), which skips std's start-up:
//! the wrapper lives about a millisecond before it execs the engine, and that
//! start-up (reading /proc/self/maps to find the main thread's stack, an
//! alternate signal stack and handlers for stack overflows) cost 60 to 100 µs
//! and 400 KiB of peak RSS of it (docs/performance.md). The one part of it
//! the wrapper relies on is done here: SIGPIPE is ignored, so a broken pipe
//! on stderr does not stop the kubelet from starting; std's exec gives the
//! engine the default disposition back, as before. Nothing here recurses,
//! so the stack overflow handler is not missed.

#![no_main]

use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::launch::say;
use kubelet_wrapper::{launch, plan};
use std::ffi::{c_char, c_int};
use std::path::Path;

#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    // SAFETY: sets a disposition (SIG_IGN, no handler) before any other
    // thread exists, as std's own start-up does.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    // std::env::args_os works without std's start-up on glibc: std reads
    // argv from an .init_array hook.
    c_int::from(run())
}

/// The wrapper; returns the exit status when it cannot exec the engine.
fn run() -> u8 {
    let kubelet_args: Vec<_> = std::env::args_os().skip(1).collect();
    let root = Path::new("/");
    // an auto build on a host it cannot tell refuses before anything happens
    let file = match kubelet_wrapper::host::os_release::runtime(root) {
        Ok((_, _, file)) => file,
        Err(e) => {
            say(&e.to_string());
            return 1;
        }
    };
    let defaults = file.parse();
    let admin = AdminConfig::from_process_env();
    let plan = match plan::plan(&defaults, &admin, &kubelet_args) {
        Ok(p) => p,
        Err(e) => {
            for notice in &admin.notices {
                say(notice);
            }
            // every problem, one line each
            for e in e.each() {
                say(&e.to_string());
            }
            return 1;
        }
    };
    // deprecations, translations, likely mistakes, trust weakenings
    for notice in &plan.notices {
        say(notice);
    }
    let err = launch::run(&plan, root);
    say(&err.to_string());
    err.exit_status()
}
