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
        .with("enabled", Some("Create the ExternalSecret (and SecretStores) that fill secrets.name"), Node::Bool(false))
        .with("refreshInterval", Some("How often values are re-read from AWS (pods still need a restart to see new values)"), s("1h"))
        .with(
            "apiVersion",
            Some("API version of External Secrets Operator's resources (v1 since ESO 0.16; 0.17 no longer serves v1beta1)"),
            s("external-secrets.io/v1"),
        )
        .with("region", Some("AWS region of the secrets and parameters"), s(&region))
        .with("createSecretStores", Some("Create namespaced SecretStores for Secrets Manager and Parameter Store"), Node::Bool(true))
        .with("secretStoreKind", Some("SecretStore or ClusterSecretStore"), s("SecretStore"))
        .with("secretsManagerStore", Some("Store for Secrets Manager; empty means <fullname>-secretsmanager"), s(""))
        .with("parameterStore", Some("Store for SSM Parameter Store; empty means <fullname>-parameterstore"), s(""))
        .with(
            "serviceAccount",
            Some("ServiceAccount whose IRSA role may read the secrets (the rights of the ECS execution role); empty means the chart's"),
            s(""),
        )
        .with("data", Some("Secret key, store and remote reference of each ECS secret"), Node::Seq(data))
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
    let mut node = build_values(w);
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
                value: container_node(c),
            })
            .collect(),
    );
    let main = w
        .main_container()
        .map(|c| c.name.clone())
        .unwrap_or_default();

    let node = Node::map()
        .with("nameOverride", Some("Replaces the chart name in resource names"), s(""))
        .with("fullnameOverride", Some("Replaces the full resource name (release-chart)"), s(""))
        .with(
            "workload",
            Some("How the pods are run"),
            Node::map()
                .with("kind", Some("StatefulSet (a volume per replica, stable pod names), Deployment, DaemonSet (one pod per node), Job (run once) or CronJob (on a schedule)"), s(w.kind.as_str()))
                .with("podManagementPolicy", Some("StatefulSet only: OrderedReady starts pods one at a time; Parallel starts them together, as ECS does"), s("OrderedReady")),
        )
        .with("daemonSet", Some("DaemonSet only"), super::kinds::daemon_set(w))
        .with("job", Some("Job and CronJob: how each run goes"), super::kinds::job(w))
        .with("cronJob", Some("CronJob only: when it runs"), super::kinds::cron_job(w))
        .with(
            "replicaCount",
            Some("Number of pods (the ECS service's desired count)"),
            Node::Int(w.replicas),
        )
        .with(
            "deploymentStrategy",
            Some("Deployment only: rollout strategy (from the ECS deployment configuration); empty uses Kubernetes' default"),
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
        .with("minReadySeconds", Some("Seconds a new pod must be ready before it counts as available (from the ECS health check grace period when no probe covers it)"), Node::Int(w.min_ready_seconds.unwrap_or(0)))
        .with("progressDeadlineSeconds", Some("Deployment only: seconds before a stuck rollout is reported failed (the ECS circuit breaker's role)"), Node::Int(w.progress_deadline_seconds.unwrap_or(600)))
        .with("defaultContainer", Some("Container that kubectl logs and exec use by default"), s(&main))
        .with(
            "initContainerOrder",
            Some("Order in which init and sidecar containers start (from ECS dependsOn)"),
            Node::string_seq(&w.init_order),
        )
        .with(
            "imagePullSecrets",
            Some("Secrets for pulling images from private registries (from ECS repositoryCredentials)"),
            Node::Seq(w.image_pull_secrets.iter().map(|n| Node::map().with("name", None, s(n))).collect()),
        )
        .with(
            "serviceAccount",
            Some("The pods' identity; the ECS task role is carried as an IRSA annotation"),
            Node::map()
                .with("create", Some("Create a ServiceAccount"), Node::Bool(true))
                .with("automount", Some("Mount its Kubernetes API token: only when the task had a role (ECS tasks had no Kubernetes API credentials; IRSA and Pod Identity bring their own token)"), Node::Bool(w.automount_token))
                .with("annotations", Some("ServiceAccount annotations"), sa_annotations)
                .with(
                    "podIdentity",
                    Some("Use EKS Pod Identity instead of IRSA: the role-arn annotation is left out, and an association for this ServiceAccount must exist"),
                    Node::Bool(false),
                )
                .with("name", Some("Name to use; empty derives it from the release"), s("")),
        );
    let node = scheduling_values(w, pod_values(w, node)).with(
        "containers",
        Some("The task's containers, by name"),
        containers,
    );
    let node = super::service_values::sections(w, node);
    volume_and_extension_values(w, node)
}

