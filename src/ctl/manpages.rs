//! The wrapper's own man page, kubelet-wrapper(8), and the release file
//! format's, kubelet-wrapper.defaults(5), written from the tables the code
//! uses: the admin variables ([`Var`]), the embedded release files (which
//! variable applies where, and its default there), the exit statuses
//! ([`launch::EXIT_STATUSES`]), the files read ([`os_release::FILES`]) and
//! the format's JSON Schema (its fields' documentation). A change to any of
//! those changes the pages, and `tests/cli.rs` fails until the committed
//! copies (docs/man/) are regenerated.

use crate::admin::Var;
use crate::host::os_release;
use crate::launch;
use crate::release::model::{Defaults, Engine, ReleaseOrigin};
use crate::release::registry;
use roff::{Inline, Roff, bold, italic, roman};
use serde_json::Value;

/// The date the man pages carry: the day their text last changed for this
/// version, not the build's (two builds of one source give the same pages).
/// Set it when a page's text changes, and when releasing
/// (docs/release-engineering.md).
pub const PAGES_DATE: &str = "2026-12-06";

/// The date the pages carry: the crate's version, not a day, so that two
/// builds of one source give the same pages.
fn th(r: &mut Roff, name: &str, section: &str, manual: &str) {
    r.control(
        "TH",
        [
            name,
            section,
            PAGES_DATE,
            &format!("kubelet-wrapper {}", env!("CARGO_PKG_VERSION")),
            manual,
        ],
    );
}

fn section(r: &mut Roff, title: &str) {
    r.control("SH", [title]);
}

fn para(r: &mut Roff, text: impl Into<Vec<Inline>>) {
    r.control("PP", []);
    r.text(text);
}

/// A tagged paragraph: `tag` bold, then the body.
fn item(r: &mut Roff, tag: impl Into<Vec<Inline>>, body: impl Into<Vec<Inline>>) {
    r.control("TP", []);
    r.text(tag);
    r.text(body);
}

/// The release files, each with what it says of one setting.
fn files() -> Vec<Defaults> {
    registry::files().iter().map(|f| f.parse()).collect()
}

/// Where a release file applies, in words.
fn reach(d: &Defaults) -> String {
    match d.origin {
        ReleaseOrigin::Coreos => format!("CoreOS {}", d.release),
        ReleaseOrigin::Flatcar => format!("Flatcar {}", d.release),
        ReleaseOrigin::Project => format!("{} (this project's own, when pinned)", d.release),
    }
}

/// The releases a run of files (consecutive among their origin's, by
/// version) applies to, in words: from the first file's release to before
/// the next file's, or to the end of the last file's reach.
fn span(run: &[Defaults], all: &[Defaults]) -> String {
    let (first, last) = (&run[0], &run[run.len() - 1]);
    if first.origin == ReleaseOrigin::Project {
        let names: Vec<&str> = run.iter().map(|d| d.release.as_str()).collect();
        return format!("{} (this project's own, when pinned)", names.join(", "));
    }
    let origin = match first.origin {
        ReleaseOrigin::Flatcar => "Flatcar",
        _ => "CoreOS",
    };
    let next = all
        .iter()
        .filter(|d| d.origin == first.origin)
        .skip_while(|d| d.release != last.release)
        .nth(1);
    match (next, &last.until) {
        (Some(n), _) => format!("{origin} {} to before {}", first.release, n.release),
        (None, Some(u)) => format!("{origin} {} to before {}", first.release, u.release),
        (None, None) => format!("{origin} {} and later", first.release),
    }
}

