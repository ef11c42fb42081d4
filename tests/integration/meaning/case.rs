//! The pod-wide half of the meaning checks: the workload kind, labels, start order, grace
//! period, identity, stateful settings and task-level settings.

use serde_json::Value;

use super::{find, node_path, number, task_definition};
use helm_ecs_import::convert::naming::dns_label;

/// A rendered chart and the task definition it came from, as every check reads them.
pub(super) struct Case<'a> {
    pub name: &'a str,
    pub td: Value,
    pub docs: &'a [Value],
    pub workload: &'a Value,
    pub pod: &'a Value,
    pub fullname: String,
    pub volumes: Vec<Value>,
    pub init: Vec<Value>,
    /// App and init containers.
    pub containers: Vec<Value>,
    pub defs: Vec<Value>,
}

impl<'a> Case<'a> {
    pub(super) fn new(name: &'a str, raw: &Value, docs: &'a [Value]) -> Case<'a> {
        let td = task_definition(raw);
        let workloads: Vec<&Value> = docs
            .iter()
            .filter(|d| d["kind"] == "StatefulSet" || d["kind"] == "Deployment")
            .collect();
        assert_eq!(workloads.len(), 1, "{name}: one workload");
        let workload = workloads[0];
        let pod = &workload["spec"]["template"]["spec"];
        let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
        let init = list(&pod["initContainers"]);
        let containers = list(&pod["containers"])
            .into_iter()
            .chain(init.clone())
            .collect();
        Case {
            name,
            fullname: workload["metadata"]["name"].as_str().unwrap().to_string(),
            volumes: list(&td["volumes"]),
            defs: list(&td["containerDefinitions"]),
            td,
            docs,
            workload,
            pod,
            init,
            containers,
        }
    }

    pub(super) fn stateful(&self) -> bool {
        self.volumes.iter().any(persistent)
    }
}

/// Data outlives the task: shared or EBS-plugin docker volumes, EFS, EBS configured at
/// launch, and host directories that are not the node's own.
pub(super) fn persistent(v: &Value) -> bool {
    let d = &v["dockerVolumeConfiguration"];
    let tmpfs = d["driverOpts"]["type"] == "tmpfs";
    (!tmpfs
        && (d["scope"] == "shared"
            || d["autoprovision"] == true
            || d["driver"]
                .as_str()
                .is_some_and(|d| d.starts_with("rexray/ebs"))))
        || v["efsVolumeConfiguration"].is_object()
        || v["configuredAtLaunch"] == true
        || v["host"]["sourcePath"]
            .as_str()
            .is_some_and(|p| !node_path(p))
}

