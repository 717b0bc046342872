//! Reading a file of the host defensively: only a regular file, at most a
//! given size.
//!
//! os-release, the mount table, a unit and its environment files are read
//! the same way: a link to `/dev/zero` or a device would make a plain read
//! run forever, and opening a named pipe blocks until a writer comes.

use std::io::{self, Read};
use std::path::Path;

/// The contents of `path` (links followed) when it is a regular file of at
/// most `max` bytes. A missing file is `NotFound`, as from `open`; a file
/// of another type is `InvalidInput`; a larger one `FileTooLarge`, each
/// with a message in words.
pub fn read(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    let not_regular = || io::Error::new(io::ErrorKind::InvalidInput, "not a regular file");
    // without blocking: opening a named pipe with no writer waits for one,
    // and a terminal must not become the tool's; what was opened is then
    // checked, so a file replaced after a look at its name cannot slip by
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("larger than {max} bytes"),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_bound() {
        let dir = std::env::temp_dir().join(format!("kw-bounded-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("f");
        std::fs::write(&f, b"12345").unwrap();
        assert_eq!(read(&f, 5).unwrap(), b"12345");
        let e = read(&f, 4).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(e.to_string(), "larger than 4 bytes");
        assert_eq!(
            read(Path::new("/dev/zero"), 4).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            read(&dir, 4).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            read(&dir.join("missing"), 4).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        // /proc files are regular, with a size of 0
        assert!(read(Path::new("/proc/self/mountinfo"), 64 << 20).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
