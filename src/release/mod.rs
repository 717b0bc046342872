//! The release layer: what an OS release gives the kubelet, and which
//! release a binary runs as.
//!
//! - [`model`]: the release file format (`defaults/<release>.json`), with
//!   its validation; [`schema`] its JSON Schema;
//! - [`version`]: release versions and the selection rule, as pure
//!   functions over the files' versions;
//! - [`registry`]: the files embedded in this binary, and the pin;
//! - [`select`]: the one place where a release is chosen: the pin, a
//!   release asked for, or the host's, from its os-release ([`os_release`]
//!   parses it; `host::os_release` reads it);
//! - [`overlap`]: an admin's mount against the release's volumes.
//!
//! How to add a release: write `defaults/<release>.json` (copy the previous
//! file and change what the release changes), run `cargo build`; the build
//! validates it with [`model::Defaults::problems`] and fails naming the file
//! and the rule broken. `kubelet-wrapperctl defaults show <release>` prints
//! what the release will run, and `kubelet-wrapperctl defaults diff <previous>
//! <release>` what changes for the kubelet, for the review
//! (docs/release-engineering.md).

pub mod model;
pub mod os_release;
pub mod overlap;
pub mod registry;
pub mod schema;
pub mod select;
pub mod version;

pub use model::Defaults;
pub use version::Version;
