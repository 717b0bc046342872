//! The mount table as the kernel shows it in `/proc/self/mountinfo`
//! (proc(5)), and which mount a path is really on.
//!
//! Two questions of the wrapper depend on the mount a path lies on, not on
//! the path's text: whether a directory can be created there (a read-only
//! mount) and whether mounts made below it inside the kubelet's container
//! reach the host (its propagation). Mounts stack and hide one another, so
//! "the mount whose point is the longest prefix" is not the answer: a
//! writable tmpfs mounted over `/var` hides a read-only mount at
//! `/var/lib` that was made before it. [`MountTable::resolve`] follows the
//! tree the way path lookup does: from the root mount down through the
//! children of the mount reached so far.
//!
//! Parsing is pure ([`MountTable::parse`]); only [`MountTable::read`] reads
//! the file.

use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

/// Where the kernel shows this process's mounts.
pub const SELF_MOUNTINFO: &str = "/proc/self/mountinfo";

/// The most of a mountinfo file read. A node with thousands of pod
/// volumes has a few MiB; more than this is not a mount table.
pub const MAX_BYTES: u64 = 64 << 20;

/// How mount and unmount events below a mount travel to other mounts
/// (mount_namespaces(7)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    /// In a peer group (`shared:N`): events propagate both ways.
    Shared,
    /// Receives from a master (`master:N`) and sends to its own peers too.
    SharedAndSlave,
    /// Receives from a master (`master:N`), sends nothing.
    Slave,
    /// Neither sends nor receives.
    Private,
    /// Private, and cannot be bind-mounted.
    Unbindable,
}

impl Propagation {
    /// Whether mounts made below this mount reach its peers (the host's
    /// view, when the peer is the host's mount).
    pub fn sends(self) -> bool {
        matches!(self, Propagation::Shared | Propagation::SharedAndSlave)
    }

    /// The word `findmnt -o PROPAGATION` uses.
    pub fn name(self) -> &'static str {
        match self {
            Propagation::Shared => "shared",
            Propagation::SharedAndSlave => "shared,slave",
            Propagation::Slave => "slave",
            Propagation::Private => "private",
            Propagation::Unbindable => "unbindable",
        }
    }
}

impl std::fmt::Display for Propagation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One line of mountinfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub id: u64,
    pub parent: u64,
    /// The directory of the file system mounted here (`/` unless a bind
    /// mount of a subdirectory).
    pub root: PathBuf,
    /// Where it is mounted, relative to this process's root.
    pub point: PathBuf,
    /// Per-mount options (`rw`, `ro`, `nosuid`, `noexec`, ...).
    pub options: Vec<String>,
    pub propagation: Propagation,
    pub fstype: String,
    pub source: OsString,
    /// Per-superblock options: a file system mounted `ro` is read-only at
    /// every mount of it.
    pub super_options: Vec<String>,
}

impl Mount {
    /// Read-only for writes through this mount: per mount or for the
    /// whole file system.
    pub fn read_only(&self) -> bool {
        self.options.iter().any(|o| o == "ro") || self.super_options.iter().any(|o| o == "ro")
    }

    /// Mounted `noexec`: execve(2) of any file through it fails with EACCES.
    pub fn no_exec(&self) -> bool {
        self.options.iter().any(|o| o == "noexec")
    }
}

/// A line mountinfo cannot have come from the kernel with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{SELF_MOUNTINFO} line {line}: {reason}")]
pub struct ParseError {
    pub line: usize,
    pub reason: &'static str,
}

/// Every mount of this process's mount namespace, in the kernel's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MountTable {
    pub mounts: Vec<Mount>,
}

impl MountTable {
    /// Reads [`SELF_MOUNTINFO`], at most [`MAX_BYTES`].
    pub fn read() -> io::Result<MountTable> {
        Self::read_from(Path::new(SELF_MOUNTINFO))
    }

