//! The defaults file format: the system layer of one release, as data.
//!
//! Every difference between two releases is a difference in one of these
//! fields; no release is special-cased in code. Unknown fields are errors, so
//! a typo in a release file fails the build instead of being ignored.
//!
//! This file is compiled twice: into the crate, and into `build.rs` through
//! `#[path]`, so the build rejects exactly what the binary would reject. It may
//! use `std`, `serde` and `serde_json` only (the build script's dependencies),
//! and expects `super::version` to be `version.rs`.

use super::version::Version;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// One release's system layer: `defaults/<release>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Pointer to the JSON Schema, for editors. Not used by the wrapper.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The first release this file applies to; must equal the file name.
    pub release: String,
    /// Whose release this is: a historical CoreOS release, a Flatcar
    /// Container Linux release from where Flatcar's own files begin, or one
    /// of this project's own (forward-looking) releases.
    #[serde(default, skip_serializing_if = "is_coreos")]
    pub origin: ReleaseOrigin,
    /// Where the reach of a CoreOS- or Flatcar-origin file ends: the first
    /// release it no longer applies to, because the host no longer has what
    /// the file runs (rkt is gone from Flatcar Container Linux from 3033.2.0
    /// on, where Flatcar's own files take over). A host of that release or
    /// later that the file would otherwise get is refused, not given this
    /// file's defaults, and a build pinned to one fails. Only on the last
    /// file of the main line that needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Until>,
    /// How strictly the admin layer is checked: `compatible` accepts
    /// everything the CoreOS script accepted (with notices for values that
    /// are likely mistakes), `strict` refuses them.
    #[serde(default, skip_serializing_if = "is_compatible")]
    pub admin_checks: AdminChecks,
    /// One sentence for reviewers: what this release changed.
    pub summary: String,
    /// Host directories created (as `mkdir -p`, mode 0755) before the engine
    /// starts, in this order.
    pub directories: Vec<String>,
    /// Host paths given to the kubelet, in the order they are passed.
    pub volumes: Vec<Volume>,
    /// The kubelet image.
    pub image: Image,
    /// The container engine and its release-fixed settings.
    pub engine: Engine,
}

/// A host path mounted into the kubelet's container.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// Volume name (rkt's `--volume NAME,...`/`--mount volume=NAME`): lower
    /// case letters, digits and single dashes.
    pub name: String,
    /// Absolute path on the host.
    pub source: String,
    /// Absolute path inside the container.
    pub target: String,
    /// Whether the kubelet may write to it.
    pub read_only: bool,
    /// Whether mounts below the source are carried along (rkt
    /// `recursive=true`, rshared propagation on other engines).
    #[serde(default, skip_serializing_if = "is_false")]
    pub recursive: bool,
    /// Whether mounts the kubelet makes below the target (the pods'
    /// volumes below /var/lib/kubelet) must reach the host, and what the
    /// wrapper does when the mount the source is on does not pass them on
    /// (private or slave: pods would silently get empty directories).
    /// Absent: not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "SharedRule")]
    pub shared: Option<SharedRule>,
}

/// What the wrapper does, before starting the engine, when a volume's
/// source is on a mount whose propagation does not reach the host's other
/// mounts (`/` private, as on a host where systemd is not PID 1). On a
/// host whose `/` is shared (systemd makes it so at boot, CoreOS included)
/// both do nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SharedRule {
    /// Bind the source onto itself and mark it shared (recursively), as
    /// hand-written kubelet units did in ExecStartPre; the mount stays
    /// until reboot, and later starts find it shared.
    Make,
    /// Refuse to start, before creating anything, naming the path and its
    /// propagation.
    Require,
}

impl SharedRule {
    /// The word used in the defaults file.
    pub fn name(self) -> &'static str {
        match self {
            SharedRule::Make => "make",
            SharedRule::Require => "require",
        }
    }
}

