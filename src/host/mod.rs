//! Host facts: what the wrapper and the tool read of the machine they run
//! on, each read defensively, and the one change to the host's mounts the
//! wrapper may make.
//!
//! - [`bounded`]: a file read only when it is a regular file, up to a size;
//! - [`os_release`]: the host's os-release file;
//! - [`mountinfo`]: the mount table, and which mount a path is really on;
//! - [`propagation`]: whether a volume's source passes the kubelet's mounts
//!   on to the host, and making it so.

pub mod bounded;
pub mod mountinfo;
pub mod os_release;
pub mod propagation;
