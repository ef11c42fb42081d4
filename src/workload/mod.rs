//! The intermediate model of one service: what Kubernetes needs to run it, with no AWS names.
//!
//! Mapping rules fill it in from the ECS model; the chart writer reads only this.

use std::collections::BTreeMap;

use crate::deferred::Deferred;

mod secret;
mod sysctl;
mod target_group;

pub(crate) use secret::{SecretRef, SecretStore, SecretVersion};
pub(crate) use sysctl::SAFE_SYSCTLS;
pub(crate) use target_group::TargetGroup;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WorkloadKind {
    StatefulSet,
    Deployment,
    /// One pod per node (an ECS DAEMON service).
    DaemonSet,
    /// Runs to completion once (a migration, a batch job).
    Job,
    /// Runs to completion on a schedule (an EventBridge scheduled task).
    CronJob,
}

impl WorkloadKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Workload {
    /// Chart name: a lowercase DNS label short enough to leave room for release names.
    pub name: String,
    /// Where it came from, for descriptions (`family:revision`).
    pub origin: String,
    pub kind: WorkloadKind,
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
    /// IAM role the pods assume through their ServiceAccount (IRSA).
    pub role_arn: Option<String>,
    pub termination_grace_period_seconds: Option<i64>,
    pub node_selector: BTreeMap<String, String>,
    pub host_network: bool,
    /// Secret key → the AWS secret or parameter it is filled from on AWS.
    pub secret_sources: BTreeMap<String, String>,
    /// Secret key → where External Secrets Operator fetches it from.
    pub secret_refs: BTreeMap<String, SecretRef>,
    pub app_version: String,
    /// What the ECS service adds: replicas, rollout, load balancing, scaling.
    pub replicas: i64,
    /// The desired count only known at deploy time: the chart's replicaCount is this placeholder.
    pub replicas_placeholder: Option<String>,
    pub rollout: Option<Rollout>,
    pub ingress_port: Option<Deferred<u16>>,
    /// The ALB's settings and routes, when the stack describes them.
    pub ingress: IngressRouting,
    pub headless: bool,
    /// DNS names clients used on ECS (Cloud Map), which the Service name replaces.
    pub discovery_names: Vec<String>,
    pub autoscaling: Option<Autoscaling>,
    pub spread_topology_keys: Vec<String>,
    /// Init containers and native sidecars, in the order they start.
    pub init_order: Vec<String>,
    pub dns_nameservers: Vec<String>,
    pub dns_searches: Vec<String>,
    /// ip → hostnames
    pub host_aliases: BTreeMap<String, Vec<String>>,
    pub sysctls: BTreeMap<String, String>,
    pub share_process_namespace: bool,
    pub host_pid: bool,
    pub host_ipc: bool,
    pub pod_labels: BTreeMap<String, String>,
    pub pod_annotations: BTreeMap<String, String>,
    pub image_pull_secrets: Vec<String>,
    pub fs_group: Option<i64>,
    /// Alternative node selector terms, each a list of requirements (ANDed).
    pub node_affinity: Vec<Vec<NodeRequirement>>,
    pub windows_toleration: bool,
    /// The chart defaults to EKS Auto Mode's storage driver and load balancing APIs.
    pub eks_auto_mode: bool,
    /// The pod's hostname, from a container's `hostname` (Deployments with one replica).
    pub hostname: Option<String>,
    /// Mount the ServiceAccount token: only when the task had a role (ECS tasks never had
    /// Kubernetes API credentials).
    pub automount_token: bool,
    pub pod_security: PodSecurity,
    /// The ECS service's target group, for a cut-over binding.
    pub target_group: Option<TargetGroup>,
    /// When a CronJob runs.
    pub schedule: Option<Schedule>,
    /// Why the kind was chosen, for the chart README.
    pub kind_reason: String,
    /// At most one pod per node (ECS distinctInstance).
    pub distinct_hosts: bool,
    /// Seconds a new pod must be ready before it counts (ECS health check grace period, when
    /// there is no probe whose startup budget can cover it).
    pub min_ready_seconds: Option<i64>,
    /// Deployment only: when a stuck rollout is reported failed (ECS circuit breaker).
    pub progress_deadline_seconds: Option<i64>,
    /// Share of the capacity ECS took from spot, in percent: a preference for spot nodes.
    pub spot_weight: Option<i64>,
    /// Security groups of the ECS tasks, for an optional SecurityGroupPolicy.
    pub security_groups: Vec<String>,
    /// More Service ports: the Service Connect aliases clients used.
    pub alias_ports: Vec<AliasPort>,
}

