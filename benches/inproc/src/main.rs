//! In-process cost of what the wrapper decides before it acts: parsing the
//! release's embedded defaults, the plan (which renders the rkt command) and
//! the shell-quoted `+ exec` line, for the newest and the oldest release, and
//! how plan + trace line grow with the number of kubelet arguments and of
//! release volumes. Prints a Markdown table.
//!
//! Each case is warmed up, then timed in 51 samples of a batch of calls long
//! enough (about 2 ms) for `Instant` to resolve; the report gives the median
//! time per call, the interquartile range and the fastest sample.

use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::release::Defaults;
use kubelet_wrapper::release::registry::{self, ReleaseFile};
use kubelet_wrapper::plan;
use kubelet_wrapper::text::quote;
use std::ffi::OsString;
use std::hint::black_box;
use std::time::{Duration, Instant};

const SAMPLES: usize = 51;
const SAMPLE_TIME: Duration = Duration::from_millis(2);
const WARM_UP: Duration = Duration::from_millis(200);

struct Stats {
    median: f64,
    p25: f64,
    p75: f64,
    min: f64,
}

/// Nanoseconds per call of `f`.
fn bench(mut f: impl FnMut()) -> Stats {
    // Warm up (caches, branch predictors, the allocator) and find a batch
    // size that lasts about SAMPLE_TIME.
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < WARM_UP {
        f();
        calls += 1;
    }
    let per_call = start.elapsed().as_secs_f64() / calls as f64;
    let batch = ((SAMPLE_TIME.as_secs_f64() / per_call) as u64).max(1);
    let mut ns: Vec<f64> = (0..SAMPLES)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed().as_nanos() as f64 / batch as f64
        })
        .collect();
    ns.sort_by(f64::total_cmp);
    Stats {
        median: ns[SAMPLES / 2],
        p25: ns[SAMPLES / 4],
        p75: ns[SAMPLES * 3 / 4],
        min: ns[0],
    }
}

fn row(case: &str, s: &Stats) {
    println!(
        "| {case} | {:.2} | {:.2}–{:.2} | {:.2} |",
        s.median / 1e3,
        s.p25 / 1e3,
        s.p75 / 1e3,
        s.min / 1e3
    );
}

/// The admin layer of the whole-process benchmark.
fn admin() -> AdminConfig {
    AdminConfig::from_env(|k| (k == "KUBELET_IMAGE_TAG").then(|| "v1.18.0_coreos.0".into()))
}

fn kubelet_args(n: usize) -> Vec<OsString> {
    (1..=n)
        .map(|i| format!("--kubelet-flag-{i:04}=value").into())
        .collect()
}

/// Plan, argv and the `+ exec` line: the wrapper's work after parsing.
fn plan_and_trace(defaults: &Defaults, admin: &AdminConfig, args: &[OsString]) -> Vec<u8> {
    let plan = plan::plan(defaults, admin, args).expect("the image tag is set");
    let argv = plan.argv();
    quote::join(argv.iter().map(|a| a.as_os_str())).into_bytes()
}

/// `base` with `n` volumes made from its first one.
fn with_volumes(base: &Defaults, n: usize) -> Defaults {
    let mut d = base.clone();
    let template = base.volumes[0].clone();
    d.volumes = (0..n)
        .map(|i| {
            let mut v = template.clone();
            v.name = format!("bench-volume-{i:04}");
            v.source = format!("/srv/bench/{i:04}");
            v.target = format!("/srv/bench/{i:04}");
            v
        })
        .collect();
    d
}

fn release_cases(label: &str, file: ReleaseFile, admin: &AdminConfig, args: &[OsString]) {
    let defaults = file.parse();
    let r = bench(|| {
        black_box(black_box(file).parse());
    });
    row(
        &format!("{label} {}: parse the embedded file", file.version),
        &r,
    );
    let r = bench(|| {
        black_box(plan::plan(black_box(&defaults), admin, args).unwrap());
    });
    row(
        &format!("{label} {}: plan (renders the engine's argv)", file.version),
        &r,
    );
    let r = bench(|| {
        black_box(plan_and_trace(black_box(&defaults), admin, args));
    });
    row(
        &format!("{label} {}: plan + argv + `+ exec` line", file.version),
        &r,
    );
    let r = bench(|| {
        let d = black_box(file).parse();
        black_box(plan_and_trace(&d, admin, args));
    });
    row(&format!("{label} {}: all of the above", file.version), &r);
}

fn main() {
    let admin = admin();
    let one = kubelet_args(1);
    let files = registry::files();
    let oldest = *files.first().expect("at least one release file");
    let newest = registry::newest();

    println!("| case | median µs | IQR µs | min µs |");
    println!("|---|---:|---:|---:|");
    release_cases("newest", newest, &admin, &one);
    // the newest CoreOS release, when the newest file is one of the project's
    if let Some(coreos) = files
        .iter()
        .rev()
        .find(|f| f.parse().origin == kubelet_wrapper::release::model::ReleaseOrigin::Coreos)
        .filter(|f| f.version != newest.version)
    {
        release_cases("newest CoreOS", *coreos, &admin, &one);
    }
    release_cases("oldest", oldest, &admin, &one);
    let r = bench(|| {
        black_box(registry::select(black_box(newest.version)));
    });
    row(&format!("select the release file ({} embedded)", files.len()), &r);

    let defaults = newest.parse();
    println!();
    println!(
        "Plan + argv + `+ exec` line as the inputs grow (release {}):",
        newest.version
    );
    println!();
    println!("| input | 10 | 100 | 1000 | ns per item, 10→100 | 100→1000 |");
    println!("|---|---:|---:|---:|---:|---:|");
    let grow = |label: &str, f: &dyn Fn(usize) -> Stats| {
        let m: Vec<f64> = [10, 100, 1000].iter().map(|&n| f(n).median).collect();
        println!(
            "| {label} | {:.2} µs | {:.2} µs | {:.2} µs | {:.0} | {:.0} |",
            m[0] / 1e3,
            m[1] / 1e3,
            m[2] / 1e3,
            (m[1] - m[0]) / 90.0,
            (m[2] - m[1]) / 900.0
        );
    };
    grow("kubelet arguments", &|n| {
        let args = kubelet_args(n);
        bench(|| {
            black_box(plan_and_trace(&defaults, &admin, black_box(&args)));
        })
    });
    grow("release volumes", &|n| {
        let d = with_volumes(&defaults, n);
        bench(|| {
            black_box(plan_and_trace(black_box(&d), &admin, &one));
        })
    });
}
