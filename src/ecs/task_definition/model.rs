//! The task definition model: the parts of an ECS task definition the converter reads, each
//! value carrying the JSON path it came from so rules can point the report at it. Field names
//! follow the AWS API model (`RegisterTaskDefinitionRequest`, `ContainerDefinition`, `Volume`);
//! the readers beside this file fill it, and it imports none of them.

use std::collections::BTreeMap;

use crate::deferred::Deferred;
use crate::ecs::secret_source::SecretSource;
use crate::json_path::{JsonPath, Located};

#[derive(Debug, Clone, Default)]
pub(crate) struct TaskDefinition {
    pub path: JsonPath,
    pub family: Option<String>,
    pub revision: Option<i64>,
    pub task_role_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    pub network_mode: Option<String>,
    pub cpu: Option<Located<String>>,
    pub memory: Option<Located<String>>,
    pub requires_compatibilities: Vec<String>,
    pub cpu_architecture: Option<Located<String>>,
    pub operating_system_family: Option<Located<String>>,
    pub tags: Vec<(String, String)>,
    pub placement_constraints: Vec<PlacementConstraint>,
    pub pid_mode: Option<Located<String>>,
    pub ipc_mode: Option<Located<String>>,
    pub ephemeral_storage_gib: Option<Located<i64>>,
    pub containers: Vec<ContainerDefinition>,
    pub volumes: Vec<VolumeDefinition>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ContainerDefinition {
    pub path: JsonPath,
    pub name: String,
    pub hostname: Option<String>,
    pub image: Option<String>,
    pub cpu: Option<Deferred<i64>>,
    pub memory: Option<Deferred<i64>>,
    pub memory_reservation: Option<Deferred<i64>>,
    pub essential: Option<bool>,
    pub entry_point: Option<Deferred<Vec<String>>>,
    pub command: Option<Deferred<Vec<String>>>,
    pub environment: Vec<EnvironmentVariable>,
    pub secrets: Vec<SecretReference>,
    pub port_mappings: Vec<PortMapping>,
    pub mount_points: Vec<MountPoint>,
    pub health_check: Option<HealthCheck>,
    pub depends_on: Vec<ContainerDependency>,
    pub working_directory: Option<String>,
    pub user: Option<Located<String>>,
    pub privileged: Option<bool>,
    pub readonly_root_filesystem: Option<bool>,
    pub capabilities_add: Vec<String>,
    pub capabilities_drop: Vec<String>,
    /// Docker `--security-opt` values (no-new-privileges, seccomp, apparmor, label), with the
    /// path of the list.
    pub docker_security_options: Option<Located<Vec<String>>>,
    pub stop_timeout: Option<i64>,
    pub interactive: Option<bool>,
    pub pseudo_terminal: Option<bool>,
    pub shared_memory_mib: Option<Located<i64>>,
    pub tmpfs: Vec<Tmpfs>,
    pub volumes_from: Vec<VolumesFrom>,
    pub dns_servers: Vec<String>,
    pub docker_labels: BTreeMap<String, String>,
    pub dns_search_domains: Vec<String>,
    pub extra_hosts: Vec<ExtraHost>,
    pub system_controls: Vec<SystemControl>,
    pub resource_requirements: Vec<ResourceRequirement>,
    /// S3 object ARNs of environment files.
    pub environment_files: Vec<Located<String>>,
    pub repository_credentials: Option<Located<String>>,
}

/// A tmpfs mount (`linuxParameters.tmpfs`).
#[derive(Debug, Clone)]
pub(crate) struct Tmpfs {
    pub container_path: String,
    pub size_mib: i64,
    pub mount_options: Vec<String>,
    pub path: JsonPath,
}

/// Mounts taken from another container (`volumesFrom`).
#[derive(Debug, Clone)]
pub(crate) struct VolumesFrom {
    pub source_container: String,
    pub read_only: bool,
    pub path: JsonPath,
}

/// An /etc/hosts entry (`extraHosts`).
#[derive(Debug, Clone)]
pub(crate) struct ExtraHost {
    pub hostname: String,
    pub ip_address: String,
}

/// A sysctl (`systemControls`).
#[derive(Debug, Clone)]
pub(crate) struct SystemControl {
    pub namespace: String,
    pub value: String,
    pub path: JsonPath,
}

/// A GPU or Inferentia request (`resourceRequirements`).
#[derive(Debug, Clone)]
pub(crate) struct ResourceRequirement {
    pub kind: String,
    pub value: String,
    pub path: JsonPath,
}

#[derive(Debug, Clone)]
pub(crate) struct EnvironmentVariable {
    pub path: JsonPath,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub(crate) struct SecretReference {
    pub path: JsonPath,
    pub name: String,
    pub value_from: String,
    /// `valueFrom` parsed; None when it is neither an ARN nor a parameter name.
    pub source: Option<SecretSource>,
}

#[derive(Debug, Clone)]
pub(crate) struct PortMapping {
    pub path: JsonPath,
    pub container_port: Deferred<i64>,
    pub host_port: Option<i64>,
    pub protocol: Option<Deferred<String>>,
    pub name: Option<String>,
    pub app_protocol: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct MountPoint {
    pub path: JsonPath,
    pub source_volume: String,
    pub container_path: String,
    pub read_only: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct HealthCheck {
    pub path: JsonPath,
    pub command: Vec<String>,
    pub interval: Option<i64>,
    pub timeout: Option<i64>,
    pub retries: Option<i64>,
    pub start_period: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct ContainerDependency {
    pub path: JsonPath,
    pub container_name: String,
    pub condition: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct VolumeDefinition {
    pub path: JsonPath,
    pub name: String,
    pub host_source_path: Option<String>,
    pub docker: Option<DockerVolume>,
    pub efs: Option<EfsVolume>,
    pub configured_at_launch: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DockerVolume {
    pub path: JsonPath,
    pub scope: Option<String>,
    pub autoprovision: Option<bool>,
    pub driver: Option<String>,
    pub driver_opts: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct EfsVolume {
    pub path: JsonPath,
    pub file_system_id: String,
    pub root_directory: Option<String>,
    pub transit_encryption: Option<String>,
    pub access_point_id: Option<String>,
    pub iam: Option<String>,
}

/// `placementConstraints[]`: its type (memberOf, distinctInstance) and expression.
#[derive(Debug, Clone)]
pub(crate) struct PlacementConstraint {
    pub kind: String,
    pub expression: Option<String>,
    pub path: JsonPath,
}
