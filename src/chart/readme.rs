//! The chart's README: a parameter table built from the same documented values tree as
//! values.yaml, and the migration notes from the conversion report.

use handlebars::Handlebars;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::report::Report;
use crate::workload::{Workload, WorkloadKind};
use crate::yaml::Node;

const TEMPLATE: &str = include_str!("../../chart-templates/README.md.hbs");

#[derive(Serialize)]
struct FindingRow {
    severity: String,
    code: &'static str,
    pointer: String,
    message: String,
    action: String,
}

#[derive(Serialize)]
struct TargetGroupContext<'a> {
    name: &'a str,
    target_type: &'static str,
    instance: bool,
    deregistration_delay: i64,
}

#[derive(Serialize)]
struct Context<'a> {
    name: &'a str,
    description: &'a str,
    origin: &'a str,
    kind: &'static str,
    kind_reason: &'a str,
    target_group: Option<TargetGroupContext<'a>>,
    stateful: bool,
    pod_security: &'static str,
    pod_security_reasons: Vec<String>,
    /// The table's rows, made here: a README lists hundreds of keys, and row by row through
    /// the template engine this table cost a fifth of a conversion.
    parameter_rows: String,
    findings: Vec<FindingRow>,
    /// The environments of a chart converted for several, comma-separated; empty otherwise.
    environments: String,
    first_environment: &'a str,
}

/// A chart converted for several environments: its values.yaml holds what they share; the
/// parameter table lists the first environment's keys, and those its values.yaml lacks read
/// "per environment".
pub(crate) struct Environments<'a> {
    pub names: &'a [String],
    pub first_values: &'a Node,
}

/// The template is parsed once per process, not once per chart.
fn registry() -> std::result::Result<&'static Handlebars<'static>, &'static String> {
    static REGISTRY: std::sync::OnceLock<std::result::Result<Handlebars<'static>, String>> =
        std::sync::OnceLock::new();
    REGISTRY
        .get_or_init(|| {
            let mut hb = Handlebars::new();
            hb.set_strict_mode(true);
            hb.register_escape_fn(handlebars::no_escape);
            hb.register_template_string("readme", TEMPLATE)
                .map_err(|e| e.to_string())?;
            Ok(hb)
        })
        .as_ref()
}

/// Long defaults (a certificate, a big JSON document) are cut: values.yaml has them whole, and
/// a README that repeats every byte of a large task definition helps no reader.
fn shortened(text: &str) -> String {
    const LIMIT: usize = 80;
    if text.chars().count() <= LIMIT {
        return text.to_string();
    }
    let head: String = text.chars().take(LIMIT).collect();
    format!(
        "{head}… ({} characters; see values.yaml)",
        text.chars().count()
    )
}

/// Markdown table cells cannot hold `|` or newlines.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Table rows for documented keys; a documented map whose children are documented too is
/// listed through its children, so every row shows a default a user can copy.
pub(crate) fn parameters(node: &Node) -> Vec<(String, String, serde_json::Value)> {
    fn walk(node: &Node, prefix: &str, out: &mut Vec<(String, String, serde_json::Value)>) {
        let Node::Map(entries) = node else { return };
        for e in entries {
            let key = if prefix.is_empty() {
                e.key.clone()
            } else if e.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                format!("{prefix}.{}", e.key)
            } else {
                format!("{prefix}[\"{}\"]", e.key)
            };
            // Walk into a map when every child has its own row, or when it is a collection by
            // name (containers, persistence) whose members' children all do; otherwise the map
            // is one row whose default shows all of it.
            let all_documented = |n: &Node| matches!(n, Node::Map(c) if !c.is_empty() && c.iter().all(|c| c.doc.is_some()));
            let documented_children = all_documented(&e.value)
                || matches!(&e.value, Node::Map(members) if !members.is_empty() && members.iter().all(|m| all_documented(&m.value)));
            if documented_children || (e.doc.is_none() && matches!(e.value, Node::Map(_))) {
                walk(&e.value, &key, out);
            } else if let Some(doc) = &e.doc {
                out.push((key, doc.clone(), e.value.to_json()));
            }
        }
    }
    let mut out = Vec::new();
    walk(node, "", &mut out);
    out
}

/// The parameter rows: of `values`, or of the first environment's values with the keys that
/// values.yaml (`values`) does not share marked as set per environment.
fn table(values: &Node, environments: Option<&Environments>) -> String {
    use std::fmt::Write;
    let shared: std::collections::BTreeSet<String> = environments
        .map(|_| {
            parameters(values)
                .into_iter()
                .map(|(key, ..)| key)
                .collect()
        })
        .unwrap_or_default();
    let rows = environments.map_or(values, |e| e.first_values);
    let mut out = String::new();
    for (key, description, default) in parameters(rows) {
        let default = if environments.is_some() && !shared.contains(&key) {
            "per environment (`values-<env>.yaml`)".to_string()
        } else {
            let text = cell(&shortened(&default.to_string()));
            // A code span holding a backtick needs double backticks around it.
            if text.contains('`') {
                format!("`` {text} ``")
            } else {
                format!("`{text}`")
            }
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {default} |",
            cell(&key),
            cell(&description)
        );
    }
    out
}

pub(crate) fn render(
    w: &Workload,
    description: &str,
    values: &Node,
    report: &Report,
    environments: Option<&Environments>,
) -> Result<String> {
    let hb = registry().map_err(|message| Error::Render {
        template: "README.md.hbs".into(),
        message: message.clone(),
    })?;
    let context = Context {
        name: &w.name,
        description,
        origin: &w.origin,
        kind: w.kind.as_str(),
        kind_reason: &w.kind_reason,
        target_group: w.target_group.as_ref().map(|t| TargetGroupContext {
            name: &t.name,
            target_type: t.target_type,
            instance: t.target_type == "instance",
            deregistration_delay: t.deregistration_delay,
        }),
        stateful: w.kind == WorkloadKind::StatefulSet,
        pod_security: w.pod_security.level.as_str(),
        pod_security_reasons: w.pod_security.reasons.iter().map(|r| cell(r)).collect(),
        parameter_rows: table(values, environments),
        environments: environments.map_or_else(String::new, |e| e.names.join(", ")),
        first_environment: environments
            .and_then(|e| e.names.first())
            .map_or("", String::as_str),
        findings: report
            .findings
            .iter()
            .map(|f| FindingRow {
                severity: format!("{:?}", f.severity).to_lowercase(),
                code: f.code.as_str(),
                pointer: match &f.environment {
                    Some(env) => format!("{env}: {}", cell(&f.pointer)),
                    None => cell(&f.pointer),
                },
                message: cell(&f.message).replace('`', "'"),
                action: cell(&f.action),
            })
            .collect(),
    };
    hb.render("readme", &context).map_err(|e| Error::Render {
        template: "README.md.hbs".into(),
        message: e.to_string(),
    })
}
