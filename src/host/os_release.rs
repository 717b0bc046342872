//! The host's os-release file (os-release(5)), read for `auto` builds:
//! only a regular file (a link to `/dev/zero` or a named pipe would make a
//! plain read run forever or block), at most [`MAX_BYTES`]. What it says
//! is parsed by [`crate::release::os_release`] and judged by
//! [`crate::release::select`].

use crate::release::os_release::{OsRelease, parse};
use std::path::Path;

/// The os-release files consulted, in order (os-release(5)): the first that
/// exists is the only one read.
pub const FILES: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];

/// The most of an os-release file read. Real ones are well under 1 KiB.
pub const MAX_BYTES: u64 = 64 * 1024;

/// Reads `path` if it is a regular file, at most [`MAX_BYTES`]. `Ok(None)`
/// when it does not exist (a dangling link included); `Err` says why it
/// cannot be used, naming it as `shown`.
pub fn read_bounded(path: &Path, shown: &str) -> Result<Option<Vec<u8>>, String> {
    match crate::host::bounded::read(path, MAX_BYTES) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) => match e.kind() {
            std::io::ErrorKind::NotFound => Ok(None),
            std::io::ErrorKind::InvalidInput | std::io::ErrorKind::FileTooLarge => {
                Err(format!("{shown} is {e}"))
            }
            _ => Err(format!("cannot read {shown}: {e}")),
        },
    }
}

/// The host's os-release below `root`: `/etc/os-release`, or when that
/// does not exist `/usr/lib/os-release`; with the file's name as shown in
/// messages. `Err` says why there is none to use.
pub fn detect(root: &Path) -> Result<(String, OsRelease), String> {
    for rel in FILES {
        let shown = format!("/{rel}");
        if let Some(bytes) = read_bounded(&root.join(rel), &shown)? {
            return Ok((shown, parse(&bytes)));
        }
    }
    Err("neither /etc/os-release nor /usr/lib/os-release exists".into())
}

/// The host's release below `root`, judged by [`crate::release::select`].
pub fn host(
    root: &Path,
) -> Result<crate::release::select::Host, crate::release::select::Undetermined> {
    crate::release::select::for_host(detect(root))
}

/// The release this binary runs as on the host below `root` (its pin, or
/// the host's): [`crate::release::select::runtime`] with this host's
/// os-release.
pub fn runtime(
    root: &Path,
) -> Result<
    (
        crate::release::Version,
        crate::release::select::ReleaseSource,
        crate::release::registry::ReleaseFile,
    ),
    crate::release::select::Undetermined,
> {
    crate::release::select::runtime(|| detect(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_prefers_etc_and_falls_back() {
        let dir = std::env::temp_dir().join(format!("kw-osrel-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        std::fs::create_dir_all(dir.join("usr/lib")).unwrap();
        assert!(detect(&dir).unwrap_err().contains("neither"));
        std::fs::write(
            dir.join("usr/lib/os-release"),
            "ID=coreos\nVERSION_ID=1235.0.0\n",
        )
        .unwrap();
        let (file, os) = detect(&dir).unwrap();
        assert_eq!(file, "/usr/lib/os-release");
        assert_eq!(os.get("VERSION_ID").unwrap(), b"1235.0.0");
        // a dangling link counts as missing, as for os-release(5) readers
        std::os::unix::fs::symlink("../nowhere", dir.join("etc/os-release")).unwrap();
        assert_eq!(detect(&dir).unwrap().0, "/usr/lib/os-release");
        std::fs::remove_file(dir.join("etc/os-release")).unwrap();
        std::fs::write(dir.join("etc/os-release"), "VERSION_ID=rolling\n").unwrap();
        assert_eq!(
            detect(&dir).unwrap().1.get("VERSION_ID").unwrap(),
            b"rolling"
        );
        // bounded, and only regular files
        std::fs::write(
            dir.join("etc/os-release"),
            vec![b'x'; MAX_BYTES as usize + 1],
        )
        .unwrap();
        assert!(
            detect(&dir)
                .unwrap_err()
                .contains("larger than 65536 bytes")
        );
        std::fs::remove_file(dir.join("etc/os-release")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.join("etc/os-release")).unwrap();
        assert_eq!(
            detect(&dir).unwrap_err(),
            "/etc/os-release is not a regular file"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
