//! values.yaml: every per-service setting, documented, in the names users know from well-kept
//! charts. Templates read only these values, so a chart can be tuned per environment without
//! touching a template, and no input string is ever evaluated as a template.

use super::container_values::container_node;
use crate::workload::Workload;
use crate::yaml::{Entry, Node};

fn s(text: &str) -> Node {
    Node::str(text)
}

/// A value that a deploy step must fill in: a `${…}` placeholder (envsubst, Terraform,
/// CloudFormation) or a `{{ … }}` template expression kept from the input.
pub(crate) fn is_placeholder(text: &str) -> bool {
    crate::placeholder::find(text).is_some()
}

/// Flags every placeholder value in its comment, so reviewers see what a deploy must set.
fn flag_placeholders(node: &mut Node) {
    match node {
        Node::Map(entries) => {
            for e in entries {
                if let Node::Str(text) = &e.value {
                    if is_placeholder(text) {
                        let note = "PLACEHOLDER from the input: set the real value at deploy time (--set or a values file)";
                        e.doc = Some(match &e.doc {
                            Some(doc) => format!("{doc}. {note}"),
                            None => note.to_string(),
                        });
                    }
                }
                flag_placeholders(&mut e.value);
            }
        }
        Node::Seq(items) => items.iter_mut().for_each(flag_placeholders),
        _ => {}
    }
}

/// External Secrets Operator settings: one SecretStore per AWS service used, and one entry per
/// secret key with where to fetch it (ARN without selector, JSON key, version).
fn external_secrets(w: &Workload) -> Node {
    use crate::workload::{SecretStore, SecretVersion};
    let mut region = String::new();
    let mut data = Vec::new();
    for (key, secret) in &w.secret_refs {
        if region.is_empty() {
            region = secret.region.clone().unwrap_or_default();
        }
        let mut remote = Node::map().set("key", s(&secret.key));
        if let Some(property) = &secret.property {
            remote = remote.set("property", s(property));
        }
        // ESO takes a version stage as it is and a version id with a `uuid/` prefix.
        match &secret.version {
            Some(SecretVersion::Id(id)) => {
                remote = remote.set("version", s(&format!("uuid/{id}")));
            }
            Some(SecretVersion::Stage(stage)) => remote = remote.set("version", s(stage)),
            None => {}
        }
        let store = match secret.store {
            SecretStore::SecretsManager => "secretsManager",
            SecretStore::ParameterStore => "parameterStore",
        };
        data.push(
            Node::map()
                .set("secretKey", s(key))
                .set("store", s(store))
                .set("remoteRef", remote),
        );
    }
    Node::map()
        .set("enabled", Node::Bool(false))
        .set("refreshInterval", s("1h"))
        .set("apiVersion", s("external-secrets.io/v1"))
        .set("region", s(&region))
        .set("createSecretStores", Node::Bool(true))
        .set("secretStoreKind", s("SecretStore"))
        .set("secretsManagerStore", s(""))
        .set("parameterStore", s(""))
        .set("serviceAccount", s(""))
        .set("data", Node::Seq(data))
}

fn affinity(w: &Workload) -> Node {
    let preferred = super::service_values::spot_preference(w);
    if w.node_affinity.is_empty() {
        return match preferred {
            Some(p) => Node::map().set(
                "nodeAffinity",
                Node::map().set("preferredDuringSchedulingIgnoredDuringExecution", p),
            ),
            None => Node::map(),
        };
    }
    let terms = w
        .node_affinity
        .iter()
        .map(|term| {
            let exprs = term
                .iter()
                .map(|r| {
                    let mut e = Node::map()
                        .set("key", s(&r.key))
                        .set("operator", s(&r.operator));
                    if !r.values.is_empty() {
                        e = e.set("values", Node::string_seq(&r.values));
                    }
                    e
                })
                .collect();
            Node::map().set("matchExpressions", Node::Seq(exprs))
        })
        .collect();
    let mut node_affinity = Node::map().set(
        "requiredDuringSchedulingIgnoredDuringExecution",
        Node::map().set("nodeSelectorTerms", Node::Seq(terms)),
    );
    if let Some(p) = preferred {
        node_affinity = node_affinity.set("preferredDuringSchedulingIgnoredDuringExecution", p);
    }
    Node::map().set("nodeAffinity", node_affinity)
}

pub(crate) fn build(w: &Workload) -> Node {
    build_for(w, None)
}

/// The values of one environment of a chart converted for several (`environment` names it).
pub(crate) fn build_for(w: &Workload, environment: Option<&str>) -> Node {
    let mut values = build_values(w);
    if let Some(env) = environment {
        values = values.set("environment", s(env));
    }
    let mut node = super::values_tree::document(values);
    flag_placeholders(&mut node);
    node
}