/// A CronJob's schedule, already in Kubernetes' 5-field cron.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Schedule {
    pub cron: String,
    pub time_zone: String,
    pub suspend: bool,
    pub parallelism: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeRequirement {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

/// Rolling update bounds, from the ECS deployment configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rollout {
    pub max_surge: String,
    pub max_unavailable: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Autoscaling {
    /// Off when ECS scaled on nothing an HPA reads (step scaling on alarms): the bounds are
    /// carried, the HPA waits for a metric.
    pub enabled: bool,
    pub min: i64,
    pub max: i64,
    pub cpu_percent: Option<i64>,
    pub memory_percent: Option<i64>,
    /// HPA stabilization windows, in seconds (ECS scaling cooldowns).
    pub scale_down_window: Option<i64>,
    pub scale_up_window: Option<i64>,
    /// Never scale in (target tracking's DisableScaleIn).
    pub scale_down_disabled: bool,
}

/// What the Ingress carries over from the ALB: controller annotations and host/path rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IngressRouting {
    pub annotations: BTreeMap<String, String>,
    /// Hosts with their paths; empty means one catch-all rule.
    pub hosts: Vec<IngressHost>,
}

/// The Pod Security level the pods meet, and what keeps them from a stricter one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PodSecurity {
    pub level: PodSecurityLevel,
    pub reasons: Vec<String>,
}

/// A Service port for a name clients used (a Service Connect alias).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AliasPort {
    pub name: String,
    pub port: u16,
    /// The container port's name it forwards to.
    pub target_port: String,
}

/// An Ingress host ("" for any) and its paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IngressHost {
    pub host: String,
    pub paths: Vec<IngressPath>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IngressPath {
    pub path: String,
    /// Prefix, Exact or ImplementationSpecific.
    pub path_type: String,
}

/// A seccomp or AppArmor profile: its type, and the node's profile for a Localhost one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecurityProfile {
    pub kind: String,
    pub localhost_profile: Option<String>,
}

impl Workload {
    pub(crate) fn new(name: String, origin: String) -> Self {
        Workload {
            name,
            origin,
            kind: WorkloadKind::Deployment,
            containers: Vec::new(),
            volumes: Vec::new(),
            role_arn: None,
            termination_grace_period_seconds: None,
            node_selector: BTreeMap::new(),
            host_network: false,
            secret_sources: BTreeMap::new(),
            secret_refs: BTreeMap::new(),
            app_version: String::new(),
            replicas: 1,
            rollout: None,
            replicas_placeholder: None,
            ingress_port: None,
            ingress: IngressRouting::default(),
            discovery_names: Vec::new(),
            headless: false,
            autoscaling: None,
            spread_topology_keys: Vec::new(),
            init_order: Vec::new(),
            dns_nameservers: Vec::new(),
            dns_searches: Vec::new(),
            host_aliases: BTreeMap::new(),
            sysctls: BTreeMap::new(),
            share_process_namespace: false,
            host_pid: false,
            host_ipc: false,
            pod_labels: BTreeMap::new(),
            pod_annotations: BTreeMap::new(),
            image_pull_secrets: Vec::new(),
            fs_group: None,
            node_affinity: Vec::new(),
            windows_toleration: false,
            eks_auto_mode: false,
            hostname: None,
            schedule: None,
            target_group: None,
            automount_token: false,
            pod_security: PodSecurity {
                level: PodSecurityLevel::Baseline,
                reasons: Vec::new(),
            },
            kind_reason: String::new(),
            distinct_hosts: false,
            min_ready_seconds: None,
            progress_deadline_seconds: None,
            spot_weight: None,
            security_groups: Vec::new(),
            alias_ports: Vec::new(),
        }
    }

    pub(crate) fn main_container(&self) -> Option<&Container> {
        self.containers
            .iter()
            .find(|c| c.main)
            .or(self.containers.first())
    }

