//! The system layer: the defaults file format ([`model`]) and its JSON
//! Schema ([`schema`]), release versions and the selection rule
//! ([`version`]) and the files embedded in this binary ([`registry`]).
//!
//! How to add a release: write `defaults/<release>.json` (copy the previous
//! file and change what the release changes), run `cargo build`; the build
//! validates it with [`model::Defaults::problems`] and fails naming the file
//! and the rule broken. `kubelet-wrapperctl defaults show <release>` prints
//! what the release will run, and `kubelet-wrapperctl defaults diff <previous>
//! <release>` what changes for the kubelet, for the review.

pub mod model;
pub mod overlap;
pub mod registry;
pub mod schema;
pub mod version;

pub use model::Defaults;
pub use version::Version;
