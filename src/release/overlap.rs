//! An admin's mount against the release's volumes: does it repeat what the
//! release already gives the kubelet, or replace part of it?
//!
//! Units written for older releases mount host paths that a later release
//! mounts itself (`/var/lib/cni`, `/var/log`, `/etc/cni/net.d`): the kubelet
//! sees the same host directory either way, so such a mount is redundant,
//! not a conflict. A mount that puts *another* host path at a target the
//! release owns (or below it) is a conflict: the kubelet would see the
//! admin's directory where the release promises its own.
//!
//! Pure: paths in, a verdict out. Targets and sources are compared as the
//! kernel resolves their spelling ([`normalize`]); symbolic links on the
//! host or in the image are not followed.

use super::model::{Defaults, Volume};

/// `path` resolved as the kernel resolves its spelling: repeated `/` as
/// one, `.` dropped, `..` the parent (never above `/`), no trailing `/`.
/// `None` for a relative path.
pub fn normalize(path: &[u8]) -> Option<Vec<u8>> {
    if path.first() != Some(&b'/') {
        return None;
    }
    let mut parts: Vec<&[u8]> = Vec::new();
    for c in path.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let mut out = Vec::with_capacity(path.len());
    for p in &parts {
        out.push(b'/');
        out.extend_from_slice(p);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    Some(out)
}

/// The part of `path` below `dir` (both normalised), with its leading
/// `/`: `Some(b"")` for `dir` itself, `None` when `path` is not inside.
fn below<'a>(path: &'a [u8], dir: &[u8]) -> Option<&'a [u8]> {
    if dir == b"/" {
        return Some(if path == b"/" { b"" } else { path });
    }
    let rest = path.strip_prefix(dir)?;
    (rest.is_empty() || rest[0] == b'/').then_some(rest)
}

