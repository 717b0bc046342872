//! `kubelet-wrapperctl`: the companion tool. Shows what the wrapper would
//! run (`render`, `explain`) and inspects the embedded system defaults
//! (`defaults ...`). It never changes anything on the host.

use clap::{Parser, Subcommand, ValueEnum};
use kubelet_wrapper::admin::AdminConfig;
use kubelet_wrapper::defaults::Version;
use kubelet_wrapper::defaults::diff::{self as layer_diff, Change};
use kubelet_wrapper::defaults::model::{self, Defaults};
use kubelet_wrapper::defaults::registry::{self, ReleaseFile, ReleaseSource};
use kubelet_wrapper::defaults::schema;
use kubelet_wrapper::plan::{self, Plan};
use kubelet_wrapper::{PROGRAM, json, quote};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Inspect what kubelet-wrapper runs and the system defaults it embeds.
///
/// kubelet-wrapper itself takes no options: every argument is a kubelet flag
/// and the admin layer comes from the environment (KUBELET_IMAGE_TAG,
/// RKT_RUN_ARGS, ...). This tool reads the same environment and shows the
/// result without changing anything.
#[derive(Parser)]
#[command(name = "kubelet-wrapperctl", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the command and directories the wrapper would use.
    ///
    /// Reads the admin environment exactly as the wrapper does. On an admin
    /// error prints the wrapper's message and exits 1.
    Render {
        /// Release to render for (MAJOR.MINOR.PATCH). Default: the release
        /// this binary is pinned to, or the host's os-release VERSION_ID.
        #[arg(long, value_name = "R")]
        release: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// The kubelet's flags, after `--`, passed on byte for byte.
        #[arg(last = true, value_name = "KUBELET_FLAGS", allow_hyphen_values = true)]
        kubelet: Vec<OsString>,
    },
    /// Explain each argument of the command and where it comes from.
    Explain {
        /// Release to explain for. Default: pinned or detected release.
        #[arg(long, value_name = "R")]
        release: Option<String>,
        #[arg(last = true, value_name = "KUBELET_FLAGS", allow_hyphen_values = true)]
        kubelet: Vec<OsString>,
    },
    /// Inspect the embedded release defaults.
    #[command(subcommand)]
    Defaults(DefaultsCommand),
}

