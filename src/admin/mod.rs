//! The admin layer: what a cluster admin controls through the kubelet unit's
//! environment (spec section 2). Reading it changes nothing on the host.
//!
//! "Set" means present and non-empty; an empty value counts as unset. Values
//! are kept as raw bytes ([`OsString`]) and split into words only where the
//! original shell script expanded them unquoted.
//!
//! Mistakes the wrapper can see in the environment alone are notices, never
//! refusals (a unit that ran keeps running): a variable named like the
//! wrapper's that it does not know ([`unknown_variables`]), and quote
//! characters in a variable of engine arguments ([`quoted_words`]).
//!
//! [`unit`](mod@unit) reads the admin's own input, the kubelet unit, as systemd does:
//! it only produces the environment this layer is read from (and the
//! kubelet's flags), so it lives here, below everything that uses the
//! admin layer. What the release thinks of the admin layer is
//! [`crate::plan::checks`]'s, above the engines whose grammars it reads.
//!
//! How to add a variable: a [`Var`] with its [`Var::name`],
//! [`Var::meaning`] (kubelet-wrapper(8)'s words) and [`Var::engine`], in
//! [`Var::ALL`]. An engine's own variable goes at its end, among
//! [`Var::ENGINE_VARS`], which [`AdminConfig::from_env`] reads without more
//! code; any other goes before them (moving the split that
//! [`Var::ENGINE_VARS`] is) with a field of [`AdminConfig`] that
//! [`AdminConfig::from_env`] fills. Then the renderers that use it
//! ([`crate::engine`]), the checks that judge it ([`crate::plan::checks`]),
//! its default per release in kubelet-wrapper(8) if the release gives one
//! (`applies` in `ctl/manpages.rs`), and docs/admin.md's table of the admin
//! interface; regenerate the man pages (docs/development.md).

pub mod unit;

use std::ffi::OsString;
use std::fmt;
use std::os::unix::ffi::OsStrExt;

/// The environment variables of the admin interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Var {
    KubeletImageTag,
    KubeletVersion,
    KubeletImageUrl,
    KubeletAci,
    KubeletImage,
    KubeletImageArgs,
    RktRunArgs,
    RktOpts,
    RktGlobalArgs,
    RktStage1Arg,
    Rkt,
    Podman,
    PodmanRunArgs,
    Docker,
    DockerRunArgs,
    SystemdNspawn,
    NspawnArgs,
}

impl Var {
    /// Every variable: the spec's table, then the other engines' own.
    pub const ALL: [Var; 17] = [
        Var::KubeletImageTag,
        Var::KubeletVersion,
        Var::KubeletImageUrl,
        Var::KubeletAci,
        Var::KubeletImage,
        Var::KubeletImageArgs,
        Var::RktRunArgs,
        Var::RktOpts,
        Var::RktGlobalArgs,
        Var::RktStage1Arg,
        Var::Rkt,
        Var::Podman,
        Var::PodmanRunArgs,
        Var::Docker,
        Var::DockerRunArgs,
        Var::SystemdNspawn,
        Var::NspawnArgs,
    ];

    /// The variables of the engines other than rkt (their program and
    /// their escape hatch for extra engine arguments): the tail of
    /// [`Var::ALL`], after the spec's eleven.
    pub const ENGINE_VARS: &'static [Var] = Var::ALL.split_at(11).1;

