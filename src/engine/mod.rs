//! Renderers: one module per container engine, each turning the release's
//! settings and the admin layer into the engine's argv.
//!
//! How to add an engine: add a variant to [`crate::defaults::model::Engine`]
//! with the engine's release-fixed settings, a module here with a `render`
//! function, and a match arm in [`crate::plan::plan`]. Historical releases
//! keep rendering through [`rkt`] unchanged.

pub mod rkt;
