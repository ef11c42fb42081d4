//! What the rendered pod means, checked field by field against the task definition it came from
//! (not against a snapshot): command, args, env, secret references, ports, resources, probes,
//! mounts and their backing volumes, security settings, the ServiceAccount's role, grace period.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::common::{cases, chart_dir, convert, kubernetes_expand, render, tools};
use helm_ecs_import::convert::naming::dns_label;

/// What the process sees of a rendered string once Kubernetes expands it against the
/// container's variables (every ECS variable is defined, so a missed escape would show).
fn expanded(values: &[String], vars: &BTreeMap<String, String>) -> Vec<String> {
    values.iter().map(|v| kubernetes_expand(v, vars)).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Reads ECS's loose numbers ("512" or 512).
fn number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn mebibytes(quantity: &str) -> i64 {
    if let Some(g) = quantity.strip_suffix("Gi") {
        g.parse::<i64>().unwrap() * 1024
    } else {
        quantity
            .strip_suffix("Mi")
            .unwrap_or_else(|| panic!("unexpected quantity {quantity}"))
            .parse()
            .unwrap()
    }
}

fn task_definition(raw: &Value) -> Value {
    match raw {
        Value::Array(_) => json!({ "containerDefinitions": raw }),
        Value::Object(o) if o.contains_key("taskDefinition") => raw["taskDefinition"].clone(),
        _ => raw.clone(),
    }
}

fn find<'a>(docs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["kind"] == kind).collect()
}

/// The node's own directories, which stay hostPath volumes for node agents.
fn node_path(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let roots = [
        "/var/log",
        "/var/lib/docker",
        "/var/run",
        "/run",
        "/proc",
        "/sys",
        "/dev",
        "/etc",
        "/var/lib/ecs",
        "/var/lib/kubelet",
    ];
    path.is_empty()
        || path.contains("cgroup")
        || roots
            .iter()
            .any(|r| path == *r || path.starts_with(&format!("{r}/")))
}

