//! Properties shared by the property tests (tests/properties.rs, in CI) and
//! the fuzz targets (fuzz/, run by their own command): each function takes
//! arbitrary input and panics when a property of the wrapper does not hold.

#![allow(dead_code)]

use kubelet_wrapper::admin::{AdminConfig, Var};
use kubelet_wrapper::plan::{self, Origin};
use kubelet_wrapper::release::model::{Defaults, Engine};
use kubelet_wrapper::release::registry;
use kubelet_wrapper::release::version::{self, Version};
use kubelet_wrapper::text::words;
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

/// os-release text of any bytes: parsing never fails; every key has the
/// grammar of a variable name; every value, written back in double quotes
/// with the shell's escapes, reads back the same; the last assignment wins.
pub fn check_os_release(text: &[u8]) {
    use kubelet_wrapper::release::os_release as osrelease;
    let os = osrelease::parse(text);
    let mut written = Vec::new();
    for (k, v) in &os.fields {
        assert!(
            k.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "key {k:?}"
        );
        assert!(!v.contains(&b'\n'), "a value spans lines");
        written.extend_from_slice(k.as_bytes());
        written.extend_from_slice(b"=\"");
        for &b in v {
            if matches!(b, b'"' | b'\\' | b'$' | b'`') {
                written.push(b'\\');
            }
            written.push(b);
        }
        written.extend_from_slice(b"\"\n");
    }
    let again = osrelease::parse(&written);
    assert_eq!(
        again,
        os,
        "written back: {:?}",
        String::from_utf8_lossy(&written)
    );
    for (k, _) in &os.fields {
        let last = os.fields.iter().rev().find(|(x, _)| x == k).unwrap();
        assert_eq!(os.get(k), Some(&last.1[..]));
    }
}

/// Path normalisation: relative paths are refused; an absolute one gives a
/// path with no empty, `.` or `..` component, normalised already, and the
/// same for the spellings the kernel takes as equal (a trailing `/`, a
/// trailing `/.`, a detour `/x/..`).
pub fn check_normalize(path: &[u8]) {
    use kubelet_wrapper::engine::mounts::normalize;
    let Some(n) = normalize(path) else {
        assert!(path.first() != Some(&b'/'));
        return;
    };
    assert!(n.starts_with(b"/"));
    if n != b"/" {
        for c in n[1..].split(|&b| b == b'/') {
            assert!(
                !matches!(c, b"" | b"." | b".."),
                "{:?}",
                String::from_utf8_lossy(&n)
            );
        }
    }
    assert_eq!(normalize(&n).as_ref(), Some(&n));
    for tail in [&b"/"[..], b"/.", b"/x/..", b"//./"] {
        let mut p = path.to_vec();
        p.extend_from_slice(tail);
        assert_eq!(
            normalize(&p).as_ref(),
            Some(&n),
            "{:?}",
            String::from_utf8_lossy(&p)
        );
    }
}

/// Mount arguments of any words, read as each engine reads them: never a
/// panic; indexes within the command (a separate value right after its
/// option); every target absolute and normalised.
pub fn check_mounts(syntax: u8, words: &[Vec<u8>]) {
    use kubelet_wrapper::engine::mounts::{Mount, Syntax, mounts, normalize};
    let syntax = [Syntax::Rkt, Syntax::Oci, Syntax::Nspawn][syntax as usize % 3];
    let w: Vec<&[u8]> = words.iter().map(Vec::as_slice).collect();
    for f in mounts(syntax, &w) {
        assert!(f.at < w.len());
        if let Some(i) = f.value_at {
            assert_eq!(i, f.at + 1);
            assert!(i < w.len());
        }
        if let Mount::At { target, .. } | Mount::RktMount { target, .. } = f.mount {
            assert_eq!(normalize(&target).as_ref(), Some(&target));
        }
    }
}

