//! A cut-over without interruption: the ECS service's target group feeds a TargetGroupBinding
//! that puts the pods beside the ECS tasks, off until asked for.

use std::fs;

use crate::common::{cmd, helm, render, root, tools};

#[test]
fn the_target_group_binding_joins_the_ecs_target_group() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = cmd()
        .arg(root().join("tests/fixtures-batch/nested"))
        .arg("-o")
        .arg(out.path())
        .arg("-q")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let chart = out.path().join("api-service");
    let arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/abc";
    let readme = fs::read_to_string(chart.join("README.md")).unwrap();
    assert!(
        readme.contains("## Cut-over") && readme.contains(arn),
        "{readme}"
    );
    for (label, bin) in &tools.helms {
        let off = render(bin, home.path(), &chart, &[]);
        assert!(
            off.iter().all(|d| d["kind"] != "TargetGroupBinding"),
            "{label}: off by default"
        );
        let docs = render(
            bin,
            home.path(),
            &chart,
            &["--set", "targetGroupBinding.enabled=true"],
        );
        let binding = docs
            .iter()
            .find(|d| d["kind"] == "TargetGroupBinding")
            .expect("a binding");
        let service = docs
            .iter()
            .find(|d| d["kind"] == "Service" && d["spec"]["clusterIP"] != "None")
            .unwrap();
        assert_eq!(binding["apiVersion"], "elbv2.k8s.aws/v1beta1");
        assert_eq!(binding["spec"]["targetGroupARN"], arn, "{label}");
        assert_eq!(binding["spec"]["targetType"], "ip");
        assert_eq!(binding["spec"]["multiClusterTargetGroup"], true);
        assert_eq!(
            binding["spec"]["serviceRef"]["name"],
            service["metadata"]["name"]
        );
        let port = &binding["spec"]["serviceRef"]["port"];
        assert!(
            service["spec"]["ports"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["port"] == *port),
            "{label}: the binding names a port of the Service: {port}"
        );
        let notes = helm(
            bin,
            home.path(),
            &[
                "install",
                "r",
                chart.to_str().unwrap(),
                "--dry-run=client",
                "--set",
                "targetGroupBinding.enabled=true",
            ],
        );
        // Helm 3's client dry run still wants a cluster; Helm 4's does not.
        assert!(notes.status.success() || *label == "helm3", "{label}");
        if notes.status.success() {
            assert!(
                String::from_utf8_lossy(&notes.stdout).contains("scale the ECS service to zero"),
                "{label}"
            );
        }
        let bad = helm(
            bin,
            home.path(),
            &[
                "template",
                "r",
                chart.to_str().unwrap(),
                "--set",
                "targetGroupBinding.targetGroupARN=not-an-arn",
            ],
        );
        assert!(!bad.status.success(), "{label}");
        assert!(String::from_utf8_lossy(&bad.stderr).contains("targetGroupARN"));
    }
}
