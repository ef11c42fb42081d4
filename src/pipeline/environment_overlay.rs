//! One chart serving several environments: the planner names a service the same way in
//! every environment, values.yaml holds what every environment shares (no environment's own
//! value, so editing it changes them all and nothing of dev reaches prod by default), and
//! `values-<env>.yaml` holds what is each environment's own. A render without one of them fails.

use serde_json::{Map, Value};

use crate::chart::profile::Profile;
use crate::chart::readme::Environments;
use crate::error::Result;
use crate::pipeline::map_unit::{check_strict, Converted, Mapped};
use crate::report::{Code, Finding, Report};
use crate::settings::Settings;
use crate::yaml::{self, Entry, Node};

/// Merges one chart's units (in environment order) into one chart with a values file per
/// environment; `envs` names every environment, so a missing one is reported.
pub(crate) fn combine(
    name: &str,
    envs: &[String],
    members: Vec<Mapped>,
    settings: &Settings,
) -> Result<Converted> {
    let base = &members[0];
    let all_values: Vec<Node> = members
        .iter()
        .map(|m| crate::chart::values::build_for(&m.workload, m.env.as_deref()))
        .collect();
    let profile = Profile::of(&all_values.iter().map(Node::to_json).collect::<Vec<_>>());
    let all_values: Vec<Node> = all_values.into_iter().map(|v| profile.prune(v)).collect();
    let others: Vec<&Node> = all_values[1..].iter().collect();
    let base_values = shared(&all_values[0], &others);
    let base_json = base_values.to_json();
    let mut report = Report::default();
    let mut value_files = Vec::new();
    for (member, values) in members.iter().zip(&all_values) {
        let env = member.env.as_deref().unwrap_or_default();
        report
            .findings
            .extend(member.report.findings.iter().cloned());
        let diff = overlay(&base_json, &values.to_json());
        let source = member.source.display().to_string();
        value_files.push((
            format!("values-{env}.yaml"),
            values_file(env, &source, diff.as_ref()),
        ));
    }
    let present: Vec<&Mapped> = members.iter().collect();
    report_missing(name, envs, &present, &mut report);
    report.sort();
    check_strict(settings, &base.source, &report)?;
    let sources = crate::pipeline::map_unit::sources_label(&present, true);
    let names: Vec<String> = members
        .iter()
        .map(|m| m.env.clone().unwrap_or_default())
        .collect();
    let environments = Environments {
        names: &names,
        first_values: &all_values[0],
    };
    let mut chart = crate::chart::build_with_values(
        &base.workload,
        &sources,
        &report,
        &settings.chart,
        &base_values,
        &profile,
        Some(&environments),
    )?;
    for (file, text) in value_files {
        chart.files.insert(file, text.into_bytes());
    }
    Ok(Converted {
        sources,
        source: base.source.clone(),
        chart,
        report,
        kind: base.workload.kind,
    })
}

/// An environment without this service gets no values file, and the report says so.
pub(crate) fn report_missing(
    name: &str,
    envs: &[String],
    members: &[&Mapped],
    report: &mut Report,
) {
    for env in envs {
        if !members.iter().any(|m| m.env.as_ref() == Some(env)) {
            report.push(Finding {
                code: Code::EnvMissing,
                severity: Code::EnvMissing.severity(),
                pointer: String::new(),
                message: format!("service {name:?} has no task definition in environment {env}"),
                action: format!("no values-{env}.yaml; the chart serves the other environments"),
                value: None,
                environment: Some(env.clone()),
            });
        }
    }
}

/// What `other` changes relative to `base`, as a Helm values overlay: maps merge key by key, a
/// key missing from `other` is removed with `null`, and anything else is replaced whole (Helm
/// replaces lists rather than merging them). `None` when nothing differs.
pub(crate) fn overlay(base: &Value, other: &Value) -> Option<Value> {
    match (base, other) {
        (Value::Object(b), Value::Object(o)) => {
            let mut out = Map::new();
            for (key, value) in o {
                match b.get(key) {
                    None => {
                        out.insert(key.clone(), value.clone());
                    }
                    Some(base_value) => {
                        if let Some(d) = overlay(base_value, value) {
                            out.insert(key.clone(), d);
                        }
                    }
                }
            }
            for key in b.keys().filter(|k| !o.contains_key(*k)) {
                out.insert(key.clone(), Value::Null);
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        _ if base == other => None,
        _ => Some(other.clone()),
    }
}

/// What every one of `first` and `others` holds alike, documented as `first` is: a map keeps
/// the keys all of them have, each narrowed the same way; anything else is kept when all are
/// equal. What is left out is each environment's own.
pub(crate) fn shared(first: &Node, others: &[&Node]) -> Node {
    let Node::Map(entries) = first else {
        return first.clone();
    };
    let kept = entries
        .iter()
        .filter_map(|entry| {
            let theirs: Vec<&Node> = others
                .iter()
                .map(|o| find(o, &entry.key))
                .collect::<Option<_>>()?;
            let value = if matches!(entry.value, Node::Map(_))
                && theirs.iter().all(|t| matches!(t, Node::Map(_)))
            {
                shared(&entry.value, &theirs)
            } else {
                let json = entry.value.to_json();
                if !theirs.iter().all(|t| t.to_json() == json) {
                    return None;
                }
                entry.value.clone()
            };
            Some(Entry {
                value,
                ..entry.clone()
            })
        })
        .collect();
    Node::Map(kept)
}

fn find<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match node {
        Node::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
        _ => None,
    }
}

/// The text of `values-<env>.yaml`.
fn values_file(env: &str, source: &str, diff: Option<&Value>) -> String {
    let source = yaml::comment_safe(source);
    let mut text = format!(
        "# Values for environment {env}, converted from {source}.\n\
         # What is this environment's own; values.yaml holds what every environment shares.\n\
         # Use: helm upgrade --install RELEASE CHART -f values-{env}.yaml\n"
    );
    match diff {
        Some(d) => text.push_str(&yaml::to_string(&Node::from_json(d))),
        None => text.push_str("{}\n"),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn overlay_keeps_only_differences() {
        let base = json!({"replicaCount": 1, "env": {"A": "1", "B": "2"}, "args": ["x"], "same": {"k": "v"}});
        let prod = json!({"replicaCount": 3, "env": {"A": "1", "C": "3"}, "args": ["x", "y"], "same": {"k": "v"}});
        assert_eq!(
            overlay(&base, &prod).unwrap(),
            json!({"replicaCount": 3, "env": {"C": "3", "B": null}, "args": ["x", "y"]})
        );
        assert_eq!(overlay(&base, &base), None);
    }
}
