//! What the rendered pod means, checked field by field against the task definition it came from
//! (not against a snapshot): command, args, env, secret references, ports, resources, probes,
//! mounts and their backing volumes, security settings, the ServiceAccount's role, grace period.
//! `case` checks what is pod-wide, `container` each container.

mod case;
mod container;
mod mounts;

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

fn check(name: &str, raw: &Value, docs: &[Value]) {
    let k = case::Case::new(name, raw, docs);
    case::kind_labels_and_containers(&k);
    let completes = case::start_order(&k);
    for def in &k.defs {
        container::check(&k, def, &completes);
    }
    case::grace_and_identity(&k);
    case::task_settings(&k);
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
