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
                let Some(rewritten) = crate::host_names::replace(value, old, new) else {
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
