//! Every golden chart through the real tools: `helm lint --strict` and `helm template` on Helm
//! 3.17.3 and 4.1.4, and the rendered objects through `kubernetes-validate --strict` for
//! Kubernetes 1.30. Also the values schema refusing bad values on both Helm versions.

use std::fs;
use std::path::PathBuf;

use crate::common::{helm, ok, root, tools};

fn golden_charts() -> Vec<PathBuf> {
    crate::conversion::golden_charts()
        .into_iter()
        .map(|(_, chart)| chart)
        .collect()
}

#[test]
fn golden_charts_pass_lint_template_and_kubernetes_schemas() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let rendered = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for chart in golden_charts() {
        let chart_s = chart.to_str().unwrap();
        for (label, bin) in &tools.helms {
            let lint = helm(bin, home.path(), &["lint", "--strict", chart_s]);
            let text = ok(&lint, &format!("{label} lint --strict {chart_s}"));
            assert!(
                text.contains("0 chart(s) failed"),
                "{label} lint {chart_s}: {text}"
            );
            assert!(
                !text.contains("[WARNING]"),
                "{label} lint {chart_s}: {text}"
            );
            let out = ok(
                &helm(bin, home.path(), &["template", "rel", chart_s]),
                &format!("{label} template {chart_s}"),
            );
            let case = chart
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let file = rendered.path().join(format!("{case}-{label}.yaml"));
            fs::write(&file, out).unwrap();
            files.push(file);
        }
    }
    let stdout = tools.validate(&files);
    assert!(
        stdout.matches("INFO").count() >= files.len(),
        "every file must have been validated:\n{stdout}"
    );
}

#[test]
fn values_schema_refuses_bad_values_on_both_helm_versions() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let chart = root().join("tests/golden/example-redis/redis");
    let chart_s = chart.to_str().unwrap();
    for (label, bin) in &tools.helms {
        for set in [
            "replicaCount=-1",
            "replicaCount=many",
            "replicaCunt=2",
            "workload.kind=ReplicaSet",
            "containers.redis.image.pullPolicy=Sometimes",
        ] {
            for command in ["template", "lint"] {
                let args: Vec<&str> = if command == "template" {
                    vec!["template", "rel", chart_s, "--set", set]
                } else {
                    vec!["lint", chart_s, "--set", set]
                };
                let output = helm(bin, home.path(), &args);
                let all = format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
                assert!(
                    !output.status.success(),
                    "{label} {command} accepted --set {set}"
                );
                assert!(
                    all.contains("values don't meet the specifications of the schema"),
                    "{label} {command} --set {set}: {all}"
                );
            }
        }
    }
}

#[test]
fn schema_is_enforced_on_install_too() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let chart = root().join("tests/golden/example-vault/vault");
    let chart_s = chart.to_str().unwrap();
    // Helm 3.17's install checks that a cluster is reachable before it reads values, even with
    // --dry-run=client, and no Kubernetes API server can run here; Helm 4's client dry run
    // needs no cluster. (Helm 3 validates values in the same code path for template and lint,
    // which the test above covers.)
    for (label, bin) in tools.helms.iter().filter(|(l, _)| *l == "helm4") {
        // A client-side dry run goes through install's full values handling without a cluster.
        let good = helm(
            bin,
            home.path(),
            &["install", "rel", chart_s, "--dry-run=client"],
        );
        ok(&good, &format!("{label} install --dry-run=client"));
        for set in [
            "replicaCount=-1",
            "nameOverrid=x",
            "service.ports[0].port=70000",
        ] {
            let bad = helm(
                bin,
                home.path(),
                &["install", "rel", chart_s, "--dry-run=client", "--set", set],
            );
            let all = String::from_utf8_lossy(&bad.stderr);
            assert!(
                !bad.status.success()
                    && all.contains("values don't meet the specifications of the schema"),
                "{label} install --set {set}: {all}"
            );
        }
    }
}