/// How the pods run: metadata, security, host namespaces, DNS.
fn pod_values(w: &Workload, node: Node) -> Node {
    node
        .with("podAnnotations", Some("Annotations for every pod (task tags that are not valid labels)"), Node::string_map(&w.pod_annotations))
        .with("podLabels", Some("Labels for every pod (from the task definition's tags)"), Node::string_map(&w.pod_labels))
        .with("commonLabels", Some("Labels for every object of the chart"), Node::map())
        .with(
            "podSecurity",
            Some("default: the ECS settings with secure defaults (seccomp RuntimeDefault as Docker applied, no privilege escalation the input does not need); restricted: also runAsNonRoot, drop ALL capabilities and a read-only root filesystem wherever the ECS input does not set otherwise"),
            s("default"),
        )
        .with("podSecurityContext", Some("Pod security context (seccomp as Docker applied on ECS, fsGroup, sysctls from ECS systemControls)"), {
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
            Some("Sysctls outside the kubelet's safe set (from ECS systemControls): off, because the API server accepts the pod but the kubelet refuses it unless --allowed-unsafe-sysctls names them"),
            Node::map().with("enabled", None, Node::Bool(false)).with("sysctls", None, Node::Seq(sysctl_list(w, false))),
        )
        .with("hostNetwork", Some("Use the node's network (ECS host network mode)"), Node::Bool(w.host_network))
        .with("hostname", Some("The pod's hostname (a container's ECS hostname, for a single pod); empty lets Kubernetes name it"), s(w.hostname.as_deref().unwrap_or("")))
        .with("hostPID", Some("Use the node's process namespace (ECS pidMode host)"), Node::Bool(w.host_pid))
        .with("hostIPC", Some("Use the node's IPC namespace (ECS ipcMode host)"), Node::Bool(w.host_ipc))
        .with(
            "shareProcessNamespace",
            Some("Containers see each other's processes (ECS pidMode task)"),
            Node::Bool(w.share_process_namespace),
        )
        .with("dnsConfig", Some("Pod DNS settings (from ECS dnsServers and dnsSearchDomains)"), {
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
            Some("Pod DNS policy; None uses only dnsConfig (ECS dnsServers replace the cluster DNS)"),
            s(if w.dns_nameservers.is_empty() { "" } else { "None" }),
        )
        .with(
            "hostAliases",
            Some("Extra /etc/hosts entries (from ECS extraHosts)"),
            Node::Seq(
                w.host_aliases
                    .iter()
                    .map(|(ip, names)| Node::map().with("ip", None, s(ip)).with("hostnames", None, Node::string_seq(names)))
                    .collect(),
            ),
        )
        .with(
            "terminationGracePeriodSeconds",
            Some("Seconds between SIGTERM and SIGKILL (the longest ECS stopTimeout)"),
            Node::Int(w.termination_grace_period_seconds.unwrap_or(30)),
        )
}

/// Where the pods run, and the secrets they read.
fn scheduling_values(w: &Workload, node: Node) -> Node {
    node
        .with("priorityClassName", Some("PriorityClass of the pods; empty for the cluster default"), s(""))
        .with("runtimeClassName", Some("RuntimeClass of the pods (a sandboxed runtime, for example); empty for the default"), s(""))
        .with("schedulerName", Some("Scheduler of the pods; empty for the default scheduler"), s(""))
        .with("nodeSelector", Some("Node labels the pods must run on"), Node::string_map(&w.node_selector))
        .with(
            "tolerations",
            Some("Tolerations"),
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
        .with("affinity", Some("Affinity rules (from ECS memberOf placement constraints, and a preference for spot nodes from the capacity provider strategy)"), affinity(w))
        .with("podAntiAffinity", Some("hard: at most one pod per node (ECS distinctInstance); soft: spread when possible; empty: none"), s(if w.distinct_hosts { "hard" } else { "" }))
        .with("podAntiAffinityTopologyKey", Some("What counts as one node for podAntiAffinity"), s("kubernetes.io/hostname"))
        .with(
            "topologySpreadConstraints",
            Some("How pods spread across zones and nodes (from the ECS spread placement strategy); when empty, a StatefulSet with more than one replica spreads across zones"),
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
            Some("Limits voluntary disruptions (node drains, upgrades)"),
            Node::map()
                .with(
                    "enabled",
                    Some("Create a PodDisruptionBudget (on by default for StatefulSets: node drains take one pod at a time)"),
                    Node::Bool(w.kind == crate::workload::WorkloadKind::StatefulSet),
                )
                .with("minAvailable", Some("Pods that must stay up (number or percentage); wins over maxUnavailable"), s(""))
                .with("maxUnavailable", Some("Pods that may be down at once (number or percentage)"), Node::Int(1)),
        )
        .with(
            "secrets",
            Some("The Secret that secretEnv keys are read from; the chart never holds secret values"),
            Node::map()
                .with("name", Some("Secret name; empty means <fullname>-secrets"), s(""))
                .with("sources", Some("Where each key's value lives on AWS, key: ARN or parameter name"), Node::string_map(&w.secret_sources)),
        )
        .with("externalSecrets", Some("Fill the Secret from AWS with External Secrets Operator (off: the chart then installs on clusters without its CRDs)"), external_secrets(w))
}

/// Data volumes, and the hooks for adding what the chart does not generate.
fn volume_and_extension_values(w: &Workload, node: Node) -> Node {
    let (persistence, volumes) = super::storage::volume_entries(w);
    node
        .with("persistence", Some("Volumes whose data outlives the pod, by volume name"), Node::Map(persistence))
        .with(
            "persistentVolumeClaimRetentionPolicy",
            Some("StatefulSet only: what happens to claims when the StatefulSet is deleted or scaled down"),
            Node::map()
                .with("whenDeleted", Some("Retain or Delete"), s("Retain"))
                .with("whenScaled", Some("Retain or Delete"), s("Retain")),
        )
        .with("volumes", Some("Pod volumes that do not outlive the pod, by name, as Kubernetes volume sources"), Node::Map(volumes))
        .with("extraVolumes", Some("More pod volumes, as Kubernetes Volume objects"), Node::Seq(vec![]))
        .with("extraVolumeMounts", Some("More mounts for the default container, as Kubernetes VolumeMount objects"), Node::Seq(vec![]))
        .with("initContainers", Some("Init containers to add, as Kubernetes Container objects"), Node::Seq(vec![]))
        .with("sidecars", Some("Containers to add beside the task's, as Kubernetes Container objects"), Node::Seq(vec![]))
        .with("extraContainers", Some("More containers, as Kubernetes Container objects (the same as sidecars, by the name other charts use)"), Node::Seq(vec![]))
        .with("extraPodSpec", Some("More PodSpec fields the chart does not set itself (e.g. overhead, os), merged into every pod"), Node::map())
        .with(
            "networkPolicy",
            Some("A NetworkPolicy for the pods: ingress on the Service ports only, egress open"),
            Node::map()
                .with("enabled", Some("Create it"), Node::Bool(false))
                .with("from", Some("Who may connect, as NetworkPolicyPeer objects; empty allows pods of the same namespace"), Node::Seq(vec![])),
        )
        .with(
            "tests",
            Some("The helm test pod, which checks that the Service's TCP ports accept connections"),
            Node::map()
                .with("enabled", Some("Ship the test pod"), Node::Bool(true))
                .with(
                    "image",
                    Some("Image with sh and nc"),
                    Node::map()
                        .with("repository", None, s("busybox"))
                        .with("tag", None, s("1.36"))
                        .with("pullPolicy", None, s("IfNotPresent")),
                )
                .with(
                    "resources",
                    Some("Requests and limits of the test pod"),
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
