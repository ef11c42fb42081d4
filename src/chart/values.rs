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
        let mut remote = Node::map().with("key", None, s(&secret.key));
        if let Some(property) = &secret.property {
            remote = remote.with("property", None, s(property));
        }
        // ESO takes a version stage as it is and a version id with a `uuid/` prefix.
        match &secret.version {
            Some(SecretVersion::Id(id)) => {
                remote = remote.with("version", None, s(&format!("uuid/{id}")));
            }
            Some(SecretVersion::Stage(stage)) => remote = remote.with("version", None, s(stage)),
            None => {}
        }
        let store = match secret.store {
            SecretStore::SecretsManager => "secretsManager",
            SecretStore::ParameterStore => "parameterStore",
        };
        data.push(
            Node::map()
                .with("secretKey", None, s(key))
                .with("store", None, s(store))
                .with("remoteRef", None, remote),
        );
    }
    Node::map()
        .with("enabled", None, Node::Bool(false))
        .with("refreshInterval", None, s("1h"))
        .with(
            "apiVersion",
            None,
            s("external-secrets.io/v1"),
        )
        .with("region", None, s(&region))
        .with("createSecretStores", None, Node::Bool(true))
        .with("secretStoreKind", None, s("SecretStore"))
        .with("secretsManagerStore", None, s(""))
        .with("parameterStore", None, s(""))
        .with(
            "serviceAccount",
            None,
            s(""),
        )
        .with("data", None, Node::Seq(data))
}

fn affinity(w: &Workload) -> Node {
    let preferred = super::service_values::spot_preference(w);
    if w.node_affinity.is_empty() {
        return match preferred {
            Some(p) => Node::map().with(
                "nodeAffinity",
                None,
                Node::map().with("preferredDuringSchedulingIgnoredDuringExecution", None, p),
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
                    let mut e = Node::map().with("key", None, s(&r.key)).with(
                        "operator",
                        None,
                        s(&r.operator),
                    );
                    if !r.values.is_empty() {
                        e = e.with("values", None, Node::string_seq(&r.values));
                    }
                    e
                })
                .collect();
            Node::map().with("matchExpressions", None, Node::Seq(exprs))
        })
        .collect();
    let mut node_affinity = Node::map().with(
        "requiredDuringSchedulingIgnoredDuringExecution",
        None,
        Node::map().with("nodeSelectorTerms", None, Node::Seq(terms)),
    );
    if let Some(p) = preferred {
        node_affinity =
            node_affinity.with("preferredDuringSchedulingIgnoredDuringExecution", None, p);
    }
    Node::map().with("nodeAffinity", None, node_affinity)
}

pub(crate) fn build(w: &Workload) -> Node {
    let mut node = super::values_tree::document(build_values(w));
    flag_placeholders(&mut node);
    node
}