/// The system target `volumes[which]` of the strict release 3000.0.0,
/// spelled another way by `ops` (repeated `/`, `/.`, a detour through `..`,
/// a trailing `/`) and mounted over by the admin in one of the engine's
/// forms: always refused, naming the system volume.
pub fn check_spelled_target(which: usize, form: u8, ops: &[u8]) {
    use kubelet_wrapper::plan::checks::AdminError;
    let d = registry::select(Version::new(3000, 0, 0)).parse();
    let v = &d.volumes[which % d.volumes.len()];
    let mut spelled = String::new();
    let mut ops = ops.iter().copied().chain(std::iter::repeat(0));
    for c in v.target[1..].split('/') {
        match ops.next().unwrap() % 4 {
            1 => spelled.push_str("//"),
            2 => spelled.push_str("/./"),
            3 => spelled.push_str("/x/../"),
            _ => spelled.push('/'),
        }
        spelled.push_str(c);
    }
    if ops.next().unwrap() % 2 == 1 {
        spelled.push_str("/.");
    }
    if ops.next().unwrap() % 2 == 1 {
        spelled.push('/');
    }
    let (var, value) = match form % 9 {
        0 => ("PODMAN_RUN_ARGS", format!("-v /srv:{spelled}")),
        1 => ("PODMAN_RUN_ARGS", format!("-v/srv:{spelled}:ro")),
        2 => ("PODMAN_RUN_ARGS", format!("--volume=/srv:{spelled}")),
        3 => ("PODMAN_RUN_ARGS", format!("-itv /srv:{spelled}")),
        4 => (
            "PODMAN_RUN_ARGS",
            format!("--mount type=bind,src=/srv,dst={spelled}"),
        ),
        5 => (
            "PODMAN_RUN_ARGS",
            format!("--mount=type=tmpfs,Target={spelled}"),
        ),
        6 => ("PODMAN_RUN_ARGS", format!("--tmpfs {spelled}:size=1m")),
        7 => ("PODMAN_RUN_ARGS", format!("-v {spelled}:rw")),
        _ => (
            "RKT_RUN_ARGS",
            format!("--volume k,kind=host,source=/srv --mount volume=k,target={spelled}"),
        ),
    };
    let admin = AdminConfig::from_env(|k| match k {
        "KUBELET_IMAGE_TAG" => Some("v1.25.4".into()),
        k if k == var => Some(value.clone().into()),
        _ => None,
    });
    match plan::plan(&d, &admin, &[]) {
        Err(plan::PlanError::Admin(AdminError::VolumeTarget { system, .. })) => {
            assert_eq!(system, v.name, "{var}={value}")
        }
        other => panic!("{var}={value}: {other:?}"),
    }
}

/// Reads back [`kubelet_wrapper::text::quote::escape`]'s text.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match b[i + 1] {
            b'\\' => out.push(b'\\'),
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'x' => {
                let h = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                out.push(u8::from_str_radix(h, 16).unwrap());
                i += 2;
            }
            c => panic!("unknown escape \\{}", c as char),
        }
        i += 2;
    }
    out
}

/// Any bytes shown in a message, in the trace line or in the script: one
/// inert line (no control, line-breaking or reordering character), and
/// the escapes say exactly which bytes they were; a message guarded by
/// `line` likewise; a `printf` format is printable ASCII outside quotes.
pub fn check_escape(bytes: &[u8]) {
    use kubelet_wrapper::text::quote;
    use std::os::unix::ffi::OsStrExt;
    let e = quote::escape(bytes);
    assert!(!e.chars().any(quote::is_unsafe), "{e:?}");
    assert_eq!(unescape(&e), bytes);
    assert_eq!(quote::line(&e), e);
    let l = quote::line(&String::from_utf8_lossy(bytes));
    assert!(!l.chars().any(quote::is_unsafe), "{l:?}");
    let j = quote::join([OsStr::from_bytes(bytes)]);
    assert!(!j.chars().any(quote::is_unsafe), "{j:?}");
    if let Some(w) = quote::sh_word(OsStr::from_bytes(bytes)) {
        assert!(!w.chars().any(quote::is_unsafe), "{w:?}");
    }
    let f = quote::printf_format(bytes);
    assert!(
        f.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'\''),
        "{f:?}"
    );
}

