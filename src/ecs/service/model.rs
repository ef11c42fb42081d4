//! The ECS service model: what a service adds to its task definition.

use std::collections::BTreeMap;

use crate::deferred::Deferred;
use crate::ecs::scheduled_run::ScheduledRun;
use crate::ecs::task_definition::model::PlacementConstraint;
use crate::json_path::{JsonPath, Located};

use super::task_ref::TaskRef;

#[derive(Debug, Clone)]
pub(crate) struct LoadBalancer {
    pub path: JsonPath,
    pub container_name: Option<String>,
    pub container_port: Option<Deferred<i64>>,
    pub target_group: Option<String>,
    /// Known from a CloudFormation target group's protocol: HTTP(S) means an ALB.
    pub application: Option<bool>,
    /// The listeners, rules and health check around the target group, from CloudFormation.
    pub routing: Option<crate::ecs::alb::AlbRouting>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Scaling {
    pub min: i64,
    pub max: i64,
    pub cpu_percent: Option<i64>,
    pub memory_percent: Option<i64>,
    /// Seconds after a scale-in before the next one (target tracking's ScaleInCooldown).
    pub scale_in_cooldown: Option<i64>,
    pub scale_out_cooldown: Option<i64>,
    pub disable_scale_in: bool,
}

/// An ECS-managed EBS volume the service attaches to each task (`configuredAtLaunch`).
#[derive(Debug, Clone, Default)]
pub(crate) struct VolumeConfiguration {
    pub path: JsonPath,
    pub name: String,
    pub size_gib: Option<i64>,
    pub ebs: ManagedEbs,
    pub snapshot_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceDefinition {
    pub path: JsonPath,
    pub name: Option<String>,
    pub task: Option<TaskRef>,
    pub desired_count: Option<Deferred<i64>>,
    pub maximum_percent: Option<i64>,
    pub minimum_healthy_percent: Option<i64>,
    pub load_balancers: Vec<LoadBalancer>,
    pub service_registries: bool,
    /// The DNS names Cloud Map gave the service (`vault.dev.estate.internal`), when the input
    /// names the registry's service and namespace (a template does; describe output does not).
    pub discovery_names: Vec<crate::json_path::Located<String>>,
    /// Ports the registries' SRV records named.
    pub registry_ports: Vec<RegistryPort>,
    /// The ECS cluster (name or ARN), for the migration plan's commands; not in the chart.
    pub cluster: Option<String>,
    pub placement_strategy: Vec<PlacementStrategy>,
    /// `schedulingStrategy: DAEMON`: one task per instance.
    pub daemon: bool,
    pub scaling: Option<Scaling>,
    pub volume_configurations: Vec<VolumeConfiguration>,
    /// Set for a scheduled task (an EventBridge rule or schedule), which runs as a CronJob.
    pub schedule: Option<ScheduledRun>,
    pub extras: ServiceExtras,
}

/// A port a Cloud Map registry named for a container.
#[derive(Debug, Clone)]
pub(crate) struct RegistryPort {
    pub container: Option<String>,
    pub port: i64,
    pub path: JsonPath,
}

/// One entry of a capacity provider strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CapacityShare {
    pub provider: String,
    pub weight: i64,
    pub base: i64,
    /// What runs behind the provider, when the input says: never guessed from its name.
    pub market: Option<CapacityMarket>,
}

/// The capacity behind a provider: how much of it is spot, and on what instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CapacityMarket {
    /// Percent of the provider's capacity above its on-demand base that runs on spot.
    pub spot_percent: i64,
    /// Instances the group keeps on demand before any spot (MixedInstancesPolicy).
    pub on_demand_base: i64,
    /// Where the share was read, for the report (`BurstAsg: MixedInstancesPolicy …`).
    pub source: String,
    /// Instance types the group launches (overrides, else its launch template's type).
    pub instance_types: Vec<String>,
    /// The Auto Scaling group's logical ID or name; None for Fargate.
    pub group: Option<String>,
    /// Subnets the group spans (a single one means a single zone).
    pub subnets: usize,
}

impl CapacityMarket {
    /// AWS's own providers, known by name.
    pub(crate) fn fargate(provider: &str) -> Option<CapacityMarket> {
        let spot_percent = match provider {
            "FARGATE_SPOT" => 100,
            "FARGATE" => 0,
            _ => return None,
        };
        Some(CapacityMarket {
            spot_percent,
            on_demand_base: 0,
            source: format!("{provider} (an AWS provider)"),
            instance_types: Vec::new(),
            group: None,
            subnets: 0,
        })
    }
}

/// A Service Connect alias clients used: a DNS name and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientAlias {
    pub path: JsonPath,
    pub port_name: String,
    pub dns_name: Option<String>,
    pub port: i64,
}

/// Service settings beyond replicas and load balancers, read from the same input.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceExtras {
    pub grace_period: Option<Located<i64>>,
    pub circuit_breaker: Option<CircuitBreaker>,
    pub capacity: Vec<CapacityShare>,
    pub placement_constraints: Vec<PlacementConstraint>,
    pub tags: BTreeMap<String, String>,
    pub propagate_tags: Option<String>,
    pub security_groups: Vec<String>,
    pub network_path: Option<JsonPath>,
    pub assign_public_ip: Option<String>,
    pub connect_aliases: Vec<ClientAlias>,
    pub connect_path: Option<JsonPath>,
}

/// An ECS-managed EBS volume's settings (`managedEBSVolume`), as ECS names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ManagedEbs {
    pub volume_type: Option<String>,
    pub iops: Option<i64>,
    pub throughput: Option<i64>,
    pub encrypted: Option<bool>,
    pub kms_key_id: Option<String>,
    pub filesystem_type: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// One placement strategy entry: its type (spread, binpack, random) and field.
#[derive(Debug, Clone)]
pub(crate) struct PlacementStrategy {
    pub kind: String,
    pub field: Option<String>,
    pub path: JsonPath,
}

/// `deploymentConfiguration.deploymentCircuitBreaker`.
#[derive(Debug, Clone)]
pub(crate) struct CircuitBreaker {
    pub enable: bool,
    pub rollback: bool,
    pub path: JsonPath,
}