    pub const fn name(self) -> &'static str {
        match self {
            Var::KubeletImageTag => "KUBELET_IMAGE_TAG",
            Var::KubeletVersion => "KUBELET_VERSION",
            Var::KubeletImageUrl => "KUBELET_IMAGE_URL",
            Var::KubeletAci => "KUBELET_ACI",
            Var::KubeletImage => "KUBELET_IMAGE",
            Var::KubeletImageArgs => "KUBELET_IMAGE_ARGS",
            Var::RktRunArgs => "RKT_RUN_ARGS",
            Var::RktOpts => "RKT_OPTS",
            Var::RktGlobalArgs => "RKT_GLOBAL_ARGS",
            Var::RktStage1Arg => "RKT_STAGE1_ARG",
            Var::Rkt => "RKT",
            Var::Podman => "PODMAN",
            Var::PodmanRunArgs => "PODMAN_RUN_ARGS",
            Var::Docker => "DOCKER",
            Var::DockerRunArgs => "DOCKER_RUN_ARGS",
            Var::SystemdNspawn => "SYSTEMD_NSPAWN",
            Var::NspawnArgs => "NSPAWN_ARGS",
        }
    }

    /// What the variable does, in one sentence (kubelet-wrapper(8)'s
    /// ENVIRONMENT; docs/admin.md's tables say the same).
    pub const fn meaning(self) -> &'static str {
        match self {
            Var::KubeletImageTag => {
                "The tag of the kubelet image to run, e.g. v1.18.0_coreos.0. Either it or KUBELET_IMAGE must be set."
            }
            Var::KubeletVersion => {
                "Deprecated alias of KUBELET_IMAGE_TAG, used when that is unset."
            }
            Var::KubeletImageUrl => "The image location without its tag; the image run is URL:TAG.",
            Var::KubeletAci => "Deprecated alias of KUBELET_IMAGE_URL, used when that is unset.",
            Var::KubeletImage => {
                "The whole image reference; when set it replaces URL:TAG (for systemd-nspawn, the machine directory)."
            }
            Var::KubeletImageArgs => {
                "Replaces the release's image arguments (rkt), or gives the kubelet's path in the image as --exec=PATH (other engines)."
            }
            Var::RktRunArgs => {
                "More rkt run arguments, first after run; on other engines each is translated, dropped with a notice, or refused."
            }
            Var::RktOpts => "Deprecated: appended after RKT_RUN_ARGS.",
            Var::RktGlobalArgs => "Arguments between the rkt program and run (rkt's own options).",
            Var::RktStage1Arg => "Replaces the release's stage1 arguments.",
            Var::Rkt => "The rkt program; a name without / is searched in PATH.",
            Var::Podman => "The podman program; a name without / is searched in PATH.",
            Var::PodmanRunArgs => {
                "More podman run options, after the release's own; read with podman's grammar, and refused where they would change the image or swallow a release argument."
            }
            Var::Docker => "The docker program; a name without / is searched in PATH.",
            Var::DockerRunArgs => {
                "More docker run options, after the release's own; read with docker's grammar, like PODMAN_RUN_ARGS."
            }
            Var::SystemdNspawn => {
                "The systemd-nspawn program; a name without / is searched in PATH."
            }
            Var::NspawnArgs => "More systemd-nspawn options, after the release's own.",
        }
    }

    /// The engine a variable belongs to (`None`: every engine's).
    pub const fn engine(self) -> Option<&'static str> {
        match self {
            Var::RktRunArgs | Var::RktOpts | Var::RktGlobalArgs | Var::RktStage1Arg | Var::Rkt => {
                Some("rkt")
            }
            Var::Podman | Var::PodmanRunArgs => Some("podman"),
            Var::Docker | Var::DockerRunArgs => Some("docker"),
            Var::SystemdNspawn | Var::NspawnArgs => Some("systemd-nspawn"),
            _ => None,
        }
    }

    /// The deprecated variables, in the order their notices come: those
    /// that have a [`replacement`](Var::replacement).
    pub const DEPRECATED: [Var; 3] = [Var::KubeletVersion, Var::KubeletAci, Var::RktOpts];

    /// For a deprecated variable, the one that replaces it.
    pub const fn replacement(self) -> Option<Var> {
        match self {
            Var::KubeletVersion => Some(Var::KubeletImageTag),
            Var::KubeletAci => Some(Var::KubeletImageUrl),
            Var::RktOpts => Some(Var::RktRunArgs),
            _ => None,
        }
    }
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The variable through which systemd tells a service where to send its
/// readiness (`sd_notify(3)`).
pub const NOTIFY_SOCKET: &str = "NOTIFY_SOCKET";

/// A set variable's value and which variable it came from (after aliases).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: OsString,
    pub from: Var,
}