/// For any words in PODMAN_RUN_ARGS or DOCKER_RUN_ARGS (byte 0 of `which`
/// chooses the release: 3000.0.0 on podman, or the docker release given as
/// `docker`), the plan either refuses, or the engine, reading the command
/// as its own parser does, finds every one of the release's volumes as a
/// `--volume` of its own, and takes the release's image as the image: no
/// admin word can end the options, become the image or take a release
/// argument as its value. And the readers never panic, and every word
/// they read is at its place.
pub fn check_engine_words(which: u8, words: &[Vec<u8>], docker: &Defaults) {
    use kubelet_wrapper::engine::{oci_flags, rkt_flags};
    // the readers alone, on any bytes
    let refs: Vec<&[u8]> = words.iter().map(Vec::as_slice).collect();
    for dialect in [oci_flags::Dialect::Podman, oci_flags::Dialect::Docker] {
        let reads = oci_flags::read(dialect, &refs);
        let mut last = None;
        for (k, r) in reads.iter().enumerate() {
            assert!(r.at < refs.len(), "{r:?} out of the words");
            assert!(last.is_none_or(|l| r.at >= l), "reads out of order");
            last = Some(r.at);
            assert!(!r.text.contains(['\n', '\r', '\x1b']), "{:?}", r.text);
            if matches!(
                r.word,
                oci_flags::Word::Positional | oci_flags::Word::EndOfOptions
            ) {
                assert_eq!(k, reads.len() - 1, "reading goes on after the image");
            }
        }
    }
    let tagged: Vec<(OsString, Var)> = words
        .iter()
        .map(|w| (OsStr::from_bytes(w).to_owned(), Var::RktRunArgs))
        .collect();
    for r in rkt_flags::read(&tagged) {
        assert!(!r.text.contains(['\n', '\r', '\x1b']), "{:?}", r.text);
    }

    // through the plan: the words as one variable's value
    let (d, var, dialect) = if which.is_multiple_of(2) {
        (
            registry::select("3000.0.0".parse().unwrap()).parse(),
            "PODMAN_RUN_ARGS",
            oci_flags::Dialect::Podman,
        )
    } else {
        (
            docker.clone(),
            "DOCKER_RUN_ARGS",
            oci_flags::Dialect::Docker,
        )
    };
    let value = words.join(&b' ');
    let admin = AdminConfig::from_env(|k| match k {
        "KUBELET_IMAGE_TAG" => Some("v1.26.15".into()),
        k if k == var => Some(OsStr::from_bytes(&value).to_owned()),
        _ => None,
    });
    let Ok(p) = plan::plan(&d, &admin, &["--v=2".into()]) else {
        return;
    };
    let argv = p.argv();
    let run = argv.iter().position(|a| a == "run").expect("run");
    let after: Vec<&[u8]> = argv[run + 1..].iter().map(|a| a.as_bytes()).collect();
    let reads = oci_flags::read(dialect, &after);
    let image = reads
        .iter()
        .find(|r| {
            matches!(
                r.word,
                oci_flags::Word::Positional | oci_flags::Word::EndOfOptions
            )
        })
        .expect("the engine finds an image");
    assert!(
        matches!(image.word, oci_flags::Word::Positional),
        "the options end before the image: {argv:?}"
    );
    assert_eq!(
        after[image.at],
        p.image.as_bytes(),
        "another word is the image: {argv:?}"
    );
    for v in &d.volumes {
        // podman's --volume=SOURCE:TARGET:..., docker's
        // --mount=type=bind,source=SOURCE,target=TARGET...
        let found = reads.iter().any(|r| match &r.word {
            oci_flags::Word::Opt {
                opt,
                value,
                separate: false,
            } if opt.long == "volume" => value
                .strip_prefix(format!("{}:{}:", v.source, v.target).as_bytes())
                .is_some(),
            oci_flags::Word::Opt {
                opt,
                value,
                separate: false,
            } if opt.long == "mount" => value
                .strip_prefix(
                    format!("type=bind,source={},target={}", v.source, v.target).as_bytes(),
                )
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(b",")),
            _ => false,
        });
        assert!(
            found,
            "the release's volume {} is not read as a volume: {argv:?}",
            v.name
        );
    }
}