/// The end of a file's reach (see [`Defaults::until`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Until {
    /// The first release the file does not apply to (MAJOR.MINOR.PATCH).
    pub release: String,
    /// Why, in one sentence: what the host no longer has from there on.
    pub reason: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_coreos(o: &ReleaseOrigin) -> bool {
    *o == ReleaseOrigin::Coreos
}

/// Whose release a defaults file describes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReleaseOrigin {
    /// A CoreOS Container Linux release that shipped the shell wrapper.
    #[default]
    Coreos,
    /// A Flatcar Container Linux release: chosen for Flatcar hosts (and
    /// pins) from the first Flatcar-origin file's release on, by the same
    /// rule among the Flatcar-origin files; before it Flatcar hosts use the
    /// CoreOS files, whose numbering Flatcar continued.
    Flatcar,
    /// A release of this project's own; never a CoreOS release.
    Project,
}

impl ReleaseOrigin {
    /// The word used in the defaults file.
    pub fn name(self) -> &'static str {
        match self {
            ReleaseOrigin::Coreos => "coreos",
            ReleaseOrigin::Flatcar => "flatcar",
            ReleaseOrigin::Project => "project",
        }
    }
}

fn is_compatible(c: &AdminChecks) -> bool {
    *c == AdminChecks::Compatible
}

/// How strictly a release checks the admin layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AdminChecks {
    /// Accept what the CoreOS script accepted; warn about likely mistakes.
    #[default]
    Compatible,
    /// Refuse image references and tags outside the reference grammar, and
    /// admin volumes over system ones.
    Strict,
}

fn default_tag_separator() -> String {
    ":".to_string()
}

fn is_colon(s: &str) -> bool {
    s == ":"
}

/// The kubelet image defaults.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Image location without tag, used when the admin sets neither
    /// `KUBELET_IMAGE_URL` nor `KUBELET_ACI`. For systemd-nspawn, the
    /// directory that holds one machine directory per tag.
    pub default_url: String,
    /// What joins URL and tag: `:` for registries (`URL:TAG`), `/` for
    /// systemd-nspawn machine directories (`DIR/TAG`).
    #[serde(default = "default_tag_separator", skip_serializing_if = "is_colon")]
    pub tag_separator: String,
}

/// The engine a release runs the kubelet with, with its engine-specific
/// settings. Written as `{"rkt": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    Rkt(Rkt),
    Podman(Oci),
    Docker(Oci),
    SystemdNspawn(Nspawn),
}

impl Engine {
    /// The engine's name as written in a defaults file.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Rkt(_) => "rkt",
            Engine::Podman(_) => "podman",
            Engine::Docker(_) => "docker",
            Engine::SystemdNspawn(_) => "systemd-nspawn",
        }
    }

    /// The engine program when the admin does not override it.
    pub fn program(&self) -> &str {
        match self {
            Engine::Rkt(r) => &r.program,
            Engine::Podman(o) | Engine::Docker(o) => &o.program,
            Engine::SystemdNspawn(n) => &n.program,
        }
    }

    /// The release's trust policy (systemd-nspawn runs a local directory
    /// and has none).
    pub fn trust(&self) -> &[TrustRule] {
        match self {
            Engine::Rkt(r) => &r.trust,
            Engine::Podman(o) | Engine::Docker(o) => &o.trust,
            Engine::SystemdNspawn(_) => &[],
        }
    }
}