/// A setting's value per release file, runs of equal values (within one
/// origin) joined: `VALUE on RELEASES`.
fn by_release(value: impl Fn(&Defaults) -> Option<String>) -> Vec<(String, String)> {
    let all = files();
    let mut runs: Vec<(String, Vec<Defaults>)> = Vec::new();
    for d in &all {
        let Some(v) = value(d) else {
            // a file the setting does not apply to ends a run
            runs.push((String::new(), Vec::new()));
            continue;
        };
        match runs.last_mut() {
            Some((last, ds)) if *last == v && ds.last().is_some_and(|p| p.origin == d.origin) => {
                ds.push(d.clone())
            }
            _ => runs.push((v, vec![d.clone()])),
        }
    }
    runs.into_iter()
        .filter(|(_, ds)| !ds.is_empty())
        .map(|(v, ds)| (v, span(&ds, &all)))
        .collect()
}

/// The releases whose engine reads a variable, and its default there.
fn applies(v: Var) -> (String, Vec<String>) {
    let engines: Vec<&str> = match v.engine() {
        Some(e) => vec![e],
        None => vec!["rkt", "podman", "docker", "systemd-nspawn"],
    };
    let releases = by_release(|d| engines.contains(&d.engine.name()).then(String::new))
        .into_iter()
        .map(|(_, span)| span)
        .collect::<Vec<_>>()
        .join("; ");
    let default = |d: &Defaults| -> Option<String> {
        if v.engine().is_some_and(|e| e != d.engine.name()) {
            return None;
        }
        match (v, &d.engine) {
            (Var::KubeletImageUrl, _) => Some(d.image.default_url.clone()),
            (Var::KubeletImageArgs, Engine::Rkt(r)) => Some(r.image_args.join(" ")),
            (Var::KubeletImageArgs, Engine::Podman(o) | Engine::Docker(o)) => {
                Some(format!("--exec={}", o.command))
            }
            (Var::KubeletImageArgs, Engine::SystemdNspawn(n)) => {
                Some(format!("--exec={}", n.command))
            }
            (Var::RktStage1Arg, Engine::Rkt(r)) => Some(r.stage1.join(" ")),
            (Var::Rkt | Var::Podman | Var::Docker | Var::SystemdNspawn, e) => {
                Some(e.program().to_string())
            }
            _ => None,
        }
    };
    (
        if releases.is_empty() {
            "no embedded release runs its engine".into()
        } else {
            releases
        },
        by_release(default)
            .into_iter()
            .map(|(v, span)| format!("{v} on {span}"))
            .collect(),
    )
}

