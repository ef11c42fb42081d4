//! Coverage that cannot rot: every member of the ECS API model's task definition, container
//! definition, volume, service (describe-services and create-service) and deployment
//! configuration shapes (botocore's `ecs` service model, installed by
//! scripts/fetch-tools.sh) is either mapped or reported under a code.

use std::collections::BTreeSet;
use std::process::Command;

use crate::common::{root, tools};

const DUMP: &str = r#"
import json, botocore.loaders
model = botocore.loaders.Loader().load_service_model("ecs", "service-2")
shapes = model["shapes"]
members = lambda name: sorted(shapes[name]["members"])
print(json.dumps({
    "TaskDefinition": sorted(set(members("TaskDefinition")) | set(members("RegisterTaskDefinitionRequest"))),
    "ContainerDefinition": members("ContainerDefinition"),
    "Volume": members("Volume"),
    "Service": sorted(set(members("Service")) | set(members("CreateServiceRequest"))),
    "DeploymentConfiguration": members("DeploymentConfiguration"),
}))
"#;

#[test]
fn every_model_field_is_mapped_or_reported() {
    let Some(tools) = tools() else { return };
    let python = tools.kubernetes_validate.parent().unwrap().join("python");
    let output = Command::new(&python).args(["-c", DUMP]).output().unwrap();
    assert!(
        output.status.success(),
        "botocore is needed (scripts/fetch-tools.sh installs it): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let model: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut coverage = helm_ecs_import::ecs::task_definition::coverage();
    coverage.extend(helm_ecs_import::ecs::service::coverage());
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    for shape in [
        "TaskDefinition",
        "ContainerDefinition",
        "Volume",
        "Service",
        "DeploymentConfiguration",
    ] {
        let fields: BTreeSet<&str> = model[shape]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert!(fields.len() >= 5, "{shape} has members");
        let handled: BTreeSet<&str> = coverage
            .iter()
            .filter(|(s, _, _)| *s == shape)
            .map(|(_, f, _)| *f)
            .collect();
        missing.extend(fields.difference(&handled).map(|f| format!("{shape}.{f}")));
        stale.extend(handled.difference(&fields).map(|f| format!("{shape}.{f}")));
    }
    assert!(
        missing.is_empty(),
        "fields of the ECS model that are neither mapped nor reported: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "handled fields the ECS model does not have: {stale:?}"
    );
    // The codes are documented for users.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for (_, field, code) in &coverage {
        if code.starts_with("ECSI-") {
            assert!(
                readme.contains(code),
                "README.md does not document {code} ({field})"
            );
        }
    }
}