fn build_values(w: &Workload) -> Node {
    let mut sa_annotations = Node::map();
    if let Some(role) = &w.role_arn {
        sa_annotations = sa_annotations.with("eks.amazonaws.com/role-arn", None, s(role));
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
        .with("nameOverride", None, s(""))
        .with("fullnameOverride", None, s(""))
        .with(
            "workload",
            None,
            Node::map()
                .with("kind", None, s(w.kind.as_str()))
                .with("podManagementPolicy", None, s("OrderedReady")),
        )
        .with("daemonSet", None, super::kinds::daemon_set(w))
        .with("job", None, super::kinds::job(w))
        .with("cronJob", None, super::kinds::cron_job(w))
        .with(
            "replicaCount",
            None,
            Node::Int(w.replicas),
        )
        .with(
            "deploymentStrategy",
            None,
            match &w.rollout {
                _ if super::storage::needs_recreate(w) => Node::map().with("type", None, s("Recreate")),
                Some(r) => Node::map().with("type", None, s("RollingUpdate")).with(
                    "rollingUpdate",
                    None,
                    Node::map()
                        .with("maxSurge", None, s(&r.max_surge))
                        .with("maxUnavailable", None, s(&r.max_unavailable)),
                ),
                None => Node::map(),
            },
        )
        .with("minReadySeconds", None, Node::Int(w.min_ready_seconds.unwrap_or(0)))
        .with("progressDeadlineSeconds", None, Node::Int(w.progress_deadline_seconds.unwrap_or(600)))
        .with("defaultContainer", None, s(&main))
        .with(
            "initContainerOrder",
            None,
            Node::string_seq(&w.init_order),
        )
        .with(
            "imagePullSecrets",
            None,
            Node::Seq(w.image_pull_secrets.iter().map(|n| Node::map().with("name", None, s(n))).collect()),
        )
        .with(
            "serviceAccount",
            None,
            Node::map()
                .with("create", None, Node::Bool(true))
                .with("automount", None, Node::Bool(w.automount_token))
                .with("annotations", None, sa_annotations)
                .with(
                    "podIdentity",
                    None,
                    Node::Bool(false),
                )
                .with("name", None, s("")),
        );
    let node = scheduling_values(w, pod_values(w, node)).with(
        "containers",
        None,
        containers,
    );
    let node = super::service_values::sections(w, node);
    volume_and_extension_values(w, node)
}

/// How the pods run: metadata, security, host namespaces, DNS.
fn pod_values(w: &Workload, node: Node) -> Node {
    node
        .with("podAnnotations", None, Node::string_map(&w.pod_annotations))
        .with("podLabels", None, Node::string_map(&w.pod_labels))
        .with("commonLabels", None, Node::map())
        .with(
            "podSecurity",
            None,
            s("default"),
        )
        .with("podSecurityContext", None, {
            let mut psc = Node::map().with("seccompProfile", None, Node::map().with("type", None, s("RuntimeDefault")));
            if let Some(g) = w.fs_group {
                psc = psc.with("fsGroup", None, Node::Int(g)).with("fsGroupChangePolicy", None, s("OnRootMismatch"));
            }
            let safe = sysctl_list(w, true);
            if !safe.is_empty() {
                psc = psc.with("sysctls", None, Node::Seq(safe));
            }
            psc
        })
        .with(
            "unsafeSysctls",
            None,
            Node::map().with("enabled", None, Node::Bool(false)).with("sysctls", None, Node::Seq(sysctl_list(w, false))),
        )
        .with("hostNetwork", None, Node::Bool(w.host_network))
        .with("hostname", None, s(w.hostname.as_deref().unwrap_or("")))
        .with("hostPID", None, Node::Bool(w.host_pid))
        .with("hostIPC", None, Node::Bool(w.host_ipc))
        .with(
            "shareProcessNamespace",
            None,
            Node::Bool(w.share_process_namespace),
        )
        .with("dnsConfig", None, {
            let mut dns = Node::map();
            if !w.dns_nameservers.is_empty() {
                dns = dns.with("nameservers", None, Node::string_seq(&w.dns_nameservers));
            }
            if !w.dns_searches.is_empty() {
                dns = dns.with("searches", None, Node::string_seq(&w.dns_searches));
            }
            dns
        })
        .with(
            "dnsPolicy",
            None,
            s(if w.dns_nameservers.is_empty() { "" } else { "None" }),
        )
        .with(
            "hostAliases",
            None,
            Node::Seq(
                w.host_aliases
                    .iter()
                    .map(|(ip, names)| Node::map().with("ip", None, s(ip)).with("hostnames", None, Node::string_seq(names)))
                    .collect(),
            ),
        )
        .with(
            "terminationGracePeriodSeconds",
            None,
            Node::Int(w.termination_grace_period_seconds.unwrap_or(30)),
        )
}

/// Where the pods run, and the secrets they read.
fn scheduling_values(w: &Workload, node: Node) -> Node {
    node
        .with("priorityClassName", None, s(""))
        .with("runtimeClassName", None, s(""))
        .with("schedulerName", None, s(""))
        .with("nodeSelector", None, Node::string_map(&w.node_selector))
        .with(
            "tolerations",
            None,
            Node::Seq(if w.windows_toleration {
                vec![Node::map()
                    .with("key", None, s("os"))
                    .with("operator", None, s("Equal"))
                    .with("value", None, s("windows"))
                    .with("effect", None, s("NoSchedule"))]
            } else {
                vec![]
            }),
        )
        .with("affinity", None, affinity(w))
        .with("podAntiAffinity", None, s(if w.distinct_hosts { "hard" } else { "" }))
        .with("podAntiAffinityTopologyKey", None, s("kubernetes.io/hostname"))
        .with(
            "topologySpreadConstraints",
            None,
            Node::Seq(
                w.spread_topology_keys
                    .iter()
                    .map(|key| {
                        Node::map()
                            .with("maxSkew", None, Node::Int(1))
                            .with("topologyKey", None, s(key))
                            .with("whenUnsatisfiable", None, s("ScheduleAnyway"))
                            .with(
                                "labelSelector",
                                None,
                                Node::map().with(
                                    "matchLabels",
                                    None,
                                    Node::map().with("app.kubernetes.io/name", None, s(&w.name)),
                                ),
                            )
                    })
                    .collect(),
            ),
        )
        .with(
            "podDisruptionBudget",
            None,
            Node::map()
                .with(
                    "enabled",
                    None,
                    Node::Bool(w.kind == crate::workload::WorkloadKind::StatefulSet),
                )
                .with("minAvailable", None, s(""))
                .with("maxUnavailable", None, Node::Int(1)),
        )
        .with(
            "secrets",
            None,
            Node::map()
                .with("name", None, s(""))
                .with("sources", None, Node::string_map(&w.secret_sources)),
        )
        .with("externalSecrets", None, external_secrets(w))
}

/// Data volumes, and the hooks for adding what the chart does not generate.
fn volume_and_extension_values(w: &Workload, node: Node) -> Node {
    let (persistence, volumes) = super::storage::volume_entries(w);
    node
        .with("persistence", None, Node::Map(persistence))
        .with(
            "persistentVolumeClaimRetentionPolicy",
            None,
            Node::map()
                .with("whenDeleted", None, s("Retain"))
                .with("whenScaled", None, s("Retain")),
        )
        .with("volumes", None, Node::Map(volumes))
        .with("extraVolumes", None, Node::Seq(vec![]))
        .with("extraVolumeMounts", None, Node::Seq(vec![]))
        .with("initContainers", None, Node::Seq(vec![]))
        .with("sidecars", None, Node::Seq(vec![]))
        .with("extraContainers", None, Node::Seq(vec![]))
        .with("extraPodSpec", None, Node::map())
        .with(
            "networkPolicy",
            None,
            Node::map()
                .with("enabled", None, Node::Bool(false))
                .with("from", None, Node::Seq(vec![])),
        )
        .with(
            "tests",
            None,
            Node::map()
                .with("enabled", None, Node::Bool(true))
                .with(
                    "image",
                    None,
                    Node::map()
                        .with("repository", None, s("busybox"))
                        .with("tag", None, s("1.36"))
                        .with("pullPolicy", None, s("IfNotPresent")),
                )
                .with(
                    "resources",
                    None,
                    Node::map()
                        .with("requests", None, Node::map().with("cpu", None, s("10m")).with("memory", None, s("16Mi")))
                        .with("limits", None, Node::map().with("cpu", None, s("100m")).with("memory", None, s("32Mi"))),
                ),
        )
}

/// The workload's sysctls inside (`safe`) or outside the kubelet's default safe set.
fn sysctl_list(w: &Workload, safe: bool) -> Vec<Node> {
    w.sysctls
        .iter()
        .filter(|(k, _)| crate::convert::pod::SAFE_SYSCTLS.contains(&k.as_str()) == safe)
        .map(|(k, v)| {
            Node::map()
                .with("name", None, Node::str(k))
                .with("value", None, Node::str(v))
        })
        .collect()
}
