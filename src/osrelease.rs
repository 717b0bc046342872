//! Reading the host's release from os-release, for `auto` builds.

use crate::defaults::Version;
use std::path::Path;

/// The os-release files consulted, in order (os-release(5)).
pub const FILES: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];

/// What os-release said about the release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detection {
    /// `VERSION_ID` is a `MAJOR.MINOR.PATCH` version.
    Version { version: Version, file: String },
    /// No file, no `VERSION_ID`, or one that is not a version.
    Unusable { reason: String },
}

/// Reads `VERSION_ID` from `/etc/os-release`, falling back to
/// `/usr/lib/os-release` when the first does not exist, both below `root`.
pub fn detect(root: &Path) -> Detection {
    for rel in FILES {
        let path = root.join(rel);
        let shown = format!("/{rel}");
        match std::fs::read(&path) {
            Ok(bytes) => {
                return match version_id(&bytes) {
                    None => Detection::Unusable {
                        reason: format!("{shown} has no VERSION_ID"),
                    },
                    Some(id) => match Version::parse(&id) {
                        Ok(version) => Detection::Version {
                            version,
                            file: shown,
                        },
                        Err(_) => Detection::Unusable {
                            reason: format!(
                                "VERSION_ID {id:?} in {shown} is not MAJOR.MINOR.PATCH"
                            ),
                        },
                    },
                };
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Detection::Unusable {
                    reason: format!("cannot read {shown}: {e}"),
                };
            }
        }
    }
    Detection::Unusable {
        reason: "neither /etc/os-release nor /usr/lib/os-release exists".into(),
    }
}

/// The value of the last `VERSION_ID=` assignment, with one level of
/// matching single or double quotes removed (os-release(5) syntax).
pub fn version_id(contents: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(contents);
    let mut found = None;
    for line in text.lines() {
        let Some(value) = line.trim().strip_prefix("VERSION_ID=") else {
            continue;
        };
        let value = value.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
            .unwrap_or(value);
        found = Some(unquoted.to_string());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_id_forms() {
        assert_eq!(
            version_id(b"NAME=CoreOS\nVERSION_ID=1688.5.3\n").as_deref(),
            Some("1688.5.3")
        );
        assert_eq!(
            version_id(b"VERSION_ID=\"2512.3.0\"").as_deref(),
            Some("2512.3.0")
        );
        assert_eq!(
            version_id(b"VERSION_ID='2512.3.0'").as_deref(),
            Some("2512.3.0")
        );
        assert_eq!(
            version_id(b"  VERSION_ID=1.2.3  \n").as_deref(),
            Some("1.2.3")
        );
        assert_eq!(version_id(b"VERSION=1.2.3\nID=coreos\n"), None);
        assert_eq!(version_id(b"\xff\xfe\x00garbage"), None);
        assert_eq!(
            version_id(b"VERSION_ID=1.0.0\nVERSION_ID=2.0.0\n").as_deref(),
            Some("2.0.0")
        );
    }

    #[test]
    fn detect_prefers_etc_and_falls_back() {
        let dir = std::env::temp_dir().join(format!("kw-osrel-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        std::fs::create_dir_all(dir.join("usr/lib")).unwrap();
        assert!(matches!(detect(&dir), Detection::Unusable { .. }));
        std::fs::write(dir.join("usr/lib/os-release"), "VERSION_ID=1235.0.0\n").unwrap();
        assert_eq!(
            detect(&dir),
            Detection::Version {
                version: Version::new(1235, 0, 0),
                file: "/usr/lib/os-release".into()
            }
        );
        std::fs::write(dir.join("etc/os-release"), "VERSION_ID=rolling\n").unwrap();
        match detect(&dir) {
            Detection::Unusable { reason } => assert!(reason.contains("rolling"), "{reason}"),
            d => panic!("{d:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
