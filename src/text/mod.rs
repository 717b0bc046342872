//! Text: showing any bytes as one inert line, and splitting values into
//! words. Below everything else: every layer writes messages and reads the
//! admin's values with these.
//!
//! - [`quote`]: message escapes, the trace line's bash quoting, POSIX sh
//!   words for scripts (JSON of any bytes is the ctl's:
//!   `ctl::json`);
//! - [`words`]: a value split into words as an unquoted shell expansion
//!   splits it.

pub mod quote;
pub mod words;