/// podman and docker settings: the same command shape for both.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Oci {
    /// The engine program when the admin does not override it.
    pub program: String,
    /// `--name` of the kubelet container.
    pub container_name: String,
    /// Before starting, remove a previous container of that name (left by
    /// a crash, a reboot or a killed client): podman's `--replace`, a
    /// `docker rm --force` run first (its failure ignored) on docker.
    pub remove_previous: bool,
    /// Release-fixed `run` flags, e.g. `--rm`, `--privileged`, `--pid=host`,
    /// `--network=host`.
    pub run_flags: Vec<String>,
    /// The kubelet's path in the image, given as `--entrypoint`.
    pub command: String,
    /// The image trust policy, as for rkt: the first matching rule adds its
    /// arguments (e.g. `--tls-verify=true`).
    pub trust: Vec<TrustRule>,
    /// Refuse image references that are not pinned by digest (`@sha256:`).
    #[serde(default)]
    pub require_digest: bool,
    /// Where the kubelet's processes live. `unit`: in a cgroup below the
    /// systemd unit's own (podman `--cgroups=split`), so the unit's
    /// resource settings, accounting, `systemctl kill` and stop reach the
    /// kubelet. Absent: where the engine puts containers (podman:
    /// `machine.slice`, outside the unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<Cgroup>,
    /// Where the kubelet's output goes. `unit`: the container writes to
    /// the unit's own standard output and error (podman
    /// `--log-driver=passthrough`), so each kubelet line reaches the
    /// journal once, under the kubelet's pid. Absent: the engine's log
    /// driver, which the attached client copies again (podman's journald
    /// driver: every line twice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<Log>,
    /// Readiness for a `Type=notify` unit. `kubelet`: the kubelet's own
    /// notification (`READY=1`) reaches systemd (podman
    /// `--sdnotify=container`), and where the unit waits for it (systemd
    /// set `NOTIFY_SOCKET`) the client leaves once the container runs
    /// (`--detach`), the container's supervisor (conmon) becoming the
    /// unit's main process, as podman's own units do. A unit that does not
    /// wait (`Type=simple`) keeps the client attached. Absent: the
    /// engine's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
}

/// Where the kubelet's processes live (see [`Oci::cgroup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Cgroup {
    /// In a cgroup below the systemd unit's own.
    Unit,
}

/// Where the kubelet's output goes (see [`Oci::log`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Log {
    /// The unit's own standard output and error.
    Unit,
}

/// Whose readiness a `Type=notify` unit waits for (see [`Oci::notify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Notify {
    /// The kubelet's own `READY=1`.
    Kubelet,
}

impl Cgroup {
    /// The word used in the defaults file.
    pub fn name(self) -> &'static str {
        match self {
            Cgroup::Unit => "unit",
        }
    }
}

impl Log {
    /// The word used in the defaults file.
    pub fn name(self) -> &'static str {
        match self {
            Log::Unit => "unit",
        }
    }
}

impl Notify {
    /// The word used in the defaults file.
    pub fn name(self) -> &'static str {
        match self {
            Notify::Kubelet => "kubelet",
        }
    }
}

/// systemd-nspawn settings. The image is a local machine directory (or a
/// `.raw` disk image): nothing is pulled, so there is no trust policy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Nspawn {
    /// The engine program when the admin does not override it.
    pub program: String,
    /// Release-fixed flags, e.g. `--quiet`, `--register=no`, `--keep-unit`.
    pub run_flags: Vec<String>,
    /// The kubelet's path in the machine.
    pub command: String,
}

/// rkt (fly stage1) settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rkt {
    /// The engine program when the admin does not set `RKT`.
    pub program: String,
    /// Stage1 argument(s), replaced as a whole by `RKT_STAGE1_ARG`.
    pub stage1: Vec<String>,
    /// Whether each `--volume` carries `readOnly=true|false` (releases from
    /// 1207.0.0) or no readOnly attribute at all (rkt's default, read-write).
    pub read_only_attribute: bool,
    /// The image trust policy: the first rule whose condition matches the
    /// image reference contributes its arguments; none matching adds nothing.
    pub trust: Vec<TrustRule>,
    /// Release-fixed `rkt run` flags placed after the mounts.
    #[serde(default)]
    pub run_flags: Vec<String>,
    /// Arguments after the image, replaced as a whole by `KUBELET_IMAGE_ARGS`.
    pub image_args: Vec<String>,
    /// Stale pod cleanup: before start, `rkt rm --uuid-file=FILE` removes
    /// the pod the previous start recorded (failure ignored: a missing or
    /// garbage file is not an error), and `--uuid-file-save=FILE` records
    /// the new one. Absent (off) in every historical release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid_file: Option<String>,
}

