//! `generate`: the tool's man pages and shell completions, from its clap
//! definition. The packaged copies (docs/man/, completions/) are made with
//! this; tests/cli.rs fails when they differ.

use super::cli::{Cli, Shell};
use super::manpages::PAGES_DATE;
use super::output::Failure;
use clap::CommandFactory;
use std::path::Path;

/// The tool's definition with the crate's version only: the pages and
/// scripts must not change with every commit (the revision is in
/// `--version`, not in them).
fn command() -> clap::Command {
    Cli::command().version(env!("CARGO_PKG_VERSION"))
}

/// The completion script for `shell`.
pub fn completion(shell: Shell) -> String {
    let mut out = Vec::new();
    let mut cmd = command();
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(generator, &mut cmd, "kubelet-wrapperctl", &mut out);
    let script = String::from_utf8(out).expect("completions are UTF-8");
    match shell {
        // clap_complete 4.6 spells a hyphenated program name one way where
        // it tracks the subcommand typed (kubelet__wrapperctl__subcmd__check)
        // and another in the case arms that complete it
        // (kubelet__subcmd__wrapperctl__subcmd__check), so nothing after a
        // subcommand completed (clap-rs/clap#6421): one spelling it is.
        Shell::Bash => script.replace("kubelet__subcmd__wrapperctl", "kubelet__wrapperctl"),
        _ => script,
    }
}

/// Writes `kubelet-wrapperctl.1` and one page per subcommand
/// (`kubelet-wrapperctl-render.1`, ...), the wrapper's own
/// `kubelet-wrapper.8` and the release file format's
/// `kubelet-wrapper.defaults.5` into `dir`; returns their names.
pub fn man(dir: &Path) -> Result<String, Failure> {
    let fail = |e: std::io::Error| {
        Failure(
            1,
            format!("cannot write man pages into {}: {e}", dir.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    fn each(cmd: clap::Command, dir: &Path) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            each(sub, dir)?;
        }
        let man = clap_mangen::Man::new(cmd).date(PAGES_DATE);
        let mut page = Vec::new();
        man.render(&mut page)?;
        // clap_mangen 0.3 writes a blank line between two .br before an
        // option's possible values, which man(7) reads as .sp, and
        // mandoc -T lint warns about: one break says the same
        let page = String::from_utf8_lossy(&page).replace("\n.br\n\n.br\n", "\n.br\n");
        std::fs::write(dir.join(man.get_filename()), page)?;
        Ok(())
    }
    let mut cmd = command().disable_help_subcommand(true);
    cmd.build();
    each(cmd, dir).map_err(fail)?;
    std::fs::write(dir.join("kubelet-wrapper.8"), super::manpages::wrapper()).map_err(fail)?;
    std::fs::write(
        dir.join("kubelet-wrapper.defaults.5"),
        super::manpages::defaults_format(),
    )
    .map_err(fail)?;
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(fail)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            (n.starts_with("kubelet-wrapperctl") && n.ends_with(".1"))
                || n == "kubelet-wrapper.8"
                || n == "kubelet-wrapper.defaults.5"
        })
        .collect();
    names.sort();
    Ok(names
        .iter()
        .map(|n| format!("{}\n", dir.join(n).display()))
        .collect())
}
