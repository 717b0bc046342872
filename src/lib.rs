//! kubelet-wrapper: runs the kubelet in a container engine with exactly the
//! host access its OS release gives it.
//!
//! A pure core decides, a thin shell acts. What flows where, for the
//! wrapper (`src/bin/kubelet-wrapper.rs`):
//!
//! ```text
//! defaults/*.json --build.rs: parse + validate + embed--> release::registry    every file; the pin
//! the host's os-release --host::os_release--> release::select --> release::model::Defaults
//! the environment --admin::AdminConfig::from_process_env--> admin::AdminConfig
//! plan::plan(defaults, admin layer, kubelet flags) -> plan::Plan             [pure]
//!   engine::{rkt, oci, nspawn}: the command, each argument with its origin (engine::command)
//!   engine::translate: the admin's rkt arguments, for another engine
//!   plan::checks: the release's rules for the admin layer, which read words
//!     with the engines' own grammars (engine::{rkt_flags, oci_flags, mounts})
//!   host::propagation: which volume sources must be shared
//! launch::run(plan): the engine found, directories made, sources shared,   [effects]
//!   the commands to run before, one `+ exec` line, execve
//! ```
//!
//! `kubelet-wrapperctl` ([`ctl`]) makes the same plan without acting on it
//! (`render` is the dry run), from the environment, or from a kubelet unit
//! read as systemd reads it ([`admin::unit`]: the unit's environment and
//! kubelet flags), and checks a unit against a node (`check`).
//!
//! The modules, lowest first; each uses only modules above it here:
//!
//! | module | what | on the host |
//! |---|---|---|
//! | [`text`] | any bytes as one inert line ([`text::quote`]); values split into words ([`text::words`]) | pure |
//! | [`release`] | the release layer: the file format, versions and the selection rule, the embedded files, the one place a release is chosen | pure |
//! | [`host`] | host facts: bounded reads, the host's os-release, the mount table, the propagation of a volume's source | reads; [`host::propagation::make_shared`] changes a mount |
//! | [`admin`] | the admin layer: the environment as [`admin::AdminConfig`], its notices; [`admin::unit`]: a unit as systemd reads it | pure, but [`admin::AdminConfig::from_process_env`] reads this process's environment |
//! | [`engine`] | a renderer per engine, rkt arguments carried to the others, the engines' grammars, the command's arguments | pure |
//! | [`plan`] | where the layers meet: [`plan::plan`], and the release's checks of the admin layer ([`plan::checks`]) | pure |
//! | [`launch`] | the only code that acts for the wrapper | acts |
//! | [`ctl`] | `kubelet-wrapperctl`, a module per subcommand ([`ctl::json`]: its JSON) | reads (unit files, the mount table); writes only what `generate` is asked to |
//!
//! Where to add:
//!
//! - an engine: [`engine`] says how;
//! - a release: a file in `defaults/` ([`release`] says how;
//!   docs/release-engineering.md is the whole procedure);
//! - an admin variable: [`admin`] says how;
//! - a check of the admin layer: [`plan::checks`]; a finding of `check
//!   --unit`: [`ctl::check`];
//! - a subcommand of the tool: [`ctl`] says how.
//!
//! docs/development.md has the build, the tests, the fuzzing, the
//! benchmarks and, for each of these, the tests and generated files that
//! go with it.

pub mod admin;
pub mod ctl;
pub mod engine;
pub mod host;
pub mod launch;
pub mod plan;
pub mod release;
pub mod text;

/// Prefix of every message the wrapper and the tool print.
pub const PROGRAM: &str = "kubelet-wrapper";