/// One rule of a trust policy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustRule {
    /// Which image references the rule applies to.
    pub when: TrustCondition,
    /// What the arguments do to image verification.
    pub policy: TrustPolicy,
    /// Engine arguments added (before the volumes) when the rule applies;
    /// none for a rule whose policy is `engine`.
    #[serde(default)]
    pub args: Vec<String>,
    /// What the arguments guarantee on this engine, in words (shown by
    /// `explain`), e.g. "registry TLS is verified; signatures follow
    /// /etc/containers/policy.json".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// The condition of a trust rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrustCondition {
    /// Every image.
    Always,
    /// Images whose reference, up to (not including) its first `/`, equals
    /// this text: `quay.io` for `quay.io/coreos/hyperkube:v1`, `docker:` for
    /// `docker://quay.io/coreos/hyperkube:v1`.
    ImagePrefix(String),
}

/// What a trust rule does to image verification; shown by `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrustPolicy {
    /// The image's signature is verified (keys may be fetched to do so).
    Verify,
    /// Image verification is switched off.
    Insecure,
    /// The engine has no per-run verification flags: what is verified is
    /// the engine's own configuration (docker: the daemon's, and content
    /// trust in the client's environment), which the rule's description
    /// names. The rule adds no arguments.
    Engine,
}

impl TrustCondition {
    /// Whether the rule applies to an image reference (raw bytes, as the
    /// admin wrote it, before word splitting).
    pub fn matches(&self, image: &[u8]) -> bool {
        match self {
            TrustCondition::Always => true,
            TrustCondition::ImagePrefix(p) => {
                let end = image.iter().position(|&b| b == b'/').unwrap_or(image.len());
                &image[..end] == p.as_bytes()
            }
        }
    }
}

impl fmt::Display for TrustCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustCondition::Always => f.write_str("every image"),
            TrustCondition::ImagePrefix(p) => write!(f, "images whose reference starts with {p}/"),
        }
    }
}

impl fmt::Display for TrustPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrustPolicy::Verify => "verify",
            TrustPolicy::Insecure => "insecure",
            TrustPolicy::Engine => "engine",
        })
    }
}

/// The one JSON file in `defaults/` that is not a release: the JSON Schema.
pub const SCHEMA_FILE: &str = "schema.json";

/// Checks one defaults file as the build does: its name, its syntax and
/// shape, and every rule of the format. `shown` names the file in messages
/// (e.g. `defaults/1758.0.0.json`), `file_name` is its base name. Each error
/// is one line: `SHOWN:LINE:COLUMN: problem` or `SHOWN: field: problem`.
pub fn check_file(shown: &str, file_name: &str, text: &str) -> Result<Defaults, Vec<String>> {
    let stem = match file_name.strip_suffix(".json") {
        Some(stem) if Version::parse(stem).is_ok() => stem,
        _ => {
            return Err(vec![format!(
                "{shown}: not a release file name: name release files MAJOR.MINOR.PATCH.json after the first release they apply to (the only other JSON file in defaults/ is {SCHEMA_FILE})"
            )]);
        }
    };
    let defaults = Defaults::from_json(text).map_err(|e| vec![format!("{shown}:{e}")])?;
    let problems = defaults.problems(Some(stem));
    if problems.is_empty() {
        Ok(defaults)
    } else {
        Err(problems.iter().map(|p| format!("{shown}: {p}")).collect())
    }
}

