//! The admin layer: what a cluster admin controls through the kubelet unit's
//! environment (spec section 2). Reading it changes nothing on the host.
//!
//! "Set" means present and non-empty; an empty value counts as unset. Values
//! are kept as raw bytes ([`OsString`]) and split into words only where the
//! original shell script expanded them unquoted.

use std::ffi::OsString;
use std::fmt;

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
    /// One line per deprecated variable that is set, in the spec's order.
    pub notices: Vec<String>,
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
        let notices = [Var::KubeletVersion, Var::KubeletAci, Var::RktOpts]
            .into_iter()
            .filter(|v| set(*v).is_some())
            .map(deprecation_notice)
            .collect();
        AdminConfig {
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

    /// Reads the admin layer from this process's environment.
    pub fn from_process_env() -> AdminConfig {
        AdminConfig::from_env(|k| std::env::var_os(k))
    }
}

/// The notice for a deprecated variable (the original script's wording).
pub fn deprecation_notice(v: Var) -> String {
    let new = v
        .replacement()
        .expect("only deprecated variables have notices");
    format!("{v} environment variable is deprecated, please use {new} instead")
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

    #[test]
    fn white_space_only_is_set() {
        // " " is non-empty: set, and splits to no words later
        let c = cfg(&[("KUBELET_IMAGE", " ")]);
        assert_eq!(c.image, Some(OsString::from(" ")));
    }
}
