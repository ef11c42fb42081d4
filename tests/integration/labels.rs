//! Task-definition details the service layer relies on: Docker labels become pod annotations
//! (Datadog and Prometheus translated), a COMPLETE dependency runs its command verbatim with an
//! opt-in failure switch, and reading the ECS metadata endpoint is named.

use std::fs;

use serde_json::Value;

use crate::common::{cmd, render, tools};

const TASK: &str = r#"{
  "family": "labelled",
  "containerDefinitions": [
    {"name": "migrate", "image": "gcr.io/distroless/base:nonroot", "essential": false, "memory": 128,
     "entryPoint": ["/app/migrate"], "command": ["--to", "latest"]},
    {"name": "web", "image": "nginx:1.27", "memory": 256, "essential": true,
     "portMappings": [{"containerPort": 80}],
     "dependsOn": [{"containerName": "migrate", "condition": "COMPLETE"}],
     "command": ["sh", "-c", "curl -s $ECS_CONTAINER_METADATA_URI_V4/task > /tmp/task.json; exec nginx -g 'daemon off;'"],
     "dockerLabels": {
       "com.datadoghq.ad.check_names": "[\"nginx\"]",
       "com.datadoghq.tags.env": "prod",
       "PROMETHEUS_EXPORTER_PORT": "9113",
       "com.example.team": "storefront",
       "Cost Center": "42"
     }}
  ]
}"#;

#[test]
fn labels_dependencies_and_the_metadata_endpoint() {
    let Some(t) = tools() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("labelled.json");
    fs::write(&input, TASK).unwrap();
    let out = tmp.path().join("out");
    let output = cmd().arg(&input).arg("-o").arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("ECSI-W-METADATA /containerDefinitions/1/command"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ECSI-W-ORDER /containerDefinitions/0"),
        "{stderr}"
    );
    let chart = out.join("labelled");
    let report = fs::read_to_string(chart.join("ecs-import-report.json")).unwrap();
    assert_eq!(
        report.matches("ECSI-I-DOCKER-LABEL").count(),
        5,
        "each label named"
    );
    let home = tempfile::tempdir().unwrap();
    for (label, helm) in &t.helms {
        let docs = render(helm, home.path(), &chart, &[]);
        // The helm test pod and its NetworkPolicy belong to the release (instance label) but
        // are not selected by the Service (no name label).
        let tests: Vec<&Value> = docs
            .iter()
            .filter(|d| d["metadata"]["annotations"]["helm.sh/hook"] == "test")
            .collect();
        assert_eq!(tests.len(), 2, "{label}");
        for d in tests {
            let labels = &d["metadata"]["labels"];
            assert_eq!(labels["app.kubernetes.io/instance"], "rel", "{label}: {d}");
            assert!(labels["app.kubernetes.io/name"].is_null(), "{label}: {d}");
        }
        let pod = |docs: &[Value]| {
            docs.iter().find(|d| d["kind"] == "Deployment").unwrap()["spec"]["template"].clone()
        };
        let template = pod(&docs);
        let annotations = &template["metadata"]["annotations"];
        assert_eq!(
            annotations["ad.datadoghq.com/web.check_names"], "[\"nginx\"]",
            "{label}"
        );
        assert_eq!(annotations["prometheus.io/port"], "9113", "{label}");
        assert_eq!(annotations["com.example.team"], "storefront", "{label}");
        assert_eq!(annotations["Cost-Center"], "42", "{label}: key made valid");
        assert_eq!(
            template["metadata"]["labels"]["tags.datadoghq.com/env"], "prod",
            "{label}"
        );
        let init = &template["spec"]["initContainers"][0];
        assert_eq!(init["name"], "migrate");
        assert_eq!(
            init["command"],
            serde_json::json!(["/app/migrate"]),
            "{label}: verbatim"
        );
        assert_eq!(
            init["args"],
            serde_json::json!(["--to", "latest"]),
            "{label}"
        );
        let wrapped = pod(&render(
            helm,
            home.path(),
            &chart,
            &["--set", "containers.migrate.ignoreFailure=true"],
        ));
        let init = &wrapped["spec"]["initContainers"][0];
        assert_eq!(init["command"][0], "/bin/sh", "{label}");
        assert_eq!(
            init["args"],
            serde_json::json!(["/app/migrate", "--to", "latest"]),
            "{label}"
        );
        t.validate_docs(&docs, &tmp.path().join(format!("{label}.yaml")));
    }
}
