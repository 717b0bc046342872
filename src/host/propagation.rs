//! Whether the mounts the kubelet makes inside its container reach the
//! host, and what the wrapper does when they would not.
//!
//! The kubelet mounts each pod's downward-API, secret and memory-backed
//! volumes below /var/lib/kubelet inside its container; the container
//! runtime on the host then binds the host's path into the pod. That only
//! works when the host's mount of /var/lib/kubelet and the container's are
//! peers: the engine binds it `rshared` (podman, docker) or in the caller's
//! namespace (rkt fly), and the source's mount on the host is *shared*. On
//! a host whose `/` is private (systemd not PID 1) nothing fails and
//! nothing is logged: pods just get empty directories.
//!
//! A release marks such volumes (`shared` in its defaults file, see
//! [`SharedRule`]). [`check`] is pure: from the mount table it decides,
//! per marked volume, nothing to do, a bind to make, or a refusal.
//! [`make_shared`] is the one effect, run by [`crate::launch`] after the
//! directories exist.

use crate::host::mountinfo::{self, MountTable, Propagation};
use crate::release::model::{Defaults, SharedRule};
use crate::text::quote::escape;
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// A release volume whose source must pass the kubelet's mounts to the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedSource {
    /// The volume's name in the release.
    pub volume: String,
    /// Its source on the host.
    pub path: PathBuf,
    pub rule: SharedRule,
}

/// The release's volumes that are checked, in release order.
pub fn shared_sources(d: &Defaults) -> Vec<SharedSource> {
    d.volumes
        .iter()
        .filter_map(|v| {
            v.shared.map(|rule| SharedSource {
                volume: v.name.clone(),
                path: PathBuf::from(&v.source),
                rule,
            })
        })
        .collect()
}

/// What the mount table says about one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// The mount point of the mount the source is on.
    pub mount: PathBuf,
    pub propagation: Propagation,
}

impl State {
    /// Whether mounts made below the source reach the host's peers.
    pub fn passes_on(&self) -> bool {
        self.propagation.sends()
    }
}

/// The source's mount, as path lookup finds it in `table`; `real` is the
/// source with symbolic links resolved where it exists.
pub fn state(table: &MountTable, real: &Path) -> Option<State> {
    table.resolve(real).map(|m| State {
        mount: m.point.clone(),
        propagation: m.propagation,
    })
}

/// The state of `path` (the part still to be created lands on its nearest
/// existing ancestor's mount) in `table`.
pub fn state_in(table: &MountTable, path: &Path) -> Option<State> {
    state(table, &real_path(path))
}

/// The state of `path` on this host: from the kernel's own lookup and the
/// table's first lines ([`mountinfo::mount_of`]), else from the whole
/// table `table()` gives.
pub fn state_here<'t>(path: &Path, table: &dyn Fn() -> &'t MountTable) -> Option<State> {
    match mountinfo::mount_of(path) {
        Some(m) => Some(State {
            mount: m.point,
            propagation: m.propagation,
        }),
        None => state_in(table(), path),
    }
}

/// A source that does not pass mounts on, under a release that requires it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{path} (volume {volume}) is on mount {mount}, whose propagation is {propagation}: mounts the kubelet makes below it (the pods' volumes) would not reach the host, and pods would get empty directories. This release requires it shared: make it so before starting (mount --make-rshared / as systemd does at boot, or mount --bind {path} {path} && mount --make-shared {path})",
    path = escape(path.as_os_str().as_bytes()),
    mount = escape(mount.as_os_str().as_bytes())
)]
pub struct NotShared {
    pub volume: String,
    pub path: PathBuf,
    pub mount: PathBuf,
    pub propagation: Propagation,
}

/// A source the release says to make shared, on a mount that mount(2)
/// refuses to bind from: the bind would fail after the directories were
/// created, so the wrapper refuses first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{path} (volume {volume}) is on mount {mount}, which is unbindable: it cannot be bound onto itself to make it shared, and mounts the kubelet makes below it would not reach the host; make that mount shared before the kubelet starts (mount --make-shared {mount})",
    path = escape(path.as_os_str().as_bytes()),
    mount = escape(mount.as_os_str().as_bytes())
)]
pub struct Unbindable {
    pub volume: String,
    pub path: PathBuf,
    pub mount: PathBuf,
}

