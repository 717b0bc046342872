//! kubelet-wrapper: runs the kubelet in a container engine with exactly the
//! host access its OS release gives it.
//!
//! A pure core decides, a thin shell acts:
//!
//! ```text
//! defaults/*.json --build.rs: parse + validate + embed--> defaults::registry
//! environment + argv ----------------------------------> admin::AdminConfig
//!   plan::plan(release defaults, admin layer, kubelet args) -> Plan   [pure]
//!   engine::rkt renders the command                                  [pure]
//!   launch: mkdir -p, one `+ exec` line, execve                      [effects]
//! ```
//!
//! Both binaries (`kubelet-wrapper`, `kubelet-wrapperctl`) and the tests use
//! this library; only [`launch`] and the binaries' `main` touch the host.

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
