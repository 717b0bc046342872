//! The release files embedded at build time, and which one applies.
//!
//! `build.rs` has validated every file before this module is compiled, so
//! parsing an embedded file cannot fail in a built binary; the wrapper parses
//! only the one file it selects.

use super::model::Defaults;
use super::version::{self, Version};
use include_dir::{Dir, include_dir};

static DEFAULTS_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/defaults");

/// The release this binary was pinned to at build time
/// (`KUBELET_WRAPPER_RELEASE`), or `auto`.
pub const PINNED: &str = env!("KUBELET_WRAPPER_PINNED");

/// One embedded release file.
#[derive(Debug, Clone, Copy)]
pub struct ReleaseFile {
    pub version: Version,
    pub text: &'static str,
}

impl ReleaseFile {
    /// Parses the file. Embedded files were validated by the build.
    pub fn parse(&self) -> Defaults {
        Defaults::from_json(self.text).unwrap_or_else(|e| {
            panic!(
                "embedded defaults/{}.json was validated by build.rs but does not parse: {e}",
                self.version
            )
        })
    }
}

/// Every embedded release file, oldest first.
pub fn files() -> Vec<ReleaseFile> {
    let mut files: Vec<ReleaseFile> = DEFAULTS_DIR
        .files()
        .filter_map(|f| {
            let name = f.path().file_name()?.to_str()?;
            let version = Version::parse(name.strip_suffix(".json")?).ok()?;
            Some(ReleaseFile {
                version,
                text: f.contents_utf8()?,
            })
        })
        .collect();
    files.sort_by_key(|f| f.version);
    files
}

/// The embedded file that release `r` uses (spec section 5).
pub fn select(r: Version) -> ReleaseFile {
    let files = files();
    let versions: Vec<Version> = files.iter().map(|f| f.version).collect();
    let chosen =
        version::select(&versions, r).expect("build.rs guarantees at least one release file");
    *files
        .iter()
        .find(|f| f.version == chosen)
        .expect("selected from this list")
}

/// The newest embedded file.
pub fn newest() -> ReleaseFile {
    *files()
        .last()
        .expect("build.rs guarantees at least one release file")
}