    /// Reads a mountinfo file at `path`, at most [`MAX_BYTES`].
    pub fn read_from(path: &Path) -> io::Result<MountTable> {
        let text = crate::host::bounded::read(path, MAX_BYTES)?;
        Self::parse(&text).map_err(io::Error::other)
    }

    /// Parses mountinfo text (proc(5)): `ID PARENT MAJ:MIN ROOT POINT
    /// OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS`, with space,
    /// tab, newline and backslash in paths written as `\ooo` octal.
    pub fn parse(text: &[u8]) -> Result<MountTable, ParseError> {
        let mut mounts = Vec::new();
        for (i, line) in text.split(|&b| b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let err = |reason| ParseError {
                line: i + 1,
                reason,
            };
            let f: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
            let sep = f
                .iter()
                .position(|x| *x == b"-")
                .ok_or_else(|| err("no ' - ' separator"))?;
            if sep < 6 || f.len() < sep + 3 {
                return Err(err("too few fields"));
            }
            let number = |b: &[u8]| {
                std::str::from_utf8(b)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or_else(|| err("mount id is not a number"))
            };
            let words = |b: &[u8]| -> Vec<String> {
                String::from_utf8_lossy(b)
                    .split(',')
                    .map(str::to_string)
                    .collect()
            };
            let mut shared = false;
            let mut slave = false;
            let mut unbindable = false;
            for tag in &f[6..sep] {
                if tag.starts_with(b"shared:") {
                    shared = true;
                } else if tag.starts_with(b"master:") {
                    slave = true;
                } else if *tag == b"unbindable" {
                    unbindable = true;
                }
            }
            let propagation = match (shared, slave, unbindable) {
                (true, true, _) => Propagation::SharedAndSlave,
                (true, false, _) => Propagation::Shared,
                (false, true, _) => Propagation::Slave,
                (false, false, true) => Propagation::Unbindable,
                (false, false, false) => Propagation::Private,
            };
            mounts.push(Mount {
                id: number(f[0])?,
                parent: number(f[1])?,
                root: PathBuf::from(unescape(f[3])),
                point: PathBuf::from(unescape(f[4])),
                options: words(f[5]),
                propagation,
                fstype: String::from_utf8_lossy(f[sep + 1]).into_owned(),
                source: unescape(f[sep + 2]),
                super_options: f.get(sep + 3).map(|b| words(b)).unwrap_or_default(),
            });
        }
        Ok(MountTable { mounts })
    }

    /// The mount an absolute, normalised `path` (no `.`, `..` or symbolic
    /// links: canonicalise first where the path exists) is on, as path
    /// lookup finds it: from this namespace's root mount, down through the
    /// children of the mount reached so far, the topmost of mounts stacked
    /// at one point. `None` only for an empty table or a relative path.
    pub fn resolve(&self, path: &Path) -> Option<&Mount> {
        if !path.is_absolute() {
            return None;
        }
        let known = |id: u64| self.mounts.iter().any(|m| m.id == id);
        // the namespace's root: a mount at `/` whose parent is not shown
        // (outside this root), the last such one
        let mut cur = self
            .mounts
            .iter()
            .rev()
            .find(|m| m.point == Path::new("/") && (!known(m.parent) || m.parent == m.id))?;
        // each prefix of the path in turn, as lookup crosses mount points:
        // a mount at `/var` hides one at `/var/lib` on the same parent,
        // whatever their order in the table
        let mut prefix = PathBuf::from("/");
        let mut components = path.components().filter_map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        });
        loop {
            // the topmost of the mounts stacked at this prefix
            while let Some(m) = self
                .mounts
                .iter()
                .rev()
                .find(|m| m.parent == cur.id && m.id != cur.id && m.point == prefix)
            {
                cur = m;
            }
            match components.next() {
                Some(c) => prefix.push(c),
                None => return Some(cur),
            }
        }
    }
}

