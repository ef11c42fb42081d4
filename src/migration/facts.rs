//! What the plan needs to know about one chart in one environment, taken from the input model
//! (the ECS service, the instance volumes) and the converted workload when the unit is mapped,
//! so the plan is built without re-reading anything.

use crate::ecs::estate::SharedEstate;
use crate::ecs::instance_volume::InstanceVolume;
use crate::ecs::service::ServiceDefinition;
use crate::ecs::TaskDefinition;
use crate::workload::{VolumeSource, Workload, WorkloadKind};

/// ECS's stop timeout when a container sets none.
const ECS_STOP_TIMEOUT: i64 = 30;
/// A container start with nothing to measure it by.
const TYPICAL_START: i64 = 10;

#[derive(Debug, Clone)]
pub(crate) struct MoveFacts {
    pub chart: String,
    pub env: Option<String>,
    pub env_index: usize,
    pub kind: WorkloadKind,
    /// The main container's image repository (`hashicorp/vault`, `redis`).
    pub image: String,
    pub ecs_service: Option<String>,
    pub cluster: Option<String>,
    pub scheduled: bool,
    pub replicas: i64,
    /// Seconds ECS gave the task to stop, and where that number comes from.
    pub stop: (i64, String),
    /// Seconds until a new pod is ready, and where that number comes from.
    pub start: (i64, String),
    /// Volumes on EBS volumes the instances mounted, by the chart's volume name.
    pub instance_volumes: Vec<(String, InstanceVolume)>,
    /// Other volumes whose data outlives the pod on block storage (no instance volume known
    /// for them).
    pub other_data: Vec<String>,
    /// Volumes on a shared file system (EFS), by volume name and file system: ECS tasks and
    /// pods mount the same data, so nothing is copied.
    pub shared_file_systems: Vec<(String, String)>,
    pub target_group: Option<crate::workload::TargetGroup>,
    /// Names clients reach the service by: its Cloud Map names and its chart (Service) name.
    pub answers_to: Vec<String>,
    /// The environment values of its containers, where calls to other services show.
    pub env_values: Vec<String>,
    /// The pod's requests (CPU millicores, memory MiB), where the chart sets them.
    pub cpu_millicores: Option<i64>,
    pub memory_mib: Option<i64>,
    /// Why EKS Fargate could not run the pod, in the chart's own terms.
    pub fargate_blockers: Vec<String>,
    /// The share of its tasks ECS ran on spot.
    pub spot_percent: i64,
    /// Whether ECS ran it on Fargate.
    pub ran_on_fargate: bool,
    /// The task's own size (CPU millicores, memory MiB), as ECS Fargate bills it.
    pub task_size: (Option<i64>, Option<i64>),
    /// Instance types of the Auto Scaling groups behind its capacity providers.
    pub ecs_instance_types: Vec<String>,
    /// The template's groups and load balancers (shared by the charts of one template).
    pub estate: SharedEstate,
}

pub(crate) fn of(
    td: &TaskDefinition,
    service: Option<&ServiceDefinition>,
    estate: &SharedEstate,
    w: &Workload,
    env: Option<&str>,
    env_index: usize,
) -> MoveFacts {
    let mut on_instances = Vec::new();
    let mut other_data = Vec::new();
    let mut shared_file_systems = Vec::new();
    for (def, v) in td.volumes.iter().zip(&w.volumes) {
        let holder = def
            .host_source_path
            .as_deref()
            .and_then(|p| estate.volumes.iter().find(|iv| iv.holds(p)));
        match (holder, &v.source) {
            (Some(iv), _) => on_instances.push((v.name.clone(), iv.clone())),
            (None, VolumeSource::Persistent(_)) => other_data.push(v.name.clone()),
            (None, VolumeSource::SharedFileSystem { file_system_id, .. }) => {
                shared_file_systems.push((v.name.clone(), file_system_id.clone()))
            }
            _ => {}
        }
    }
    let main = w
        .containers
        .iter()
        .find(|c| c.main)
        .or(w.containers.first());
    let mut answers_to: Vec<String> = w
        .discovery_names
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    answers_to.push(w.name.to_ascii_lowercase());
    MoveFacts {
        chart: w.name.clone(),
        env: env.map(str::to_string),
        env_index,
        kind: w.kind,
        image: main.map(|c| c.image.repository.clone()).unwrap_or_default(),
        ecs_service: service.and_then(|s| s.name.clone()),
        cluster: service.and_then(|s| s.cluster.clone()),
        scheduled: service.is_some_and(|s| s.schedule.is_some()),
        replicas: w.replicas,
        stop: stop_time(td),
        start: start_time(td, w),
        instance_volumes: on_instances,
        other_data,
        shared_file_systems,
        target_group: w.target_group.clone(),
        answers_to,
        env_values: w
            .containers
            .iter()
            .flat_map(|c| c.env.values().cloned())
            .collect(),
        cpu_millicores: pod_request(w, "cpu", super::quantity::millicores),
        memory_mib: pod_request(w, "memory", super::quantity::mebibytes),
        fargate_blockers: fargate_blockers(w),
        spot_percent: w.spot_weight.unwrap_or(0),
        ran_on_fargate: td.requires_compatibilities.iter().any(|c| c == "FARGATE")
            || service.is_some_and(|s| {
                s.extras
                    .capacity
                    .iter()
                    .any(|c| c.provider.starts_with("FARGATE"))
            }),
        task_size: (
            td.cpu.as_ref().and_then(|c| task_cpu(&c.value)),
            td.memory.as_ref().and_then(|m| task_memory(&m.value)),
        ),
        ecs_instance_types: ecs_instance_types(service),
        estate: estate.clone(),
    }
}

