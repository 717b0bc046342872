//! `kubelet-wrapperctl`: the companion tool, one module per subcommand.
//! It shows what the wrapper would run ([`render`], [`explain`]), checks a
//! kubelet unit before rollout ([`check`]), inspects the embedded system
//! defaults ([`defaults`]) and writes its own man pages and completions
//! ([`generate`]); it never changes anything on the host. The binary
//! (`src/bin/kubelet-wrapperctl.rs`) only calls [`main`].
//!
//! How to add a subcommand: a variant of [`Command`] with its arguments
//! (every one with help text, and `--format text|json` if it prints, text
//! by default) in
//! [`cli`], a module here with a function returning
//! `Result<Output, Failure>`, its arm in [`main`], and docs/admin.md's section
//! on the tool; then regenerate the man pages and completions (`generate`,
//! tests/cli.rs says how).
//!
//! Conventions: messages go to stderr prefixed `kubelet-wrapperctl: `
//! ([`cli::PROGRAM`]), results to stdout; a result that cannot be written
//! is an error (exit 1) too ([`output`]).
//!
//! Inside, the arrows point down too: this file (the `main`) uses the
//! subcommands, which use [`input`] (the release and admin layer) and
//! [`output`], which use [`cli`] (the definitions) and [`unitfile`].

pub mod check;
pub mod cli;
pub mod defaults;
pub mod describe;
pub mod explain;
pub mod generate;
pub mod input;
pub mod json;
pub mod layer_diff;
pub mod manpages;
pub mod output;
pub mod render;
pub mod unitfile;

pub use cli::Cli;

use clap::Parser;
use cli::{Command, DefaultsCommand, GenerateCommand};
use input::{Layer, admin_layer, unit_errors};
use output::{Failure, Output, say, usage_error, write_stdout};
use std::path::Path;
use std::process::ExitCode;

/// Runs the tool on the process's arguments and environment.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let result = match cli.command {
        Command::Render {
            release,
            format,
            unit,
            kubelet,
        } => admin_layer(
            unit.unit.as_deref(),
            &unit.drop_in,
            root(&unit.root),
            kubelet,
        )
        .and_then(|l| {
            render::render(release.release.as_deref(), format, &l).map(|s| with_unit_errors(s, &l))
        }),
        Command::Explain {
            release,
            format,
            unit,
            kubelet,
        } => admin_layer(
            unit.unit.as_deref(),
            &unit.drop_in,
            root(&unit.root),
            kubelet,
        )
        .and_then(|l| {
            explain::explain(release.release.as_deref(), format, &l)
                .map(|s| with_unit_errors(s, &l))
        }),
        Command::Check {
            release,
            format,
            unit,
            no_host,
            strict,
        } => check::check(
            &unit.unit,
            &unit.drop_in,
            root(&unit.root),
            release.release.as_deref(),
            format,
            check::Options {
                host: !no_host,
                strict,
            },
        ),
        Command::Defaults(DefaultsCommand::List { format }) => {
            defaults::list(format).map(Output::from)
        }
        Command::Defaults(DefaultsCommand::Show { release, format }) => {
            defaults::show(&release, format).map(Output::from)
        }
        Command::Defaults(DefaultsCommand::Diff { from, to, format }) => {
            defaults::diff(&from, &to, format).map(Output::from)
        }
        Command::Defaults(DefaultsCommand::Validate { files, format }) => {
            Ok(defaults::validate(&files, format))
        }
        Command::Defaults(DefaultsCommand::Schema) => {
            Ok(Output::from(crate::release::schema::to_json()))
        }
        Command::Generate(GenerateCommand::Man { dir }) => generate::man(&dir).map(Output::from),
        Command::Generate(GenerateCommand::Completion { shell }) => {
            Ok(Output::from(generate::completion(shell)))
        }
    };
    match result {
        Ok(out) => {
            if let Err(code) = write_stdout(out.stdout.as_bytes()) {
                return code;
            }
            for m in &out.stderr {
                say(m);
            }
            ExitCode::from(out.status)
        }
        Err(Failure(code, msg)) => {
            // several problems at once are one line each (their values
            // are escaped: a line break in one is "\n")
            for line in msg.split('\n') {
                say(line);
            }
            ExitCode::from(code)
        }
    }
}

/// The node's root: `--root`'s directory, else `/`.
fn root(given: &Option<std::path::PathBuf>) -> &Path {
    given.as_deref().unwrap_or(Path::new("/"))
}

/// A result, with the unit's errors on stderr (what is printed is what
/// systemd would do with the unit as it is).
fn with_unit_errors(stdout: String, layer: &Layer) -> Output {
    let mut stderr = unit_errors(layer);
    if let (false, Some(u)) = (stderr.is_empty(), &layer.unit) {
        stderr.push(format!(
            "the unit has errors: kubelet-wrapperctl check --unit {} says what to change",
            crate::text::quote::escape(u.files[0].as_os_str().as_encoded_bytes())
        ));
    }
    Output {
        stdout,
        stderr,
        status: 0,
    }
}