fn build_values(w: &Workload) -> Node {
    let mut sa_annotations = Node::map();
    if let Some(role) = &w.role_arn {
        sa_annotations = sa_annotations.set("eks.amazonaws.com/role-arn", s(role));
    }
    let containers = Node::Map(
        w.containers
            .iter()
            .map(|c| Entry {
                key: c.name.clone(),
                doc: None,
                variant: None,
                value: container_node(c),
            })
            .collect(),
    );
    let main = w
        .main_container()
        .map(|c| c.name.clone())
        .unwrap_or_default();

    let node = Node::map()
        .set("nameOverride", s(""))
        .set("fullnameOverride", s(""))
        .set(
            "workload",
            Node::map()
                .set("kind", s(w.kind.as_str()))
                .set("podManagementPolicy", s("OrderedReady")),
        )
        .set("daemonSet", super::kinds::daemon_set(w))
        .set("job", super::kinds::job(w))
        .set("cronJob", super::kinds::cron_job(w))
        .set("replicaCount", replica_count(w))
        .set(
            "deploymentStrategy",
            match &w.rollout {
                _ if super::storage::needs_recreate(w) => Node::map().set("type", s("Recreate")),
                Some(r) => Node::map().set("type", s("RollingUpdate")).set(
                    "rollingUpdate",
                    Node::map()
                        .set("maxSurge", s(&r.max_surge))
                        .set("maxUnavailable", s(&r.max_unavailable)),
                ),
                None => Node::map(),
            },
        )
        .set(
            "minReadySeconds",
            Node::Int(w.min_ready_seconds.unwrap_or(0)),
        )
        .set(
            "progressDeadlineSeconds",
            Node::Int(w.progress_deadline_seconds.unwrap_or(600)),
        )
        .set("defaultContainer", s(&main))
        .set("initContainerOrder", Node::string_seq(&w.init_order))
        .set(
            "imagePullSecrets",
            Node::Seq(
                w.image_pull_secrets
                    .iter()
                    .map(|n| Node::map().set("name", s(n)))
                    .collect(),
            ),
        )
        .set(
            "serviceAccount",
            Node::map()
                .set("create", Node::Bool(true))
                .set("automount", Node::Bool(w.automount_token))
                .set("annotations", sa_annotations)
                .set("podIdentity", Node::Bool(false))
                .set("name", s("")),
        );
    let node = scheduling_values(w, pod_values(w, node)).set("containers", containers);
    let node = super::service_values::sections(w, node);
    volume_and_extension_values(w, node)
}

/// How the pods run: metadata, security, host namespaces, DNS.
fn pod_values(w: &Workload, node: Node) -> Node {
    node.set("podAnnotations", Node::string_map(&w.pod_annotations))
        .set("podLabels", Node::string_map(&w.pod_labels))
        .set("failOnPlaceholders", Node::Bool(false))
        .set("commonLabels", Node::map())
        .set("commonAnnotations", Node::map())
        .set(
            "diagnosticMode",
            Node::map()
                .set("enabled", Node::Bool(false))
                .set("command", Node::Seq(vec![s("sleep")]))
                .set("args", Node::Seq(vec![s("infinity")])),
        )
        .set("podSecurity", s("default"))
        .set("podSecurityContext", {
            let mut psc = Node::map().set(
                "seccompProfile",
                Node::map().set("type", s("RuntimeDefault")),
            );
            if let Some(g) = w.fs_group {
                psc = psc
                    .set("fsGroup", Node::Int(g))
                    .set("fsGroupChangePolicy", s("OnRootMismatch"));
            }
            let safe = sysctl_list(w, true);
            if !safe.is_empty() {
                psc = psc.set("sysctls", Node::Seq(safe));
            }
            psc
        })
        .set(
            "unsafeSysctls",
            Node::map()
                .set("enabled", Node::Bool(false))
                .set("sysctls", Node::Seq(sysctl_list(w, false))),
        )
        .set("hostNetwork", Node::Bool(w.host_network))
        .set("hostname", s(w.hostname.as_deref().unwrap_or("")))
        .set("hostPID", Node::Bool(w.host_pid))
        .set("hostIPC", Node::Bool(w.host_ipc))
        .set(
            "shareProcessNamespace",
            Node::Bool(w.share_process_namespace),
        )
        .set("dnsConfig", {
            let mut dns = Node::map();
            if !w.dns_nameservers.is_empty() {
                dns = dns.set("nameservers", Node::string_seq(&w.dns_nameservers));
            }
            if !w.dns_searches.is_empty() {
                dns = dns.set("searches", Node::string_seq(&w.dns_searches));
            }
            dns
        })
        .set(
            "dnsPolicy",
            s(if w.dns_nameservers.is_empty() {
                ""
            } else {
                "None"
            }),
        )
        .set(
            "hostAliases",
            Node::Seq(
                w.host_aliases
                    .iter()
                    .map(|(ip, names)| {
                        Node::map()
                            .set("ip", s(ip))
                            .set("hostnames", Node::string_seq(names))
                    })
                    .collect(),
            ),
        )
        .set(
            "terminationGracePeriodSeconds",
            Node::Int(w.termination_grace_period_seconds.unwrap_or(30)),
        )
}

