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
