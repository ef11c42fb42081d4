//! values.schema.json (draft-07): every value typed, so both Helm versions refuse a wrong type,
//! a negative replica count or a misspelt key on template, lint and install. Kubernetes objects
//! passed through as-is (affinity, tolerations, resources…) are only checked for their type.

use serde_json::{json, Value};

fn string() -> Value {
    json!({"type": "string"})
}

fn boolean() -> Value {
    json!({"type": "boolean"})
}

fn object() -> Value {
    json!({"type": "object"})
}

fn array_of(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

fn string_map() -> Value {
    json!({"type": "object", "additionalProperties": {"type": "string"}})
}

/// An HPA HPAScalingRules object: the window is checked, policies pass to the API server.
fn scaling_rules() -> Value {
    json!({"type": "object", "properties": {
        "stabilizationWindowSeconds": {"type": "integer", "minimum": 0, "maximum": 3600},
        "selectPolicy": {"enum": ["Max", "Min", "Disabled"]},
        "policies": array_of(object())
    }})
}

fn closed(properties: Value) -> Value {
    json!({"type": "object", "additionalProperties": false, "properties": properties})
}

fn probe() -> Value {
    json!({
        "type": "object",
        "required": ["enabled"],
        "properties": {
            "enabled": {"type": "boolean"},
            "periodSeconds": {"type": "integer", "minimum": 1},
            "timeoutSeconds": {"type": "integer", "minimum": 1},
            "failureThreshold": {"type": "integer", "minimum": 1},
            "successThreshold": {"type": "integer", "minimum": 1},
            "initialDelaySeconds": {"type": "integer", "minimum": 0}
        }
    })
}

/// An ID pattern that also admits the placeholders the conversion keeps and flags
/// (`${VAR}`, `<NAME>`, `{{ … }}`, `YOUR_…`): a chart converted from a template lints as it
/// is, and the value's comment says what to fill in.
fn or_placeholder(pattern: &str) -> String {
    format!(
        "^(?:{pattern}|\\$\\{{[^}}]+\\}}|<[A-Za-z0-9_.-]+>|\\{{\\{{.*\\}}\\}}|YOUR_[A-Z0-9_]+)$"
    )
}

fn container() -> Value {
    let port = closed(json!({
        "name": {"type": "string", "pattern": "^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$"},
        "containerPort": {"type": "integer", "minimum": 1, "maximum": 65535},
        "protocol": {"enum": ["TCP", "UDP", "SCTP"]},
        "hostPort": {"type": "integer", "minimum": 1, "maximum": 65535}
    }));
    let mount = closed(json!({
        "name": string(),
        "mountPath": string(),
        "readOnly": boolean(),
        "subPath": string()
    }));
    closed(json!({
        "enabled": boolean(),
        "ignoreFailure": boolean(),
        "kind": {"enum": ["container", "sidecar", "init"]},
        "image": closed(json!({
            "registry": string(),
            "repository": string(),
            "tag": string(),
            "digest": string(),
            "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]}
        })),
        "command": array_of(string()),
        "args": array_of(string()),
        "workingDir": string(),
        "env": string_map(),
        "extraEnv": array_of(object()),
        "secretEnv": {"type": "object", "additionalProperties": {"type": "string", "pattern": "^[-._a-zA-Z0-9]+$"}},
        "envFrom": array_of(object()),
        "ports": array_of(port),
        "resources": closed(json!({"requests": object(), "limits": object()})),
        "startupProbe": probe(),
        "livenessProbe": probe(),
        "readinessProbe": probe(),
        "securityContext": object(),
        "lifecycle": object(),
        "volumeMounts": array_of(mount),
        "stdin": boolean(),
        "tty": boolean()
    }))
}

/// values.schema.json: the same for every chart, so built once per process.
pub(crate) fn text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let mut text =
            serde_json::to_string_pretty(&build()).expect("a JSON value always serializes");
        text.push('\n');
        text
    })
}

