//! Clients of a moved service keep calling its Cloud Map name (`redis.dev.estate.internal`),
//! which does not resolve on EKS. Among the services converted together, environment values
//! that name another one by its Cloud Map name get that service's Kubernetes Service name, in
//! the same environment only, each rewrite reported with the old value; with
//! `--keep-discovery-names` they stay and are reported.

use std::collections::BTreeMap;

use crate::json_path::JsonPath;
use crate::pipeline::map_unit::Mapped;
use crate::pipeline::plan::Unit;
use crate::report::Code;

/// (environment, old DNS name, lowercased) → the chart whose Service now answers it.
pub(crate) type Names = BTreeMap<(Option<String>, String), String>;

/// The Cloud Map names of the services about to be converted, known from the plan, so each
/// unit can be rewritten as it is mapped (nothing is held back for a second pass).
pub(crate) fn names(units: &[Unit]) -> Names {
    let mut names = Names::new();
    for u in units {
        for old in u.service.iter().flat_map(|s| &s.discovery_names) {
            names.insert(
                (u.env.clone(), old.value.to_ascii_lowercase()),
                u.chart.clone(),
            );
        }
    }
    names
}

pub(crate) fn rewrite(m: &mut Mapped, names: &Names, keep: bool) {
    let env = m.env.clone();
    let own = m.workload.name.clone();
    let mut notes = Vec::new();
    for c in &mut m.workload.containers {
        for (var, value) in c.env.iter_mut() {
            for ((e, old), new) in names {
                if *e != env || *new == own {
                    continue;
                }
                let Some(rewritten) = replace_host(value, old, new) else {
                    continue;
                };
                notes.push((
                    c.name.clone(),
                    var.clone(),
                    value.clone(),
                    old.clone(),
                    new.clone(),
                ));
                if !keep {
                    *value = rewritten;
                }
            }
        }
    }
    if notes.is_empty() {
        return;
    }
    for (container, var, before, old, new) in notes {
        let (message, action) = if keep {
            (
                format!("containers.{container}.env.{var} names {old}, the Cloud Map name of {new}"),
                format!("kept (--keep-discovery-names): {old} does not resolve on EKS unless you serve it; the Service is {new}"),
            )
        } else {
            (
                format!("containers.{container}.env.{var} was {before:?}, naming {new} by its Cloud Map name {old}"),
                format!("rewritten to the Service name {new} (same namespace and release name {new} assumed; else {new}.<namespace>.svc.cluster.local); --keep-discovery-names keeps the old value"),
            )
        };
        m.report
            .warn(Code::DiscoveryRewrite, &JsonPath::root(), message, action);
    }
    if let Some(env) = &m.env {
        for f in &mut m.report.findings {
            f.environment.get_or_insert_with(|| env.clone());
        }
    }
    m.report.sort();
}

/// `value` with every whole-host occurrence of `old` replaced by `new`, or None when there is
/// none (`redis.dev.estate.internal` in `redis://redis.dev.estate.internal:6379/0`, never in
/// `xredis.dev.estate.internal` or `redis.dev.estate.internal.example`).
fn replace_host(value: &str, old: &str, new: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let is_host_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    let mut out = String::new();
    let mut last = 0;
    let mut found = false;
    for (at, _) in lower.match_indices(old) {
        let before = value[..at].chars().next_back();
        let after = value[at + old.len()..].chars().next();
        let starts = before.is_none_or(|c| !is_host_char(c));
        // A trailing dot ends an FQDN; a dot followed by more name continues the host.
        let ends = match after {
            None => true,
            Some('.') => value[at + old.len() + 1..]
                .chars()
                .next()
                .is_none_or(|c| !is_host_char(c)),
            Some(c) => !is_host_char(c),
        };
        if starts && ends && at >= last {
            out.push_str(&value[last..at]);
            out.push_str(new);
            last = at + old.len();
            found = true;
        }
    }
    found.then(|| {
        out.push_str(&value[last..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::replace_host;

    #[test]
    fn only_whole_host_names_are_rewritten() {
        let old = "redis.dev.estate.internal";
        assert_eq!(
            replace_host("redis://redis.dev.estate.internal:6379/0", old, "redis").as_deref(),
            Some("redis://redis:6379/0")
        );
        assert_eq!(
            replace_host("redis.dev.estate.internal", old, "redis").as_deref(),
            Some("redis")
        );
        assert_eq!(
            replace_host("a,REDIS.dev.estate.internal.", old, "r").as_deref(),
            Some("a,r.")
        );
        assert_eq!(
            replace_host("xredis.dev.estate.internal", old, "redis"),
            None
        );
        assert_eq!(
            replace_host("redis.dev.estate.internal.example", old, "redis"),
            None
        );
        assert_eq!(replace_host("nothing here", old, "redis"), None);
    }
}
