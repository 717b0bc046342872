//! Which release this binary runs as: the one pinned at build time, or for
//! `auto` builds the host's, read from os-release. Never a guess.
//!
//! An `auto` build picks a release only on a host of the CoreOS family
//! (`ID` or `ID_LIKE` naming `coreos` or `flatcar`) whose `VERSION_ID` is a
//! `MAJOR.MINOR.PATCH` version: on an `ID=flatcar` host among the files of
//! Flatcar origin from the first of them on (3033.2.0, the first Flatcar
//! without rkt), else among the files of CoreOS origin, within the reach of
//! the file the version rule picks ([`registry::lookup_for`]). Anything
//! else (another operating system, whose version numbers mean something
//! else; an unreadable os-release; a CoreOS-numbered release past the
//! files' reach) is refused before anything happens, naming
//! `KUBELET_WRAPPER_RELEASE`: the image that ships the wrapper on such a
//! host pins the release it is. A project release (`"origin": "project"`)
//! runs only when pinned by name.

use crate::release::Version;
use crate::release::os_release::{self, OsRelease};
use crate::release::registry::{self, ReleaseFile};
use crate::release::version::Lineage;
use crate::text::quote::escape;

/// How the release a binary runs as was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseSource {
    /// Fixed at build time by `KUBELET_WRAPPER_RELEASE`.
    Pinned,
    /// Read from `VERSION_ID` in the named os-release file.
    Detected(String),
}

/// An `auto` build on a host whose release it cannot tell: it does nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot choose this host's system defaults: {reason}; nothing was done: build kubelet-wrapper with KUBELET_WRAPPER_RELEASE set to the release of this OS image (kubelet-wrapperctl defaults list shows the release files)"
)]
pub struct Undetermined {
    /// Why, in words: what os-release says, or why it cannot be read.
    pub reason: String,
}

/// What reading the host's os-release gave: the file read (as messages
/// name it) and what it says, or why there is none to use
/// (`crate::host::os_release::detect` reads it).
pub type Read = Result<(String, OsRelease), String>;

/// The release to run as and the file it uses: the pinned release, or for
/// `auto` builds the host's, from its os-release as `read` gives it (only
/// called for an `auto` build). Pure: the reading is the caller's.
pub fn runtime(
    read: impl FnOnce() -> Read,
) -> Result<(Version, ReleaseSource, ReleaseFile), Undetermined> {
    // the build checked that a file covers the pin, and chose it
    if let Some((v, file)) = registry::pinned() {
        return Ok((v, ReleaseSource::Pinned, file));
    }
    let host = for_host(read())?;
    let used = registry::lookup_for(host.version, host.lineage).map_err(|e| Undetermined {
        reason: format!("this host is {} ({}): {e}", host.name, host.file),
    })?;
    Ok((host.version, ReleaseSource::Detected(host.file), used))
}

/// A host of the CoreOS family, as its os-release describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub version: Version,
    /// Whose files the host's release is looked up among: Flatcar's for
    /// `ID=flatcar`, CoreOS's for any other host of the family.
    pub lineage: Lineage,
    /// The os-release file read (`/etc/os-release`, ...).
    pub file: String,
    /// `ID VERSION_ID`, for messages.
    pub name: String,
}

/// The host's release, from what its os-release says: only a
/// CoreOS-family host with a `MAJOR.MINOR.PATCH` `VERSION_ID`.
pub fn for_host(read: Read) -> Result<Host, Undetermined> {
    let refuse = |reason: String| Undetermined { reason };
    let (file, os) = read.map_err(refuse)?;
    if !os.ids().any(os_release::is_coreos_family) {
        let id = match os.get("ID") {
            Some(id) => format!("ID={}", escape(id)),
            None => "no ID".to_string(),
        };
        let like = match os.get("ID_LIKE") {
            Some(l) => format!(" and ID_LIKE={}", escape(l)),
            None => String::new(),
        };
        return Err(refuse(format!(
            "{file} has {id}{like}, not a CoreOS or Flatcar host, whose release numbers the release files follow"
        )));
    }
    let Some(id) = os.get("VERSION_ID") else {
        return Err(refuse(format!("{file} has no VERSION_ID")));
    };
    let version = std::str::from_utf8(id)
        .ok()
        .and_then(|t| Version::parse(t).ok())
        .ok_or_else(|| {
            refuse(format!(
                "VERSION_ID \"{}\" in {file} is not MAJOR.MINOR.PATCH",
                escape(id)
            ))
        })?;
    let lineage = if os.get("ID") == Some(b"flatcar") {
        Lineage::Flatcar
    } else {
        Lineage::Coreos
    };
    Ok(Host {
        version,
        lineage,
        name: os_release::describe(&os),
        file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(text: &str) -> Result<Host, Undetermined> {
        for_host(Ok((
            "/etc/os-release".into(),
            os_release::parse(text.as_bytes()),
        )))
    }

    #[test]
    fn only_the_coreos_family_is_detected() {
        assert_eq!(
            host("ID=coreos\nVERSION_ID=1855.4.0\n").unwrap().version,
            Version::new(1855, 4, 0)
        );
        assert_eq!(
            host("ID=flatcar\nID_LIKE=coreos\nVERSION_ID=2605.12.0\n")
                .unwrap()
                .version,
            Version::new(2605, 12, 0)
        );
        // whose files: Flatcar's only where ID says flatcar
        for (text, lineage) in [
            (
                "ID=flatcar\nID_LIKE=coreos\nVERSION_ID=4230.2.0\n",
                Lineage::Flatcar,
            ),
            ("ID=coreos\nVERSION_ID=4230.2.0\n", Lineage::Coreos),
            (
                "ID=mycoreos\nID_LIKE=\"flatcar coreos\"\nVERSION_ID=4230.2.0\n",
                Lineage::Coreos,
            ),
        ] {
            assert_eq!(host(text).unwrap().lineage, lineage, "{text:?}");
        }
        for (text, reason) in [
            (
                "ID=debian\nVERSION_ID=\"12\"\n",
                "has ID=debian, not a CoreOS",
            ),
            (
                "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n",
                "has ID=ubuntu and ID_LIKE=debian",
            ),
            ("ID=fedora\nVARIANT_ID=coreos\nVERSION_ID=39\n", "ID=fedora"),
            ("VERSION_ID=2512.3.0\n", "has no ID"),
            ("ID=coreos\n", "has no VERSION_ID"),
            ("ID=coreos\nVERSION_ID=2512\n", "VERSION_ID \"2512\""),
            ("ID=\"co\\\"reos\x1b\"\n", "ID=co\"reos\\x1b"),
        ] {
            let e = host(text).unwrap_err().to_string();
            assert!(e.contains(reason), "{text:?}: {e}");
            assert!(e.contains("KUBELET_WRAPPER_RELEASE"), "{e}");
        }
    }
}
