//! values.yaml: every per-service setting, documented, in the names users know from well-kept
//! charts. Templates read only these values, so a chart can be tuned per environment without
//! touching a template, and no input string is ever evaluated as a template.

use crate::workload::{Container, Probe, VolumeSource, Workload};
use crate::yaml::{Entry, Node};

fn s(text: &str) -> Node {
    Node::str(text)
}

fn probe_node(probe: Option<&Probe>, kind: &str) -> Node {
    let enabled = match (probe, kind) {
        (None, _) => false,
        (Some(p), "liveness") => p.liveness,
        (Some(p), "startup") => p.startup_failure_threshold.is_some(),
        (Some(_), _) => true,
    };
    let mut node = Node::map().with("enabled", None, Node::Bool(enabled));
    if let Some(p) = probe {
        let failure = if kind == "startup" {
            p.startup_failure_threshold.unwrap_or(p.failure_threshold)
        } else {
            p.failure_threshold
        };
        node = node
            .with(
                "exec",
                None,
                Node::map().with("command", None, Node::string_seq(&p.command)),
            )
            .with("periodSeconds", None, Node::Int(p.period_seconds))
            .with("timeoutSeconds", None, Node::Int(p.timeout_seconds))
            .with("failureThreshold", None, Node::Int(failure));
    }
    node
}

