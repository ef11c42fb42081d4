//! Which fields of each shape the converter maps and which it reports, for the test that
//! holds these lists against the AWS API model.

use super::container::CONTAINER_NOT_CARRIED;
use super::fields::{READ_ONLY_FIELDS, TASK_NOT_CARRIED};
use super::volume::VOLUME_NOT_CARRIED;

/// Fields of each shape the converter maps (read and carried into the chart).
pub(crate) const TASK_MAPPED: &[&str] = &[
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "tags",
    "pidMode",
    "ipcMode",
    "ephemeralStorage",
    "runtimePlatform",
];

pub(crate) const CONTAINER_MAPPED: &[&str] = &[
    "name",
    "dockerLabels",
    "image",
    "hostname",
    "cpu",
    "memory",
    "memoryReservation",
    "portMappings",
    "essential",
    "entryPoint",
    "command",
    "environment",
    "mountPoints",
    "healthCheck",
    "dependsOn",
    "workingDirectory",
    "user",
    "privileged",
    "dockerSecurityOptions",
    "readonlyRootFilesystem",
    "stopTimeout",
    "interactive",
    "pseudoTerminal",
    "secrets",
    "linuxParameters",
    "volumesFrom",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "systemControls",
    "resourceRequirements",
    "environmentFiles",
    "repositoryCredentials",
];

pub(crate) const VOLUME_MAPPED: &[&str] = &[
    "name",
    "host",
    "dockerVolumeConfiguration",
    "efsVolumeConfiguration",
    "configuredAtLaunch",
];

/// How each field of the task definition, container definition and volume shapes is handled:
/// (shape, field, "mapped" | "read-only" | the report code). The coverage test holds this
/// against the AWS API model, so a field AWS adds cannot slip through unnoticed.
pub fn coverage() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    for (shape, mapped, reported) in [
        ("TaskDefinition", TASK_MAPPED, TASK_NOT_CARRIED),
        (
            "ContainerDefinition",
            CONTAINER_MAPPED,
            CONTAINER_NOT_CARRIED,
        ),
        ("Volume", VOLUME_MAPPED, VOLUME_NOT_CARRIED),
    ] {
        out.extend(mapped.iter().map(|f| (shape, *f, "mapped")));
        out.extend(reported.iter().map(|n| (shape, n.key, n.code.as_str())));
    }
    out.extend(
        READ_ONLY_FIELDS
            .iter()
            .map(|f| ("TaskDefinition", *f, "read-only")),
    );
    out
}

#[cfg(test)]
mod coverage_tests {
    use super::*;
    use crate::report::Code;
    use serde_json::{json, Value};

    /// Every field listed as mapped is really read (no finding for it), and every field
    /// listed as not carried over is reported under its code at its pointer.
    /// A task definition that sets every field the reader maps.
    fn sample() -> Value {
        let container = json!({
            "name": "app", "image": "x", "hostname": "app-host", "cpu": 256, "memory": 512, "memoryReservation": 256,
            "portMappings": [{"containerPort": 80}], "essential": true, "entryPoint": ["sh"], "command": ["-c", "x"],
            "environment": [{"name": "A", "value": "1"}], "mountPoints": [{"sourceVolume": "v", "containerPath": "/v"}],
            "healthCheck": {"command": ["CMD", "true"]}, "dependsOn": [{"containerName": "side", "condition": "START"}],
            "workingDirectory": "/w", "user": "1000", "privileged": false, "dockerSecurityOptions": ["no-new-privileges"], "readonlyRootFilesystem": true, "stopTimeout": 30,
            "interactive": false, "pseudoTerminal": false, "secrets": [{"name": "S", "valueFrom": "p"}],
            "linuxParameters": {"capabilities": {"add": ["NET_ADMIN"]}}, "volumesFrom": [{"sourceContainer": "side"}],
            "dnsServers": ["10.0.0.2"], "dnsSearchDomains": ["a.local"], "extraHosts": [{"hostname": "h", "ipAddress": "10.0.0.1"}],
            "systemControls": [{"namespace": "net.core.somaxconn", "value": "1"}], "resourceRequirements": [{"type": "GPU", "value": "1"}],
            "environmentFiles": [{"value": "arn:aws:s3:::b/k.env", "type": "s3"}], "repositoryCredentials": {"credentialsParameter": "arn:x"},
            "dockerLabels": {"com.datadoghq.ad.check_names": "[\"nginx\"]"}
        });
        json!({
            "family": "f", "taskRoleArn": "r", "executionRoleArn": "e", "networkMode": "awsvpc",
            "containerDefinitions": [container, {"name": "side", "image": "y"}], "volumes": [{"name": "v", "host": {}, "configuredAtLaunch": false}],
            "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}],
            "requiresCompatibilities": ["EC2"], "cpu": "256", "memory": "512", "tags": [{"key": "k", "value": "v"}],
            "pidMode": "task", "ipcMode": "task", "ephemeralStorage": {"sizeInGiB": 30},
            "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}
        })
    }

    #[test]
    fn mapped_fields_are_read_and_not_reported() {
        let td = sample();
        for key in TASK_MAPPED {
            assert!(td.get(key).is_some(), "the sample sets {key}");
        }
        for key in CONTAINER_MAPPED {
            assert!(
                td["containerDefinitions"][0].get(key).is_some(),
                "the sample sets {key}"
            );
        }
        let loaded = crate::ecs::from_value(&td).unwrap();
        let pointers: Vec<&str> = loaded
            .report
            .findings
            .iter()
            .map(|f| f.pointer.as_str())
            .collect();
        for key in TASK_MAPPED {
            assert!(
                !pointers.contains(&format!("/{key}").as_str()),
                "{key} is mapped, yet reported"
            );
        }
        for key in CONTAINER_MAPPED {
            assert!(
                !loaded
                    .report
                    .findings
                    .iter()
                    .any(|f| f.pointer == format!("/containerDefinitions/0/{key}")
                        && f.code.as_str().contains("UNKNOWN")),
                "{key}"
            );
        }
    }

    #[test]
    fn fields_not_carried_are_each_reported_with_their_code() {
        let mut td = sample();
        for n in TASK_NOT_CARRIED {
            td[n.key] = json!({"x": 1});
        }
        for n in CONTAINER_NOT_CARRIED {
            td["containerDefinitions"][1][n.key] = json!({"x": 1});
        }
        td["volumes"][0]["s3filesVolumeConfiguration"] = json!({"x": 1});
        td["volumes"][0]["fsxWindowsFileServerVolumeConfiguration"] = json!({"x": 1});
        let loaded = crate::ecs::from_value(&td).unwrap();
        let has = |code: Code, pointer: String| {
            loaded
                .report
                .findings
                .iter()
                .any(|f| f.code == code && f.pointer == pointer)
        };
        for n in TASK_NOT_CARRIED {
            assert!(has(n.code, format!("/{}", n.key)), "{}", n.key);
        }
        for n in CONTAINER_NOT_CARRIED {
            assert!(
                has(n.code, format!("/containerDefinitions/1/{}", n.key)),
                "{}",
                n.key
            );
        }
        for n in VOLUME_NOT_CARRIED {
            assert!(has(n.code, format!("/volumes/0/{}", n.key)), "{}", n.key);
        }
    }
}
