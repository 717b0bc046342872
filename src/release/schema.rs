//! The JSON Schema of the defaults format, derived from [`super::model`].
//!
//! The schema is committed as `defaults/schema.json`, and every release file
//! names it with `"$schema": "schema.json"`, so an editor completes field
//! names and flags unknown ones while a release engineer writes a new file.
//! It describes the shape only: the rules of the format (absolute paths,
//! unique names, the file named after its release, ...) are checked by
//! [`super::model::check_file`] in `build.rs` and `defaults validate`.
//!
//! The model is the source of truth: the schema is generated from it by
//! `schemars`, with the model's doc comments as descriptions. A test fails
//! when the committed file and the model disagree; [`REGENERATE`] says how to
//! bring the file up to date.

use super::model::Defaults;
use schemars::generate::SchemaSettings;
use serde_json::Value;

/// The command that rewrites `defaults/schema.json` from the model.
pub const REGENERATE: &str =
    "cargo run --quiet --bin kubelet-wrapperctl -- defaults schema > defaults/schema.json";

/// The schema of one defaults file, as JSON.
///
/// The JSON Schema draft is fixed (2020-12) rather than left to the
/// generator's default, so that upgrading `schemars` does not silently
/// change the committed file's dialect.
pub fn schema() -> Value {
    let mut schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Defaults>();
    schema.insert(
        "title".into(),
        Value::from("kubelet-wrapper release defaults"),
    );
    schema.to_value()
}

/// [`schema`] as the text committed in `defaults/schema.json`.
pub fn to_json() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a JSON value serializes");
    text.push('\n');
    text
}
