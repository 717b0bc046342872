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
pub const PINNED: &str = env!("KW_BUILT_PINNED");

/// The release file a pinned binary uses, as the build chose it by the
/// selection rule (empty for `auto`).
const PINNED_FILE: &str = env!("KW_BUILT_PINNED_FILE");

/// The file of the pinned release, without listing and ordering every
/// embedded file at each start; `None` for an `auto` build.
pub fn pinned() -> Option<(Version, ReleaseFile)> {
    let release = Version::parse(PINNED).ok()?;
    let version = Version::parse(PINNED_FILE).ok()?;
    let text = DEFAULTS_DIR
        .get_file(format!("{PINNED_FILE}.json"))?
        .contents_utf8()?;
    Some((release, ReleaseFile { version, text }))
}

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

/// Which releases each embedded file may apply to, as the build found them
/// (see `build.rs`).
pub fn scopes() -> Vec<version::Scope> {
    version::parse_scopes(env!("KW_BUILT_SCOPES"))
}

/// No embedded file covers a release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotCovered {
    #[error(
        "no embedded release file covers {release}: defaults/{file}.json, which the selection rule picks, applies until {until} ({reason})"
    )]
    Past {
        release: Version,
        file: Version,
        until: Version,
        reason: String,
    },
    #[error(
        "no embedded release file covers {release}: it is no project release's own version, and there is no release file of its family"
    )]
    NoFile { release: Version },
}

/// The embedded file that release `r` uses (spec section 5) when a build
/// is pinned to it or the tool is given it (`--release`): a project
/// release's own file for exactly its version, else the version rule among
/// the Flatcar-origin files from the first of them on, and among the
/// CoreOS-origin files before (Flatcar continued CoreOS's numbering),
/// within the reach of the file it picks.
pub fn lookup(r: Version) -> Result<ReleaseFile, NotCovered> {
    lookup_for(r, version::Lineage::Flatcar)
}

/// [`lookup`] for a host of `lineage`, as its os-release says: a CoreOS
/// host never gets a Flatcar file.
pub fn lookup_for(r: Version, lineage: version::Lineage) -> Result<ReleaseFile, NotCovered> {
    let files = files();
    let file = |v: Version| {
        *files
            .iter()
            .find(|f| f.version == v)
            .expect("the build's scopes name the embedded files")
    };
    match version::choose(&scopes(), r, lineage) {
        Ok(v) => Ok(file(v)),
        Err(version::Uncovered::Past { file: f, until }) => Err(NotCovered::Past {
            release: r,
            file: f,
            until,
            reason: file(f).parse().until.map(|u| u.reason).unwrap_or_default(),
        }),
        Err(version::Uncovered::NoFile) => Err(NotCovered::NoFile { release: r }),
    }
}

/// The embedded file that release `r` uses, for a release the files cover
/// (the tests', a checked pin): [`lookup`] where the release may be any.
///
/// # Panics
///
/// When no file covers `r`.
pub fn select(r: Version) -> ReleaseFile {
    lookup(r).unwrap_or_else(|e| panic!("{e}"))
}

/// The newest embedded file.
pub fn newest() -> ReleaseFile {
    *files()
        .last()
        .expect("build.rs guarantees at least one release file")
}
