//! ECS placement constraints (`memberOf` expressions in the cluster query language) → required
//! node affinity, where the attribute has a Kubernetes node label; the rest is reported.

use crate::ecs::task_definition::PlacementConstraint;
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::json_path::JsonPath;
use crate::report::Code;
use crate::report::Report;
use crate::workload::{NodeRequirement, Workload};

fn label_for(attribute: &str) -> Option<&'static str> {
    Some(match attribute {
        "ecs.instance-type" => "node.kubernetes.io/instance-type",
        "ecs.availability-zone" => "topology.kubernetes.io/zone",
        "ecs.os-type" | "ecs.os-family" => "kubernetes.io/os",
        "ecs.cpu-architecture" => "kubernetes.io/arch",
        _ => return None,
    })
}

fn value_for(attribute: &str, value: &str) -> String {
    match (attribute, value.to_ascii_lowercase().as_str()) {
        ("ecs.cpu-architecture", "x86_64") => "amd64".into(),
        ("ecs.cpu-architecture", v) => v.to_string(),
        ("ecs.os-family", v) if v.starts_with("windows") => "windows".into(),
        ("ecs.os-family" | "ecs.os-type", v) => v.to_string(),
        _ => value.to_string(),
    }
}

/// One `attribute:NAME OP VALUE` expression; Err(reason) when it cannot be translated.
fn expression(text: &str, report: &mut Report, path: &JsonPath) -> Result<NodeRequirement, String> {
    let text = text.trim();
    let rest = text
        .strip_prefix("attribute:")
        .ok_or_else(|| format!("{text:?} is not an attribute expression"))?;
    let (name, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let tail = tail.trim();
    let (op, values): (&str, Vec<String>) = if tail == "exists" {
        ("Exists", vec![])
    } else if tail == "!exists" {
        ("DoesNotExist", vec![])
    } else if let Some(v) = tail.strip_prefix("==") {
        ("In", vec![v.trim().to_string()])
    } else if let Some(v) = tail.strip_prefix("!=") {
        ("NotIn", vec![v.trim().to_string()])
    } else if let Some(list) = tail
        .strip_prefix("!in")
        .or_else(|| tail.strip_prefix("not in"))
    {
        (
            "NotIn",
            list.trim()
                .trim_matches(['[', ']'])
                .split(',')
                .map(|s| s.trim().to_string())
                .collect(),
        )
    } else if let Some(list) = tail.strip_prefix("in") {
        (
            "In",
            list.trim()
                .trim_matches(['[', ']'])
                .split(',')
                .map(|s| s.trim().to_string())
                .collect(),
        )
    } else {
        return Err(format!("operator in {text:?} has no node-affinity equivalent (regular expressions and comparisons do not translate)"));
    };
    let key = match label_for(name) {
        Some(label) => label.to_string(),
        None => {
            report.warn(
                Code::PlacementAttr,
                path,
                format!("attribute {name} has no standard node label"),
                format!("required on a node label of the same name ({name}); label the nodes, or change affinity"),
            );
            name.to_string()
        }
    };
    Ok(NodeRequirement {
        key,
        operator: op.to_string(),
        values: values.iter().map(|v| value_for(name, v)).collect(),
    })
}

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    constraints(&td.placement_constraints, false, w, report);
    Ok(())
}

