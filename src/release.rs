//! Which release this binary runs as: the one pinned at build time, or for
//! `auto` builds the host's, read from os-release.

use crate::defaults::Version;
use crate::defaults::registry::{PINNED, ReleaseFile, newest, select};
use std::path::Path;

/// How the release a binary runs as was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseSource {
    /// Fixed at build time by `KUBELET_WRAPPER_RELEASE`.
    Pinned,
    /// Read from `VERSION_ID` in the named os-release file.
    Detected(String),
    /// `auto`, but no usable `VERSION_ID` was found: the newest file is used.
    Newest(String),
}

/// The release to run as, and the file it uses: the pinned release, or for
/// `auto` builds the host's `VERSION_ID` (looked up below `root`).
pub fn runtime(root: &Path) -> (Option<Version>, ReleaseSource, ReleaseFile) {
    if let Ok(v) = Version::parse(PINNED) {
        return (Some(v), ReleaseSource::Pinned, select(v));
    }
    match crate::osrelease::detect(root) {
        crate::osrelease::Detection::Version { version, file } => (
            Some(version),
            ReleaseSource::Detected(file),
            select(version),
        ),
        crate::osrelease::Detection::Unusable { reason } => {
            (None, ReleaseSource::Newest(reason), newest())
        }
    }
}
