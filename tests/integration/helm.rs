//! Every golden chart through the real tools: `helm lint --strict` and `helm template` on Helm
//! 3.17.3 and 4.1.4, and the rendered objects through `kubernetes-validate --strict` for
//! Kubernetes 1.30. Also the values schema refusing bad values on both Helm versions.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::common::{helm, ok, root, tools};

fn golden_charts() -> Vec<PathBuf> {
    let mut charts = Vec::new();
    for case in fs::read_dir(root().join("tests/golden")).unwrap() {
        for chart in fs::read_dir(case.unwrap().path()).unwrap() {
            let chart = chart.unwrap().path();
            if chart.join("Chart.yaml").exists() {
                charts.push(chart);
            }
        }
    }
    charts.sort();
    assert!(
        charts.len() >= 15,
        "expected the golden charts of every fixture and example"
    );
    charts
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
    let output = Command::new(&tools.kubernetes_validate)
        .args(["--strict", "--kubernetes-version", "1.30.0"])
        .args(&files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && !stdout.contains("ERROR"),
        "kubernetes-validate:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
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
            "workload.kind=DaemonSet",
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