fn check(case: &str, raw: &Value, docs: &[Value]) {
    let td = task_definition(raw);
    let workloads: Vec<&Value> = docs
        .iter()
        .filter(|d| d["kind"] == "StatefulSet" || d["kind"] == "Deployment")
        .collect();
    assert_eq!(workloads.len(), 1, "{case}: one workload");
    let workload = workloads[0];
    let pod = &workload["spec"]["template"]["spec"];
    let fullname = workload["metadata"]["name"].as_str().unwrap();
    let volumes: Vec<Value> = td["volumes"].as_array().cloned().unwrap_or_default();
    // Data outlives the task: shared or EBS-plugin docker volumes, EFS, EBS configured at
    // launch, and host directories that are not the node's own.
    let persistent = |v: &Value| {
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
    };
    let stateful = volumes.iter().any(persistent);
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

    let app: Vec<Value> = pod["containers"].as_array().cloned().unwrap_or_default();
    let init: Vec<Value> = pod["initContainers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let containers: Vec<Value> = app.iter().chain(&init).cloned().collect();
    let defs = td["containerDefinitions"].as_array().unwrap();
    assert_eq!(
        containers.len(),
        defs.len(),
        "{case}: every container is in the pod"
    );
    // dependsOn: what others wait for starts first, as a native sidecar (START, HEALTHY) or an
    // init container that runs to completion (SUCCESS, COMPLETE), in dependency order.
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
    let mut grace = 30;
    for def in defs {
        let name = dns_label(def["name"].as_str().unwrap(), 63);
        let c = containers
            .iter()
            .find(|c| c["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{case}: no container {name}"));
        let ctx = format!("{case}/{name}");
        let vars: BTreeMap<String, String> = def["environment"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let name = e["name"].as_str().unwrap().to_string();
                (name, e["value"].as_str().unwrap_or_default().to_string())
            })
            .collect();
        if let Some(image) = def["image"].as_str() {
            assert_eq!(c["image"], image, "{ctx}: image");
        }
        let expect_list = |ecs: &str, k8s: &str| {
            assert_eq!(
                expanded(&strings(&c[k8s]), &vars),
                strings(&def[ecs]),
                "{ctx}: {ecs} -> {k8s}"
            );
        };
        if completes.contains(&name) && def["entryPoint"].is_array() {
            // A COMPLETE dependency runs through a shell that ignores its exit status.
            assert_eq!(
                strings(&c["command"]),
                ["/bin/sh", "-c", "\"$0\" \"$@\" || true"],
                "{ctx}"
            );
            let mut original: Vec<String> = strings(&def["entryPoint"]);
            original.extend(strings(&def["command"]));
            assert_eq!(expanded(&strings(&c["args"]), &vars), original, "{ctx}");
        } else {
            expect_list("entryPoint", "command");
            expect_list("command", "args");
        }
        let is_init =
            c["restartPolicy"].is_null() && init.iter().any(|i| i["name"] == name.as_str());
        if let Some(dir) = def["workingDirectory"].as_str().filter(|d| !d.is_empty()) {
            assert_eq!(c["workingDir"], dir, "{ctx}: workingDir");
        }

        let env: BTreeMap<String, &Value> = c["env"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| (e["name"].as_str().unwrap().to_string(), e))
                    .collect()
            })
            .unwrap_or_default();
        let mut expected_env: BTreeMap<String, String> = BTreeMap::new();
        for e in def["environment"].as_array().into_iter().flatten() {
            expected_env.insert(
                e["name"].as_str().unwrap().into(),
                e["value"].as_str().unwrap_or_default().into(),
            );
        }
        let secrets: Vec<&Value> = def["secrets"].as_array().into_iter().flatten().collect();
        for s in &secrets {
            let n = s["name"].as_str().unwrap();
            expected_env.remove(n);
            let reference = &env
                .get(n)
                .unwrap_or_else(|| panic!("{ctx}: secret {n} missing"))["valueFrom"]
                ["secretKeyRef"];
            assert_eq!(
                reference["name"],
                format!("{fullname}-secrets"),
                "{ctx}: secret {n} name"
            );
            assert!(
                reference["key"].as_str().unwrap().ends_with(n),
                "{ctx}: secret {n} key"
            );
        }
        for (n, v) in &expected_env {
            let got = env
                .get(n)
                .unwrap_or_else(|| panic!("{ctx}: env {n} missing"));
            assert_eq!(
                kubernetes_expand(got["value"].as_str().unwrap(), &vars),
                *v,
                "{ctx}: env {n} must be the exact string"
            );
        }
        assert_eq!(
            env.len(),
            expected_env.len() + secrets.len(),
            "{ctx}: no extra env"
        );

        let ports: Vec<(i64, String)> = c["ports"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        (
                            p["containerPort"].as_i64().unwrap(),
                            p["protocol"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        for pm in def["portMappings"].as_array().into_iter().flatten() {
            let port = number(&pm["containerPort"]).unwrap();
            let proto = pm["protocol"].as_str().unwrap_or("tcp").to_uppercase();
            assert!(
                ports.contains(&(port, proto.clone())),
                "{ctx}: port {port}/{proto} in {ports:?}"
            );
            let services = find(docs, "Service");
            let service = services
                .iter()
                .find(|s| s["spec"]["clusterIP"] != "None")
                .unwrap_or_else(|| panic!("{ctx}: no client Service"));
            assert!(
                service["spec"]["ports"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["port"] == port),
                "{ctx}: Service port {port}"
            );
        }

        let resources = &c["resources"];
        if let Some(mem) = number(&def["memory"]) {
            assert_eq!(
                mebibytes(resources["limits"]["memory"].as_str().unwrap()),
                mem,
                "{ctx}: memory limit"
            );
            let reservation = number(&def["memoryReservation"]).unwrap_or(mem);
            assert_eq!(
                mebibytes(resources["requests"]["memory"].as_str().unwrap()),
                reservation.min(mem),
                "{ctx}: memory request"
            );
        } else if let Some(reservation) = number(&def["memoryReservation"]) {
            assert_eq!(
                mebibytes(resources["requests"]["memory"].as_str().unwrap()),
                reservation,
                "{ctx}: memory request"
            );
        }
        if let Some(cpu) = number(&def["cpu"]).filter(|c| *c > 0) {
            assert_eq!(
                resources["requests"]["cpu"],
                format!("{}m", (cpu * 1000 + 1023) / 1024),
                "{ctx}: cpu request"
            );
            assert!(
                resources["limits"]["cpu"].is_null(),
                "{ctx}: CPU shares are not a limit"
            );
        }

        let essential =
            !matches!(&def["essential"], Value::Bool(false)) && def["essential"] != "false";
        let hc = &def["healthCheck"];
        match hc["command"].as_array().map(|a| a[0].as_str().unwrap()) {
            _ if is_init => {
                for p in ["livenessProbe", "readinessProbe", "startupProbe"] {
                    assert!(c[p].is_null(), "{ctx}: init containers have no probes");
                }
            }
            Some("NONE") | None => {
                for p in ["livenessProbe", "readinessProbe", "startupProbe"] {
                    assert!(c[p].is_null(), "{ctx}: no {p} without a health check");
                }
            }
            Some(form) => {
                let cmd = strings(&hc["command"]);
                let windows = td["runtimePlatform"]["operatingSystemFamily"]
                    .as_str()
                    .is_some_and(|o| o.starts_with("WINDOWS"));
                let exec: Vec<String> = if form == "CMD-SHELL" && windows {
                    vec!["cmd".into(), "/S".into(), "/C".into(), cmd[1..].join(" ")]
                } else if form == "CMD-SHELL" {
                    vec!["/bin/sh".into(), "-c".into(), cmd[1..].join(" ")]
                } else {
                    cmd[1..].to_vec()
                };
                let interval = number(&hc["interval"]).unwrap_or(30);
                let retries = number(&hc["retries"]).unwrap_or(3);
                let probe = &c["readinessProbe"];
                assert_eq!(
                    strings(&probe["exec"]["command"]),
                    exec,
                    "{ctx}: probe command"
                );
                assert_eq!(probe["periodSeconds"], interval, "{ctx}: period");
                assert_eq!(
                    probe["timeoutSeconds"],
                    number(&hc["timeout"]).unwrap_or(5),
                    "{ctx}: timeout"
                );
                assert_eq!(probe["failureThreshold"], retries, "{ctx}: retries");
                assert_eq!(
                    c["livenessProbe"].is_object(),
                    essential,
                    "{ctx}: liveness only for essential containers"
                );
                let gated = c["restartPolicy"] == "Always"
                    && defs.iter().any(|d| {
                        d["dependsOn"].as_array().into_iter().flatten().any(|x| {
                            x["condition"] == "HEALTHY"
                                && dns_label(x["containerName"].as_str().unwrap(), 63) == name
                        })
                    });
                match number(&hc["startPeriod"]).filter(|p| *p > 0) {
                    _ if gated => assert!(c["startupProbe"].is_object(), "{ctx}: HEALTHY gate"),
                    Some(start) => {
                        assert_eq!(strings(&c["startupProbe"]["exec"]["command"]), exec);
                        let budget =
                            c["startupProbe"]["failureThreshold"].as_i64().unwrap() * interval;
                        assert!(
                            budget >= start + retries * interval,
                            "{ctx}: startup probe covers startPeriod"
                        );
                    }
                    None => assert!(c["startupProbe"].is_null(), "{ctx}: no startup probe"),
                }
            }
        }

        let mounts = c["volumeMounts"].as_array().cloned().unwrap_or_default();
        for mp in def["mountPoints"].as_array().into_iter().flatten() {
            let path = mp["containerPath"].as_str().unwrap();
            let mount = mounts
                .iter()
                .find(|m| m["mountPath"] == path)
                .unwrap_or_else(|| panic!("{ctx}: no mount at {path}"));
            assert_eq!(
                mount["readOnly"].as_bool().unwrap_or(false),
                mp["readOnly"].as_bool().unwrap_or(false),
                "{ctx}: readOnly {path}"
            );
            let source = mp["sourceVolume"].as_str().unwrap();
            let vdef = volumes.iter().find(|v| v["name"] == source).unwrap();
            let vname = mount["name"].as_str().unwrap();
            let pod_volume = pod["volumes"]
                .as_array()
                .and_then(|vs| vs.iter().find(|v| v["name"] == vname));
            if let Some(fs) = vdef["efsVolumeConfiguration"]["fileSystemId"].as_str() {
                // EFS stays shared by every replica: one claim bound to a PV on the same file system.
                let claim = pod_volume.unwrap_or_else(|| panic!("{ctx}: EFS volume"))
                    ["persistentVolumeClaim"]["claimName"]
                    .as_str()
                    .unwrap();
                let pv = find(docs, "PersistentVolume")
                    .into_iter()
                    .find(|pv| pv["spec"]["claimRef"]["name"] == claim)
                    .unwrap_or_else(|| panic!("{ctx}: PV for {claim}"));
                assert!(
                    pv["spec"]["csi"]["volumeHandle"]
                        .as_str()
                        .unwrap()
                        .starts_with(fs),
                    "{ctx}: volumeHandle"
                );
                assert_eq!(pv["spec"]["csi"]["driver"], "efs.csi.aws.com");
                assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
            } else if persistent(vdef) {
                let claims = workload["spec"]["volumeClaimTemplates"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{ctx}: no claim templates"));
                assert!(
                    claims.iter().any(|t| t["metadata"]["name"] == vname),
                    "{ctx}: {path} must be backed by a volume claim template"
                );
                assert!(
                    pod_volume.is_none(),
                    "{ctx}: {path} must not be an emptyDir or other pod volume"
                );
            } else if let Some(host) = vdef["host"]["sourcePath"].as_str() {
                assert_eq!(
                    pod_volume.unwrap()["hostPath"]["path"],
                    host,
                    "{ctx}: hostPath"
                );
            } else {
                let v = pod_volume.unwrap_or_else(|| panic!("{ctx}: no pod volume {vname}"));
                assert!(
                    v["emptyDir"].is_object(),
                    "{ctx}: scratch volume {vname} is an emptyDir"
                );
            }
        }
        // linuxParameters: /dev/shm and tmpfs become memory emptyDirs of the same size.
        let memory_dir = |path: &str, mib: i64| {
            let mount = mounts
                .iter()
                .find(|m| m["mountPath"] == path)
                .unwrap_or_else(|| panic!("{ctx}: no mount at {path}"));
            let volume = pod["volumes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["name"] == mount["name"])
                .unwrap();
            assert_eq!(volume["emptyDir"]["medium"], "Memory", "{ctx}: {path}");
            let limit = volume["emptyDir"]["sizeLimit"].as_str().unwrap();
            assert_eq!(mebibytes(limit), mib, "{ctx}: {path} size");
        };
        let lp = &def["linuxParameters"];
        let mut expected_mounts = def["mountPoints"].as_array().map_or(0, Vec::len);
        if let Some(shm) = number(&lp["sharedMemorySize"]) {
            memory_dir("/dev/shm", shm);
            expected_mounts += 1;
        }
        for t in lp["tmpfs"].as_array().into_iter().flatten() {
            memory_dir(
                t["containerPath"].as_str().unwrap(),
                number(&t["size"]).unwrap(),
            );
            expected_mounts += 1;
        }
        // volumesFrom: the source's mount points, read-only when asked.
        for vf in def["volumesFrom"].as_array().into_iter().flatten() {
            let source = defs
                .iter()
                .find(|d| d["name"] == vf["sourceContainer"])
                .unwrap();
            for mp in source["mountPoints"].as_array().into_iter().flatten() {
                let mount = mounts
                    .iter()
                    .find(|m| m["mountPath"] == mp["containerPath"])
                    .unwrap_or_else(|| panic!("{ctx}: volumesFrom mount"));
                if vf["readOnly"] == true {
                    assert_eq!(mount["readOnly"], true, "{ctx}: volumesFrom readOnly");
                }
                expected_mounts += 1;
            }
        }
        assert_eq!(mounts.len(), expected_mounts, "{ctx}: no extra mounts");
        for host in def["extraHosts"].as_array().into_iter().flatten() {
            let alias = pod["hostAliases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["ip"] == host["ipAddress"])
                .expect("hostAliases");
            assert!(
                strings(&alias["hostnames"])
                    .contains(&host["hostname"].as_str().unwrap().to_string()),
                "{ctx}: hostAliases"
            );
        }
        for domain in strings(&def["dnsSearchDomains"]) {
            assert!(
                strings(&pod["dnsConfig"]["searches"]).contains(&domain),
                "{ctx}: dnsConfig.searches"
            );
        }
        // The kubelet's safe set; others stay in values, off, until the kubelet allows them.
        let safe = [
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ];
        for sc in def["systemControls"].as_array().into_iter().flatten() {
            let sysctls = pod["securityContext"]["sysctls"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let present = sysctls
                .iter()
                .any(|x| x["name"] == sc["namespace"] && x["value"] == sc["value"]);
            let is_safe = safe.contains(&sc["namespace"].as_str().unwrap_or_default());
            assert_eq!(
                present, is_safe,
                "{ctx}: sysctl {} (safe: {is_safe})",
                sc["namespace"]
            );
        }
        for r in def["resourceRequirements"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["type"] == "GPU")
        {
            assert_eq!(
                c["resources"]["limits"]["nvidia.com/gpu"], r["value"],
                "{ctx}: GPU"
            );
        }
        if def["environmentFiles"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            assert!(
                c["envFrom"][0]["configMapRef"]["name"].is_string(),
                "{ctx}: envFrom hook"
            );
        }
        if def["repositoryCredentials"].is_object() {
            assert!(
                pod["imagePullSecrets"][0]["name"].is_string(),
                "{ctx}: imagePullSecrets"
            );
        }

        let sc = &c["securityContext"];
        if let Some(user) = def["user"].as_str() {
            let mut parts = user.split(':');
            if let Ok(uid) = parts.next().unwrap().parse::<i64>() {
                assert_eq!(sc["runAsUser"], uid, "{ctx}: runAsUser");
            }
            if let Some(Ok(gid)) = parts.next().map(str::parse::<i64>) {
                assert_eq!(sc["runAsGroup"], gid, "{ctx}: runAsGroup");
            }
        }
        for (ecs, k8s) in [
            ("privileged", "privileged"),
            ("readonlyRootFilesystem", "readOnlyRootFilesystem"),
        ] {
            if let Some(b) = def[ecs].as_bool() {
                assert_eq!(sc[k8s], b, "{ctx}: {k8s}");
            }
        }
        let caps = &def["linuxParameters"]["capabilities"];
        for key in ["add", "drop"] {
            assert_eq!(
                strings(&sc["capabilities"][key]),
                strings(&caps[key]),
                "{ctx}: capabilities.{key}"
            );
        }
        assert_eq!(
            c["stdin"].as_bool().unwrap_or(false),
            def["interactive"].as_bool().unwrap_or(false),
            "{ctx}: stdin"
        );
        assert_eq!(
            c["tty"].as_bool().unwrap_or(false),
            def["pseudoTerminal"].as_bool().unwrap_or(false),
            "{ctx}: tty"
        );
        if let Some(t) = number(&def["stopTimeout"]) {
            grace = grace.max(t);
        }
    }
    if defs.iter().any(|d| d["stopTimeout"].is_number()) {
        grace = defs
            .iter()
            .filter_map(|d| number(&d["stopTimeout"]))
            .max()
            .unwrap();
    }
    assert_eq!(
        pod["terminationGracePeriodSeconds"], grace,
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
    if stateful {
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

#[test]
fn rendered_pods_carry_the_task_definitions_meaning() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    for case in cases() {
        let out = tempfile::tempdir().unwrap();
        convert(&case, out.path());
        let raw: Value = serde_json::from_slice(&std::fs::read(&case.input).unwrap()).unwrap();
        for (_, helm) in &tools.helms {
            let docs = render(helm, home.path(), &chart_dir(out.path()), &[]);
            check(&case.name, &raw, &docs);
        }
    }
}

/// The switch in values really switches: the same chart as a Deployment keeps its data in
/// standalone claims that survive uninstall, and a disabled volume falls back to an emptyDir.
#[test]
fn workload_kind_and_persistence_switch_in_values() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let case = cases()
        .into_iter()
        .find(|c| c.name == "example-redis")
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    convert(&case, out.path());
    let chart = chart_dir(out.path());
    for (_, helm) in &tools.helms {
        let docs = render(
            helm,
            home.path(),
            &chart,
            &["--set", "workload.kind=Deployment"],
        );
        let deployment = find(&docs, "Deployment")[0];
        let pvc = find(&docs, "PersistentVolumeClaim")[0];
        assert_eq!(
            pvc["metadata"]["annotations"]["helm.sh/resource-policy"],
            "keep"
        );
        assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], "10Gi");
        let volumes = deployment["spec"]["template"]["spec"]["volumes"]
            .as_array()
            .unwrap();
        assert_eq!(
            volumes[0]["persistentVolumeClaim"]["claimName"],
            pvc["metadata"]["name"]
        );
        assert!(find(&docs, "StatefulSet").is_empty());

        let docs = render(
            helm,
            home.path(),
            &chart,
            &["--set", "persistence.redis-data.enabled=false"],
        );
        let sts = find(&docs, "StatefulSet")[0];
        assert!(sts["spec"]["volumeClaimTemplates"].is_null());
        assert!(sts["spec"]["template"]["spec"]["volumes"][0]["emptyDir"].is_object());

        let docs = render(
            helm,
            home.path(),
            &chart,
            &[
                "--set",
                "persistence.redis-data.storageClass=gp3",
                "--set",
                "replicaCount=3",
            ],
        );
        let sts = find(&docs, "StatefulSet")[0];
        assert_eq!(sts["spec"]["replicas"], 3);
        assert_eq!(
            sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"],
            "gp3"
        );
    }
}

/// With External Secrets switched on, the ExternalSecret fills every key the pods read, from
/// the ARN or parameter the task definition named (JSON key and version carried over).
#[test]
fn external_secrets_fill_every_key_the_pods_read() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for case in cases() {
        let raw: Value = serde_json::from_slice(&std::fs::read(&case.input).unwrap()).unwrap();
        let td = task_definition(&raw);
        let secrets: Vec<&Value> = td["containerDefinitions"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["secrets"].as_array().into_iter().flatten())
            .collect();
        if secrets.is_empty() {
            continue;
        }
        let out = tempfile::tempdir().unwrap();
        convert(&case, out.path());
        for (label, helm) in &tools.helms {
            let docs = render(
                helm,
                home.path(),
                &chart_dir(out.path()),
                &["--set", "externalSecrets.enabled=true"],
            );
            let external = find(&docs, "ExternalSecret");
            assert_eq!(external.len(), 1, "{label} {}", case.name);
            let es = external[0];
            let stores: Vec<&str> = find(&docs, "SecretStore")
                .iter()
                .map(|s| s["metadata"]["name"].as_str().unwrap())
                .collect();
            let data = es["spec"]["data"].as_array().unwrap();
            let workload = docs
                .iter()
                .find(|d| d["kind"] == "StatefulSet" || d["kind"] == "Deployment")
                .unwrap();
            let pod = &workload["spec"]["template"]["spec"];
            for c in pod["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(pod["initContainers"].as_array().into_iter().flatten())
            {
                for env in c["env"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|e| e["valueFrom"].is_object())
                {
                    let r = &env["valueFrom"]["secretKeyRef"];
                    assert_eq!(r["name"], es["spec"]["target"]["name"], "{}", case.name);
                    let entry = data
                        .iter()
                        .find(|d| d["secretKey"] == r["key"])
                        .unwrap_or_else(|| panic!("{}: no data for {}", case.name, r["key"]));
                    assert!(
                        stores.contains(&entry["sourceRef"]["storeRef"]["name"].as_str().unwrap()),
                        "{}: store exists",
                        case.name
                    );
                    let container_def = td["containerDefinitions"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|d| {
                            dns_label(d["name"].as_str().unwrap(), 63)
                                == c["name"].as_str().unwrap()
                        })
                        .unwrap();
                    let def = container_def["secrets"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|s| s["name"] == env["name"])
                        .unwrap();
                    let value_from = def["valueFrom"].as_str().unwrap();
                    let remote = &entry["remoteRef"];
                    if value_from.starts_with("arn:aws:secretsmanager:") {
                        let parts: Vec<&str> = value_from.split(':').collect();
                        assert_eq!(remote["key"], parts[..7].join(":"), "{}", case.name);
                        let json_key = parts.get(7).filter(|k| !k.is_empty());
                        assert_eq!(
                            remote["property"].as_str(),
                            json_key.copied(),
                            "{}: JSON key",
                            case.name
                        );
                    } else if let Some(rest) = value_from.strip_prefix("arn:aws:ssm:") {
                        let name = rest.split_once(":parameter").unwrap().1;
                        assert!(
                            remote["key"]
                                .as_str()
                                .unwrap()
                                .ends_with(name.trim_start_matches('/')),
                            "{}",
                            case.name
                        );
                    } else {
                        assert_eq!(remote["key"], value_from, "{}: parameter name", case.name);
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 6,
        "fixtures with secrets were checked: {checked}"
    );
}