#[derive(Subcommand)]
enum DefaultsCommand {
    /// List every embedded release file and which one this binary uses.
    List,
    /// Show the system layer that release R uses.
    Show {
        #[arg(value_name = "R")]
        release: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Show what changes for the kubelet from release A to release B.
    ///
    /// A and B are release versions (MAJOR.MINOR.PATCH); each uses the
    /// defaults file the selection rule picks for it, as `show` does. The
    /// changes are those the kubelet would notice: volumes added, removed,
    /// renamed or moved, read-only and recursive flags, host and container
    /// paths, stage1, trust rules and what they do to the default image, the
    /// default image, run flags, image arguments, the directories created.
    /// Review a new release file with `diff <previous release> <new release>`.
    Diff {
        #[arg(value_name = "A")]
        from: String,
        #[arg(value_name = "B")]
        to: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Check defaults files as the build does; exit 1 on any problem.
    Validate {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the defaults format.
    ///
    /// It is derived from the format's definition and committed as
    /// defaults/schema.json, which every release file names in "$schema" so
    /// that editors can check and complete it. After changing the format,
    /// regenerate the committed file with
    /// `kubelet-wrapperctl defaults schema > defaults/schema.json`.
    Schema,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Shell,
}

#[derive(Clone, Copy, ValueEnum)]
enum ShowFormat {
    Text,
    Json,
}

/// A failure with its exit status.
struct Failure(u8, String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Render {
            release,
            format,
            kubelet,
        } => render(release.as_deref(), format, &kubelet),
        Command::Explain { release, kubelet } => explain(release.as_deref(), &kubelet),
        Command::Defaults(DefaultsCommand::List) => list(),
        Command::Defaults(DefaultsCommand::Show { release, format }) => show(&release, format),
        Command::Defaults(DefaultsCommand::Diff { from, to, format }) => diff(&from, &to, format),
        Command::Defaults(DefaultsCommand::Validate { files }) => validate(&files),
        Command::Defaults(DefaultsCommand::Schema) => Ok(schema::to_json()),
    };
    match result {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(Failure(code, msg)) => {
            eprintln!("{PROGRAM}: {msg}");
            ExitCode::from(code)
        }
    }
}

/// The release asked for, or the one the wrapper would run as.
struct Target {
    /// What to report as `release`.
    release: String,
    source: &'static str,
    file: ReleaseFile,
}

fn target(release: Option<&str>) -> Result<Target, Failure> {
    if let Some(r) = release {
        let v = Version::parse(r).map_err(|e| Failure(1, format!("--release: {e}")))?;
        return Ok(Target {
            release: r.to_string(),
            source: "option",
            file: registry::select(v),
        });
    }
    let (version, source, file) = registry::runtime(Path::new("/"));
    let (release, source) = match (&version, source) {
        (Some(v), ReleaseSource::Pinned) => (v.to_string(), "pinned"),
        (Some(v), ReleaseSource::Detected(_)) => (v.to_string(), "os-release"),
        _ => ("auto".to_string(), "newest"),
    };
    Ok(Target {
        release,
        source,
        file,
    })
}

fn make_plan(t: &Target, kubelet: &[OsString]) -> Result<(Defaults, Plan), Failure> {
    let defaults = t.file.parse();
    let admin = AdminConfig::from_process_env();
    let plan = plan::plan(&defaults, &admin, kubelet).map_err(|e| Failure(1, e.to_string()))?;
    Ok((defaults, plan))
}

fn render(release: Option<&str>, format: Format, kubelet: &[OsString]) -> Result<String, Failure> {
    let t = target(release)?;
    let (_, plan) = make_plan(&t, kubelet)?;
    let argv = plan.argv();
    Ok(match format {
        Format::Json => {
            let dirs: Vec<OsString> = plan
                .directories
                .iter()
                .map(|d| d.clone().into_os_string())
                .collect();
            let notices: Vec<OsString> = plan.notices.iter().map(OsString::from).collect();
            let origins: Vec<OsString> = plan
                .argv
                .iter()
                .map(|a| OsString::from(a.origin.to_string()))
                .collect();
            let trust = match &plan.trust {
                None => "null".to_string(),
                Some(tr) => format!(
                    "{{\"rule\": {}, \"policy\": {}, \"condition\": {}}}",
                    tr.rule,
                    json::string(&tr.policy.to_string()),
                    json::string(&tr.condition)
                ),
            };
            let mut image = String::new();
            json::string_into(
                &mut image,
                std::os::unix::ffi::OsStrExt::as_bytes(plan.image.as_os_str()),
            );
            format!(
                "{{\n  \"release\": {},\n  \"release_source\": {},\n  \"defaults\": {},\n  \"engine\": {},\n  \"before\": [{}],\n  \"argv\": {},\n  \"directories\": {},\n  \"notices\": {},\n  \"origins\": {},\n  \"image\": {},\n  \"trust\": {}\n}}\n",
                json::string(&t.release),
                json::string(t.source),
                json::string(&plan.defaults.to_string()),
                json::string(plan.engine),
                plan.before
                    .iter()
                    .map(|c| json::array(c.iter().map(|a| a.value.as_os_str())))
                    .collect::<Vec<_>>()
                    .join(", "),
                json::array(argv.iter().map(|a| a.as_os_str())),
                json::array(dirs.iter().map(|a| a.as_os_str())),
                json::array(notices.iter().map(|a| a.as_os_str())),
                json::array(origins.iter().map(|a| a.as_os_str())),
                image,
                trust,
            )
        }
        Format::Shell => {
            let mut out = format!(
                "#!/bin/sh\n# What kubelet-wrapper runs for release {} (defaults {}).\nset -e\n",
                t.release, plan.defaults
            );
            for n in &plan.notices {
                out.push_str(&format!("# notice: {n}\n"));
            }
            for d in &plan.directories {
                let q = quote::join([d.as_os_str()]);
                out.push_str(&format!("mkdir -p {}\n", String::from_utf8_lossy(&q)));
            }
            out.push_str("exec ");
            out.push_str(&String::from_utf8_lossy(&quote::join(
                argv.iter().map(|a| a.as_os_str()),
            )));
            out.push('\n');
            out
        }
    })
}

fn explain(release: Option<&str>, kubelet: &[OsString]) -> Result<String, Failure> {
    let t = target(release)?;
    let (defaults, plan) = make_plan(&t, kubelet)?;
    let source = match t.source {
        "option" => "given with --release",
        "pinned" => "pinned at build time",
        "os-release" => "read from os-release",
        _ => "no usable os-release VERSION_ID: newest defaults",
    };
    let mut out = format!(
        "release   {} ({source})\ndefaults  defaults/{}.json: {}\n",
        t.release, plan.defaults, defaults.summary
    );
    out.push_str(&format!("engine    {}\n", plan.engine));
    out.push_str(&format!("image     {}\n", plan.image.to_string_lossy()));
    match &plan.trust {
        Some(tr) => {
            let what = if !tr.description.is_empty() {
                tr.description.as_str()
            } else {
                match tr.policy {
                    model::TrustPolicy::Verify => "the image signature is verified",
                    model::TrustPolicy::Insecure => "image verification is switched off",
                }
            };
            out.push_str(&format!("trust     {} (rule {} for {}): {what}\n", tr.policy, tr.rule, tr.condition));
        }
        None if plan.engine == "systemd-nspawn" => out.push_str(
            "trust     none: systemd-nspawn runs a local machine directory, nothing is fetched or verified\n",
        ),
        None => out.push_str("trust     no rule of the release matches this image: the engine's own default applies\n"),
    }
    for w in &plan.trust_weakened {
        out.push_str(&format!("          weakened: {w}\n"));
    }
    out.push_str("\ndirectories (mkdir -p, mode 0755, existing ones untouched):\n");
    for d in &plan.directories {
        out.push_str(&format!("  {}\n", d.display()));
    }
    if !plan.notices.is_empty() {
        out.push_str("\nnotices:\n");
        for n in &plan.notices {
            out.push_str(&format!("  {n}\n"));
        }
    }
    for c in &plan.before {
        out.push_str(&format!(
            "\nbefore the engine starts (failure ignored):\n  {}\n",
            String::from_utf8_lossy(&quote::join(c.iter().map(|a| a.value.as_os_str())))
        ));
    }
    out.push_str("\ncommand (exec'd, the wrapper's process becomes the engine):\n");
    let quoted: Vec<String> = plan
        .argv
        .iter()
        .map(|a| String::from_utf8_lossy(&quote::join([a.value.as_os_str()])).into_owned())
        .collect();
    let width = quoted
        .iter()
        .map(|q| q.chars().count())
        .max()
        .unwrap_or(0)
        .min(72);
    for (i, (q, a)) in quoted.iter().zip(&plan.argv).enumerate() {
        out.push_str(&format!("  {i:>3}  {q:<width$}  {}\n", a.origin));
    }
    Ok(out)
}

fn list() -> Result<String, Failure> {
    let files = registry::files();
    let (version, source, used) = registry::runtime(Path::new("/"));
    let mut out = String::new();
    match (&source, version) {
        (ReleaseSource::Pinned, Some(v)) => {
            out.push_str(&format!("pinned release: {v} (uses {})\n", used.version))
        }
        (ReleaseSource::Detected(f), Some(v)) => out.push_str(&format!(
            "pinned release: auto (this host: {v} from {f}, uses {})\n",
            used.version
        )),
        (ReleaseSource::Newest(reason), _) => out.push_str(&format!(
            "pinned release: auto ({reason}: uses {})\n",
            used.version
        )),
        _ => {}
    }
    out.push('\n');
    for f in &files {
        let d = f.parse();
        let mark = if f.version == used.version { "*" } else { " " };
        let scope = if f.version.is_mainline() {
            "main line"
        } else {
            "backport"
        };
        out.push_str(&format!(
            "{mark} {:<10} {:<9}  {}\n",
            f.version.to_string(),
            scope,
            d.summary
        ));
    }
    Ok(out)
}

fn show(release: &str, format: ShowFormat) -> Result<String, Failure> {
    let v = Version::parse(release).map_err(|e| Failure(1, e.to_string()))?;
    let file = registry::select(v);
    let d = file.parse();
    Ok(match format {
        ShowFormat::Json => {
            let layer = serde_json::to_string_pretty(&d).expect("defaults serialize");
            format!(
                "{{\n\"release\": {},\n\"defaults\": {},\n\"layer\": {layer}\n}}\n",
                json::string(release),
                json::string(&file.version.to_string())
            )
        }
        ShowFormat::Text => {
            let mut out = format!(
                "release {release} uses defaults/{}.json{}\n  {}\n\n",
                file.version,
                if d.origin == model::ReleaseOrigin::Project {
                    " (a kubelet-wrapper release, not a CoreOS one)"
                } else {
                    ""
                },
                d.summary
            );
            out.push_str(&format!(
                "engine       {} ({})\nimage        {}{}$KUBELET_IMAGE_TAG\n",
                d.engine.name(),
                d.engine.program(),
                d.image.default_url,
                d.image.tag_separator
            ));
            match &d.engine {
                model::Engine::Rkt(rkt) => {
                    out.push_str(&format!(
                        "stage1       {}\nimage args   {}\nreadOnly     {}\n",
                        rkt.stage1.join(" "),
                        rkt.image_args.join(" "),
                        if rkt.read_only_attribute {
                            "written on every volume"
                        } else {
                            "not written (rkt default: read-write)"
                        }
                    ));
                    if !rkt.run_flags.is_empty() {
                        out.push_str(&format!("run flags    {}\n", rkt.run_flags.join(" ")));
                    }
                }
                model::Engine::Podman(o) | model::Engine::Docker(o) => {
                    out.push_str(&format!(
                        "container    --name={}{}\ncommand      {}\nrun flags    {}\ndigest       {}\n",
                        o.container_name,
                        if o.remove_previous {
                            " (a previous one is removed before start)"
                        } else {
                            ""
                        },
                        o.command,
                        o.run_flags.join(" "),
                        if o.require_digest {
                            "required (image@sha256:...)"
                        } else {
                            "not required"
                        }
                    ));
                }
                model::Engine::SystemdNspawn(n) => {
                    out.push_str(&format!(
                        "command      {}\nrun flags    {}\n",
                        n.command,
                        n.run_flags.join(" ")
                    ));
                }
            }
            let trust = d.engine.trust();
            out.push_str("trust\n");
            for r in trust {
                out.push_str(&format!(
                    "  {:<44} {:<8} {}\n",
                    r.when.to_string(),
                    r.policy.to_string(),
                    r.args.join(" ")
                ));
            }
            if trust.is_empty() {
                out.push_str("  (no rule: the engine's default applies)\n");
            }
            out.push_str("directories\n");
            for dir in &d.directories {
                out.push_str(&format!("  {dir}\n"));
            }
            out.push_str("volumes\n");
            for vol in &d.volumes {
                out.push_str(&format!(
                    "  {:<24} {:<28} -> {:<28} {}{}\n",
                    vol.name,
                    vol.source,
                    vol.target,
                    if vol.read_only { "ro" } else { "rw" },
                    if vol.recursive { ", recursive" } else { "" }
                ));
            }
            out
        }
    })
}

fn diff(from: &str, to: &str, format: ShowFormat) -> Result<String, Failure> {
    let pick = |r: &str| -> Result<(ReleaseFile, Defaults), Failure> {
        let v = Version::parse(r).map_err(|e| Failure(1, e.to_string()))?;
        let file = registry::select(v);
        Ok((file, file.parse()))
    };
    let (file_a, a) = pick(from)?;
    let (file_b, b) = pick(to)?;
    let changes: Vec<Change> = layer_diff::diff(&a, &b);
    Ok(match format {
        ShowFormat::Json => {
            // structs rather than a JSON value, to keep the fields in order
            #[derive(serde::Serialize)]
            struct Side {
                release: String,
                defaults: String,
                summary: String,
            }
            #[derive(serde::Serialize)]
            struct Report<'a> {
                from: Side,
                to: Side,
                changes: &'a [Change],
            }
            let side = |r: &str, f: &ReleaseFile, d: &Defaults| Side {
                release: r.to_string(),
                defaults: f.version.to_string(),
                summary: d.summary.clone(),
            };
            let report = Report {
                from: side(from, &file_a, &a),
                to: side(to, &file_b, &b),
                changes: &changes,
            };
            let mut out = serde_json::to_string_pretty(&report).expect("the report serializes");
            out.push('\n');
            out
        }
        ShowFormat::Text => {
            let width = from.len().max(to.len());
            let mut out = format!(
                "from {from:<width$}  defaults/{}.json: {}\nto   {to:<width$}  defaults/{}.json: {}\n\n",
                file_a.version, a.summary, file_b.version, b.summary
            );
            if changes.is_empty() {
                out.push_str(if file_a.version == file_b.version {
                    "No change for the kubelet: both releases use the same defaults file.\n"
                } else {
                    "No change for the kubelet: the two files give the same system layer.\n"
                });
            } else {
                out.push_str(&format!(
                    "{} change{} for the kubelet:\n",
                    changes.len(),
                    if changes.len() == 1 { "" } else { "s" }
                ));
                for c in &changes {
                    out.push_str(&format!("  - {c}\n"));
                }
            }
            out
        }
    })
}

fn validate(files: &[PathBuf]) -> Result<String, Failure> {
    let mut errors = Vec::new();
    let mut out = String::new();
    for path in files {
        let shown = path.display().to_string();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read_to_string(path) {
            Err(e) => errors.push(format!("{shown}: cannot read: {e}")),
            Ok(text) => match model::check_file(&shown, &name, &text) {
                Ok(_) => out.push_str(&format!("{shown}: ok\n")),
                Err(mut e) => errors.append(&mut e),
            },
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        print!("{out}");
        Err(Failure(1, errors.join(&format!("\n{PROGRAM}: "))))
    }
}
