//! Lean charts: a chart carries the workload kinds and features its input uses or its
//! migration needs, and nothing a reader would have to skip.

use std::fs;

use serde_json::Value;

use crate::common::root;
use crate::conversion::Conversion;

fn templates(chart: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(chart.join("templates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_vault_chart_has_no_job_cronjob_or_daemonset() {
    let out = tempfile::tempdir().unwrap();
    let chart = Conversion::of(root().join("examples/vault.json"))
        .succeeds(out.path())
        .chart();
    let names = templates(&chart);
    for gone in [
        "cronjob.yaml",
        "job.yaml",
        "daemonset.yaml",
        "targetgroupbinding.yaml",
        "securitygrouppolicy.yaml",
    ] {
        assert!(!names.contains(&gone.to_string()), "{gone} in {names:?}");
    }
    for kept in [
        "statefulset.yaml",
        "deployment.yaml",
        "service.yaml",
        "pvc.yaml",
        "adopt.yaml",
        "snapshot.yaml",
    ] {
        assert!(
            names.contains(&kept.to_string()),
            "{kept} missing from {names:?}"
        );
    }
    let values = fs::read_to_string(chart.join("values.yaml")).unwrap();
    for key in [
        "\ncronJob:",
        "\njob:",
        "\ndaemonSet:",
        "\ntargetGroupBinding:",
    ] {
        assert!(!values.contains(key), "values.yaml holds {key}");
    }
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(chart.join("values.schema.json")).unwrap())
            .unwrap();
    assert_eq!(
        schema["properties"]["workload"]["properties"]["kind"]["enum"],
        serde_json::json!(["StatefulSet", "Deployment"])
    );
    assert!(schema["properties"]["cronJob"].is_null());
    let readme = fs::read_to_string(chart.join("README.md")).unwrap();
    assert!(
        !readme.contains("`cronJob.") && !readme.contains("`daemonSet."),
        "README"
    );
}

#[test]
fn a_scheduled_task_carries_cronjob_and_job_only() {
    let out = tempfile::tempdir().unwrap();
    let chart = Conversion::of(root().join("examples/redis.json"))
        .args(["--workload", "cronjob", "--schedule", "rate(1 hour)"])
        .succeeds(out.path())
        .chart();
    let names = templates(&chart);
    assert!(names.contains(&"cronjob.yaml".to_string()) && names.contains(&"job.yaml".to_string()));
    for gone in [
        "statefulset.yaml",
        "deployment.yaml",
        "daemonset.yaml",
        "service.yaml",
        "hpa.yaml",
        "pdb.yaml",
    ] {
        assert!(!names.contains(&gone.to_string()), "{gone} in {names:?}");
    }
    let values = fs::read_to_string(chart.join("values.yaml")).unwrap();
    assert!(!values.contains("\nreplicaCount:") && values.contains("\ncronJob:"));
}