/// A defaults file that could not be read as JSON of the right shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// A rule of the defaults format that a file breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file, e.g. `volumes[3].target`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl Defaults {
    /// Parses one file's text. Errors carry serde_json's line and column.
    pub fn from_json(text: &str) -> Result<Defaults, SyntaxError> {
        serde_json::from_str(text).map_err(|e| SyntaxError {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })
    }

    /// The release version this file declares, if it is a valid one.
    pub fn version(&self) -> Option<Version> {
        Version::parse(&self.release).ok()
    }

    /// The rkt settings, when the release runs rkt.
    pub fn rkt(&self) -> Option<&Rkt> {
        match &self.engine {
            Engine::Rkt(r) => Some(r),
            _ => None,
        }
    }

    /// Every rule of the format this file breaks, in file order. `file_stem`
    /// is the file name without `.json`, when the file has one.
    /// Which releases this file may apply to, for the selection rule
    /// ([`super::version::choose`]); `None` when the release is not a version.
    pub fn scope(&self) -> Option<super::version::Scope> {
        Some(super::version::Scope {
            version: self.version()?,
            family: match self.origin {
                ReleaseOrigin::Coreos => super::version::Family::Coreos,
                ReleaseOrigin::Flatcar => super::version::Family::Flatcar,
                ReleaseOrigin::Project => super::version::Family::Project,
            },
            until: self
                .until
                .as_ref()
                .and_then(|u| Version::parse(&u.release).ok()),
        })
    }

    pub fn problems(&self, file_stem: Option<&str>) -> Vec<Problem> {
        let mut p = Problems::default();
        match Version::parse(&self.release) {
            Err(e) => p.add("release", e.to_string()),
            Ok(v) => {
                if v.to_string() != self.release {
                    p.add(
                        "release",
                        format!("write the release as {v} (no leading zeros)"),
                    );
                }
                if let Some(stem) = file_stem
                    && stem != self.release
                {
                    p.add(
                        "release",
                        format!(
                            "declares release {} but the file is named {stem}.json; a defaults file must be named after its release",
                            self.release
                        ),
                    );
                }
            }
        }
        if self.summary.trim().is_empty() {
            p.add("summary", "must say what this release changed".into());
        }
        if let Some(u) = &self.until {
            if self.origin == ReleaseOrigin::Project {
                p.add(
                    "until",
                    "a project release applies only to itself (it is used only when pinned by name): remove until".into(),
                );
            }
            match (Version::parse(&u.release), Version::parse(&self.release)) {
                (Err(e), _) => p.add("until.release", e.to_string()),
                (Ok(end), Ok(v)) if end <= v => p.add(
                    "until.release",
                    format!("{end} is not after the file's own release {v}"),
                ),
                _ => {}
            }
            if u.reason.trim().is_empty() || u.reason.contains('\n') {
                p.add(
                    "until.reason",
                    "must say in one line what the host no longer has from that release on".into(),
                );
            }
        }

        let mut dirs = BTreeSet::new();
        for (i, d) in self.directories.iter().enumerate() {
            let field = format!("directories[{i}]");
            check_path(&mut p, &field, d);
            if !dirs.insert(d.as_str()) {
                p.add(&field, format!("{d} is listed twice"));
            }
        }

        if self.volumes.is_empty() {
            p.add(
                "volumes",
                "a release must give the kubelet at least one volume".into(),
            );
        }
        let mut names = BTreeSet::new();
        let mut targets = BTreeSet::new();
        for (i, v) in self.volumes.iter().enumerate() {
            let field = format!("volumes[{i}]");
            if !is_volume_name(&v.name) {
                p.add(
                    &format!("{field}.name"),
                    format!(
                        "{:?} is not a volume name: use lower-case letters, digits and single dashes, starting and ending with a letter or digit",
                        v.name
                    ),
                );
            }
            if !names.insert(v.name.as_str()) {
                p.add(
                    &format!("{field}.name"),
                    format!("duplicate volume name {}", v.name),
                );
            }
            check_path(&mut p, &format!("{field}.source"), &v.source);
            if v.shared.is_some() {
                check_shared(&mut p, &field, v, self);
            }
            check_path(&mut p, &format!("{field}.target"), &v.target);
            if !targets.insert(v.target.as_str()) {
                p.add(
                    &format!("{field}.target"),
                    format!(
                        "duplicate target {}: two volumes would mount over each other",
                        v.target
                    ),
                );
            }
        }

        check_word(&mut p, "image.default_url", &self.image.default_url);
        if self.image.default_url.ends_with(':') || self.image.default_url.ends_with('/') {
            p.add(
                "image.default_url",
                "must not end with ':' or '/': the tag is appended as ':TAG'".into(),
            );
        }

        if !matches!(self.image.tag_separator.as_str(), ":" | "/") {
            p.add(
                "image.tag_separator",
                "must be \":\" (URL:TAG) or \"/\" (DIR/TAG)".into(),
            );
        }
        match &self.engine {
            Engine::Rkt(r) => check_rkt(&mut p, r),
            Engine::Podman(o) => check_oci(&mut p, "engine.podman", o),
            Engine::Docker(o) => {
                check_oci(&mut p, "engine.docker", o);
                if self.image.default_url.starts_with("docker://") {
                    p.add(
                        "image.default_url",
                        "docker takes image references without a docker:// transport: remove it"
                            .into(),
                    );
                }
            }
            Engine::SystemdNspawn(n) => {
                check_path(&mut p, "engine.systemd-nspawn.program", &n.program);
                check_path(&mut p, "engine.systemd-nspawn.command", &n.command);
                check_words(&mut p, "engine.systemd-nspawn.run_flags", &n.run_flags);
                for (i, v) in self.volumes.iter().enumerate() {
                    if NSPAWN_OWNED.contains(&v.target.as_str()) {
                        p.add(
                            &format!("volumes[{i}].target"),
                            format!(
                                "systemd-nspawn mounts {} itself, over or under any bind: bind the paths the kubelet needs below it instead",
                                v.target
                            ),
                        );
                    }
                }
                if self.image.tag_separator != "/" || !self.image.default_url.starts_with('/') {
                    p.add(
                        "image",
                        "systemd-nspawn runs a local machine directory: give an absolute default_url and tag_separator \"/\"".into(),
                    );
                }
            }
        }
        p.0
    }
}