/// kubelet-wrapper(8).
pub fn wrapper() -> String {
    let mut r = Roff::new();
    th(&mut r, "KUBELET-WRAPPER", "8", "System Manager's Manual");
    section(&mut r, "NAME");
    r.text([roman(
        "kubelet-wrapper - run the kubelet in a container engine with the host access of the OS release",
    )]);
    section(&mut r, "SYNOPSIS");
    r.text([
        bold("/usr/lib/coreos/kubelet-wrapper"),
        roman(" ["),
        italic("KUBELET_FLAG"),
        roman("...]"),
    ]);
    section(&mut r, "DESCRIPTION");
    r.text([roman(
        "kubelet-wrapper is the program systemd starts from kubelet.service to run the kubelet inside a container engine. It has no options of its own: every argument is a kubelet flag, passed on byte for byte after the engine's arguments.",
    )]);
    para(
        &mut r,
        [
            roman(
                "The OS release owns the system layer: the host paths mounted into the kubelet's container (where, read-only or not, shared or not), the engine and its fixed flags, the image trust policy and the directories created first. It is embedded in this binary, one release file per release (see ",
            ),
            bold("kubelet-wrapper.defaults"),
            roman(
                "(5)); a release changes it by shipping a new binary. The cluster admin owns only the kubelet's version and flags, and a few documented escape hatches, through the environment variables below, set in the unit with Environment= or EnvironmentFile=.",
            ),
        ],
    );
    para(
        &mut r,
        [roman(
            "Which release file is used: a binary built with KUBELET_WRAPPER_RELEASE set is pinned to that release. Otherwise the release is read from os-release at run time, and only a host of the CoreOS family (ID or ID_LIKE naming coreos or flatcar, with a MAJOR.MINOR.PATCH VERSION_ID) is accepted; any other host is refused with exit status 1 before anything happens.",
        )],
    );
    para(
        &mut r,
        [roman(
            "Before it starts the engine the wrapper checks everything it can: the admin layer against the release (every problem is reported, not the first), the engine program (found, executable, its #! interpreter), the command's size for execve(2), the directories, and the mount propagation of the volumes the release wants shared. Then it creates the release's directories (mode 0755; nothing that exists is changed), prints one line on standard error, \"+ exec\" and the command quoted for a shell, and replaces itself with the engine by execve(2), the environment unchanged: systemd supervises, signals and reaps the engine directly.",
        )],
    );
    para(
        &mut r,
        [
            roman("What the wrapper would do is shown, without doing it, by "),
            bold("kubelet-wrapperctl render"),
            roman("; a unit is checked before rollout with "),
            bold("kubelet-wrapperctl check --unit"),
            roman("."),
        ],
    );

    section(&mut r, "ENVIRONMENT");
    r.text([roman(
        "\"Set\" means present and not empty; an empty value counts as unset. Every value is split into words on spaces, tabs and newlines, like an unquoted shell expansion: quotes are not removed and nothing is globbed. Each deprecated variable that is set, each variable named like the wrapper's that it does not know, and each variable of another engine prints one notice; notices never stop the wrapper.",
    )]);
    for v in Var::ALL {
        let (releases, defaults) = applies(v);
        let mut body = vec![roman(format!("{} Releases: {releases}.", v.meaning()))];
        if !defaults.is_empty() {
            body.push(roman(format!(" Default: {}.", defaults.join("; "))));
        }
        if let Some(new) = v.replacement() {
            body.push(roman(format!(" Deprecated: use {new}.")));
        }
        item(&mut r, [bold(v.name())], body);
    }
    item(
        &mut r,
        [bold("PATH")],
        [roman(
            "Where an engine program named without a / is looked for, as execvp(3) does.",
        )],
    );

    section(&mut r, "EXIT STATUS");
    r.text([roman(
        "When the engine starts, the wrapper has become it, and the exit status is the engine's (the kubelet's, through it). Otherwise:",
    )]);
    for (status, why) in launch::EXIT_STATUSES {
        item(&mut r, [bold(status.to_string())], [roman(*why)]);
    }

    section(&mut r, "FILES");
    for f in os_release::FILES {
        item(
            &mut r,
            [bold(format!("/{f}"))],
            [roman(
                "The host's release, read (a regular file of at most 64 KiB) by a build that is not pinned: /etc/os-release, else /usr/lib/os-release.",
            )],
        );
    }
    item(
        &mut r,
        [bold(crate::host::mountinfo::SELF_MOUNTINFO)],
        [roman(
            "The mount table, read where the propagation of a volume's source must be known.",
        )],
    );
    item(
        &mut r,
        [bold("/usr/share/kubelet-wrapper/kubelet.service")],
        [roman(
            "An example unit for the release the binary is pinned to, to copy to /etc/systemd/system/ and adapt.",
        )],
    );

    section(&mut r, "NOTES");
    r.text([roman(
        "A drop-in replacement for the CoreOS script of the same name: on every CoreOS release that shipped it (960.0.0 to 2514.1.0) the engine command is the script's, byte for byte, for every admin configuration the script accepted. Where it departs, it is only where the input was broken under the script too, or where the host was left half set up: it fails before creating anything, with the script's exit status. A unit written for rkt keeps working on a release that runs another engine: its rkt arguments are translated, dropped with a notice where they only concerned rkt, or refused with a message naming them.",
    )]);
    section(&mut r, "SEE ALSO");
    r.text([
        bold("kubelet-wrapperctl"),
        roman("(1), "),
        bold("kubelet-wrapper.defaults"),
        roman("(5), "),
        bold("systemd.service"),
        roman("(5), "),
        bold("systemd.exec"),
        roman("(5), "),
        bold("podman-run"),
        roman("(1), "),
        bold("docker-run"),
        roman("(1), "),
        bold("systemd-nspawn"),
        roman("(1)"),
    ]);
    r.render()
}