/// Task- and service-level constraints alike; only a service may say `distinctInstance`,
/// which becomes required pod anti-affinity on the node name (one pod per node, as one task
/// per instance). Constraints already on the workload stay: new ones are ANDed to them.
pub(crate) fn constraints(
    list: &[PlacementConstraint],
    service: bool,
    w: &mut Workload,
    report: &mut Report,
) {
    // Constraints are ANDed; `or` inside one gives alternative node selector terms.
    let mut terms: Vec<Vec<NodeRequirement>> = if w.node_affinity.is_empty() {
        vec![vec![]]
    } else {
        w.node_affinity.clone()
    };
    let mut any = false;
    for PlacementConstraint {
        kind,
        expression: expr,
        path,
    } in list
    {
        if kind == "distinctInstance" && service {
            w.distinct_hosts = true;
            report.info(
                Code::PlacementNote,
                path,
                "placement constraint distinctInstance: one task per instance",
                "required pod anti-affinity on kubernetes.io/hostname (podAntiAffinity: hard)",
            );
            continue;
        }
        if kind != "memberOf" {
            report.warn(
                Code::Placement,
                path,
                format!("placement constraint type {kind:?}"),
                if service {
                    "not carried over; a service allows memberOf and distinctInstance"
                } else {
                    "not carried over; a task definition allows only memberOf"
                },
            );
            continue;
        }
        let Some(expr) = expr else { continue };
        let Some(alternatives) = member_of(expr, path, report) else {
            continue;
        };
        any = true;
        terms = terms
            .iter()
            .flat_map(|t| {
                alternatives
                    .iter()
                    .map(move |a| t.iter().cloned().chain(a.iter().cloned()).collect())
            })
            .collect();
        report.info(
            Code::PlacementNote,
            &path.key("expression"),
            format!("placement constraint {expr:?}"),
            "required node affinity",
        );
    }
    if any {
        w.node_affinity = terms;
    }
}

/// A memberOf expression as alternative lists of node requirements (`or` of `and`s); None,
/// reported, when it cannot be expressed as node affinity.
fn member_of(
    expr: &str,
    path: &crate::json_path::JsonPath,
    report: &mut Report,
) -> Option<Vec<Vec<NodeRequirement>>> {
    let at = path.key("expression");
    if expr.contains('(') || expr.contains("task:") {
        report.warn(
            Code::Placement,
            &at,
            format!("expression {expr:?} uses grouping, not() or task attributes"),
            "not carried over; express it with affinity or podAntiAffinity by hand",
        );
        return None;
    }
    let mut alternatives = Vec::new();
    let mut failed = None;
    for alternative in expr.split(" or ") {
        let mut reqs = Vec::new();
        for part in alternative.split(" and ") {
            match expression(part, report, &at) {
                Ok(r) => reqs.push(r),
                Err(reason) => failed = Some(reason),
            }
        }
        alternatives.push(reqs);
    }
    if let Some(reason) = failed {
        report.warn(
            Code::Placement,
            &at,
            reason,
            "the constraint is not carried over",
        );
        return None;
    }
    Some(alternatives)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs;

    #[test]
    fn member_of_expressions_become_node_affinity() {
        let text = r#"{"placementConstraints":[
            {"type":"memberOf","expression":"attribute:ecs.instance-type in [m5.large, m5.xlarge] or attribute:ecs.cpu-architecture == x86_64"},
            {"type":"memberOf","expression":"attribute:ecs.availability-zone != eu-west-1c and attribute:gpu exists"},
            {"type":"memberOf","expression":"attribute:ecs.instance-type =~ t3.*"}],
            "containerDefinitions":[{"name":"a","image":"x"}]}"#;
        let loaded = ecs::from_str(text, "t.json").unwrap();
        let mut w = Workload::new("t".into(), "t".into());
        let mut report = Report::default();
        apply(&loaded.task, &mut w, &mut report).unwrap();
        assert_eq!(w.node_affinity.len(), 2, "two alternatives");
        let first = &w.node_affinity[0];
        assert_eq!(
            first[0],
            NodeRequirement {
                key: "node.kubernetes.io/instance-type".into(),
                operator: "In".into(),
                values: vec!["m5.large".into(), "m5.xlarge".into()]
            }
        );
        assert_eq!(first[1].operator, "NotIn");
        assert_eq!(
            first[2],
            NodeRequirement {
                key: "gpu".into(),
                operator: "Exists".into(),
                values: vec![]
            }
        );
        assert_eq!(w.node_affinity[1][0].values, ["amd64"]);
        assert!(report.findings.iter().any(
            |f| f.code == Code::Placement && f.pointer == "/placementConstraints/2/expression"
        ));
        assert!(report
            .findings
            .iter()
            .any(|f| f.code == Code::PlacementAttr));
    }
}