/// The admin layer, read from an environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminConfig {
    /// `KUBELET_IMAGE`: the full image reference, replacing `URL:TAG`.
    pub image: Option<OsString>,
    /// `KUBELET_IMAGE_TAG`, else `KUBELET_VERSION`.
    pub tag: Option<Setting>,
    /// `KUBELET_IMAGE_URL`, else `KUBELET_ACI`.
    pub url: Option<Setting>,
    /// `KUBELET_IMAGE_ARGS`.
    pub image_args: Option<OsString>,
    /// `RKT_RUN_ARGS`.
    pub run_args: Option<OsString>,
    /// `RKT_OPTS` (deprecated).
    pub opts: Option<OsString>,
    /// `RKT_GLOBAL_ARGS`.
    pub global_args: Option<OsString>,
    /// `RKT_STAGE1_ARG`.
    pub stage1: Option<OsString>,
    /// `RKT`.
    pub engine: Option<OsString>,
    /// The other engines' variables ([`Var::ENGINE_VARS`]) that are set.
    pub engine_vars: Vec<(Var, OsString)>,
    /// One line per deprecated variable that is set, in the spec's order,
    /// then one per mistake (see `mistakes`).
    pub notices: Vec<String>,
    /// The likely mistakes among the notices: unknown variables named like
    /// the wrapper's, quote characters in engine arguments.
    pub mistakes: Vec<String>,
    /// Whether the unit waits for the service's readiness: systemd set
    /// `NOTIFY_SOCKET` (a `Type=notify` unit, or one with `NotifyAccess=`).
    /// Not the admin's setting but the unit's; a release whose engine
    /// passes the kubelet's readiness on runs it differently there.
    pub notify: bool,
}

impl AdminConfig {
    /// Reads the admin layer through `get` (a variable name to its value), so
    /// callers decide where the environment comes from. Never fails: a
    /// missing image is reported by [`crate::plan::plan`], after the notices.
    pub fn from_env(get: impl Fn(&str) -> Option<OsString>) -> AdminConfig {
        let set = |v: Var| get(v.name()).filter(|x| !x.is_empty());
        let either = |first: Var, alias: Var| {
            set(first)
                .map(|value| Setting { value, from: first })
                .or_else(|| set(alias).map(|value| Setting { value, from: alias }))
        };
        let notices = Var::DEPRECATED
            .into_iter()
            .filter(|v| set(*v).is_some())
            .map(deprecation_notice)
            .collect();
        AdminConfig {
            mistakes: Vec::new(),
            notify: get(NOTIFY_SOCKET).is_some_and(|v| !v.is_empty()),
            image: set(Var::KubeletImage),
            tag: either(Var::KubeletImageTag, Var::KubeletVersion),
            url: either(Var::KubeletImageUrl, Var::KubeletAci),
            image_args: set(Var::KubeletImageArgs),
            run_args: set(Var::RktRunArgs),
            opts: set(Var::RktOpts),
            global_args: set(Var::RktGlobalArgs),
            stage1: set(Var::RktStage1Arg),
            engine: set(Var::Rkt),
            engine_vars: Var::ENGINE_VARS
                .iter()
                .copied()
                .filter_map(|v| set(v).map(|x| (v, x)))
                .collect(),
            notices,
        }
    }

    /// The value of one of the other engines' variables, if set.
    pub fn engine_var(&self, v: Var) -> Option<&OsString> {
        self.engine_vars
            .iter()
            .find(|(k, _)| *k == v)
            .map(|(_, x)| x)
    }