/// A volume whose mounts must reach the host: its source is one of the
/// release's directories (so it exists, as a directory, to be bound onto
/// itself), and the engine's bind passes mounts back: on podman and docker
/// only `rshared` (`recursive`) ones, on systemd-nspawn none.
fn check_shared(p: &mut Problems, field: &str, v: &Volume, d: &Defaults) {
    if !d.directories.contains(&v.source) {
        p.add(
            &format!("{field}.shared"),
            format!(
                "{} must be one of the release's directories: the wrapper binds it onto itself when it is not shared",
                v.source
            ),
        );
    }
    match &d.engine {
        // measured with a real kubelet (tests/node.rs): nspawn mounts the
        // container's tree as a slave of the host's, and --bind has no
        // shared option, so the pods got empty volume directories
        Engine::SystemdNspawn(_) => p.add(
            &format!("{field}.shared"),
            "systemd-nspawn's binds do not pass mounts made inside the container back to the host: the kubelet's pod volumes would stay empty".into(),
        ),
        Engine::Podman(_) | Engine::Docker(_) if !v.recursive => p.add(
            &format!("{field}.shared"),
            format!(
                "set recursive: without rshared, {} does not pass the kubelet's mounts back to the host whatever the source's propagation",
                d.engine.name()
            ),
        ),
        _ => {}
    }
}

fn check_rkt(p: &mut Problems, r: &Rkt) {
    check_path(p, "engine.rkt.program", &r.program);
    if r.stage1.is_empty() {
        p.add(
            "engine.rkt.stage1",
            "name the stage1 (e.g. --stage1-from-dir=stage1-fly.aci)".into(),
        );
    }
    check_words(p, "engine.rkt.stage1", &r.stage1);
    check_words(p, "engine.rkt.run_flags", &r.run_flags);
    check_words(p, "engine.rkt.image_args", &r.image_args);
    check_trust(p, "engine.rkt", &r.trust);
    if let Some(f) = &r.uuid_file {
        check_path(p, "engine.rkt.uuid_file", f);
        if ["/run/", "/tmp/", "/var/run/"]
            .iter()
            .any(|t| f.starts_with(t))
        {
            p.add(
                "engine.rkt.uuid_file",
                format!("{f} does not survive a reboot: keep the uuid file under /var/lib"),
            );
        }
    }
}

