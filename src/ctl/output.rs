//! What a subcommand gives back, and how the tool prints it: results on
//! stdout (a result that cannot be written is an error), messages on
//! stderr with the tool's prefix, clap's own errors likewise.

use super::cli::PROGRAM;
use std::io::{self, Write};
use std::process::ExitCode;

/// A failure with its exit status and message (printed with the prefix).
pub struct Failure(pub u8, pub String);

/// What a subcommand prints, and its exit status.
pub struct Output {
    pub stdout: String,
    /// Messages for stderr, each printed with the prefix.
    pub stderr: Vec<String>,
    pub status: u8,
}

impl From<String> for Output {
    fn from(stdout: String) -> Output {
        Output {
            stdout,
            stderr: Vec::new(),
            status: 0,
        }
    }
}

/// Writes one `kubelet-wrapperctl: ` line on stderr: one inert line, as
/// the wrapper's ([`crate::text::quote::line`]), whatever value reached it.
pub fn say(msg: &str) {
    let _ = writeln!(
        io::stderr().lock(),
        "{PROGRAM}: {}",
        crate::text::quote::line(msg)
    );
}

/// Writes the result; a result that cannot be written is a failure. A
/// reader that went away (`| head`) ends the tool quietly, as the default
/// SIGPIPE would.
pub fn write_stdout(bytes: &[u8]) -> Result<(), ExitCode> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(ExitCode::from(1)),
        Err(e) => {
            say(&format!("cannot write to standard output: {e}"));
            Err(ExitCode::from(1))
        }
    }
}

/// clap's own errors with the tool's prefix; help and version on stdout.
pub fn usage_error(e: clap::Error) -> ExitCode {
    let code = ExitCode::from(e.exit_code() as u8);
    if !e.use_stderr() {
        return match write_stdout(e.to_string().as_bytes()) {
            Ok(()) => code,
            Err(c) => c,
        };
    }
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let _ = write!(io::stderr().lock(), "{PROGRAM}: {text}");
    code
}
