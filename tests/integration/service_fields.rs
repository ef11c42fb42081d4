//! Every field of an ECS service is mapped or reported: a describe-services file carrying every
//! field converts, the report names each field the chart does not carry, and each mapped one
//! shows in the rendered objects.

use std::fs;

use serde_json::Value;

use crate::common::{cmd, render, root, tools};

#[test]
fn every_service_field_is_mapped_or_reported() {
    let Some(t) = tools() else { return };
    let input = root().join("tests/fixtures-kinds/full-service");
    let out = tempfile::tempdir().unwrap();
    let output = cmd()
        .arg(&input)
        .arg("-o")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let chart = out.path().join("checkout");
    let report: Value =
        serde_json::from_str(&fs::read_to_string(chart.join("ecs-import-report.json")).unwrap())
            .unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings.iter().all(|f| f["code"] != "ECSI-W-UNKNOWN-KEY"),
        "{findings:#?}"
    );
    let service: Value =
        serde_json::from_str(&fs::read_to_string(input.join("service.json")).unwrap()).unwrap();
    let home = tempfile::tempdir().unwrap();
    for (label, helm) in &t.helms {
        let docs = render(helm, home.path(), &chart, &[]);
        let kind = |k: &str| {
            docs.iter()
                .find(|d| d["kind"] == k)
                .cloned()
                .unwrap_or(Value::Null)
        };
        let deployment = kind("Deployment");
        let pod = &deployment["spec"]["template"]["spec"];
        let main = &pod["containers"][0];
        let affinity = &pod["affinity"];
        let mapped: Vec<(&str, bool)> = vec![
            ("serviceName", chart.ends_with("checkout")),
            (
                "taskDefinition",
                main["image"]
                    .as_str()
                    .unwrap_or("")
                    .ends_with("checkout:4.2.0"),
            ),
            ("desiredCount", deployment["spec"]["replicas"] == 4),
            ("schedulingStrategy", !deployment.is_null()),
            (
                "deploymentConfiguration",
                deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == "100%"
                    && deployment["spec"]["progressDeadlineSeconds"] == 600,
            ),
            (
                "loadBalancers",
                // The Ingress is off by default (no second load balancer); the drain the
                // load balancer gave a stopping task is on the pod.
                main["lifecycle"]["preStop"]["sleep"]["seconds"] == 300
                    && kind("Ingress").is_null(),
            ),
            (
                "serviceRegistries",
                docs.iter()
                    .any(|d| d["kind"] == "Service" && d["spec"]["clusterIP"] == "None"),
            ),
            (
                "placementStrategy",
                pod["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone",
            ),
            (
                "placementConstraints",
                affinity["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
                    ["topologyKey"]
                    == "kubernetes.io/hostname"
                    && affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
                        ["nodeSelectorTerms"][0]["matchExpressions"][0]["values"][0]
                        == "arm64",
            ),
            (
                "capacityProviderStrategy",
                affinity["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
                    ["weight"]
                    == 75,
            ),
            (
                "healthCheckGracePeriodSeconds",
                main["startupProbe"]["failureThreshold"] == 15,
            ),
            (
                "tags",
                deployment["spec"]["template"]["metadata"]["labels"]["team"] == "payments",
            ),
            (
                "propagateTags",
                deployment["spec"]["template"]["metadata"]["annotations"]
                    ["ecs-import/service-tags"]
                    == r#"{"Cost Center":"42"}"#,
            ),
            (
                "serviceConnectConfiguration",
                docs.iter().any(|d| {
                    d["kind"] == "Service"
                        && d["spec"]["ports"].as_array().is_some_and(|p| {
                            p.iter()
                                .any(|p| p["port"] == 80 && p["targetPort"] == "http")
                        })
                }),
            ),
        ];
        let by_key: std::collections::BTreeMap<&str, bool> = mapped.iter().copied().collect();
        for (key, value) in service["services"][0].as_object().unwrap() {
            // An empty list carries nothing to map.
            if value.as_array().is_some_and(Vec::is_empty) {
                continue;
            }
            let pointer = format!("/services/0/{key}");
            let reported = findings.iter().any(|f| {
                f["pointer"]
                    .as_str()
                    .is_some_and(|p| p == pointer || p.starts_with(&format!("{pointer}/")))
            });
            match by_key.get(key.as_str()) {
                Some(shown) => assert!(
                    *shown,
                    "{label}: {key} is mapped but the chart does not show it"
                ),
                None => assert!(reported, "{label}: {key} is neither mapped nor reported"),
            }
        }
        // networkConfiguration: the security groups wait behind a switch.
        let sgp = render(
            helm,
            home.path(),
            &chart,
            &["--set", "securityGroupPolicy.enabled=true"],
        );
        let policy = sgp
            .iter()
            .find(|d| d["kind"] == "SecurityGroupPolicy")
            .unwrap();
        assert_eq!(policy["apiVersion"], "vpcresources.k8s.aws/v1beta1");
        assert_eq!(
            policy["spec"]["securityGroups"]["groupIds"][0],
            "sg-0123456789abcdef0"
        );
        assert_eq!(
            policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
            "checkout"
        );
        t.validate_docs(&docs, &out.path().join(format!("{label}.yaml")));
    }
}

/// A key both the service and the task definition tag keeps the value of the source
/// `propagateTags` names, and the other is reported; `propagateTags` without service tags is
/// named too.
#[test]
fn tags_the_service_and_the_task_share_follow_propagate_tags() {
    let fixture = root().join("tests/fixtures-kinds/full-service");
    let task_definition: Value =
        serde_json::from_str(&fs::read_to_string(fixture.join("task-definition.json")).unwrap())
            .unwrap();
    // describe-task-definition --include TAGS: the tags beside the definition.
    let task = serde_json::json!({
        "taskDefinition": task_definition,
        "tags": [{"key": "team", "value": "platform"}]
    });
    let service: Value =
        serde_json::from_str(&fs::read_to_string(fixture.join("service.json")).unwrap()).unwrap();
    for (propagate, kept, tags) in [
        ("SERVICE", "payments", true),
        ("TASK_DEFINITION", "platform", true),
        ("TASK_DEFINITION", "platform", false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = service.clone();
        s["services"][0]["propagateTags"] = Value::from(propagate);
        if !tags {
            s["services"][0]["tags"] = serde_json::json!([]);
        }
        fs::write(dir.path().join("task-definition.json"), task.to_string()).unwrap();
        fs::write(dir.path().join("service.json"), s.to_string()).unwrap();
        let out = dir.path().join("out");
        let output = cmd().arg(dir.path()).arg("-o").arg(&out).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        let values = fs::read_to_string(out.join("checkout/values.yaml")).unwrap();
        assert!(
            values.contains(&format!("team: {kept}")),
            "{propagate}: {values}"
        );
        let report = fs::read_to_string(out.join("checkout/ecs-import-report.json")).unwrap();
        assert_eq!(
            report.contains("ECSI-W-TAG-CLASH"),
            tags,
            "{propagate}: {report}"
        );
        if !tags {
            assert!(report.contains("propagateTags TASK_DEFINITION"), "{report}");
        }
    }
}