pub(crate) fn build() -> Value {
    let persistence = closed(json!({
        "enabled": boolean(),
        "size": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?([EPTGMK]i?)?$"},
        "storageClass": string(),
        "accessModes": {"type": "array", "minItems": 1, "items": {"enum": ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]}},
        "existingClaim": string(),
        "annotations": string_map(),
        "hostPath": closed(json!({"enabled": boolean(), "path": {"type": "string", "pattern": "^/"}})),
        "ebs": closed(json!({
            "createStorageClass": boolean(),
            "type": {"enum": ["gp3", "gp2", "io1", "io2", "st1", "sc1", "standard"]},
            "iops": {"type": ["integer", "null"], "minimum": 100},
            "throughput": {"type": ["integer", "null"], "minimum": 125},
            "encrypted": boolean(),
            "kmsKeyId": string(),
            "fsType": {"enum": ["ext4", "xfs", "ext3", "ntfs"]},
            "tags": string_map()
        })),
        "adoptVolumes": array_of(json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["volumeId", "zone"],
            "properties": {
                "volumeId": {"type": "string", "pattern": "^vol-([0-9a-f]{8}|[0-9a-f]{17})$"},
                "zone": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$"}
            }
        })),
        "fromSnapshot": {"type": "string", "pattern": or_placeholder("(snap-([0-9a-f]{8}|[0-9a-f]{17}))?")},
        "efs": closed(json!({
            "fileSystemId": {"type": "string", "pattern": or_placeholder("fs-[0-9a-zA-Z]+(::fsap-[0-9a-zA-Z]+)?")},
            "rootDirectory": string(),
            "accessPointId": string(),
            "transitEncryption": boolean(),
            "iam": boolean()
        }))
    }));
    let daemon_set = closed(json!({"updateStrategy": object(), "tolerateAll": boolean()}));
    let nullable_count = json!({"type": ["integer", "null"], "minimum": 0});
    let job = closed(json!({
        "backoffLimit": {"type": "integer", "minimum": 0},
        "activeDeadlineSeconds": {"type": ["integer", "null"], "minimum": 1},
        "ttlSecondsAfterFinished": nullable_count,
        "restartPolicy": {"enum": ["Never", "OnFailure"]},
        "parallelism": {"type": "integer", "minimum": 1}
    }));
    let cron_job = closed(json!({
        "schedule": {"type": "string", "pattern": "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\\S+\\s+){4}\\S+)$"},
        "timeZone": string(),
        "suspend": boolean(),
        "concurrencyPolicy": {"enum": ["Allow", "Forbid", "Replace"]},
        "startingDeadlineSeconds": nullable_count,
        "successfulJobsHistoryLimit": {"type": "integer", "minimum": 0},
        "failedJobsHistoryLimit": {"type": "integer", "minimum": 0}
    }));
    let target_group_binding = closed(json!({
        "enabled": boolean(),
        "targetGroupARN": {"type": "string", "pattern": "^(arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/.+|\\$\\{.+\\})?$"},
        "port": {"type": "integer", "minimum": 0, "maximum": 65535},
        "targetType": {"enum": ["ip", "instance"]},
        "multiClusterTargetGroup": boolean()
    }));
    let unsafe_sysctls = closed(json!({
        "enabled": boolean(),
        "sysctls": array_of(json!({"type": "object", "required": ["name", "value"], "additionalProperties": false, "properties": {"name": string(), "value": string()}}))
    }));
    let service_port = closed(json!({
        "name": string(),
        "port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "targetPort": {"type": ["string", "integer"]},
        "protocol": {"enum": ["TCP", "UDP", "SCTP"]},
        "appProtocol": string(),
        "nodePort": {"type": "integer", "minimum": 1, "maximum": 65535}
    }));
    let external_secrets = closed(json!({
        "enabled": boolean(),
        "refreshInterval": string(),
        "apiVersion": {"enum": ["external-secrets.io/v1", "external-secrets.io/v1beta1"]},
        "region": string(),
        "createSecretStores": boolean(),
        "secretStoreKind": {"enum": ["SecretStore", "ClusterSecretStore"]},
        "secretsManagerStore": string(),
        "parameterStore": string(),
        "serviceAccount": string(),
        "data": array_of(closed(json!({
            "secretKey": {"type": "string", "pattern": "^[-._a-zA-Z0-9]+$"},
            "store": {"enum": ["secretsManager", "parameterStore"]},
            "remoteRef": closed(json!({"key": string(), "property": string(), "version": string()}))
        })))
    }));
    let mut schema = closed(json!({
        "nameOverride": string(),
        "fullnameOverride": string(),
        "workload": closed(json!({
            "kind": {"enum": ["StatefulSet", "Deployment", "DaemonSet", "Job", "CronJob"]},
            "podManagementPolicy": {"enum": ["OrderedReady", "Parallel"]}
        })),
        "replicaCount": {"type": "integer", "minimum": 0},
        "deploymentStrategy": object(),
        "minReadySeconds": {"type": "integer", "minimum": 0},
        "progressDeadlineSeconds": {"type": "integer", "minimum": 1},
        "podAntiAffinity": {"enum": ["", "soft", "hard"]},
        "podAntiAffinityTopologyKey": string(),
        "securityGroupPolicy": closed(json!({
            "enabled": boolean(),
            "groupIds": array_of(json!({"type": "string", "pattern": or_placeholder("sg-[0-9a-f]+")}))
        })),
        "defaultContainer": string(),
        "initContainerOrder": array_of(string()),
        "imagePullSecrets": array_of(closed(json!({"name": string()}))),
        "serviceAccount": closed(json!({
            "create": boolean(),
            "automount": boolean(),
            "annotations": string_map(),
            "podIdentity": boolean(),
            "name": string()
        })),
        "podAnnotations": string_map(),
        "podLabels": string_map(),
        "podSecurityContext": object(),
        "unsafeSysctls": unsafe_sysctls,
        "targetGroupBinding": target_group_binding,
        "daemonSet": daemon_set,
        "job": job,
        "cronJob": cron_job,
        "hostNetwork": boolean(),
        "hostname": {"type": "string", "pattern": "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$"},
        "hostPID": boolean(),
        "hostIPC": boolean(),
        "shareProcessNamespace": boolean(),
        "dnsConfig": object(),
        "dnsPolicy": {"enum": ["", "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]},
        "hostAliases": array_of(closed(json!({"ip": string(), "hostnames": array_of(string())}))),
        "terminationGracePeriodSeconds": {"type": "integer", "minimum": 0},
        "priorityClassName": string(),
        "runtimeClassName": string(),
        "schedulerName": string(),
        "podSecurity": {"enum": ["default", "restricted"]},
        "commonLabels": string_map(),
        "nodeSelector": string_map(),
        "tolerations": array_of(object()),
        "affinity": object(),
        "topologySpreadConstraints": array_of(object()),
        "podDisruptionBudget": closed(json!({
            "enabled": boolean(),
            "minAvailable": {"type": ["integer", "string"]},
            "maxUnavailable": {"type": ["integer", "string"]}
        })),
        "ingress": closed(json!({
            "enabled": boolean(),
            "className": string(),
            "annotations": string_map(),
            "hosts": array_of(closed(json!({
                "host": string(),
                "paths": array_of(closed(json!({
                    "path": string(),
                    "pathType": {"enum": ["Prefix", "Exact", "ImplementationSpecific"]}
                })))
            }))),
            "servicePort": {"type": "integer", "minimum": 0, "maximum": 65535},
            "tls": array_of(object())
        })),
        "autoscaling": closed(json!({
            "enabled": boolean(),
            "minReplicas": {"type": "integer", "minimum": 1},
            "maxReplicas": {"type": "integer", "minimum": 1},
            "targetCPUUtilizationPercentage": {"type": "integer", "minimum": 0, "maximum": 1000},
            "targetMemoryUtilizationPercentage": {"type": "integer", "minimum": 0, "maximum": 1000},
            "behavior": closed(json!({"scaleUp": scaling_rules(), "scaleDown": scaling_rules()}))
        })),
        "secrets": closed(json!({"name": string(), "sources": string_map()})),
        "externalSecrets": external_secrets,
        "containers": {"type": "object", "minProperties": 1, "additionalProperties": container()},
        "service": closed(json!({
            "enabled": boolean(),
            "type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
            "annotations": string_map(),
            "headless": boolean(),
            "ports": array_of(service_port)
        })),
        "persistence": {"type": "object", "additionalProperties": persistence},
        "persistentVolumeClaimRetentionPolicy": closed(json!({
            "whenDeleted": {"enum": ["Retain", "Delete"]},
            "whenScaled": {"enum": ["Retain", "Delete"]}
        })),
        "volumes": {"type": "object", "additionalProperties": object()},
        "extraVolumes": array_of(object()),
        "extraVolumeMounts": array_of(object()),
        "initContainers": array_of(object()),
        "sidecars": array_of(object()),
        "extraContainers": array_of(object()),
        "extraPodSpec": object(),
        "networkPolicy": closed(json!({"enabled": boolean(), "from": array_of(object())})),
        "tests": closed(json!({
            "enabled": boolean(),
            "image": closed(json!({"repository": string(), "tag": string(), "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]}})),
            "resources": closed(json!({"requests": string_map(), "limits": string_map()}))
        }))
    }));
    let object = schema.as_object_mut().expect("closed() builds an object");
    object.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    object.insert("title".into(), json!("Values"));
    // Helm adds `global` for subcharts; an umbrella chart must still validate.
    object["properties"]
        .as_object_mut()
        .expect("closed() has properties")
        .insert("global".into(), object_type());
    schema
}

fn object_type() -> Value {
    object()
}