/// Everything that is off by default renders objects Kubernetes accepts when switched on.
#[test]
fn optional_objects_are_valid_when_enabled() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let rendered = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for case in [
        "example-vault/vault",
        "example-web-with-sidecar/storefront-web",
    ] {
        let chart = root().join("tests/golden").join(case);
        let values = root().join("tests/fixtures-values/everything-on.yaml");
        for (label, bin) in &tools.helms {
            let out = ok(
                &helm(
                    bin,
                    home.path(),
                    &[
                        "template",
                        "rel",
                        chart.to_str().unwrap(),
                        "-f",
                        values.to_str().unwrap(),
                    ],
                ),
                "template with everything on",
            );
            for kind in [
                "kind: Ingress",
                "kind: HorizontalPodAutoscaler",
                "kind: PodDisruptionBudget",
                "topologySpreadConstraints:",
                "initContainers:",
                "name: side",
                "mountPath: /extra",
            ] {
                assert!(out.contains(kind), "{label} {case}: {kind} missing");
            }
            let file = rendered
                .path()
                .join(format!("{}-{label}.yaml", case.replace('/', "-")));
            fs::write(&file, out).unwrap();
            files.push(file);
        }
    }
    tools.validate(&files);
}

/// The README's parameter table is built from the same tree as values.yaml: every row's
/// default is the value at that key, and every value is covered by a row.
#[test]
fn readme_parameter_table_matches_values_yaml() {
    for chart in golden_charts() {
        let values: serde_json::Value = helm_ecs_import::yaml::from_str(
            &fs::read_to_string(chart.join("values.yaml")).unwrap(),
        )
        .unwrap();
        let readme = fs::read_to_string(chart.join("README.md")).unwrap();
        let mut keys = Vec::new();
        for line in readme.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.split(" | ").collect();
            let key = cells[0].trim_start_matches("| `").trim_end_matches('`');
            let default = cells[cells.len() - 1]
                .trim_end_matches(" |")
                .trim_matches('`');
            if key.starts_with("ECSI") || !cells[0].starts_with("| `") || cells.len() != 3 {
                continue;
            }
            let mut at = &values;
            for part in split_key(key) {
                at = at.get(&part).unwrap_or_else(|| {
                    panic!(
                        "{}: README key {key} is not in values.yaml",
                        chart.display()
                    )
                });
            }
            let default = default.replace("\\|", "|");
            if let Some((head, tail)) = default.split_once("… (") {
                // Long defaults are cut; the head and the stated length must still be exact.
                let whole = serde_json::to_string(at).unwrap();
                assert!(
                    whole.starts_with(head),
                    "{key}: {head} is not a prefix of {whole}"
                );
                let count = tail.split(' ').next().unwrap();
                assert_eq!(count, whole.chars().count().to_string(), "{key}: length");
            } else {
                let shown: serde_json::Value = serde_json::from_str(&default)
                    .unwrap_or_else(|e| panic!("{key}: {default}: {e}"));
                assert_eq!(&shown, at, "{}: README default of {key}", chart.display());
            }
            keys.push(key.to_string());
        }
        fn leaves(v: &serde_json::Value, prefix: String, out: &mut Vec<String>) {
            match v.as_object() {
                Some(map) if !map.is_empty() => map.iter().for_each(|(k, v)| {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        format!("{prefix}.{k}")
                    } else {
                        format!("{prefix}[\"{k}\"]")
                    };
                    leaves(v, key, out)
                }),
                _ => out.push(prefix),
            }
        }
        let mut all = Vec::new();
        leaves(&values, String::new(), &mut all);
        for leaf in all {
            assert!(
                keys.iter().any(|k| leaf == *k
                    || leaf.starts_with(&format!("{k}."))
                    || leaf.starts_with(&format!("{k}["))),
                "{}: {leaf} has no README row",
                chart.display()
            );
        }
    }
}

fn split_key(key: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = key;
    while !rest.is_empty() {
        if let Some(stripped) = rest.strip_prefix("[\"") {
            let end = stripped.find("\"]").unwrap();
            parts.push(stripped[..end].to_string());
            rest = &stripped[end + 2..];
        } else {
            let rest_trim = rest.trim_start_matches('.');
            let end = rest_trim.find(['.', '[']).unwrap_or(rest_trim.len());
            parts.push(rest_trim[..end].to_string());
            rest = &rest_trim[end..];
        }
    }
    parts
}