/// Mount points systemd-nspawn sets up itself: a bind there breaks the
/// container's start (`/run`, where nspawn mounts `/run/host`) or is
/// silently covered (`/sys/fs/cgroup`).
const NSPAWN_OWNED: [&str; 5] = ["/", "/run", "/sys/fs/cgroup", "/proc", "/dev"];

fn check_oci(p: &mut Problems, engine: &str, o: &Oci) {
    check_path(p, &format!("{engine}.program"), &o.program);
    check_path(p, &format!("{engine}.command"), &o.command);
    let name_ok = o
        .container_name
        .bytes()
        .enumerate()
        .all(|(i, b)| b.is_ascii_alphanumeric() || (i > 0 && matches!(b, b'_' | b'.' | b'-')));
    if o.container_name.is_empty() || !name_ok {
        p.add(
            &format!("{engine}.container_name"),
            format!("{:?} is not a container name: letters, digits, '_', '.', '-', starting with a letter or digit", o.container_name),
        );
    }
    check_words(p, &format!("{engine}.run_flags"), &o.run_flags);
    check_trust(p, engine, &o.trust);
    check_unit_integration(p, engine, o);
}

/// The fields that fit the kubelet's container into its systemd unit:
/// what the engine can do, and no release-fixed run flag that undoes them
/// or the wrapper's way of running (the engine in the foreground, as the
/// unit's process).
fn check_unit_integration(p: &mut Problems, engine: &str, o: &Oci) {
    if engine == "engine.docker" {
        // docker's containers are the daemon's children, in its cgroups,
        // writing through it, and it passes no sd_notify message on
        let why = [
            (
                o.cgroup.map(Cgroup::name),
                "cgroup",
                "docker starts containers from its daemon, in the daemon's cgroups: it cannot put the kubelet in the unit's",
            ),
            (
                o.log.map(Log::name),
                "log",
                "docker's containers write through its daemon: it cannot give them the unit's output",
            ),
            (
                o.notify.map(Notify::name),
                "notify",
                "docker passes no sd_notify message on",
            ),
        ];
        for (value, field, reason) in why {
            if let Some(v) = value {
                p.add(
                    &format!("{engine}.{field}"),
                    format!("{v:?} is not possible on docker: {reason}; remove {field}"),
                );
            }
        }
    }
    // on docker the fields themselves are refused above; its own run
    // flags (--log-driver=none) are its business
    let podman = engine != "engine.docker";
    for (i, flag) in o.run_flags.iter().enumerate() {
        let field = format!("{engine}.run_flags[{i}]");
        let name = flag.split_once('=').map_or(flag.as_str(), |(n, _)| n);
        let value = flag.split_once('=').map(|(_, v)| v);
        match name {
            "-d" | "--detach" if value != Some("false") => p.add(
                &field,
                format!(
                    "{flag} makes the client leave once the container runs, and the unit with it (the wrapper execs the engine as the unit's process): set notify to detach where the unit waits for readiness"
                ),
            ),
            "--cgroups" | "--cgroup-parent" if podman && o.cgroup.is_some() => p.add(
                &field,
                format!("{flag} contradicts cgroup \"unit\": remove it"),
            ),
            "--log-driver" if podman && o.log.is_some() => p.add(
                &field,
                format!("{flag} contradicts log \"unit\": remove it"),
            ),
            "-t" | "--tty" if podman && o.log.is_some() => p.add(
                &field,
                format!("{flag}: a container that writes to the unit's output cannot have a terminal: remove it"),
            ),
            "--sdnotify" if podman && o.notify.is_some() => p.add(
                &field,
                format!("{flag} contradicts notify \"kubelet\": remove it"),
            ),
            _ => {}
        }
    }
}

