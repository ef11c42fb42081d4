//! The per-container half of the meaning checks: each container of the rendered pod against the
//! container definition it came from.

use std::collections::BTreeMap;

use serde_json::Value;

use super::case::Case;
use super::{expanded, find, mebibytes, number, strings};
use crate::common::kubernetes_expand;
use helm_ecs_import::convert::naming::dns_label;

/// One container definition and the rendered container made from it.
pub(super) struct Container<'a> {
    pub case: &'a Case<'a>,
    pub def: &'a Value,
    pub c: &'a Value,
    pub name: String,
    /// `case/container`, for assertion messages.
    pub ctx: String,
    /// The container's ECS environment, as the process would expand references against it.
    vars: BTreeMap<String, String>,
}

pub(super) fn check(case: &Case, def: &Value, completes: &[String]) {
    let name = dns_label(def["name"].as_str().unwrap(), 63);
    let c = case
        .containers
        .iter()
        .find(|c| c["name"] == name.as_str())
        .unwrap_or_else(|| panic!("{}: no container {name}", case.name));
    let vars = def["environment"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let name = e["name"].as_str().unwrap().to_string();
            (name, e["value"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    let k = Container {
        case,
        def,
        c,
        ctx: format!("{}/{name}", case.name),
        name,
        vars,
    };
    image_and_command(&k, completes);
    environment(&k);
    ports(&k);
    resources(&k);
    probes(&k);
    super::mounts::check(&k);
    host_settings(&k);
    security(&k);
}

/// The image, and what runs: entryPoint and command as command and args, expanded as the
/// process sees them; a COMPLETE dependency wrapped in a shell that ignores its exit status.
fn image_and_command(k: &Container, completes: &[String]) {
    let Container {
        def,
        c,
        ctx,
        vars,
        name,
        ..
    } = k;
    if let Some(image) = def["image"].as_str() {
        assert_eq!(c["image"], image, "{ctx}: image");
    }
    let expect_list = |ecs: &str, k8s: &str| {
        assert_eq!(
            expanded(&strings(&c[k8s]), vars),
            strings(&def[ecs]),
            "{ctx}: {ecs} -> {k8s}"
        );
    };
    if completes.contains(name) && def["entryPoint"].is_array() {
        // A COMPLETE dependency runs through a shell that ignores its exit status.
        assert_eq!(
            strings(&c["command"]),
            ["/bin/sh", "-c", "\"$0\" \"$@\" || true"],
            "{ctx}"
        );
        let mut original: Vec<String> = strings(&def["entryPoint"]);
        original.extend(strings(&def["command"]));
        assert_eq!(expanded(&strings(&c["args"]), vars), original, "{ctx}");
    } else {
        expect_list("entryPoint", "command");
        expect_list("command", "args");
    }
    if let Some(dir) = def["workingDirectory"].as_str().filter(|d| !d.is_empty()) {
        assert_eq!(c["workingDir"], dir, "{ctx}: workingDir");
    }
}

/// Environment variables as exact strings, secrets as references to the release's Secret.
fn environment(k: &Container) {
    let Container {
        def,
        c,
        ctx,
        vars,
        case,
        ..
    } = k;
    let fullname = &case.fullname;
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
            .unwrap_or_else(|| panic!("{ctx}: secret {n} missing"))["valueFrom"]["secretKeyRef"];
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
            kubernetes_expand(got["value"].as_str().unwrap(), vars),
            *v,
            "{ctx}: env {n} must be the exact string"
        );
    }
    assert_eq!(
        env.len(),
        expected_env.len() + secrets.len(),
        "{ctx}: no extra env"
    );
}

/// Every port mapping on the container and on the client Service.
fn ports(k: &Container) {
    let Container {
        def, c, ctx, case, ..
    } = k;
    let docs = case.docs;
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
}

/// Memory limit and request, CPU shares as a request only.
fn resources(k: &Container) {
    let Container { def, c, ctx, .. } = k;
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
}

/// The ECS health check as probes with its timings; none for init containers.
fn probes(k: &Container) {
    let Container {
        def,
        c,
        ctx,
        name,
        case,
        ..
    } = k;
    let (td, defs, init) = (&case.td, &case.defs, &case.init);
    let is_init = c["restartPolicy"].is_null() && init.iter().any(|i| i["name"] == name.as_str());
    let essential = !matches!(&def["essential"], Value::Bool(false)) && def["essential"] != "false";
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
                            && dns_label(x["containerName"].as_str().unwrap(), 63) == *name
                    })
                });
            match number(&hc["startPeriod"]).filter(|p| *p > 0) {
                _ if gated => assert!(c["startupProbe"].is_object(), "{ctx}: HEALTHY gate"),
                Some(start) => {
                    assert_eq!(strings(&c["startupProbe"]["exec"]["command"]), exec);
                    let budget = c["startupProbe"]["failureThreshold"].as_i64().unwrap() * interval;
                    assert!(
                        budget >= start + retries * interval,
                        "{ctx}: startup probe covers startPeriod"
                    );
                }
                None => assert!(c["startupProbe"].is_null(), "{ctx}: no startup probe"),
            }
        }
    }
}

/// /etc/hosts, DNS search domains, sysctls, GPUs, environment files and registry credentials.
fn host_settings(k: &Container) {
    let Container {
        def, c, ctx, case, ..
    } = k;
    let pod = case.pod;
    for host in def["extraHosts"].as_array().into_iter().flatten() {
        let alias = pod["hostAliases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["ip"] == host["ipAddress"])
            .expect("hostAliases");
        assert!(
            strings(&alias["hostnames"]).contains(&host["hostname"].as_str().unwrap().to_string()),
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
}

/// User and group, privileged, read-only root, capabilities, stdin and tty.
fn security(k: &Container) {
    let Container { def, c, ctx, .. } = k;
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
}