    pub(crate) fn ports(&self) -> impl Iterator<Item = &Port> {
        self.containers.iter().flat_map(|c| c.ports.iter())
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Container {
    pub name: String,
    /// Rendered only when turned on in values: its ports clash with another container's in
    /// the pod's one network namespace (a bridge-mode task with separate namespaces on ECS).
    pub disabled: bool,
    /// Values offer `ignoreFailure` (ECS COMPLETE: the container may fail without stopping
    /// the task).
    pub ignore_failure_switch: bool,
    /// How the pod runs it: with the others, as a native sidecar, or as an init container.
    pub kind: ContainerKind,
    /// The container the chart is about: its image tag is the appVersion, kubectl defaults to it.
    pub main: bool,
    pub essential: bool,
    pub image: Image,
    pub command: Vec<String>,
    pub args: Vec<String>,
    /// Seconds the container keeps running after it is told to stop (a load balancer's
    /// deregistration delay), before it gets the stop signal.
    pub pre_stop_sleep: Option<i64>,
    /// `command` or `args` only known at deploy time: the placeholder the chart carries instead.
    pub deferred_argv: BTreeMap<&'static str, String>,
    pub working_dir: Option<String>,
    pub env: BTreeMap<String, String>,
    /// Env var name → key in the service's Secret.
    pub secret_env: BTreeMap<String, String>,
    pub ports: Vec<Port>,
    pub requests: BTreeMap<String, String>,
    pub limits: BTreeMap<String, String>,
    pub probe: Option<Probe>,
    pub mounts: Vec<Mount>,
    pub security: SecurityContext,
    pub stdin: bool,
    pub tty: bool,
    /// ConfigMaps or Secrets to load as environment (from ECS environment files).
    pub env_from: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum ContainerKind {
    /// A regular container, started with the others.
    #[default]
    App,
    /// A native sidecar: an init container with `restartPolicy: Always`, started (and, with a
    /// startup probe, healthy) before the containers after it.
    Sidecar,
    /// Runs to completion before the containers after it.
    Init,
}

impl ContainerKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ContainerKind::App => "container",
            ContainerKind::Sidecar => "sidecar",
            ContainerKind::Init => "init",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Image {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Port {
    pub name: String,
    /// The number, or the placeholder a template gives for it.
    pub container_port: Deferred<u16>,
    pub protocol: Deferred<&'static str>,
    pub app_protocol: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Probe {
    pub action: ProbeAction,
    pub period_seconds: i64,
    pub timeout_seconds: i64,
    pub failure_threshold: i64,
    /// Failure threshold of a startup probe covering the start period, when there is one.
    pub startup_failure_threshold: Option<i64>,
    /// Liveness restarts the container; off for helpers whose health ECS ignored.
    pub liveness: bool,
    /// Successes in a row before a not-ready container is ready again (readiness only).
    pub success_threshold: Option<i64>,
}

/// What a probe checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProbeAction {
    /// A command run in the container (the ECS container health check).
    Exec(Vec<String>),
    /// An HTTP GET (a load balancer's health check): path, port (a name or a number), scheme.
    HttpGet {
        path: String,
        port: String,
        scheme: &'static str,
    },
    /// A TCP connection to a port (name or number).
    TcpSocket { port: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mount {
    pub volume: String,
    pub mount_path: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SecurityContext {
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub privileged: Option<bool>,
    pub read_only_root_filesystem: Option<bool>,
    pub add_capabilities: Vec<String>,
    pub drop_capabilities: Vec<String>,
    pub allow_privilege_escalation: Option<bool>,
    pub run_as_non_root: Option<bool>,
    /// A seccomp profile other than the pod's RuntimeDefault.
    pub seccomp: Option<SecurityProfile>,
    pub app_armor: Option<SecurityProfile>,
    /// SELinux options (user, role, type, level) from Docker `label` options.
    pub se_linux: BTreeMap<String, String>,
}

/// The Pod Security Standards level a chart's pods meet with their default values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PodSecurityLevel {
    Privileged,
    Baseline,
    Restricted,
}

impl PodSecurityLevel {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PodSecurityLevel::Privileged => "privileged",
            PodSecurityLevel::Baseline => "baseline",
            PodSecurityLevel::Restricted => "restricted",
        }
    }
}

/// A claim per replica, and what is known of the EBS volume behind it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Claim {
    pub size: String,
    /// No size was known: the default is flagged in values and the report.
    pub size_defaulted: bool,
    pub access_modes: Vec<String>,
    pub storage_class: String,
    pub annotations: BTreeMap<String, String>,
    /// The instance directory the data lived in on ECS, offered as an opt-in hostPath.
    pub host_path: Option<String>,
    /// EBS settings for a StorageClass the chart can create.
    pub ebs: Option<Ebs>,
    /// An EBS snapshot to restore the claims from.
    pub snapshot_id: Option<String>,
    /// Existing EBS volumes to adopt, one per replica in ordinal order.
    pub adopt: Vec<AdoptedVolume>,
}

/// An EBS volume the claims can bind to as it is: its ID (or the placeholder for it) and zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AdoptedVolume {
    pub volume_id: String,
    pub zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Ebs {
    pub volume_type: Option<String>,
    pub iops: Option<i64>,
    pub throughput: Option<i64>,
    pub encrypted: Option<bool>,
    pub kms_key_id: Option<String>,
    pub filesystem_type: Option<String>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Volume {
    pub name: String,
    pub source: VolumeSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VolumeSource {
    /// Lives as long as the pod, shared by its containers.
    Scratch {
        memory: bool,
        size_limit: Option<String>,
    },
    /// Data that must outlive the pod: a claim per replica.
    /// An EFS file system shared by every replica, as it was by every task: a static
    /// PersistentVolume on the EFS CSI driver and one ReadWriteMany claim.
    SharedFileSystem {
        file_system_id: String,
        /// What the claim requests; EFS does not enforce it.
        size: String,
        root_directory: Option<String>,
        access_point_id: Option<String>,
        transit_encryption: bool,
        iam: bool,
    },
    Persistent(Box<Claim>),
    HostPath {
        path: String,
    },
}
