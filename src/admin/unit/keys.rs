//! The settings systemd knows in each section of a service unit, as data
//! (`systemd-252-keys.txt`, taken from systemd 252's
//! load-fragment-gperf.gperf.in), and the closest of them to a name it
//! does not know.
//!
//! systemd warns about a key it does not know ("Unknown key 'Enviroment'
//! in section [Service], ignoring.") and goes on without it: a misspelt
//! `Enviroment=` or `ExecStrat=` silently loses what it meant to set.
//! tests/units.rs checks the list against the installed systemd.

/// `SECTION.KEY` lines, with `#` comments.
const DATA: &str = include_str!("systemd-252-keys.txt");

/// The keys of `section` (`Unit`, `Service`, `Install`), in order.
pub fn of(section: &str) -> impl Iterator<Item = &'static str> + '_ {
    DATA.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(move |l| l.strip_prefix(section)?.strip_prefix('.'))
}

/// Whether systemd knows `key` in `section` (case-sensitive, as systemd).
pub fn known(section: &str, key: &str) -> bool {
    of(section).any(|k| k == key)
}

/// Whether `key` is a setting of any section of a service unit.
pub fn known_anywhere(key: &str) -> bool {
    ["Unit", "Service", "Install"].iter().any(|s| known(s, key))
}

/// The edit distance of two names, counting a swap of neighbours as one
/// (optimal string alignment), compared without case.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// The name among `candidates` that `name` most likely meant: the same
/// but for case, else the nearest within two edits (one for names of up
/// to four characters), the longest common start breaking ties.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    if name.len() > 64 {
        return None;
    }
    let most = if name.len() <= 4 { 1 } else { 2 };
    let common = |k: &str| {
        name.bytes()
            .zip(k.bytes())
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .count()
    };
    candidates
        .filter(|k| k.len().abs_diff(name.len()) <= most)
        .map(|k| (distance(name, k), std::cmp::Reverse(common(k)), k))
        .filter(|(d, _, _)| *d <= most)
        .min()
        .map(|(_, _, k)| k)
}

/// The key of `section` that `key` most likely meant.
pub fn did_you_mean(section: &str, key: &str) -> Option<&'static str> {
    closest(key, of(section))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists() {
        assert_eq!(
            of("Install").collect::<Vec<_>>(),
            ["Alias", "Also", "DefaultInstance", "RequiredBy", "WantedBy"]
        );
        for k in [
            "ExecStart",
            "ExecStartPre",
            "Environment",
            "Restart",
            "LimitNOFILE",
            "MemoryMax",
            "KillMode",
            "TimeoutStartSec",
        ] {
            assert!(known("Service", k), "{k}");
        }
        assert!(known("Unit", "Description") && !known("Service", "Description"));
        assert!(!known("Service", "environment"));
        assert!(known_anywhere("WantedBy"));
    }

    #[test]
    fn did_you_mean_the_real_key() {
        for (typo, meant) in [
            ("Enviroment", "Environment"),
            ("ExecStrat", "ExecStart"),
            ("environment", "Environment"),
            ("EXECSTART", "ExecStart"),
            ("ExecStartpre", "ExecStartPre"),
            ("EnvironmentFiles", "EnvironmentFile"),
            ("Restrat", "Restart"),
        ] {
            assert_eq!(did_you_mean("Service", typo), Some(meant), "{typo}");
        }
        assert_eq!(did_you_mean("Unit", "Descripton"), Some("Description"));
        assert_eq!(did_you_mean("Service", "KubeletFlags"), None);
        assert_eq!(did_you_mean("Install", "WantsBy"), Some("WantedBy"));
        assert_eq!(
            closest("Servce", ["Unit", "Service", "Install"].into_iter()),
            Some("Service")
        );
    }
}