    /// Reads the admin layer from a whole environment, as
    /// [`AdminConfig::from_env`] does, and adds a notice for each of its
    /// likely mistakes: only a whole environment shows the names that are
    /// not the wrapper's.
    pub fn from_vars(vars: impl IntoIterator<Item = (OsString, OsString)>) -> AdminConfig {
        let vars: Vec<(OsString, OsString)> = vars.into_iter().collect();
        let mut c = AdminConfig::from_env(|k| {
            vars.iter()
                .rev()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
        });
        // a name that is not UTF-8 is looked at escaped, so that it gets
        // its notice too (KUBELET_IMAGE_TAG\xff)
        let names: Vec<String> = vars
            .iter()
            .map(|(n, _)| match n.to_str() {
                Some(s) => s.to_string(),
                None => crate::text::quote::escape(n.as_bytes()),
            })
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut mistakes: Vec<String> = unknown_variables(&names)
            .iter()
            .map(Unknown::notice)
            .collect();
        mistakes.extend(
            quoted_words(&c)
                .into_iter()
                .map(|(v, w)| quoted_notice(v, &w)),
        );
        c.notices.extend(mistakes.iter().cloned());
        c.mistakes = mistakes;
        c
    }

    /// Reads the admin layer from this process's environment.
    pub fn from_process_env() -> AdminConfig {
        AdminConfig::from_vars(std::env::vars_os())
    }

    /// The value of a variable of engine arguments (`*_ARGS`, `RKT_OPTS`,
    /// `RKT_STAGE1_ARG`), if set.
    pub fn args_var(&self, v: Var) -> Option<&OsString> {
        match v {
            Var::KubeletImageArgs => self.image_args.as_ref(),
            Var::RktRunArgs => self.run_args.as_ref(),
            Var::RktOpts => self.opts.as_ref(),
            Var::RktGlobalArgs => self.global_args.as_ref(),
            Var::RktStage1Arg => self.stage1.as_ref(),
            _ => self.engine_var(v),
        }
    }
}

/// The variables whose words are engine arguments: an admin who quotes a
/// word there means the quotes for a shell, but the wrapper splits values
/// like an unquoted shell expansion, so the quotes stay in the argument.
pub const ARGS_VARS: [Var; 8] = [
    Var::KubeletImageArgs,
    Var::RktRunArgs,
    Var::RktOpts,
    Var::RktGlobalArgs,
    Var::RktStage1Arg,
    Var::PodmanRunArgs,
    Var::DockerRunArgs,
    Var::NspawnArgs,
];

/// The first word with a quote character of each variable of engine
/// arguments that has one.
pub fn quoted_words(c: &AdminConfig) -> Vec<(Var, String)> {
    ARGS_VARS
        .iter()
        .filter_map(|&v| {
            let words = crate::text::words::split(c.args_var(v)?);
            let w = words
                .iter()
                .find(|w| w.as_bytes().iter().any(|b| matches!(b, b'"' | b'\'')))?;
            Some((v, crate::text::quote::escape(w.as_bytes())))
        })
        .collect()
}

/// The notice for quote characters in a variable of engine arguments.
pub fn quoted_notice(v: Var, word: &str) -> String {
    format!(
        "{v} holds quote characters ({word}): the wrapper splits {v} at blanks and does not remove quotes, so they reach the engine as part of the argument; remove them from the value"
    )
}

/// Prefixes of the wrapper's variables: a variable named so is meant for
/// the wrapper (or is a misspelling of one of its variables).
const PREFIXES: [&str; 5] = ["KUBELET_", "RKT_", "PODMAN_", "DOCKER_", "NSPAWN_"];

/// Variables with those prefixes that the engines themselves read (the
/// wrapper passes the environment on unchanged): docker's client
/// variables, podman's default user namespace, rkt's experiments.
const ENGINE_OWN: [&str; 14] = [
    "DOCKER_API_VERSION",
    "DOCKER_CERT_PATH",
    "DOCKER_CONFIG",
    "DOCKER_CONTENT_TRUST",
    "DOCKER_CONTENT_TRUST_SERVER",
    "DOCKER_CONTEXT",
    "DOCKER_DEFAULT_PLATFORM",
    "DOCKER_HIDE_LEGACY_COMMANDS",
    "DOCKER_HOST",
    "DOCKER_TLS",
    "DOCKER_TLS_VERIFY",
    "DOCKER_TMPDIR",
    "PODMAN_USERNS",
    "PODMAN_CONNECTIONS_CONF",
];