/// The instance types behind the service's capacity providers, each once, in strategy order.
fn ecs_instance_types(service: Option<&ServiceDefinition>) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let markets = service
        .into_iter()
        .flat_map(|s| &s.extras.capacity)
        .filter_map(|c| c.market.as_ref());
    for t in markets.flat_map(|m| &m.instance_types) {
        if !all.contains(t) {
            all.push(t.clone());
        }
    }
    all
}

/// A task's CPU as ECS spells it: units (`1024`) or vCPUs (`1 vCPU`), in millicores.
fn task_cpu(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    match t.strip_suffix("vcpu") {
        Some(v) => v
            .trim()
            .parse::<f64>()
            .ok()
            .map(|v| (v * 1000.0).round() as i64),
        None => t.parse::<i64>().ok().map(|units| units * 1000 / 1024),
    }
}

/// A task's memory as ECS spells it: MiB (`2048`) or GB (`2 GB`), in MiB.
fn task_memory(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    match t.strip_suffix("gb") {
        Some(v) => v
            .trim()
            .parse::<f64>()
            .ok()
            .map(|v| (v * 1024.0).round() as i64),
        None => t.parse().ok(),
    }
}

/// A pod's request: the containers that run together, summed, or the largest init container
/// if that is more (as the scheduler and Fargate count it). None when any is unknown or unset.
fn pod_request(w: &Workload, resource: &str, parse: fn(&str) -> Option<i64>) -> Option<i64> {
    let mut running = 0;
    let mut init = 0;
    let mut any = false;
    for c in &w.containers {
        let Some(text) = c.requests.get(resource) else {
            continue;
        };
        let value = parse(text)?;
        any = true;
        if c.kind == crate::workload::ContainerKind::Init {
            init = init.max(value);
        } else {
            running += value;
        }
    }
    any.then_some(running.max(init))
}

/// What EKS Fargate does not run: DaemonSets, EBS and host-path volumes, privileged pods, host
/// networking and namespaces, unsafe sysctls, GPUs, pods that require a node label.
fn fargate_blockers(w: &Workload) -> Vec<String> {
    let mut out = Vec::new();
    if w.kind == WorkloadKind::DaemonSet {
        out.push("a DaemonSet: EKS Fargate runs no DaemonSets".to_string());
    }
    for v in &w.volumes {
        match &v.source {
            VolumeSource::Persistent(_) => out.push(format!(
                "volume {} is a block-storage claim: EKS Fargate mounts only EFS",
                v.name
            )),
            VolumeSource::HostPath { path } => {
                out.push(format!("volume {} is the node directory {path}", v.name))
            }
            _ => {}
        }
    }
    for c in &w.containers {
        if c.security.privileged == Some(true) {
            out.push(format!("container {} is privileged", c.name));
        }
        if c.requests
            .keys()
            .chain(c.limits.keys())
            .any(|k| k.contains("gpu") || k.contains("neuron"))
        {
            out.push(format!(
                "container {} requests a GPU or accelerator",
                c.name
            ));
        }
    }
    if w.host_network {
        out.push("host networking".to_string());
    }
    if w.host_pid || w.host_ipc {
        out.push("the host's PID or IPC namespace".to_string());
    }
    for name in w
        .sysctls
        .keys()
        .filter(|s| !crate::workload::SAFE_SYSCTLS.contains(&s.as_str()))
    {
        out.push(format!("the unsafe sysctl {name}"));
    }
    if !w.node_selector.is_empty() || !w.node_affinity.is_empty() {
        out.push("it requires node labels (ECS placement constraints)".to_string());
    }
    out
}

fn stop_time(td: &TaskDefinition) -> (i64, String) {
    match td.containers.iter().filter_map(|c| c.stop_timeout).max() {
        Some(t) => (t, "the task definition's stopTimeout".into()),
        None => (ECS_STOP_TIMEOUT, "ECS's default stopTimeout".into()),
    }
}

/// Until the new pod is ready: the health check's start period and one passing check, or the
/// load balancer's healthy threshold, or a typical start.
fn start_time(td: &TaskDefinition, w: &Workload) -> (i64, String) {
    if let Some(hc) = td.containers.iter().find_map(|c| c.health_check.as_ref()) {
        let start = hc.start_period.unwrap_or(0) + hc.interval.unwrap_or(30);
        return (
            start,
            "the health check's startPeriod plus one interval".into(),
        );
    }
    let probe = w.containers.iter().find_map(|c| c.probe.as_ref());
    match probe.and_then(|p| Some(p.period_seconds * p.success_threshold?)) {
        Some(seconds) => (
            seconds,
            "the target group's healthy threshold × interval".into(),
        ),
        None => (
            TYPICAL_START,
            "a typical container start (no health check to measure it)".into(),
        ),
    }
}