/// The mount `path` is on, as the kernel itself resolves it: statx(2)
/// reports the ID of the mount (of the nearest existing ancestor, where
/// the path does not exist yet), and the mount table is read only up to
/// that mount's line. On a node with thousands of pod mounts this reads
/// the first lines instead of all of them: generating the whole table
/// costs the kernel milliseconds. `None` when the kernel reports no mount
/// ID (before Linux 5.8) or the table cannot be read: use
/// [`MountTable::resolve`] on the whole table then.
pub fn mount_of(path: &Path) -> Option<Mount> {
    let id = mount_id(path)?;
    line_of(Path::new(SELF_MOUNTINFO), id).ok().flatten()
}

/// statx(2)'s mount ID of `path`, or of its nearest existing ancestor:
/// `STATX_MNT_ID` (the ID mountinfo shows) or `STATX_MNT_ID_UNIQUE` (the
/// one statmount(2) takes), as `mask` asks.
fn mount_id_as(path: &Path, mask: libc::c_uint) -> Option<u64> {
    let mut p = path;
    loop {
        let c = std::ffi::CString::new(p.as_os_str().as_bytes()).ok()?;
        // SAFETY: an all-zero statx is a valid value of the plain C struct.
        let mut st: libc::statx = unsafe { std::mem::zeroed() };
        // SAFETY: a NUL-terminated path and a statx the call may write.
        let rc = unsafe { libc::statx(libc::AT_FDCWD, c.as_ptr(), 0, mask, &mut st) };
        if rc == 0 {
            return (st.stx_mask & mask != 0).then_some(st.stx_mnt_id);
        }
        match io::Error::last_os_error().raw_os_error() {
            Some(libc::ENOENT) => p = p.parent()?,
            _ => return None,
        }
    }
}

fn mount_id(path: &Path) -> Option<u64> {
    mount_id_as(path, libc::STATX_MNT_ID)
}

/// statmount(2), Linux 6.8 and later: its number on this architecture, the
/// request (`struct mnt_id_req`, first version) and the one part of
/// `struct statmount` read here (include/uapi/linux/mount.h).
#[cfg(target_arch = "x86_64")]
const SYS_STATMOUNT: libc::c_long = 457;
#[cfg(target_arch = "aarch64")]
const SYS_STATMOUNT: libc::c_long = 457;
const STATMOUNT_MNT_BASIC: u64 = 0x2;
/// `mask` at byte 8 of the reply, `mnt_propagation` at byte 72.
const STATMOUNT_MASK_AT: usize = 1;
const STATMOUNT_PROPAGATION_AT: usize = 9;
const MS_SHARED: u64 = 1 << 20;

#[repr(C)]
struct MntIdReq {
    size: u32,
    spare: u32,
    mnt_id: u64,
    param: u64,
}

/// Whether the mount `path` is on (or its nearest existing ancestor's) is
/// shared, asked of the kernel with statx(2) and statmount(2), without
/// reading the mount table. `None` where the kernel cannot tell that way
/// (before Linux 6.8, or another architecture): read the table then.
pub fn shared_here(path: &Path) -> Option<bool> {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let id = mount_id_as(path, libc::STATX_MNT_ID_UNIQUE)?;
        let req = MntIdReq {
            size: std::mem::size_of::<MntIdReq>() as u32,
            spare: 0,
            mnt_id: id,
            param: STATMOUNT_MNT_BASIC,
        };
        // the reply, 8-byte aligned: the fixed part is 512 bytes at most in
        // every kernel so far, and no string is asked for
        let mut buf = [0u64; 64];
        // SAFETY: the request and a buffer of the size given, both live
        // for the call; the kernel writes at most that many bytes.
        let rc = unsafe {
            libc::syscall(
                SYS_STATMOUNT,
                &req as *const MntIdReq,
                buf.as_mut_ptr(),
                std::mem::size_of_val(&buf),
                0,
            )
        };
        if rc != 0 || buf[STATMOUNT_MASK_AT] & STATMOUNT_MNT_BASIC == 0 {
            return None;
        }
        Some(buf[STATMOUNT_PROPAGATION_AT] & MS_SHARED != 0)
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let _ = path;
        None
    }
}