/// Where the pods run, and the secrets they read.
fn scheduling_values(w: &Workload, node: Node) -> Node {
    node.set("priorityClassName", s(""))
        .set("runtimeClassName", s(""))
        .set("schedulerName", s(""))
        .set("nodeSelector", Node::string_map(&w.node_selector))
        .set(
            "tolerations",
            Node::Seq(if w.windows_toleration {
                vec![Node::map()
                    .set("key", s("os"))
                    .set("operator", s("Equal"))
                    .set("value", s("windows"))
                    .set("effect", s("NoSchedule"))]
            } else {
                vec![]
            }),
        )
        .set("affinity", affinity(w))
        .set(
            "compute",
            Node::map()
                .set("target", s("auto"))
                .set("fargateLabels", Node::map().set("compute", s("fargate"))),
        )
        .set(
            "eks",
            Node::map().set("autoMode", Node::Bool(w.eks_auto_mode)),
        )
        .set(
            "podAntiAffinity",
            s(if w.distinct_hosts { "hard" } else { "" }),
        )
        .set("podAntiAffinityTopologyKey", s("kubernetes.io/hostname"))
        .set(
            "topologySpreadConstraints",
            Node::Seq(
                w.spread_topology_keys
                    .iter()
                    .map(|key| {
                        Node::map()
                            .set("maxSkew", Node::Int(1))
                            .set("topologyKey", s(key))
                            .set("whenUnsatisfiable", s("ScheduleAnyway"))
                            .set(
                                "labelSelector",
                                Node::map().set(
                                    "matchLabels",
                                    Node::map().set("app.kubernetes.io/name", s(&w.name)),
                                ),
                            )
                    })
                    .collect(),
            ),
        )
        .set(
            "podDisruptionBudget",
            Node::map()
                .set(
                    "enabled",
                    Node::Bool(w.kind == crate::workload::WorkloadKind::StatefulSet),
                )
                .set("minAvailable", s(""))
                .set("maxUnavailable", Node::Int(1)),
        )
        .set(
            "secrets",
            Node::map()
                .set("name", s(""))
                .set("sources", Node::string_map(&w.secret_sources)),
        )
        .set("externalSecrets", external_secrets(w))
}

/// Data volumes, and the hooks for adding what the chart does not generate.
fn volume_and_extension_values(w: &Workload, node: Node) -> Node {
    let (persistence, volumes) = super::storage::volume_entries(w);
    node.set("persistence", Node::Map(persistence))
        .set(
            "persistentVolumeClaimRetentionPolicy",
            Node::map()
                .set("whenDeleted", s("Retain"))
                .set("whenScaled", s("Retain")),
        )
        .set("volumes", Node::Map(volumes))
        .set("extraVolumes", Node::Seq(vec![]))
        .set("extraVolumeMounts", Node::Seq(vec![]))
        .set("initContainers", Node::Seq(vec![]))
        .set("sidecars", Node::Seq(vec![]))
        .set("extraContainers", Node::Seq(vec![]))
        .set("extraPodSpec", Node::map())
        .set("global", Node::map().set("imageRegistry", s("")))
        .set(
            "networkPolicy",
            Node::map()
                .set("enabled", Node::Bool(false))
                .set("from", Node::Seq(vec![])),
        )
        .set(
            "tests",
            Node::map()
                .set("enabled", Node::Bool(true))
                .set(
                    "image",
                    Node::map()
                        .set("repository", s("busybox"))
                        .set("tag", s("1.36"))
                        .set("pullPolicy", s("IfNotPresent")),
                )
                .set(
                    "resources",
                    Node::map()
                        .set(
                            "requests",
                            Node::map().set("cpu", s("10m")).set("memory", s("16Mi")),
                        )
                        .set(
                            "limits",
                            Node::map().set("cpu", s("100m")).set("memory", s("32Mi")),
                        ),
                ),
        )
}

/// The workload's sysctls inside (`safe`) or outside the kubelet's default safe set.
fn sysctl_list(w: &Workload, safe: bool) -> Vec<Node> {
    w.sysctls
        .iter()
        .filter(|(k, _)| crate::workload::SAFE_SYSCTLS.contains(&k.as_str()) == safe)
        .map(|(k, v)| {
            Node::map()
                .set("name", Node::str(k))
                .set("value", Node::str(v))
        })
        .collect()
}

/// The desired count, or the placeholder a template left in its place.
fn replica_count(w: &Workload) -> Node {
    w.replicas_placeholder
        .as_deref()
        .map_or(Node::Int(w.replicas), Node::str)
}