/// No environment files, node specifiers from a fixed table.
struct NoFiles;

impl kubelet_wrapper::admin::unit::Host for NoFiles {
    fn read(&self, _: &std::path::Path) -> std::io::Result<Vec<u8>> {
        Err(std::io::ErrorKind::NotFound.into())
    }
    fn glob(&self, _: &str) -> std::io::Result<Vec<std::path::PathBuf>> {
        Ok(Vec::new())
    }
    fn specifier(&self, c: char) -> Option<String> {
        (c == 'H').then(|| "node-1".into())
    }
}

/// A unit file of any bytes (and a drop-in of any bytes): the reader
/// answers without a panic, and
/// - every finding is one inert line, and names a line of the file or the
///   line after its last;
/// - the wrapper's command is there, or the reason it is not;
/// - the environment holds valid names and UTF-8 values, each name once;
/// - every `Exec*=` line begins on a line of its file;
/// - the helpers for check answer too.
pub fn check_unit(unit: &[u8], dropin: &[u8]) {
    use kubelet_wrapper::admin::unit::{self, File};
    use kubelet_wrapper::text::quote;
    let files = [
        File {
            path: "/etc/systemd/system/kubelet.service".into(),
            text: unit.to_vec(),
        },
        File {
            path: "/etc/systemd/system/kubelet.service.d/10-a.conf".into(),
            text: dropin.to_vec(),
        },
    ];
    let u = unit::read(&files[0], &files[1..], &NoFiles);
    let lines = |path: &std::path::Path| {
        let f = files
            .iter()
            .find(|f| f.path == path)
            .expect("one of the unit's files");
        unit::syntax::physical_lines(&f.text).len() + 1
    };
    for f in &u.findings {
        assert!(!f.message.chars().any(quote::is_unsafe), "{:?}", f.message);
        assert!(!f.fix.chars().any(quote::is_unsafe), "{:?}", f.fix);
        if let Some(at) = &f.at {
            assert!(at.line >= 1 && at.line <= lines(&at.file), "{f:?}");
        }
    }
    assert_eq!(
        u.command.is_some(),
        u.no_command.is_none(),
        "{:?}",
        u.no_command
    );
    for (i, v) in u.environment.iter().enumerate() {
        assert!(unit::envfile::name_is_valid(v.name.as_bytes()), "{v:?}");
        assert!(unit::utf8::is_valid(v.value.as_bytes()), "{v:?}");
        assert!(
            !u.environment[..i].iter().any(|w| w.name == v.name),
            "{v:?}"
        );
    }
    for e in &u.exec {
        assert!(e.at.line >= 1 && e.at.line <= lines(&e.at.file), "{e:?}");
        assert!(!e.command.path.is_empty());
    }
    let _ = u.created_directories();
    let _ = u.rkt_commands();
}

/// A shell script of any bytes: the reader answers without a panic, and
/// the commands it read, written back with each word quoted, read back
/// the same.
pub fn check_shell(script: &[u8]) {
    use kubelet_wrapper::admin::unit::shell;
    use kubelet_wrapper::text::quote;
    let env = |k: &[u8]| (k == b"A").then(|| b"x  'y z' *".to_vec());
    let args = [b"sh".to_vec(), b"1 2".to_vec()];
    let r = shell::read(script, &env, &args, script.first() == Some(&b'b'));
    for (cmd, _) in &r.commands {
        let quoted: Option<Vec<String>> = cmd
            .words
            .iter()
            .map(|w| {
                let q = quote::sh_word(OsStr::from_bytes(w))?;
                // a bare word that would read otherwise
                Some(if q.starts_with('\'') {
                    q
                } else {
                    format!("'{q}'")
                })
            })
            .collect();
        let Some(quoted) = quoted else { continue };
        if quoted.is_empty() {
            continue;
        }
        let again = shell::read(quoted.join(" ").as_bytes(), &env, &args, false);
        assert_eq!(again.unreadable, None, "{quoted:?}");
        assert_eq!(again.commands.len(), 1, "{quoted:?}");
        assert_eq!(again.commands[0].0.words, cmd.words, "{quoted:?}");
    }
}

