//! Properties shared by the property tests (tests/properties.rs, in CI) and
//! the fuzz targets (fuzz/, run by their own command): each function takes
//! arbitrary input and panics when a property of the wrapper does not hold.

#![allow(dead_code)]

use kubelet_wrapper::admin::{AdminConfig, Var};
use kubelet_wrapper::defaults::model::{Defaults, Engine};
use kubelet_wrapper::defaults::registry;
use kubelet_wrapper::defaults::version::{self, Version};
use kubelet_wrapper::plan::{self, Origin};
use kubelet_wrapper::words;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

/// For any admin layer and kubelet arguments on any embedded release: the
/// plan either fails with an error, or
/// - the kubelet's arguments end the command unchanged (on rkt and
///   systemd-nspawn, right after the last `--` the wrapper writes),
/// - every system volume is in the command exactly as the release says,
/// - argv[0] is the engine program (or the admin's words for it),
/// - the directories are the release's.
pub fn check_plan(release: usize, env: &[(Var, Vec<u8>)], args: &[Vec<u8>]) {
    let files = registry::files();
    let file = files[release % files.len()];
    let d = file.parse();
    let admin = AdminConfig::from_env(|k| {
        env.iter()
            .rev()
            .find(|(v, _)| v.name() == k)
            .map(|(_, x)| OsStr::from_bytes(x).to_owned())
    });
    let args: Vec<OsString> = args
        .iter()
        .map(|a| OsStr::from_bytes(a).to_owned())
        .collect();
    let Ok(p) = plan::plan(&d, &admin, &args) else {
        return;
    };
    let argv = p.argv();
    assert!(argv.len() >= args.len());
    assert_eq!(
        &argv[argv.len() - args.len()..],
        &args[..],
        "kubelet arguments altered"
    );
    if matches!(d.engine, Engine::Rkt(_) | Engine::SystemdNspawn(_)) {
        let last = p
            .argv
            .iter()
            .rposition(|a| a.origin == Origin::Syntax && a.value == "--")
            .expect("a system --");
        let after = match d.engine {
            Engine::SystemdNspawn(_) => last + 2, // the command
            _ => last + 1,
        };
        assert_eq!(
            &argv[after..],
            &args[..],
            "kubelet arguments are not right after the system --"
        );
    }
    let from_volumes = p
        .argv
        .iter()
        .filter(|a| matches!(a.origin, Origin::Volume(_)))
        .count();
    let per_volume = if matches!(d.engine, Engine::Rkt(_)) {
        2
    } else {
        1
    };
    assert_eq!(
        from_volumes,
        per_volume * d.volumes.len(),
        "system volumes missing"
    );
    for (i, v) in d.volumes.iter().enumerate() {
        let mine: Vec<&[u8]> = p
            .argv
            .iter()
            .filter(|a| a.origin == Origin::Volume(i))
            .map(|a| a.value.as_bytes())
            .collect();
        assert!(mine.iter().all(
            |x| x.windows(v.source.len()).any(|w| w == v.source.as_bytes())
                || x.windows(v.target.len()).any(|w| w == v.target.as_bytes())
        ));
    }
    let program_var = kubelet_wrapper::engine::program_var(&d.engine);
    assert_eq!(p.program_var, program_var);
    if !p.argv.is_empty()
        && p.argv[0].origin
            == Origin::Release(match d.engine {
                Engine::Rkt(_) => "engine.rkt.program",
                Engine::Podman(_) => "engine.podman",
                Engine::Docker(_) => "engine.docker",
                Engine::SystemdNspawn(_) => "engine.systemd-nspawn",
            })
    {
        assert_eq!(argv[0], OsStr::new(d.engine.program()));
    } else {
        assert!(
            env.iter().any(|(v, _)| *v == program_var)
                || matches!(p.argv[0].origin, Origin::Variable(_) | Origin::Syntax),
            "argv[0] from {:?}",
            p.argv[0].origin
        );
    }
    let dirs: Vec<String> = p
        .directories
        .iter()
        .map(|x| x.to_string_lossy().into_owned())
        .collect();
    assert_eq!(dirs, d.directories);
}

/// Word splitting: no word is empty or holds a space, tab or newline, and
/// the words are the input's other bytes, in order.
pub fn check_words(input: &[u8]) {
    let w = words::split(OsStr::from_bytes(input));
    let mut joined = Vec::new();
    for x in &w {
        let b = x.as_bytes();
        assert!(!b.is_empty());
        assert!(!b.iter().any(|c| b" \t\n".contains(c)));
        joined.extend_from_slice(b);
    }
    let kept: Vec<u8> = input
        .iter()
        .copied()
        .filter(|c| !b" \t\n".contains(c))
        .collect();
    assert_eq!(joined, kept);
}

/// Versions round-trip through their text, and the selection rule picks a
/// file it may pick.
pub fn check_version(input: &str, extra: &[(u32, u32, u32)]) {
    if let Ok(v) = Version::parse(input) {
        assert_eq!(Version::parse(&v.to_string()), Ok(v));
    }
    let mut files: Vec<Version> = registry::files().iter().map(|f| f.version).collect();
    files.extend(extra.iter().map(|&(a, b, c)| Version::new(a, b, c)));
    let r = Version::parse(input).unwrap_or(Version::new(input.len() as u32, 0, 0));
    let s = version::select(&files, r).expect("never empty");
    assert!(files.contains(&s));
    let same_major = files
        .iter()
        .filter(|f| f.major == r.major && **f <= r)
        .max();
    let older = files
        .iter()
        .filter(|f| f.is_mainline() && f.major < r.major)
        .max();
    let expected = same_major.or(older).or(files.iter().min()).copied();
    assert_eq!(Some(s), expected);
}

/// Any text: parsing never panics; what parses checks without panicking,
/// and a valid file survives a serialise-parse round trip.
pub fn check_defaults_json(text: &str) {
    let Ok(d) = Defaults::from_json(text) else {
        return;
    };
    let problems = d.problems(None);
    let back = serde_json::to_string(&d).expect("serialises");
    let again = Defaults::from_json(&back).expect("own output parses");
    assert_eq!(again, d);
    assert_eq!(again.problems(None), problems);
}