/// One field of the schema and those below it.
fn fields(r: &mut Roff, schema: &Value, defs: &Value, path: &str, depth: usize) {
    let resolve = |v: &Value| -> Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(rf) => rf
                .rsplit('/')
                .next()
                .and_then(|n| defs.get(n))
                .cloned()
                .unwrap_or(Value::Null),
            None => v.clone(),
        }
    };
    let schema = resolve(schema);
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        // a choice of forms: each variant's properties
        for key in ["oneOf", "anyOf"] {
            if let Some(vs) = schema.get(key).and_then(Value::as_array) {
                for v in vs {
                    fields(r, v, defs, path, depth);
                }
            }
        }
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, field) in props {
        let full = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        let resolved = resolve(field);
        let doc = field
            .get("description")
            .or_else(|| resolved.get("description"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .replace('\n', " ");
        let mut body = vec![roman(doc)];
        if !required.contains(&name.as_str()) {
            body.push(roman(" Optional."));
        }
        item(r, [bold(full.clone())], body);
        if depth < 4 {
            let inner = match resolved.get("items") {
                Some(items) => resolve(items),
                None => resolved.clone(),
            };
            fields(r, &inner, defs, &full, depth + 1);
        }
    }
}

/// kubelet-wrapper.defaults(5), from the format's JSON Schema.
pub fn defaults_format() -> String {
    let schema: Value =
        serde_json::from_str(&crate::release::schema::to_json()).expect("the schema is JSON");
    let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
    let mut r = Roff::new();
    th(
        &mut r,
        "KUBELET-WRAPPER.DEFAULTS",
        "5",
        "File Formats Manual",
    );
    section(&mut r, "NAME");
    r.text([roman(
        "kubelet-wrapper.defaults - the system layer of one OS release, for kubelet-wrapper",
    )]);
    section(&mut r, "SYNOPSIS");
    r.text([
        italic("defaults/RELEASE.json"),
        roman(" in kubelet-wrapper's source"),
    ]);
    section(&mut r, "DESCRIPTION");
    r.text([roman(
        "A release file is a JSON object that says what the kubelet gets on one OS release: the host paths mounted into its container, the engine and its fixed flags, the image and its trust policy, the directories created first. The build (build.rs) validates every file and embeds it in the binary; a file that breaks a rule fails the build, naming the file and the rule. Unknown fields are errors.",
    )]);
    para(
        &mut r,
        [roman(
            "A file is named after the first release it applies to, MAJOR.MINOR.PATCH. A file M.0.0 is a change on the main line, inherited by every later major version; any other file is a backport that applies only inside its major. A release R uses the newest file of its major not newer than R, else the newest main-line file of a smaller major, else the oldest file, among the files of its origin.",
        )],
    );
    para(
        &mut r,
        [
            bold("kubelet-wrapperctl defaults validate"),
            roman(" runs the build's checks on files outside the tree; "),
            bold("kubelet-wrapperctl defaults schema"),
            roman(" prints the JSON Schema these fields come from."),
        ],
    );
    section(&mut r, "FIELDS");
    fields(&mut r, &schema, &defs, "", 0);
    section(&mut r, "EMBEDDED RELEASES");
    r.text([roman(
        "The files this binary embeds, and what each changed (its summary):",
    )]);
    for d in files() {
        item(&mut r, [bold(reach(&d))], [roman(d.summary.clone())]);
    }
    section(&mut r, "SEE ALSO");
    r.text([
        bold("kubelet-wrapper"),
        roman("(8), "),
        bold("kubelet-wrapperctl-defaults"),
        roman("(1)"),
    ]);
    r.render()
}