/// A drop-in directory of any entries (files of any names and contents,
/// directories, links to /dev/null, to each other or out of the tree),
/// read by the tool's edge, with `/` and under a root: no panic; the
/// drop-ins read are in order of file name, each name once, none hidden,
/// none that does not end in `.conf`; and what the unit sets is what the
/// reader makes of those files in that order.
pub fn check_dropin_tree(data: &[u8]) {
    use kubelet_wrapper::admin::unit::{self, File};
    use kubelet_wrapper::ctl::unitfile;
    use std::fs;
    use std::path::{Path, PathBuf};
    let root: PathBuf =
        std::env::temp_dir().join(format!("kw-fuzz-dropins-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let units = root.join("etc/systemd/system");
    let dir = units.join("kubelet.service.d");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        units.join("kubelet.service"),
        "[Service]\nEnvironment=U=1\nExecStart=/usr/lib/coreos/kubelet-wrapper\n",
    )
    .unwrap();
    // entries: KIND NAME_LEN NAME... CONTENT_LEN CONTENT...
    let mut rest = data;
    while let [kind, len, tail @ ..] = rest {
        let (name, tail) = tail.split_at((*len as usize % 24).min(tail.len()));
        let Some((&clen, tail)) = tail.split_first() else {
            break;
        };
        let (content, tail) = tail.split_at((clen as usize).min(tail.len()));
        rest = tail;
        let name: Vec<u8> = name
            .iter()
            .map(|&b| if b == b'/' || b == 0 { b'_' } else { b })
            .collect();
        let mut name = name;
        if kind & 1 == 1 {
            name.extend_from_slice(b".conf");
        }
        if name.is_empty() || name == b"." || name == b".." {
            continue;
        }
        let p = dir.join(OsStr::from_bytes(&name));
        let _ = match kind % 8 / 2 {
            0 => fs::write(&p, content),
            1 => fs::create_dir(&p),
            2 => std::os::unix::fs::symlink("/dev/null", &p),
            _ => std::os::unix::fs::symlink(OsStr::from_bytes(content), &p),
        };
    }
    for base in [Path::new("/"), root.as_path()] {
        let (path, shown_root) = if base == Path::new("/") {
            (units.join("kubelet.service"), Path::new("/"))
        } else {
            (PathBuf::from("/etc/systemd/system/kubelet.service"), base)
        };
        let Ok(u) = unitfile::load(&path, &[], shown_root) else {
            continue;
        };
        let names: Vec<&[u8]> = u.files[1..]
            .iter()
            .map(|p| p.file_name().unwrap().as_bytes())
            .collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        assert!(
            names
                .iter()
                .all(|n| n.ends_with(b".conf") && !n.starts_with(b".")),
            "{names:?}"
        );
        // the same files, read again and in that order by the pure reader
        // (under the root, links resolved in it)
        let again: Vec<File> = u.files[1..]
            .iter()
            .map(|p| {
                let real = match p.strip_prefix(shown_root) {
                    Ok(inside) if shown_root != Path::new("/") => {
                        unitfile::chase(shown_root, &Path::new("/").join(inside))
                            .unwrap_or_else(|_| p.clone())
                    }
                    _ => p.clone(),
                };
                File {
                    path: p.clone(),
                    text: fs::read(real).unwrap_or_default(),
                }
            })
            .collect();
        let main = File {
            path: u.files[0].clone(),
            text: fs::read(root.join("etc/systemd/system/kubelet.service")).unwrap(),
        };
        let v = unit::read(&main, &again, &NoFiles);
        assert_eq!(v.environment, u.environment);
    }
    fs::remove_dir_all(&root).unwrap();
}
