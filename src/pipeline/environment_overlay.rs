//! One chart serving several environments: the planner names a service the same way in
//! every environment, values.yaml holds the first environment's values, and
//! `values-<env>.yaml` holds only what differs for each environment.

use serde_json::{Map, Value};

use crate::error::Result;
use crate::pipeline::map_unit::{check_strict, Converted, Mapped};
use crate::report::{Code, Finding, Report};
use crate::settings::Settings;
use crate::yaml::{self, Node};

/// Merges one chart's units (in environment order) into one chart with a values file per
/// environment; `envs` names every environment, so a missing one is reported.
pub(crate) fn combine(
    name: &str,
    envs: &[String],
    members: Vec<Mapped>,
    settings: &Settings,
) -> Result<Converted> {
    let base = &members[0];
    let base_env = base.env.as_deref().unwrap_or_default();
    let base_values = crate::chart::values::build(&base.workload);
    let base_json = base_values.to_json();
    let mut report = Report::default();
    let mut value_files = Vec::new();
    for member in &members {
        let env = member.env.as_deref().unwrap_or_default();
        report
            .findings
            .extend(member.report.findings.iter().cloned());
        let values = crate::chart::values::build(&member.workload).to_json();
        let diff = overlay(&base_json, &values);
        let source = member.source.display().to_string();
        value_files.push((
            format!("values-{env}.yaml"),
            values_file(env, &source, base_env, diff.as_ref()),
        ));
    }
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
    report.sort();
    check_strict(settings, &base.source, &report)?;
    let sources: Vec<String> = members
        .iter()
        .map(|m| {
            format!(
                "{}={}",
                m.env.as_deref().unwrap_or_default(),
                m.source.display()
            )
        })
        .collect();
    let mut chart = crate::chart::build_with_values(
        &base.workload,
        &sources.join(", "),
        &report,
        &settings.chart,
        &base_values,
    )?;
    for (file, text) in value_files {
        chart.files.insert(file, text.into_bytes());
    }
    Ok(Converted {
        sources: sources.join(", "),
        source: base.source.clone(),
        chart,
        report,
        kind: base.workload.kind,
    })
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

/// The text of `values-<env>.yaml`.
fn values_file(env: &str, source: &str, base_env: &str, diff: Option<&Value>) -> String {
    let source = yaml::comment_safe(source);
    let mut text = format!(
        "# Values for environment {env}, converted from {source}.\n\
         # Only what differs from values.yaml (the {base_env} environment's values).\n\
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