/// The line of mount `id` in the mountinfo file at `file`, reading no
/// further than that line (and at most [`MAX_BYTES`]).
pub fn line_of(file: &Path, id: u64) -> io::Result<Option<Mount>> {
    let mut r = BufReader::new(std::fs::File::open(file)?.take(MAX_BYTES));
    let mut line = Vec::new();
    let want = id.to_string();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        if line.split(|&b| b == b' ').next() == Some(want.as_bytes()) {
            let t = MountTable::parse(&line).map_err(io::Error::other)?;
            return Ok(t.mounts.into_iter().next());
        }
    }
}

/// Undoes mountinfo's `\ooo` escapes (the kernel writes space, tab,
/// newline and backslash that way).
fn unescape(b: &[u8]) -> OsString {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|d| (b'0'..=b'7').contains(d))
        {
            let v = (u32::from(b[i + 1] - b'0') << 6)
                | (u32::from(b[i + 2] - b'0') << 3)
                | u32::from(b[i + 3] - b'0');
            if let Ok(byte) = u8::try_from(v) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    OsString::from_vec(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host like this machine's: `/` private, a shared /run, a read-only
    /// /usr, and a sandbox's tmpfs over /var that hides an earlier
    /// read-only mount at /var/lib.
    const TABLE: &str = "\
20 1 0:20 / / rw,relatime - ext4 /dev/vda rw
21 20 0:21 / /run rw,nosuid shared:5 - tmpfs tmpfs rw,mode=755
22 20 0:22 / /usr ro,relatime - ext4 /dev/vdb rw
23 20 0:23 / /var/lib ro,relatime master:7 - ext4 /dev/vdc rw
24 20 0:24 / /var rw,relatime shared:9 master:3 - tmpfs kw-test rw
25 24 0:25 / /var/lib/kubelet rw - tmpfs tmpfs rw
26 20 0:26 /srv/a\\040b /mnt/with\\040space rw,noexec unbindable - ext4 /dev/vdd ro
27 21 0:27 / /run rw - tmpfs over-run rw
";

    fn table() -> MountTable {
        MountTable::parse(TABLE.as_bytes()).unwrap()
    }

    fn on(path: &str) -> u64 {
        table().resolve(Path::new(path)).unwrap().id
    }

    #[test]
    fn parses_fields_escapes_and_propagation() {
        let t = table();
        assert_eq!(t.mounts.len(), 8);
        let m = &t.mounts[6];
        assert_eq!(m.point, Path::new("/mnt/with space"));
        assert_eq!(m.root, Path::new("/srv/a b"));
        assert_eq!(m.propagation, Propagation::Unbindable);
        assert!(m.read_only(), "super option ro");
        assert!(m.no_exec());
        assert_eq!(t.mounts[0].propagation, Propagation::Private);
        assert_eq!(t.mounts[1].propagation, Propagation::Shared);
        assert_eq!(t.mounts[3].propagation, Propagation::Slave);
        assert_eq!(t.mounts[4].propagation, Propagation::SharedAndSlave);
        assert!(t.mounts[4].propagation.sends());
        assert!(!t.mounts[3].propagation.sends());
        assert_eq!(t.mounts[2].fstype, "ext4");
        assert_eq!(t.mounts[4].source, OsString::from("kw-test"));
    }

    #[test]
    fn resolves_like_path_lookup() {
        assert_eq!(on("/"), 20);
        assert_eq!(on("/etc/kubernetes"), 20);
        assert_eq!(on("/usr/lib/os-release"), 22);
        assert_eq!(on("/usr"), 22);
        assert_eq!(on("/usr2"), 20, "component-wise, not by text");
        // the later tmpfs over /var hides the read-only /var/lib below it
        assert_eq!(on("/var/lib/docker"), 24);
        assert!(
            !table()
                .resolve(Path::new("/var/lib/docker"))
                .unwrap()
                .read_only()
        );
        assert_eq!(on("/var/lib/kubelet/pods"), 25);
        // a mount stacked at /run hides the first one
        assert_eq!(on("/run/kubelet"), 27);
        assert_eq!(table().resolve(Path::new("relative")), None);
    }

    #[test]
    fn a_chroot_root_has_an_unlisted_parent() {
        let t = MountTable::parse(
            b"300 250 0:1 /x / rw - ext4 /dev/a rw\n301 300 0:2 / /proc rw - proc proc rw\n",
        )
        .unwrap();
        assert_eq!(t.resolve(Path::new("/proc/1")).unwrap().id, 301);
        assert_eq!(t.resolve(Path::new("/etc")).unwrap().id, 300);
    }

    #[test]
    fn rejects_what_the_kernel_never_writes() {
        for bad in [
            "x 1 0:1 / / rw - ext4 a rw\n",
            "1 1 0:1 / / rw ext4 a rw\n",
            "1 1 0:1 / - ext4 a rw\n",
            "1 1 0:1 / / rw -\n",
        ] {
            assert!(MountTable::parse(bad.as_bytes()).is_err(), "{bad}");
        }
        assert_eq!(MountTable::parse(b"").unwrap().mounts.len(), 0);
    }

    #[test]
    fn unescape_undoes_the_kernels_escapes() {
        assert_eq!(
            unescape(b"a\\040b\\011c\\012d\\134e"),
            OsString::from("a b\tc\nd\\e")
        );
        assert_eq!(
            unescape(b"\\04"),
            OsString::from("\\04"),
            "short escape kept"
        );
        assert_eq!(
            unescape(b"\\777"),
            OsString::from("\\777"),
            "over a byte kept"
        );
    }

    #[test]
    fn the_kernel_and_the_table_agree_on_a_paths_mount() {
        let t = MountTable::read().unwrap();
        for p in [
            "/",
            "/proc/self",
            "/proc/self/nonexistent/deeper",
            "/sys/fs/cgroup",
            "/dev",
            "/tmp",
        ] {
            let by_kernel = mount_of(Path::new(p)).expect("Linux 5.8 or later reports mount IDs");
            let real = std::fs::canonicalize(p)
                .unwrap_or_else(|_| Path::new("/proc/self").canonicalize().unwrap());
            assert_eq!(Some(&by_kernel), t.resolve(&real), "{p}");
        }
    }

    #[test]
    fn statmount_and_the_table_agree_on_sharing() {
        let t = MountTable::read().unwrap();
        let mut asked = 0;
        for m in &t.mounts {
            let p = &m.point;
            // only mounts that path lookup reaches at their own point
            if t.resolve(p).map(|r| r.id) != Some(m.id) {
                continue;
            }
            match shared_here(p) {
                None => {
                    eprintln!("skipped: this kernel has no statmount(2) (Linux 6.8 and later)");
                    return;
                }
                Some(shared) => assert_eq!(
                    shared,
                    m.propagation.sends() || m.propagation == Propagation::Shared,
                    "{}",
                    p.display()
                ),
            }
            asked += 1;
        }
        assert!(asked > 0);
    }

    #[test]
    fn line_of_stops_at_the_mount_and_finds_only_it() {
        let dir = std::env::temp_dir().join(format!("kw-mountinfo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("mountinfo");
        // the line after the one asked for is not mountinfo at all: never
        // read when looking for an earlier mount
        let cut = &TABLE[..TABLE.find("24 20").unwrap()];
        std::fs::write(&f, format!("{cut}24 garbage\n")).unwrap();
        assert_eq!(
            line_of(&f, 23).unwrap().unwrap().point,
            Path::new("/var/lib")
        );
        assert!(line_of(&f, 24).is_err(), "its own line is parsed");
        std::fs::write(&f, TABLE).unwrap();
        assert_eq!(line_of(&f, 99).unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_this_process_table() {
        let t = MountTable::read().unwrap();
        let root = t.resolve(Path::new("/")).unwrap();
        assert_eq!(root.point, Path::new("/"));
        let proc_mount = t.resolve(Path::new("/proc/self")).unwrap();
        assert_eq!(proc_mount.fstype, "proc");
    }
}