/// Why a source's propagation stops the start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error(transparent)]
    NotShared(#[from] NotShared),
    #[error(transparent)]
    Unbindable(#[from] Unbindable),
}

/// Decides, for each source (at `root` joined with its path, `/` in
/// production), whether it must be made shared: returns the paths to bind
/// onto themselves, in order, or the first refusal (a source the release
/// requires shared that is not, or one to make shared that is on an
/// unbindable mount). `lookup` gives a
/// path's state ([`state_here`] on the host, [`state_in`] a table).
pub fn check(
    lookup: &dyn Fn(&Path) -> Option<State>,
    root: &Path,
    sources: &[SharedSource],
) -> Result<Vec<PathBuf>, Refused> {
    let mut make = Vec::new();
    for s in sources {
        let full = root.join(s.path.strip_prefix("/").unwrap_or(&s.path));
        // an unreadable or empty table says nothing: the engine will tell
        let Some(st) = lookup(&full) else {
            continue;
        };
        if st.passes_on() {
            continue;
        }
        match s.rule {
            SharedRule::Make if st.propagation == Propagation::Unbindable => {
                return Err(Unbindable {
                    volume: s.volume.clone(),
                    path: s.path.clone(),
                    mount: st.mount,
                }
                .into());
            }
            SharedRule::Make => make.push(full),
            SharedRule::Require => {
                return Err(NotShared {
                    volume: s.volume.clone(),
                    path: s.path.clone(),
                    mount: st.mount,
                    propagation: st.propagation,
                }
                .into());
            }
        }
    }
    Ok(make)
}

/// The path with symbolic links resolved in its longest existing prefix
/// (the part still to be created lands on that prefix's mount).
pub fn real_path(p: &Path) -> PathBuf {
    let mut existing = p;
    let mut rest = Vec::new();
    loop {
        if let Ok(r) = std::fs::canonicalize(existing) {
            let mut out = r;
            for c in rest.iter().rev() {
                out.push(c);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return p.to_path_buf(),
        }
    }
}

/// Binds `path` onto itself with everything mounted below it (`mount
/// --rbind P P`) and marks the new mounts shared (`mount --make-rshared
/// P`): from then on the kubelet's mounts below it reach the host.
pub fn make_shared(path: &Path) -> io::Result<()> {
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // mount(2) of `source` (null: none) on `path` with `flags`
    let mount = |source: *const libc::c_char, flags: libc::c_ulong| {
        // SAFETY: `c` and `source` are NUL-terminated strings that outlive
        // the call, or null where mount(2) ignores the argument.
        let rc = unsafe {
            libc::mount(
                source,
                c.as_ptr(),
                std::ptr::null(),
                flags,
                std::ptr::null(),
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    };
    mount(c.as_ptr(), libc::MS_BIND | libc::MS_REC)?;
    mount(c"none".as_ptr(), libc::MS_SHARED | libc::MS_REC)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A root under which no path exists, so nothing is canonicalised
    /// into the test machine's own tree.
    const ROOT: &str = "/nonexistent-kw-root";

    /// `/` with `root_opt` optional fields, then each (point below ROOT,
    /// mount root, optional fields) mounted on the previous one.
    fn table(root_opt: &str, mounts: &[(&str, &str, &str)]) -> MountTable {
        let mut t = format!("1 0 254:0 / / rw {root_opt}- ext4 /dev/vda rw\n");
        for (i, (point, fsroot, opt)) in mounts.iter().enumerate() {
            t.push_str(&format!(
                "{} 1 0:4{i} {fsroot} {ROOT}{point} rw {opt}- tmpfs kw rw\n",
                i + 2
            ));
        }
        MountTable::parse(t.as_bytes()).unwrap()
    }

    fn src(rule: SharedRule) -> Vec<SharedSource> {
        vec![SharedSource {
            volume: "var-lib-kubelet".into(),
            path: "/var/lib/kubelet".into(),
            rule,
        }]
    }

    fn full() -> PathBuf {
        PathBuf::from(format!("{ROOT}/var/lib/kubelet"))
    }

    #[test]
    fn a_shared_or_shared_slave_mount_needs_nothing() {
        let tables = [
            table("shared:1 ", &[]),
            table("", &[("/var", "/", "shared:2 ")]),
            table("", &[("/var", "/", "shared:2 master:1 ")]),
        ];
        for t in &tables {
            for rule in [SharedRule::Make, SharedRule::Require] {
                assert!(state(t, &full()).unwrap().passes_on());
                assert_eq!(
                    check(&|p| state_in(t, p), Path::new(ROOT), &src(rule)),
                    Ok(vec![])
                );
            }
        }
    }

    #[test]
    fn an_unbindable_mount_cannot_be_made_shared() {
        let t = table("shared:1 ", &[("/var", "/", "unbindable ")]);
        let e = check(
            &|p| state_in(&t, p),
            Path::new(ROOT),
            &src(SharedRule::Make),
        )
        .unwrap_err();
        let Refused::Unbindable(u) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(u.mount, PathBuf::from(format!("{ROOT}/var")));
        assert!(e.to_string().contains("which is unbindable"), "{e}");
    }

    #[test]
    fn a_private_slave_or_unbindable_mount_is_made_shared_or_refused() {
        for (opt, name) in [
            ("", "private"),
            ("master:3 ", "slave"),
            ("unbindable ", "unbindable"),
        ] {
            // whatever `/` is: the tmpfs at /var is the mount in effect
            let t = table("shared:1 ", &[("/var", "/", opt)]);
            if opt.is_empty() || opt.starts_with("master") {
                assert_eq!(
                    check(
                        &|p| state_in(&t, p),
                        Path::new(ROOT),
                        &src(SharedRule::Make)
                    ),
                    Ok(vec![full()])
                );
            }
            let Err(Refused::NotShared(e)) = check(
                &|p| state_in(&t, p),
                Path::new(ROOT),
                &src(SharedRule::Require),
            ) else {
                panic!("{name}: not refused")
            };
            assert_eq!(e.mount, PathBuf::from(format!("{ROOT}/var")));
            assert_eq!(e.path, PathBuf::from("/var/lib/kubelet"));
            assert_eq!(e.propagation.name(), name);
            let msg = e.to_string();
            assert!(
                msg.starts_with(&format!(
                    "/var/lib/kubelet (volume var-lib-kubelet) is on mount {ROOT}/var, whose propagation is {name}:"
                )),
                "{msg}"
            );
            assert!(msg.contains("empty directories"), "{msg}");
        }
    }

    #[test]
    fn the_mount_path_lookup_reaches_decides() {
        // a shared bind at /var/lib/kubelet hidden by a private tmpfs over
        // /var mounted after it: the source is on the tmpfs
        let t = MountTable::parse(
            format!(
                "1 0 254:0 / / rw - ext4 /dev/vda rw\n\
                 5 1 0:40 /k {ROOT}/var/lib/kubelet rw shared:4 - ext4 /dev/vda rw\n\
                 6 1 0:41 / {ROOT}/var rw - tmpfs kw rw\n"
            )
            .as_bytes(),
        )
        .unwrap();
        let Err(Refused::NotShared(e)) = check(
            &|p| state_in(&t, p),
            Path::new(ROOT),
            &src(SharedRule::Require),
        ) else {
            panic!("not refused")
        };
        assert_eq!(e.mount, PathBuf::from(format!("{ROOT}/var")));
        // a shared bind of the source onto itself on the tmpfs (what `make`
        // leaves): the next start does nothing
        let t = MountTable::parse(
            format!(
                "1 0 254:0 / / rw - ext4 /dev/vda rw\n\
                 6 1 0:41 / {ROOT}/var rw - tmpfs kw rw\n\
                 7 6 0:41 /lib/kubelet {ROOT}/var/lib/kubelet rw shared:9 - tmpfs kw rw\n"
            )
            .as_bytes(),
        )
        .unwrap();
        for rule in [SharedRule::Make, SharedRule::Require] {
            assert_eq!(
                check(&|p| state_in(&t, p), Path::new(ROOT), &src(rule)),
                Ok(vec![])
            );
        }
    }

    #[test]
    fn an_empty_table_decides_nothing() {
        assert_eq!(
            check(
                &|p| state_in(&MountTable::default(), p),
                Path::new("/"),
                &src(SharedRule::Require)
            ),
            Ok(vec![])
        );
    }

    #[test]
    fn every_release_marks_the_kubelets_root_dir() {
        for f in crate::release::registry::files() {
            let d = f.parse();
            let s = shared_sources(&d);
            assert_eq!(
                s.iter().map(|s| s.path.as_path()).collect::<Vec<_>>(),
                [Path::new("/var/lib/kubelet")],
                "{}",
                d.release
            );
            assert!(
                s.iter().all(|s| s.rule == SharedRule::Make),
                "{}",
                d.release
            );
        }
    }

    #[test]
    fn real_path_keeps_the_part_still_to_be_created() {
        let p = Path::new("/nonexistent-kw/a/b");
        assert_eq!(real_path(p), p);
        let tmp = std::env::temp_dir().join(format!("kw-prop-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).unwrap();
        let link = tmp.join("link");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink("/", &link).unwrap();
        assert_eq!(
            real_path(&link.join("nonexistent-kw/y")),
            Path::new("/nonexistent-kw/y")
        );
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