/// The build-time variable that pins the release.
pub const RELEASE_VAR: &str = "KUBELET_WRAPPER_RELEASE";

/// A variable named like the wrapper's that it does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub name: String,
    /// The known variable it is closest to.
    pub closest: Var,
    /// How many edits away (letter case aside).
    pub edits: usize,
}

impl Unknown {
    /// The notice: the name, that it is ignored, and the closest name.
    pub fn notice(&self) -> String {
        if self.name == RELEASE_VAR {
            return format!(
                "{RELEASE_VAR} is ignored at run time: it pins the release when the wrapper is built, and an admin cannot choose the release"
            );
        }
        let case = if self.name.eq_ignore_ascii_case(self.closest.name()) {
            " (names are case-sensitive)"
        } else {
            ""
        };
        if self.edits <= 3 {
            return format!(
                "{} is not a kubelet-wrapper variable and is ignored: did you mean {}?{case}",
                self.name, self.closest
            );
        }
        // far from every variable: more likely one that ExecStart=
        // expands (KUBELET_EXTRA_ARGS) than a misspelling
        format!(
            "{} is not a kubelet-wrapper variable and is ignored by the wrapper (the closest of its own is {}); fine if the unit's ExecStart= expands it",
            self.name, self.closest
        )
    }
}

/// The longest name compared: longer ones are no variable of the wrapper.
const MAX_NAME: usize = 64;

/// The edit distance of two names (insertions, deletions, substitutions,
/// and a swap of neighbours counting as one: optimal string alignment),
/// or `None` once it exceeds `bound`. The wrapper runs this on every
/// start for the names of its environment: it works on bytes in three
/// rows on the stack and stops as soon as no alignment can stay within
/// the bound, which for most names is after a few rows (measured with
/// the strsim crate's distances instead: 10 to 17 µs per start for a
/// unit's environment, against 1 µs now when no name is unknown).
fn distance(a: &[u8], b: &[u8], bound: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > bound || a.len() > MAX_NAME || b.len() > MAX_NAME {
        return None;
    }
    // three rows of the alignment matrix: the two before, and this one
    let mut rows = [[0u8; MAX_NAME + 1]; 3];
    for (j, cell) in rows[1].iter_mut().enumerate().take(b.len() + 1) {
        *cell = j as u8;
    }
    for i in 1..=a.len() {
        let [prev2, prev, cur] = &mut rows;
        cur[0] = i as u8;
        let mut best = cur[0];
        for j in 1..=b.len() {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            best = best.min(d);
        }
        if usize::from(best) > bound {
            return None;
        }
        rows.rotate_left(1);
    }
    Some(usize::from(rows[1][b.len()])).filter(|&d| d <= bound)
}

/// The set of characters of a name, one bit each (letters, digits, `_`,
/// anything else): a name within `k` edits of another has at most `k`
/// characters the other lacks, which rules out most names of an
/// environment at the cost of a few instructions.
const fn characters(name: &[u8]) -> u64 {
    let mut set = 0;
    let mut i = 0;
    while i < name.len() {
        let c = name[i];
        set |= 1
            << match c {
                b'A'..=b'Z' => c - b'A',
                b'0'..=b'9' => 26 + c - b'0',
                b'_' => 36,
                _ => 37,
            };
        i += 1;
    }
    set
}

/// [`characters`] of each of [`Var::ALL`], computed by the compiler.
const KNOWN_CHARACTERS: [u64; Var::ALL.len()] = {
    let mut out = [0; Var::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = characters(Var::ALL[i].name().as_bytes());
        i += 1;
    }
    out
};

/// Whether `name` is meant for the wrapper: one of its prefixes, or one
/// or two typing mistakes away from one of its variables (one for short
/// names, where two would catch unrelated ones).
fn wrapper_like(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let mine = characters(upper.as_bytes());
    PREFIXES.iter().any(|p| upper.starts_with(p))
        || upper == "SYSTEMD_NSPAWN"
        || Var::ALL.iter().zip(KNOWN_CHARACTERS).any(|(v, theirs)| {
            let n = v.name().as_bytes();
            let most = if n.len() >= 8 { 2 } else { 1 };
            (mine & !theirs).count_ones() as usize <= most
                && (theirs & !mine).count_ones() as usize <= most
                && distance(upper.as_bytes(), n, most).is_some()
        })
}