/// StatefulSet when data outlives the task; the version label is the default container's tag;
/// no Secret object, since the chart never carries secret values; every container in the pod.
pub(super) fn kind_labels_and_containers(k: &Case) {
    let Case {
        name: case,
        td,
        docs,
        workload,
        defs,
        containers,
        ..
    } = k;
    let stateful = k.stateful();
    assert_eq!(
        workload["kind"],
        if stateful {
            "StatefulSet"
        } else {
            "Deployment"
        },
        "{case}: workload kind"
    );

    // The version label is the version the pods run: the default container's image tag.
    let default_container = workload["spec"]["template"]["metadata"]["annotations"]
        ["kubectl.kubernetes.io/default-container"]
        .as_str()
        .unwrap();
    let main_def = td["containerDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| dns_label(d["name"].as_str().unwrap(), 63) == default_container)
        .unwrap();
    let image = main_def["image"].as_str().unwrap_or_default();
    let tag = image
        .rsplit_once(':')
        .filter(|(_, t)| !t.contains('/'))
        .map(|(_, t)| t.split('@').next().unwrap_or(t))
        .unwrap_or("");
    if !tag.is_empty() && !image.contains('@') {
        assert_eq!(
            workload["metadata"]["labels"]["app.kubernetes.io/version"], tag,
            "{case}: version label"
        );
    }
    assert!(
        workload["metadata"]["labels"]["app.kubernetes.io/version"].is_string(),
        "{case}: a version label"
    );

    // No Secret object: the chart never carries secret values.
    assert!(
        find(docs, "Secret").is_empty(),
        "{case}: a chart must not render Secret values"
    );

    assert_eq!(
        containers.len(),
        defs.len(),
        "{case}: every container is in the pod"
    );
}

/// dependsOn: what others wait for starts first, as a native sidecar (START, HEALTHY) or an
/// init container that runs to completion (SUCCESS, COMPLETE), in dependency order. Returns
/// the COMPLETE targets, whose command runs through an error-ignoring shell.
pub(super) fn start_order(k: &Case) -> Vec<String> {
    let Case {
        name: case,
        init,
        defs,
        ..
    } = k;
    let init_index = |name: &str| init.iter().position(|c| c["name"] == name);
    let mut completes = Vec::new();
    for def in defs {
        let name = dns_label(def["name"].as_str().unwrap(), 63);
        for dep in def["dependsOn"].as_array().into_iter().flatten() {
            let target = dns_label(dep["containerName"].as_str().unwrap(), 63);
            let t = init_index(&target)
                .unwrap_or_else(|| panic!("{case}: {target} must start before {name}"));
            let sidecar = init[t]["restartPolicy"] == "Always";
            match dep["condition"].as_str().unwrap() {
                "START" => {}
                "HEALTHY" => assert!(
                    sidecar && init[t]["startupProbe"].is_object(),
                    "{case}: {target} is a sidecar gated by a startup probe"
                ),
                cond => {
                    assert!(!sidecar, "{case}: {target} runs to completion ({cond})");
                    if cond == "COMPLETE" {
                        completes.push(target.clone());
                    }
                }
            }
            if let Some(me) = init_index(&name) {
                assert!(t < me, "{case}: {target} starts before {name}");
            }
        }
    }
    completes
}

/// The grace period is the longest stopTimeout; the ServiceAccount carries the task role;
/// the API token only with a role; seccomp as Docker applied it.
pub(super) fn grace_and_identity(k: &Case) {
    let Case {
        name: case,
        td,
        docs,
        pod,
        defs,
        ..
    } = k;
    let mut grace = 30;
    if defs.iter().any(|d| d["stopTimeout"].is_number()) {
        grace = defs
            .iter()
            .filter_map(|d| number(&d["stopTimeout"]))
            .max()
            .unwrap();
    }
    // A pause before the stop signal (a served port's drain, a load balancer's delay) comes on
    // top of the time the process had to stop.
    let pause = pod["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["lifecycle"]["preStop"]["sleep"]["seconds"].as_i64())
        .max()
        .unwrap_or(0);
    assert_eq!(
        pod["terminationGracePeriodSeconds"],
        grace + pause,
        "{case}: grace period"
    );

    let sa_name = pod["serviceAccountName"].as_str().unwrap();
    let sa = find(docs, "ServiceAccount")
        .into_iter()
        .find(|s| s["metadata"]["name"] == sa_name)
        .unwrap_or_else(|| panic!("{case}: ServiceAccount"));
    match td["taskRoleArn"].as_str().filter(|r| !r.is_empty()) {
        Some(role) => assert_eq!(
            sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"], role,
            "{case}: IRSA role"
        ),
        None => assert!(sa["metadata"]["annotations"].is_null(), "{case}: no role"),
    }
    // ECS tasks had no Kubernetes API credentials; Docker applied its seccomp profile.
    let has_role = td["taskRoleArn"].as_str().is_some_and(|r| !r.is_empty());
    assert_eq!(
        pod["automountServiceAccountToken"], has_role,
        "{case}: API token only with a role"
    );
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault",
        "{case}: seccomp"
    );
}

/// The headless Service and claim retention of a StatefulSet; placement, process namespace,
/// ephemeral storage, tags, host network and CPU architecture of the task.
pub(super) fn task_settings(k: &Case) {
    let Case {
        name: case,
        td,
        docs,
        workload,
        pod,
        containers,
        fullname,
        ..
    } = k;
    if k.stateful() {
        let headless = format!("{fullname}-headless");
        assert_eq!(workload["spec"]["serviceName"], headless.as_str());
        let svc = find(docs, "Service")
            .into_iter()
            .find(|s| s["metadata"]["name"] == headless.as_str())
            .expect("headless Service");
        assert_eq!(svc["spec"]["clusterIP"], "None");
        assert_eq!(
            workload["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"],
            "Retain"
        );
    }
    if td["placementConstraints"]
        .as_array()
        .is_some_and(|p| !p.is_empty())
    {
        let terms = pod["affinity"]["nodeAffinity"]
            ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
            .as_array()
            .expect("node affinity from placement constraints");
        assert!(
            terms
                .iter()
                .all(|t| !t["matchExpressions"].as_array().unwrap().is_empty()),
            "{case}"
        );
    }
    if td["pidMode"] == "task" {
        assert_eq!(pod["shareProcessNamespace"], true, "{case}: pidMode task");
    }
    if let Some(gib) = number(&td["ephemeralStorage"]["sizeInGiB"]) {
        assert!(
            containers
                .iter()
                .any(|c| c["resources"]["limits"]["ephemeral-storage"] == format!("{gib}Gi")),
            "{case}: ephemeral storage"
        );
    }
    for tag in td["tags"].as_array().into_iter().flatten() {
        let (k, v) = (tag["key"].as_str().unwrap(), &tag["value"]);
        let meta = &workload["spec"]["template"]["metadata"];
        // Keys Kubernetes refuses travel in one JSON annotation, verbatim.
        let bundled: Value = meta["annotations"]["ecs-import/task-tags"]
            .as_str()
            .map_or(Value::Null, |t| serde_json::from_str(t).unwrap());
        assert!(
            meta["labels"][k] == *v || meta["annotations"][k] == *v || bundled[k] == *v,
            "{case}: tag {k} on the pod"
        );
    }
    if td["networkMode"] == "host" {
        assert_eq!(pod["hostNetwork"], true);
    }
    if td["runtimePlatform"]["cpuArchitecture"] == "ARM64" {
        assert_eq!(pod["nodeSelector"]["kubernetes.io/arch"], "arm64");
    }
}