/// How an admin mount stands to a release volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap<'a> {
    /// The release's volume mounts the same host path at the same target.
    Same(&'a Volume),
    /// The target is below the release volume's target, and the source is
    /// the host path the release's (recursive) bind already shows there.
    Inside(&'a Volume),
    /// The target is the release volume's target or below it, with another
    /// host path (or none: a tmpfs, a named volume): the kubelet would see
    /// the admin's, not the release's.
    Shadows(&'a Volume),
}

impl<'a> Overlap<'a> {
    /// The release volume concerned.
    pub fn volume(&self) -> &'a Volume {
        match self {
            Overlap::Same(v) | Overlap::Inside(v) | Overlap::Shadows(v) => v,
        }
    }

    /// Whether the kubelet already sees the admin's host path there
    /// without the admin's mount.
    pub fn redundant(&self) -> bool {
        !matches!(self, Overlap::Shadows(_))
    }
}

/// How an admin mount of `source` (a host path, if it binds one) at
/// `target` stands to the release's volumes: against the deepest release
/// target that holds it, `None` when no release target does. A relative
/// target is `None` too (it is not a path in the container).
pub fn overlap<'a>(
    defaults: &'a Defaults,
    source: Option<&[u8]>,
    target: &[u8],
) -> Option<Overlap<'a>> {
    let target = normalize(target)?;
    let (volume, rest) = defaults
        .volumes
        .iter()
        .filter_map(|v| {
            let vt = normalize(v.target.as_bytes())?;
            let rest = below(&target, &vt)?.to_vec();
            Some((v, vt.len(), rest))
        })
        .max_by_key(|(_, depth, _)| *depth)
        .map(|(v, _, rest)| (v, rest))?;
    let source = source.and_then(normalize);
    let given = normalize(volume.source.as_bytes()).map(|mut s| {
        if s == b"/" && !rest.is_empty() {
            s.clear();
        }
        s.extend_from_slice(&rest);
        s
    });
    Some(match (source, given) {
        (Some(s), Some(g)) if s == g && rest.is_empty() => Overlap::Same(volume),
        (Some(s), Some(g)) if s == g => Overlap::Inside(volume),
        _ => Overlap::Shadows(volume),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::registry;

    fn release(r: &str) -> Defaults {
        registry::lookup(crate::release::Version::parse(r).unwrap())
            .unwrap()
            .parse()
    }

    fn verdict(d: &Defaults, source: Option<&str>, target: &str) -> Option<(String, &'static str)> {
        overlap(d, source.map(str::as_bytes), target.as_bytes()).map(|o| {
            (
                o.volume().name.clone(),
                match o {
                    Overlap::Same(_) => "same",
                    Overlap::Inside(_) => "inside",
                    Overlap::Shadows(_) => "shadows",
                },
            )
        })
    }

    #[test]
    fn normalising_resolves_the_spelling() {
        for (p, n) in [
            ("/", "/"),
            ("//", "/"),
            ("/a//b/", "/a/b"),
            ("/a/./b/..", "/a"),
            ("/..", "/"),
            ("/a/../../b", "/b"),
        ] {
            assert_eq!(normalize(p.as_bytes()).unwrap(), n.as_bytes(), "{p}");
        }
        assert_eq!(normalize(b"a/b"), None);
        assert_eq!(normalize(b""), None);
    }

    #[test]
    fn the_same_host_path_at_the_same_target_is_redundant() {
        let d = release("3000.0.0");
        let same = Some(("var-log".to_string(), "same"));
        assert_eq!(verdict(&d, Some("/var/log"), "/var/log"), same);
        assert_eq!(verdict(&d, Some("/var/log/"), "/var//log"), same);
        assert_eq!(
            verdict(&d, Some("/usr/lib/os-release"), "/etc/os-release"),
            Some(("os-release".into(), "same"))
        );
    }

    #[test]
    fn a_consistent_path_below_a_release_target_is_inside_it() {
        let d = release("3000.0.0");
        assert_eq!(
            verdict(&d, Some("/run/flannel"), "/run/flannel"),
            Some(("run".into(), "inside"))
        );
        assert_eq!(
            verdict(&d, Some("/var/lib/kubelet/pods"), "/var/lib/kubelet/pods"),
            Some(("var-lib-kubelet".into(), "inside"))
        );
    }

    #[test]
    fn another_host_path_at_or_below_a_release_target_shadows_it() {
        let d = release("3000.0.0");
        for (s, t, v) in [
            (Some("/srv/kubelet"), "/var/lib/kubelet", "var-lib-kubelet"),
            (Some("/srv/x"), "/var/lib/kubelet/x", "var-lib-kubelet"),
            (None, "/run", "run"),
            (Some("/etc/os-release"), "/etc/os-release", "os-release"),
        ] {
            assert_eq!(
                verdict(&d, s, t),
                Some((v.to_string(), "shadows")),
                "{s:?} {t}"
            );
        }
    }

    #[test]
    fn targets_outside_every_release_target_are_none() {
        let d = release("3000.0.0");
        assert_eq!(
            verdict(&d, Some("/var/lib/calico"), "/var/lib/calico"),
            None
        );
        assert_eq!(verdict(&d, Some("/var/lib"), "/var/lib"), None);
        assert_eq!(verdict(&d, Some("/runx"), "/runx"), None);
        assert_eq!(verdict(&d, Some("/x"), "relative"), None);
    }

    #[test]
    fn the_deepest_release_target_decides() {
        // a release mounting / and /var/lib/kubelet: below the kubelet's
        // directory that volume decides, not /
        let mut d = release("3000.0.0");
        let mut root = d.volumes[0].clone();
        root.name = "root".into();
        root.source = "/".into();
        root.target = "/".into();
        d.volumes.push(root);
        assert_eq!(
            verdict(&d, Some("/var/lib/kubelet/x"), "/var/lib/kubelet/x"),
            Some(("var-lib-kubelet".into(), "inside"))
        );
        assert_eq!(
            verdict(&d, Some("/opt/x"), "/opt/x"),
            Some(("root".into(), "inside"))
        );
    }
}