/// The names among `names` that look like the wrapper's variables but are
/// not, each with the known variable it is closest to, in order.
pub fn unknown_variables(names: &[&str]) -> Vec<Unknown> {
    let mut out: Vec<Unknown> = Vec::new();
    for &name in names {
        if Var::ALL.iter().any(|v| v.name() == name)
            || ENGINE_OWN.contains(&name)
            || name.starts_with("RKT_EXPERIMENT_")
            || !wrapper_like(name)
            || out.iter().any(|u| u.name == name)
        {
            continue;
        }
        // the fewest edits; among as few, the longest common start
        let upper = name.to_ascii_uppercase();
        let common = |v: &Var| {
            upper
                .bytes()
                .zip(v.name().bytes())
                .take_while(|(a, b)| a == b)
                .count()
        };
        // each distance bounded by the best so far: most stop early
        let mut best = (usize::MAX, std::cmp::Reverse(0), Var::KubeletImageTag);
        for v in Var::ALL {
            let bound = best.0.min(MAX_NAME);
            if let Some(d) = distance(upper.as_bytes(), v.name().as_bytes(), bound) {
                best = best.min((d, std::cmp::Reverse(common(&v)), v));
            }
        }
        out.push(Unknown {
            name: name.to_string(),
            closest: best.2,
            edits: best.0,
        });
    }
    out
}

/// The notice for a deprecated variable (the original script's wording).
pub fn deprecation_notice(v: Var) -> String {
    let new = v
        .replacement()
        .expect("only deprecated variables have notices");
    format!("{v} environment variable is deprecated, please use {new} instead")
}

impl AdminConfig {
    /// Notices for the rkt-only variables, which a release running another
    /// engine does not use.
    pub fn ignored_rkt_vars(&self, engine: &str, program_var: Var) -> Vec<String> {
        let mut n = Vec::new();
        if self.engine.is_some() {
            n.push(format!("RKT is ignored: this release runs {engine}; set {program_var} to choose the {engine} program"));
        }
        if self.stage1.is_some() {
            n.push(format!(
                "RKT_STAGE1_ARG is ignored: this release runs {engine}, which has no stage1"
            ));
        }
        n
    }