fn container_node(c: &Container) -> Node {
    let image = Node::map()
        .with(
            "registry",
            Some("Registry host; empty means Docker Hub"),
            s(&c.image.registry),
        )
        .with(
            "repository",
            Some("Image repository"),
            s(&c.image.repository),
        )
        .with("tag", Some("Image tag"), s(&c.image.tag))
        .with(
            "digest",
            Some("Image digest (sha256:…); overrides the tag when set"),
            s(&c.image.digest),
        )
        .with("pullPolicy", Some("Image pull policy"), s("IfNotPresent"));
    let ports = Node::Seq(
        c.ports
            .iter()
            .map(|p| {
                // appProtocol belongs to Service ports; a container port has none.
                Node::map()
                    .with("name", None, s(&p.name))
                    .with(
                        "containerPort",
                        None,
                        Node::Int(i64::from(p.container_port)),
                    )
                    .with("protocol", None, s(p.protocol))
            })
            .collect(),
    );
    let resources = Node::map()
        .with("requests", None, Node::string_map(&c.requests))
        .with("limits", None, Node::string_map(&c.limits));
    let mut security = Node::map();
    if let Some(uid) = c.security.run_as_user {
        security = security.with("runAsUser", None, Node::Int(uid));
    }
    if let Some(gid) = c.security.run_as_group {
        security = security.with("runAsGroup", None, Node::Int(gid));
    }
    if let Some(p) = c.security.privileged {
        security = security.with("privileged", None, Node::Bool(p));
    }
    if let Some(r) = c.security.read_only_root_filesystem {
        security = security.with("readOnlyRootFilesystem", None, Node::Bool(r));
    }
    if !c.security.add_capabilities.is_empty() || !c.security.drop_capabilities.is_empty() {
        let mut caps = Node::map();
        if !c.security.add_capabilities.is_empty() {
            caps = caps.with("add", None, Node::string_seq(&c.security.add_capabilities));
        }
        if !c.security.drop_capabilities.is_empty() {
            caps = caps.with(
                "drop",
                None,
                Node::string_seq(&c.security.drop_capabilities),
            );
        }
        security = security.with("capabilities", None, caps);
    }
    if let Some(v) = c.security.allow_privilege_escalation {
        security = security.with("allowPrivilegeEscalation", None, Node::Bool(v));
    }
    if let Some(v) = c.security.run_as_non_root {
        security = security.with("runAsNonRoot", None, Node::Bool(v));
    }
    let profile = |(kind, local): &(String, Option<String>)| {
        let node = Node::map().with("type", None, s(kind));
        match local {
            Some(l) => node.with("localhostProfile", None, s(l)),
            None => node,
        }
    };
    if let Some(p) = &c.security.seccomp {
        security = security.with("seccompProfile", None, profile(p));
    }
    if let Some(p) = &c.security.app_armor {
        security = security.with("appArmorProfile", None, profile(p));
    }
    if !c.security.se_linux.is_empty() {
        security = security.with(
            "seLinuxOptions",
            None,
            Node::string_map(&c.security.se_linux),
        );
    }
    let mounts = Node::Seq(
        c.mounts
            .iter()
            .map(|m| {
                Node::map()
                    .with("name", None, s(&m.volume))
                    .with("mountPath", None, s(&m.mount_path))
                    .with("readOnly", None, Node::Bool(m.read_only))
            })
            .collect(),
    );
    let mut node = Node::map();
    if c.disabled {
        node = node.with(
            "enabled",
            Some(
                "Off: its port clashes with another container's (see the report); true renders it",
            ),
            Node::Bool(false),
        );
    }
    if c.ignore_failure_switch {
        node = node.with(
            "ignoreFailure",
            Some("Run the command through /bin/sh and ignore its exit status, as ECS ignored a COMPLETE container's failure (needs command and a shell in the image)"),
            Node::Bool(false),
        );
    }
    node.with(
            "kind",
            Some("container (started with the others), sidecar (native sidecar, started first) or init (run to completion first)"),
            s(c.kind.as_str()),
        )
        .with("image", Some("Container image"), image)
        .with(
            "command",
            Some("Entrypoint (ECS entryPoint); empty keeps the image's ENTRYPOINT"),
            Node::string_seq(&c.command),
        )
        .with(
            "args",
            Some("Arguments (ECS command); empty keeps the image's CMD"),
            Node::string_seq(&c.args),
        )
        .with(
            "workingDir",
            Some("Working directory; empty keeps the image's WORKDIR"),
            s(c.working_dir.as_deref().unwrap_or("")),
        )
        .with(
            "env",
            Some("Environment variables, name: value (values are exact strings)"),
            Node::string_map(&c.env),
        )
        .with(
            "extraEnv",
            Some("More environment variables, as Kubernetes EnvVar objects"),
            Node::Seq(vec![]),
        )
        .with(
            "secretEnv",
            Some("Environment variables read from the Secret named by secrets.name, name: key"),
            Node::string_map(&c.secret_env),
        )
        .with(
            "envFrom",
            Some("ConfigMaps and Secrets loaded whole as environment, as Kubernetes EnvFromSource objects (for ECS environment files)"),
            Node::Seq(
                c.env_from
                    .iter()
                    .map(|name| Node::map().with("configMapRef", None, Node::map().with("name", None, s(name))))
                    .collect(),
            ),
        )
        .with("ports", Some("Ports the container listens on"), ports)
        .with(
            "resources",
            Some("CPU and memory requests and limits"),
            resources,
        )
        .with(
            "startupProbe",
            Some("Startup probe (from the ECS health check's startPeriod)"),
            probe_node(c.probe.as_ref(), "startup"),
        )
        .with(
            "livenessProbe",
            Some("Liveness probe (from the ECS health check)"),
            probe_node(c.probe.as_ref(), "liveness"),
        )
        .with(
            "readinessProbe",
            Some("Readiness probe (from the ECS health check)"),
            probe_node(c.probe.as_ref(), "readiness"),
        )
        .with(
            "securityContext",
            Some("Container security context"),
            security,
        )
        .with(
            "lifecycle",
            Some("Lifecycle hooks (preStop, postStart), as a Kubernetes Lifecycle object"),
            Node::map(),
        )
        .with(
            "volumeMounts",
            Some("Mounts of volumes named in persistence or volumes"),
            mounts,
        )
        .with(
            "stdin",
            Some("Keep stdin open (ECS interactive)"),
            Node::Bool(c.stdin),
        )
        .with(
            "tty",
            Some("Allocate a TTY (ECS pseudoTerminal)"),
            Node::Bool(c.tty),
        )
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
    use crate::convert::secrets::SecretSource;
    let mut region = String::new();
    let mut data = Vec::new();
    for (key, source) in &w.secret_refs {
        let (store, remote) = match source {
            SecretSource::SecretsManager {
                id,
                region: r,
                json_key,
                version_stage,
                version_id,
            } => {
                if region.is_empty() {
                    region = r.clone().unwrap_or_default();
                }
                let mut remote = Node::map().with("key", None, s(id));
                if let Some(k) = json_key {
                    remote = remote.with("property", None, s(k));
                }
                // ESO takes a version stage as it is and a version id with a `uuid/` prefix.
                if let Some(v) = version_id {
                    remote = remote.with("version", None, s(&format!("uuid/{v}")));
                } else if let Some(v) = version_stage {
                    remote = remote.with("version", None, s(v));
                }
                ("secretsManager", remote)
            }
            SecretSource::Parameter { name, region: r } => {
                if region.is_empty() {
                    region = r.clone().unwrap_or_default();
                }
                ("parameterStore", Node::map().with("key", None, s(name)))
            }
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
    let service_ports = Node::Seq(
        w.ports()
            .map(|p| {
                let mut port = Node::map()
                    .with("name", None, s(&p.name))
                    .with("port", None, Node::Int(i64::from(p.container_port)))
                    .with("targetPort", None, s(&p.name))
                    .with("protocol", None, s(p.protocol));
                if let Some(app) = &p.app_protocol {
                    port = port.with("appProtocol", None, s(app));
                }
                port
            })
            .chain(super::service_values::alias_ports(w))
            .collect(),
    );
    let mut persistence = Vec::new();
    let mut volumes = Vec::new();
    for v in &w.volumes {
        match &v.source {
            VolumeSource::SharedFileSystem { file_system_id, root_directory, access_point_id, transit_encryption, iam } => persistence.push(Entry {
                key: v.name.clone(),
                doc: None,
                value: Node::map()
                    .with("enabled", Some("Keep this volume's data in a PersistentVolumeClaim; false uses an emptyDir"), Node::Bool(true))
                    .with("size", Some("Requested size (EFS does not enforce it)"), s(crate::convert::storage::DEFAULT_SIZE))
                    .with("storageClass", Some("Storage class; ignored for EFS volumes, which bind to their own PersistentVolume"), s(""))
                    .with("accessModes", Some("Access modes"), Node::string_seq(&["ReadWriteMany".to_string()]))
                    .with("existingClaim", Some("Use this existing claim instead of creating one"), s(""))
                    .with("annotations", Some("Claim annotations"), Node::map())
                    .with(
                        "efs",
                        Some("The EFS file system every replica shares, through a static PersistentVolume on the EFS CSI driver"),
                        Node::map()
                            .with("fileSystemId", None, s(file_system_id))
                            .with("rootDirectory", None, s(root_directory.as_deref().unwrap_or("")))
                            .with("accessPointId", None, s(access_point_id.as_deref().unwrap_or("")))
                            .with("transitEncryption", None, Node::Bool(*transit_encryption))
                            .with("iam", None, Node::Bool(*iam)),
                    ),
            }),
            VolumeSource::Persistent(claim) => persistence.push(Entry {
                key: v.name.clone(),
                doc: None,
                value: super::storage::claim_node(claim),
            }),
            VolumeSource::Scratch { memory, size_limit } => {
                let mut empty_dir = if *memory { Node::map().with("medium", None, s("Memory")) } else { Node::map() };
                if let Some(limit) = size_limit {
                    empty_dir = empty_dir.with("sizeLimit", None, s(limit));
                }
                volumes.push(Entry { key: v.name.clone(), doc: None, value: Node::map().with("emptyDir", None, empty_dir) });
            }
            VolumeSource::HostPath { path } => volumes.push(Entry {
                key: v.name.clone(),
                doc: None,
                value: Node::map().with(
                    "hostPath",
                    None,
                    Node::map().with("path", None, s(path)).with("type", None, s("DirectoryOrCreate")),
                ),
            }),
        }
    }
    let main = w
        .main_container()
        .map(|c| c.name.clone())
        .unwrap_or_default();

    Node::map()
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
        )
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
        .with("containers", Some("The task's containers, by name"), containers)
        .with(
            "service",
            Some("The Service in front of the pods"),
            Node::map()
                .with("enabled", Some("Create the Service (not for jobs, which serve nothing)"), Node::Bool(!super::kinds::runs_to_completion(w.kind)))
                .with("type", Some("Service type"), s("ClusterIP"))
                .with("annotations", Some("Service annotations"), Node::map())
                .with(
                    "headless",
                    Some("Also create a headless Service for DNS-based discovery (ECS service discovery); StatefulSets always get one"),
                    Node::Bool(w.headless),
                )
                .with("ports", Some("Service ports (from the ECS port mappings)"), service_ports),
        )
        .with("securityGroupPolicy", Some("Security groups for pods (vpcresources.k8s.aws/v1beta1): the ECS tasks' security groups, applied to the pods"), super::service_values::security_group_policy(w))
        .with(
            "targetGroupBinding",
            Some("Cut-over without interruption: register the pods in the ECS service's existing target group (AWS Load Balancer Controller), beside the ECS tasks"),
            Node::map()
                .with("enabled", Some("Create the TargetGroupBinding"), Node::Bool(false))
                .with("targetGroupARN", Some("The target group the ECS tasks are registered in"), s(w.target_group.as_ref().filter(|t| t.is_arn).map_or("", |t| t.name.as_str())))
                .with("port", Some("The Service port the target group sends traffic to"), Node::Int(w.target_group.as_ref().map_or(0, |t| i64::from(t.port))))
                .with("targetType", Some("ip registers pod IPs (the VPC CNI gives pods VPC addresses)"), s("ip"))
                .with("multiClusterTargetGroup", Some("Leave targets the controller did not register (the ECS tasks) in place"), Node::Bool(true)),
        )
        .with(
            "ingress",
            Some("An Ingress in front of the Service, ready for the AWS Load Balancer Controller"),
            Node::map()
                .with("enabled", Some("Create the Ingress"), Node::Bool(w.ingress_port.is_some()))
                .with("className", Some("Ingress class"), s("alb"))
                .with("annotations", Some("Ingress annotations (AWS Load Balancer Controller)"), super::service_values::ingress_annotations(w))
                .with("hosts", Some("Hosts and paths routed to the Service"), super::service_values::ingress_hosts(w))
                .with(
                    "servicePort",
                    Some("Service port to route to; 0 means the first one"),
                    Node::Int(w.ingress_port.map_or(0, i64::from)),
                )
                .with("tls", Some("TLS settings"), Node::Seq(vec![])),
        )
        .with(
            "autoscaling",
            Some("A HorizontalPodAutoscaler; replicaCount is ignored while it is enabled"),
            Node::map()
                .with("enabled", Some("Create the HorizontalPodAutoscaler"), Node::Bool(w.autoscaling.is_some()))
                .with("minReplicas", Some("Fewest pods"), Node::Int(w.autoscaling.as_ref().map_or(1, |a| a.min)))
                .with("maxReplicas", Some("Most pods"), Node::Int(w.autoscaling.as_ref().map_or(5, |a| a.max)))
                .with(
                    "targetCPUUtilizationPercentage",
                    Some("Average CPU use to aim for, in percent of requests; 0 disables"),
                    Node::Int(w.autoscaling.as_ref().map_or(80, |a| a.cpu_percent.unwrap_or(0))),
                )
                .with(
                    "targetMemoryUtilizationPercentage",
                    Some("Average memory use to aim for, in percent of requests; 0 disables"),
                    Node::Int(w.autoscaling.as_ref().map_or(0, |a| a.memory_percent.unwrap_or(0))),
                )
                .with("behavior", Some("HPA scaling behavior (scaleUp, scaleDown), as in autoscaling/v2; empty keeps Kubernetes' defaults"), super::service_values::autoscaling_behavior(w)),
        )
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