fn check_trust(p: &mut Problems, engine: &str, trust: &[TrustRule]) {
    let mut seen_always = false;
    let mut prefixes = BTreeSet::new();
    for (i, rule) in trust.iter().enumerate() {
        let field = format!("{engine}.trust[{i}]");
        if seen_always {
            p.add(
                &field,
                "unreachable: an earlier rule applies to every image".into(),
            );
        }
        match &rule.when {
            TrustCondition::Always => seen_always = true,
            TrustCondition::ImagePrefix(pre) => {
                if pre.is_empty() || pre.contains('/') || pre.chars().any(char::is_whitespace) {
                    p.add(
                        &format!("{field}.when.image_prefix"),
                        format!("{pre:?} must be the non-empty text before an image reference's first '/'"),
                    );
                }
                if !prefixes.insert(pre.as_str()) {
                    p.add(
                        &field,
                        format!("unreachable: an earlier rule already matches {pre}"),
                    );
                }
            }
        }
        match rule.policy {
            TrustPolicy::Engine => {
                if !rule.args.is_empty() {
                    p.add(
                        &format!("{field}.args"),
                        "a rule that leaves verification to the engine's configuration adds no arguments: give arguments with policy verify or insecure".into(),
                    );
                }
                if rule.description.trim().is_empty() {
                    p.add(
                        &format!("{field}.description"),
                        "say where the engine's configuration decides what is verified (explain shows it to the admin)".into(),
                    );
                }
            }
            _ if rule.args.is_empty() => p.add(
                &format!("{field}.args"),
                "a trust rule must add at least one argument (policy engine for none)".into(),
            ),
            _ => {}
        }
        check_words(p, &format!("{field}.args"), &rule.args);
    }
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, field: &str, message: String) {
        self.0.push(Problem {
            field: field.to_string(),
            message,
        });
    }
}

/// rkt's volume names (AC names): `[a-z0-9]+(-[a-z0-9]+)*`.
fn is_volume_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A path in a defaults file: absolute, normalised, and free of the
/// characters that separate rkt's `key=value,key=value` volume syntax.
fn check_path(p: &mut Problems, field: &str, path: &str) {
    if !path.starts_with('/') {
        p.add(field, format!("{path:?} is not an absolute path"));
        return;
    }
    if path.len() > 1 && path.ends_with('/') {
        p.add(field, format!("{path:?} must not end with '/'"));
    }
    if path
        .split('/')
        .skip(1)
        .any(|c| c.is_empty() || c == "." || c == "..")
        && path != "/"
    {
        p.add(
            field,
            format!("{path:?} is not normalised (empty, '.' or '..' component)"),
        );
    }
    if let Some(c) = path
        .chars()
        .find(|c| matches!(c, ',' | '=') || c.is_whitespace() || c.is_control())
    {
        p.add(
            field,
            format!("{path:?} contains {c:?}, which the engine's volume syntax cannot carry"),
        );
    }
}

/// Every element of a list of fixed arguments, as `FIELD[i]`.
fn check_words(p: &mut Problems, field: &str, words: &[String]) {
    for (i, a) in words.iter().enumerate() {
        check_word(p, &format!("{field}[{i}]"), a);
    }
}

/// A fixed argument: one non-empty argv element without white space (two
/// words in one string, like "--hosts-entry host", are a mistake).
fn check_word(p: &mut Problems, field: &str, word: &str) {
    if word.is_empty() {
        p.add(field, "must not be empty".into());
    } else if let Some(c) = word.chars().find(|c| c.is_whitespace() || c.is_control()) {
        p.add(
            field,
            format!("{word:?} contains {c:?}: give each argument as its own list element"),
        );
    }
}

/// serde_json appends " at line L column C"; we report those separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