    /// Notices for other engines' variables set on a release that does not
    /// use them (`own`: the release engine's variables).
    pub fn ignored_engine_vars(&self, engine: &str, own: &[Var]) -> Vec<String> {
        self.engine_vars
            .iter()
            .filter(|(v, _)| !own.contains(v))
            .map(|(v, _)| format!("{v} is ignored: this release runs {engine}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> AdminConfig {
        let m: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        AdminConfig::from_env(|k| m.get(k).cloned())
    }

    #[test]
    fn empty_counts_as_unset() {
        let c = cfg(&[
            ("KUBELET_IMAGE_TAG", ""),
            ("KUBELET_VERSION", "v1"),
            ("RKT", ""),
            ("KUBELET_IMAGE", ""),
        ]);
        assert_eq!(
            c.tag,
            Some(Setting {
                value: "v1".into(),
                from: Var::KubeletVersion
            })
        );
        assert_eq!(c.engine, None);
        assert_eq!(c.image, None);
    }

    #[test]
    fn new_names_win_over_aliases() {
        let c = cfg(&[
            ("KUBELET_IMAGE_TAG", "v2"),
            ("KUBELET_VERSION", "v1"),
            ("KUBELET_IMAGE_URL", "u2"),
            ("KUBELET_ACI", "u1"),
        ]);
        assert_eq!(
            c.tag.unwrap(),
            Setting {
                value: "v2".into(),
                from: Var::KubeletImageTag
            }
        );
        assert_eq!(
            c.url.unwrap(),
            Setting {
                value: "u2".into(),
                from: Var::KubeletImageUrl
            }
        );
        // the deprecated ones are still set, so they still produce notices
        assert_eq!(c.notices.len(), 2);
    }

    #[test]
    fn the_deprecated_are_those_with_a_replacement() {
        let with: Vec<Var> = Var::ALL
            .into_iter()
            .filter(|v| v.replacement().is_some())
            .collect();
        assert_eq!(with, Var::DEPRECATED);
    }

    #[test]
    fn notices_name_the_replacement_in_order() {
        let c = cfg(&[
            ("RKT_OPTS", "x"),
            ("KUBELET_ACI", "y"),
            ("KUBELET_VERSION", "z"),
        ]);
        assert_eq!(
            c.notices,
            [
                "KUBELET_VERSION environment variable is deprecated, please use KUBELET_IMAGE_TAG instead",
                "KUBELET_ACI environment variable is deprecated, please use KUBELET_IMAGE_URL instead",
                "RKT_OPTS environment variable is deprecated, please use RKT_RUN_ARGS instead",
            ]
        );
        assert!(cfg(&[("RKT_OPTS", "")]).notices.is_empty());
    }

    #[test]
    fn engine_vars_are_the_other_engines() {
        assert_eq!(
            Var::ENGINE_VARS,
            [
                Var::Podman,
                Var::PodmanRunArgs,
                Var::Docker,
                Var::DockerRunArgs,
                Var::SystemdNspawn,
                Var::NspawnArgs
            ]
        );
        assert!(
            Var::ALL[..11]
                .iter()
                .all(|v| v.name().starts_with("KUBELET_") || v.name().starts_with("RKT"))
        );
    }

    fn from_vars(pairs: &[(&str, &str)]) -> AdminConfig {
        AdminConfig::from_vars(
            pairs
                .iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        )
    }

    #[test]
    fn a_name_that_is_not_utf8_gets_its_notice() {
        use std::os::unix::ffi::OsStringExt;
        let c = AdminConfig::from_vars([
            (
                OsString::from_vec(b"KUBELET_IMAGE_TAG\xff".to_vec()),
                OsString::from("v1"),
            ),
            (OsString::from("KUBELET_IMAGE_TAG"), OsString::from("v1")),
        ]);
        assert_eq!(c.mistakes.len(), 1, "{:?}", c.notices);
        assert!(
            c.mistakes[0].starts_with("KUBELET_IMAGE_TAG\\xff is not a kubelet-wrapper variable"),
            "{}",
            c.mistakes[0]
        );
    }

    #[test]
    fn unknown_names_get_the_closest_known_one() {
        let names = [
            ("KUBELET_IMAGE_TAGS", "KUBELET_IMAGE_TAG"),
            ("RKT_RUN_ARG", "RKT_RUN_ARGS"),
            ("KUBLET_IMAGE_URL", "KUBELET_IMAGE_URL"),
            ("RKT_RUN_OPTS", "RKT_RUN_ARGS"),
            ("kubelet_image_tag", "KUBELET_IMAGE_TAG"),
            ("PODMAN_ARGS", "PODMAN_RUN_ARGS"),
            ("NSPAWN_ARG", "NSPAWN_ARGS"),
            ("DOCKER_RUN_ARG", "DOCKER_RUN_ARGS"),
            ("KUBELET_IMAGE_TAG ", "KUBELET_IMAGE_TAG"),
            ("RTK", "RKT"),
        ];
        let got = unknown_variables(&names.iter().map(|(n, _)| *n).collect::<Vec<_>>());
        let got: Vec<(&str, &str)> = got
            .iter()
            .map(|u| (u.name.as_str(), u.closest.name()))
            .collect();
        assert_eq!(got, names);
        assert_eq!(
            unknown_variables(&["KUBELET_IMAGE_TAGS"])[0].notice(),
            "KUBELET_IMAGE_TAGS is not a kubelet-wrapper variable and is ignored: did you mean KUBELET_IMAGE_TAG?"
        );
        assert!(
            unknown_variables(&["kubelet_image_tag"])[0]
                .notice()
                .ends_with("(names are case-sensitive)")
        );
        assert!(
            unknown_variables(&[RELEASE_VAR])[0]
                .notice()
                .contains("pins the release when the wrapper is built")
        );
    }

    #[test]
    fn edit_distance() {
        let d = |a: &str, b: &str| distance(a.as_bytes(), b.as_bytes(), MAX_NAME).unwrap();
        assert_eq!(d("", ""), 0);
        assert_eq!(d("RKT", "RKT"), 0);
        assert_eq!(d("RTK", "RKT"), 1, "a swap is one edit");
        assert_eq!(d("KUBLET", "KUBELET"), 1);
        assert_eq!(d("KUBELET_IMAGE_TAGS", "KUBELET_IMAGE_TAG"), 1);
        assert_eq!(d("RKT_RUN_OPTS", "RKT_RUN_ARGS"), 3);
        assert_eq!(d("RKT_RUN_OPTS", "RKT_OPTS"), 4);
        assert_eq!(d("ABC", ""), 3);
        assert_eq!(
            d("CA", "ABC"),
            3,
            "optimal string alignment, not full Damerau"
        );
        assert_eq!(
            distance(b"KUBELET_EXTRA_ARGS", b"KUBELET_IMAGE_ARGS", 2),
            None
        );
        assert_eq!(
            distance(b"KUBELET_IMAGE_TAGX", b"KUBELET_IMAGE_TAG", 2),
            Some(1)
        );
        assert_eq!(
            distance(&[b'A'; 65], &[b'A'; 65], 2),
            None,
            "too long to be a variable"
        );
    }

    #[test]
    fn known_and_unrelated_names_are_left_alone() {
        let names: Vec<&str> = Var::ALL.iter().map(|v| v.name()).collect();
        assert!(unknown_variables(&names).is_empty());
        assert!(
            unknown_variables(&[
                "PATH",
                "HOME",
                "LANG",
                "TERM",
                "USER",
                "INVOCATION_ID",
                "JOURNAL_STREAM",
                "NOTIFY_SOCKET",
                "SYSTEMD_EXEC_PID",
                "DOCKER_HOST",
                "DOCKER_CONFIG",
                "PODMAN_USERNS",
                "RKT_EXPERIMENT_APP",
                "SYSTEMD_NSPAWN_LOCK",
                "KUBECONFIG",
                "PWD",
                "TZ",
                "SHELL",
                "LOGNAME",
            ])
            .is_empty()
        );
    }

    #[test]
    fn mistakes_are_notices() {
        let c = from_vars(&[
            ("KUBELET_IMAGE_TAG", "v1"),
            ("KUBELET_VERSION", "v0"),
            ("KUBELET_IMAGE_TAGS", "v2"),
            (
                "RKT_RUN_ARGS",
                "--uuid-file-save=/x \"--net=host\" '--dns=host'",
            ),
            ("PODMAN_RUN_ARGS", "--log-driver=journald"),
        ]);
        assert_eq!(
            c.mistakes,
            [
                "KUBELET_IMAGE_TAGS is not a kubelet-wrapper variable and is ignored: did you mean KUBELET_IMAGE_TAG?",
                "RKT_RUN_ARGS holds quote characters (\"--net=host\"): the wrapper splits RKT_RUN_ARGS at blanks and does not remove quotes, so they reach the engine as part of the argument; remove them from the value",
            ]
        );
        // after the deprecations, which are not mistakes
        assert_eq!(c.notices.len(), 3);
        assert_eq!(&c.notices[1..], &c.mistakes[..]);
        // the later of two values of one name wins, as in an environment block
        let c = from_vars(&[("KUBELET_IMAGE_TAG", "v1"), ("KUBELET_IMAGE_TAG", "v2")]);
        assert_eq!(c.tag.unwrap().value, "v2");
    }

    #[test]
    fn white_space_only_is_set() {
        // " " is non-empty: set, and splits to no words later
        let c = cfg(&[("KUBELET_IMAGE", " ")]);
        assert_eq!(c.image, Some(OsString::from(" ")));
    }
}
