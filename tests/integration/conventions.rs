//! Bitnami's conventions where they help a team: commonAnnotations on every object, a
//! global.imageRegistry (an ECR pull-through cache) for every image, and a diagnosticMode that
//! starts the containers with a sleep and no probes, on both Helms and the strict schemas.

use serde_json::Value;

use crate::common::{render, root, tools};

#[test]
fn common_annotations_a_global_registry_and_diagnostic_mode() {
    let Some(t) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let registry = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/docker-hub";
    for case in [
        "example-vault/vault",
        "example-web-with-sidecar/storefront-web",
    ] {
        let chart = root().join("tests/golden").join(case);
        for (label, bin) in &t.helms {
            let set_registry = format!("global.imageRegistry={registry}");
            let docs = render(
                bin,
                home.path(),
                &chart,
                &[
                    "--set",
                    "commonAnnotations.team=data",
                    "--set",
                    &set_registry,
                    "--set",
                    "diagnosticMode.enabled=true",
                    "--set",
                    "service.annotations.own=kept",
                ],
            );
            let file = home
                .path()
                .join(format!("{}-{label}.yaml", case.replace('/', "-")));
            t.validate_docs(&docs, &file);
            assert!(docs.len() > 3, "{label} {case}");
            for doc in &docs {
                assert_eq!(
                    doc["metadata"]["annotations"]["team"], "data",
                    "{label} {case}: {} {}",
                    doc["kind"], doc["metadata"]["name"]
                );
            }
            let service = docs
                .iter()
                .find(|d| {
                    d["kind"] == "Service"
                        && !d["metadata"]["name"]
                            .as_str()
                            .unwrap()
                            .ends_with("-headless")
                })
                .unwrap();
            assert_eq!(service["metadata"]["annotations"]["own"], "kept");
            let mut containers = 0;
            for doc in &docs {
                let Some(spec) = pod_spec(doc) else { continue };
                for c in spec["containers"].as_array().into_iter().flatten() {
                    let image = c["image"].as_str().unwrap();
                    assert!(
                        image.starts_with(&format!("{registry}/")),
                        "{label}: {image}"
                    );
                    if doc["kind"] == "Pod" {
                        continue; // the helm test pod keeps its own command
                    }
                    containers += 1;
                    assert_eq!(c["command"], serde_json::json!(["sleep"]), "{label}");
                    assert_eq!(c["args"], serde_json::json!(["infinity"]), "{label}");
                    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                        assert!(c.get(probe).is_none(), "{label} {case}: {probe}");
                    }
                }
            }
            assert!(containers > 0, "{label} {case}");
        }
    }
}

fn pod_spec(doc: &Value) -> Option<&Value> {
    match doc["kind"].as_str()? {
        "Pod" => Some(&doc["spec"]),
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => {
            Some(&doc["spec"]["template"]["spec"])
        }
        "CronJob" => Some(&doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]),
        _ => None,
    }
}
