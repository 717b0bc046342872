//! Release versions (`MAJOR.MINOR.PATCH`) and the rule that picks a defaults
//! file for a release (spec section 5).
//!
//! This file is compiled twice: into the crate, and into `build.rs` through
//! `#[path]`, so the build and the binary agree on what a version is. It must
//! therefore depend on `std` only.

use std::fmt;
use std::str::FromStr;

/// A CoreOS-style release version. Ordering is numeric, component by component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// Why a string is not a `MAJOR.MINOR.PATCH` version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionError {
    pub input: String,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a release version: expected MAJOR.MINOR.PATCH with decimal numbers, e.g. 2512.3.0",
            self.input
        )
    }
}

impl std::error::Error for VersionError {}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// A main-line file (`M.0.0`) is inherited by every later major version;
    /// any other file is a backport that applies only inside its own major.
    pub fn is_mainline(&self) -> bool {
        self.minor == 0 && self.patch == 0
    }

    /// Parses exactly `MAJOR.MINOR.PATCH`: three runs of ASCII digits that fit
    /// in a `u32`, separated by single dots, nothing before or after.
    pub fn parse(s: &str) -> Result<Version, VersionError> {
        let err = || VersionError {
            input: s.to_string(),
        };
        let mut parts = s.split('.');
        let mut next = || -> Result<u32, VersionError> {
            let p = parts.next().ok_or_else(err)?;
            if p.is_empty() || p.len() > 10 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            p.parse::<u32>().map_err(|_| err())
        };
        let v = Version::new(next()?, next()?, next()?);
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(v)
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The selection rule of spec section 5. `available` may be in any order and
/// must not be empty for a result; returns the version of the file to use.
///
/// 1. among files of `release`'s major that are not newer than it, the newest;
/// 2. else among main-line files of a smaller major, the newest;
/// 3. else (older than every file) the oldest file.
pub fn select(available: &[Version], release: Version) -> Option<Version> {
    let same_major = available
        .iter()
        .filter(|v| v.major == release.major && **v <= release)
        .max();
    let older_mainline = || {
        available
            .iter()
            .filter(|v| v.is_mainline() && v.major < release.major)
            .max()
    };
    same_major
        .or_else(older_mainline)
        .or_else(|| available.iter().min())
        .copied()
}

/// Whose releases a file belongs to, for the selection rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// CoreOS Container Linux, whose numbering Flatcar continued (Flatcar
    /// releases before its own files use these).
    Coreos,
    /// Flatcar Container Linux from the release of its first own file on.
    Flatcar,
    /// The project's own releases: used only for exactly their version.
    Project,
}

/// A host that asks which file its release uses: what its os-release
/// says it is. A pinned build or the tool's `--release` asks as
/// [`Lineage::Flatcar`]: Flatcar continues CoreOS's numbering, so a release
/// number names a CoreOS release up to where Flatcar's own files begin, and
/// a Flatcar release from there on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lineage {
    /// `ID=coreos` (or a host only `ID_LIKE` the family): the CoreOS files.
    Coreos,
    /// `ID=flatcar`: Flatcar's own files from the first of them on, the
    /// CoreOS files before.
    Flatcar,
}

/// A release file as the rule of spec section 5 sees it: its version,
/// whose release it is, and where its family's reach ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub version: Version,
    pub family: Family,
    /// The first release the file no longer applies to (the host no longer
    /// has what it runs), if any; never on a project file.
    pub until: Option<Version>,
}

/// Why no file covers a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uncovered {
    /// The rule picks `file`, whose reach ends at `until`, not after the
    /// release.
    Past { file: Version, until: Version },
    /// Not a project file's own version, and there is no file of the
    /// family the release belongs to.
    NoFile,
}

/// The family whose files a release of `lineage` selects among: Flatcar's
/// own from the first of them on, else CoreOS's.
pub fn family_of(files: &[Scope], release: Version, lineage: Lineage) -> Family {
    let first_flatcar = files
        .iter()
        .filter(|f| f.family == Family::Flatcar)
        .map(|f| f.version)
        .min();
    match (lineage, first_flatcar) {
        (Lineage::Flatcar, Some(first)) if release >= first => Family::Flatcar,
        _ => Family::Coreos,
    }
}

/// The file a release uses (spec section 5): a project file of exactly that
/// version; else [`select`] among the files of the release's family
/// ([`family_of`]), unless the file it picks ends (`until`) at or before
/// the release.
pub fn choose(files: &[Scope], release: Version, lineage: Lineage) -> Result<Version, Uncovered> {
    if files
        .iter()
        .any(|f| f.family == Family::Project && f.version == release)
    {
        return Ok(release);
    }
    let family = family_of(files, release, lineage);
    let candidates: Vec<Version> = files
        .iter()
        .filter(|f| f.family == family)
        .map(|f| f.version)
        .collect();
    let file = select(&candidates, release).ok_or(Uncovered::NoFile)?;
    match files
        .iter()
        .find(|f| f.version == file)
        .and_then(|f| f.until)
    {
        Some(until) if release >= until => Err(Uncovered::Past { file, until }),
        _ => Ok(file),
    }
}

/// `SCOPES` as written by [`format_scopes`]: `VERSION[=project|=flatcar][..UNTIL]`
/// separated by `;`. Entries that do not parse are skipped.
pub fn parse_scopes(text: &str) -> Vec<Scope> {
    text.split(';')
        .filter_map(|e| {
            let (head, until) = match e.split_once("..") {
                Some((h, u)) => (h, Some(Version::parse(u).ok()?)),
                None => (e, None),
            };
            let (v, family) = match head.split_once('=') {
                Some((v, "project")) => (v, Family::Project),
                Some((v, "flatcar")) => (v, Family::Flatcar),
                Some(_) => return None,
                None => (head, Family::Coreos),
            };
            Some(Scope {
                version: Version::parse(v).ok()?,
                family,
                until,
            })
        })
        .collect()
}

/// The scopes of the release files as one line, for the build to hand to
/// the crate (read back by [`parse_scopes`]).
pub fn format_scopes(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| {
            let family = match s.family {
                Family::Coreos => "",
                Family::Flatcar => "=flatcar",
                Family::Project => "=project",
            };
            let until = s.until.map(|u| format!("..{u}")).unwrap_or_default();
            format!("{}{family}{until}", s.version)
        })
        .collect::<Vec<_>>()
        .join(";")
}
