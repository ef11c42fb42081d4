//! The ECS input model: the parts of an ECS task definition the converter reads, each value
//! carrying the JSON path it came from so rules can point the report at it.
//!
//! Field names follow the AWS API model (`RegisterTaskDefinitionRequest`, `ContainerDefinition`,
//! `Volume`). Fields the model has but the converter does not carry over are listed in the
//! `NotCarried` tables below, so each one is reported by name, never dropped silently.

use crate::report::Code;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::ecs::path::JsonPath;
use crate::ecs::reader::{NotCarried, Obj, ReadResult};
use crate::error::FieldError;
use crate::report::Report;

#[derive(Debug, Clone, Default)]
pub(crate) struct TaskDefinition {
    pub path: JsonPath,
    pub family: Option<String>,
    pub revision: Option<i64>,
    pub task_role_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    pub network_mode: Option<String>,
    pub cpu: Option<(String, JsonPath)>,
    pub memory: Option<(String, JsonPath)>,
    pub requires_compatibilities: Vec<String>,
    pub cpu_architecture: Option<(String, JsonPath)>,
    pub operating_system_family: Option<(String, JsonPath)>,
    pub tags: Vec<(String, String)>,
    /// (type, expression, path)
    pub placement_constraints: Vec<(String, Option<String>, JsonPath)>,
    pub pid_mode: Option<(String, JsonPath)>,
    pub ipc_mode: Option<(String, JsonPath)>,
    pub ephemeral_storage_gib: Option<(i64, JsonPath)>,
    pub containers: Vec<ContainerDefinition>,
    pub volumes: Vec<VolumeDefinition>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ContainerDefinition {
    pub path: JsonPath,
    pub name: String,
    pub hostname: Option<String>,
    pub image: Option<String>,
    pub cpu: Option<i64>,
    pub memory: Option<i64>,
    pub memory_reservation: Option<i64>,
    pub essential: Option<bool>,
    pub entry_point: Option<Vec<String>>,
    pub command: Option<Vec<String>>,
    pub environment: Vec<EnvironmentVariable>,
    pub secrets: Vec<SecretReference>,
    pub port_mappings: Vec<PortMapping>,
    pub mount_points: Vec<MountPoint>,
    pub health_check: Option<HealthCheck>,
    pub depends_on: Vec<ContainerDependency>,
    pub working_directory: Option<String>,
    pub user: Option<(String, JsonPath)>,
    pub privileged: Option<bool>,
    pub readonly_root_filesystem: Option<bool>,
    pub capabilities_add: Vec<String>,
    pub capabilities_drop: Vec<String>,
    /// Docker `--security-opt` values (no-new-privileges, seccomp, apparmor, label), with the
    /// path of the list.
    pub docker_security_options: Option<(Vec<String>, JsonPath)>,
    pub stop_timeout: Option<i64>,
    pub interactive: Option<bool>,
    pub pseudo_terminal: Option<bool>,
    pub shared_memory_mib: Option<(i64, JsonPath)>,
    /// (containerPath, size MiB, mount options, path)
    pub tmpfs: Vec<(String, i64, Vec<String>, JsonPath)>,
    /// (source container, read-only, path)
    pub volumes_from: Vec<(String, bool, JsonPath)>,
    pub dns_servers: Vec<String>,
    pub docker_labels: BTreeMap<String, String>,
    pub dns_search_domains: Vec<String>,
    /// (hostname, ip)
    pub extra_hosts: Vec<(String, String)>,
    /// (sysctl name, value, path)
    pub system_controls: Vec<(String, String, JsonPath)>,
    /// (type, value, path)
    pub resource_requirements: Vec<(String, String, JsonPath)>,
    /// S3 object ARNs of environment files.
    pub environment_files: Vec<(String, JsonPath)>,
    pub repository_credentials: Option<(String, JsonPath)>,
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
}

#[derive(Debug, Clone)]
pub(crate) struct PortMapping {
    pub path: JsonPath,
    pub container_port: i64,
    pub host_port: Option<i64>,
    pub protocol: Option<String>,
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

/// Fields of `describe-task-definition` output that `register-task-definition` rejects.
pub(crate) const READ_ONLY_FIELDS: &[&str] = &[
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "deregisteredAt",
    "deleteRequestedAt",
    "registeredBy",
];

const TASK_NOT_CARRIED: &[NotCarried] = &[
    NotCarried { key: "proxyConfiguration", code: Code::Appmesh, why: "App Mesh proxy configuration has no Kubernetes equivalent; use a service mesh's sidecar injection" },
    NotCarried { key: "inferenceAccelerators", code: Code::Ei, why: "Elastic Inference is discontinued; request GPUs or Inferentia devices instead" },
    NotCarried { key: "enableFaultInjection", code: Code::Fault, why: "ECS fault injection has no equivalent; use AWS FIS EKS actions or Chaos Mesh" },
    NotCarried { key: "trustedExecutionConfiguration", code: Code::Tee, why: "no direct equivalent; a runtimeClassName for a sandboxed runtime is the closest" },
];

const CONTAINER_NOT_CARRIED: &[NotCarried] = &[
    NotCarried { key: "links", code: Code::Links, why: "containers of a pod share localhost; links are not needed" },
    NotCarried { key: "restartPolicy", code: Code::Restart, why: "Kubernetes restarts containers in place by default" },
    NotCarried { key: "startTimeout", code: Code::StartTimeout, why: "no per-dependency timeout in Kubernetes" },
    NotCarried { key: "versionConsistency", code: Code::Digest, why: "tags are not pinned to digests; set image.digest to pin" },
    NotCarried { key: "disableNetworking", code: Code::Networking, why: "containers of a pod share one network namespace" },
    NotCarried { key: "ulimits", code: Code::Ulimit, why: "Kubernetes has no per-container rlimits" },
    NotCarried { key: "logConfiguration", code: Code::Logdriver, why: "pods log to stdout; ship logs with a node agent such as Fluent Bit or the CloudWatch Observability add-on" },
    NotCarried { key: "firelensConfiguration", code: Code::Firelens, why: "FireLens log routing has no equivalent; use a node-level Fluent Bit" },
    NotCarried { key: "credentialSpecs", code: Code::Gmsa, why: "gMSA needs the Kubernetes GMSA webhook and a GMSACredentialSpec" },
];

const LINUX_PARAMETERS_NOT_CARRIED: &[NotCarried] = &[
    NotCarried {
        key: "devices",
        code: Code::Devices,
        why: "host devices need a device plugin or a privileged hostPath mount",
    },
    NotCarried {
        key: "initProcessEnabled",
        code: Code::Init,
        why: "no per-container init; the image must reap its own children",
    },
    NotCarried {
        key: "maxSwap",
        code: Code::Swap,
        why: "swap is a node setting in Kubernetes",
    },
    NotCarried {
        key: "swappiness",
        code: Code::Swap,
        why: "swap is a node setting in Kubernetes",
    },
];

const VOLUME_NOT_CARRIED: &[NotCarried] = &[
    NotCarried {
        key: "fsxWindowsFileServerVolumeConfiguration",
        code: Code::Fsx,
        why: "FSx for Windows needs the SMB CSI driver and the file system's DNS name",
    },
    NotCarried {
        key: "s3filesVolumeConfiguration",
        code: Code::S3files,
        why: "no verified CSI driver for S3 Files",
    },
];

/// Largest CPU units / MiB values ECS accepts anywhere; bigger numbers are typos.
const MAX_CPU_UNITS: i64 = 1_000_000;
const MAX_MIB: i64 = 16_777_216;

pub(crate) fn read_task_definition(
    mut td: Obj<'_>,
    read_only_severity_warning: bool,
    report: &mut Report,
) -> ReadResult<TaskDefinition> {
    let mut out = TaskDefinition {
        path: td.path().clone(),
        ..Default::default()
    };
    // One finding for all read-only fields: they are expected in describe output, and a
    // line per field would bury the findings that matter.
    let mut read_only = Vec::new();
    for key in READ_ONLY_FIELDS.iter().filter(|k| **k != "revision") {
        if td.raw(key, report).is_some() {
            read_only.push(*key);
        }
    }
    if td.has("revision") {
        read_only.push("revision");
    }
    if !read_only.is_empty() {
        let message = format!(
            "read-only fields of describe-task-definition output: {}",
            read_only.join(", ")
        );
        let action = "dropped; the revision is kept in the chart description";
        if read_only_severity_warning {
            report.warn(Code::ReadOnly, td.path(), message, action);
        } else {
            report.info(Code::ReadOnlyNote, td.path(), message, action);
        }
    }
    out.revision = td.int("revision", 0, i64::MAX, report)?;
    out.family = td.string("family", report)?;
    out.task_role_arn = td.string("taskRoleArn", report)?;
    out.execution_role_arn = td.string("executionRoleArn", report)?;
    out.network_mode = td.string("networkMode", report)?;
    if let Some(mode) = &out.network_mode {
        if !["awsvpc", "bridge", "host", "none"].contains(&mode.as_str()) {
            return Err(FieldError::new(
                &td.path().key("networkMode"),
                format!("expected one of awsvpc, bridge, host, none, got {mode:?}"),
            ));
        }
    }
    out.cpu = task_size(&mut td, "cpu", report)?;
    out.memory = task_size(&mut td, "memory", report)?;
    out.requires_compatibilities = td.string_list("requiresCompatibilities", report)?;
    if let Some(mut platform) = td.object("runtimePlatform", report)? {
        out.cpu_architecture = platform
            .string("cpuArchitecture", report)?
            .map(|v| (v, platform.path().key("cpuArchitecture")));
        out.operating_system_family = platform
            .string("operatingSystemFamily", report)?
            .map(|v| (v, platform.path().key("operatingSystemFamily")));
        platform.finish(&[], report);
    }
    out.tags = read_tags(&mut td, "tags", report)?;
    for (value, path) in td.array("placementConstraints", report)? {
        let mut p = Obj::new(value, path.clone())?;
        let kind = p
            .string("type", report)?
            .unwrap_or_else(|| "memberOf".into());
        let expression = p.string("expression", report)?;
        p.finish(&[], report);
        out.placement_constraints.push((kind, expression, path));
    }
    out.pid_mode = td
        .string("pidMode", report)?
        .map(|m| (m, td.path().key("pidMode")));
    out.ipc_mode = td
        .string("ipcMode", report)?
        .map(|m| (m, td.path().key("ipcMode")));
    if let Some(mut es) = td.object("ephemeralStorage", report)? {
        let path = es.path().key("sizeInGiB");
        out.ephemeral_storage_gib = es.int("sizeInGiB", 21, 200, report)?.map(|v| (v, path));
        es.finish(&[], report);
    }

    let containers = td.array("containerDefinitions", report)?;
    if containers.is_empty() {
        return Err(FieldError::new(
            &td.path().key("containerDefinitions"),
            "expected at least one container definition",
        ));
    }
    for (value, path) in containers {
        out.containers
            .push(read_container(Obj::new(value, path)?, report)?);
    }
    for (value, path) in td.array("volumes", report)? {
        out.volumes
            .push(read_volume(Obj::new(value, path)?, report)?);
    }
    td.finish(TASK_NOT_CARRIED, report);
    drop_unknown_dependencies(&mut out, report);
    validate(&out)?;
    Ok(out)
}

/// Task-level cpu and memory are strings in the API ("1024", "1 vCPU", "2 GB"); keep the text and
/// let the resources rule interpret it.
fn task_size(
    td: &mut Obj<'_>,
    key: &str,
    report: &mut Report,
) -> ReadResult<Option<(String, JsonPath)>> {
    let path = td.path().key(key);
    Ok(td.string(key, report)?.map(|text| (text, path)))
}

pub(crate) fn read_tags(
    obj: &mut Obj<'_>,
    key: &str,
    report: &mut Report,
) -> ReadResult<Vec<(String, String)>> {
    let mut tags = Vec::new();
    for (value, path) in obj.array(key, report)? {
        let mut tag = Obj::new(value, path)?;
        let k = tag.string("key", report)?;
        let v = tag.exact_string("value", report)?.unwrap_or_default();
        if let Some(k) = k {
            tags.push((k, v));
        }
        tag.finish(&[], report);
    }
    Ok(tags)
}

fn required_string(obj: &mut Obj<'_>, key: &str, report: &mut Report) -> ReadResult<String> {
    obj.string(key, report)?
        .ok_or_else(|| FieldError::new(&obj.path().key(key), "is required"))
}

fn read_container(mut c: Obj<'_>, report: &mut Report) -> ReadResult<ContainerDefinition> {
    let mut out = ContainerDefinition {
        path: c.path().clone(),
        name: required_string(&mut c, "name", report)?,
        ..Default::default()
    };
    out.image = c.string("image", report)?;
    out.hostname = c.string("hostname", report)?;
    out.cpu = c.int("cpu", 0, MAX_CPU_UNITS, report)?;
    out.memory = c.int("memory", 0, MAX_MIB, report)?;
    out.memory_reservation = c.int("memoryReservation", 0, MAX_MIB, report)?;
    out.essential = c.bool("essential", report)?;
    out.entry_point = c
        .has("entryPoint")
        .then(|| c.argv("entryPoint", report))
        .transpose()?;
    out.command = c
        .has("command")
        .then(|| c.argv("command", report))
        .transpose()?;
    out.working_directory = c.string("workingDirectory", report)?;
    out.user = c.string("user", report)?.map(|u| (u, c.path().key("user")));
    out.privileged = c.bool("privileged", report)?;
    out.docker_security_options = c
        .has("dockerSecurityOptions")
        .then(|| c.string_list("dockerSecurityOptions", report))
        .transpose()?
        .map(|o| (o, c.path().key("dockerSecurityOptions")));
    out.readonly_root_filesystem = c.bool("readonlyRootFilesystem", report)?;
    out.stop_timeout = c.int("stopTimeout", 0, 86_400, report)?;
    out.interactive = c.bool("interactive", report)?;
    out.pseudo_terminal = c.bool("pseudoTerminal", report)?;

    for (value, path) in c.array("environment", report)? {
        let mut kv = Obj::new(value, path.clone())?;
        let name = required_string(&mut kv, "name", report)?;
        let value = kv.exact_string("value", report)?.unwrap_or_default();
        kv.finish(&[], report);
        out.environment
            .push(EnvironmentVariable { path, name, value });
    }
    for (value, path) in c.array("secrets", report)? {
        let mut s = Obj::new(value, path.clone())?;
        let name = required_string(&mut s, "name", report)?;
        let value_from = required_string(&mut s, "valueFrom", report)?;
        s.finish(&[], report);
        out.secrets.push(SecretReference {
            path,
            name,
            value_from,
        });
    }
    for (value, path) in c.array("portMappings", report)? {
        let mut pm = Obj::new(value, path.clone())?;
        if pm.has("containerPortRange") && !pm.has("containerPort") {
            let _ = pm.string("containerPortRange", report)?;
            report.warn(
                Code::PortRange,
                &path.key("containerPortRange"),
                "port ranges have no Kubernetes equivalent",
                "skipped; list the ports in values.yaml",
            );
            pm.finish(&[], report);
            continue;
        }
        let container_port = pm
            .int("containerPort", 0, 65535, report)?
            .ok_or_else(|| FieldError::new(&path.key("containerPort"), "is required"))?;
        let host_port = pm.int("hostPort", 0, 65535, report)?;
        let protocol = pm
            .string("protocol", report)?
            .map(|p| p.to_ascii_lowercase());
        if let Some(p) = &protocol {
            if p != "tcp" && p != "udp" {
                return Err(FieldError::new(
                    &path.key("protocol"),
                    format!("expected tcp or udp, got {p:?}"),
                ));
            }
        }
        let name = pm.string("name", report)?;
        let app_protocol = pm.string("appProtocol", report)?;
        pm.finish(
            &[NotCarried {
                key: "containerPortRange",
                code: Code::PortRange,
                why: "port ranges have no Kubernetes equivalent",
            }],
            report,
        );
        out.port_mappings.push(PortMapping {
            path,
            container_port,
            host_port,
            protocol,
            name,
            app_protocol,
        });
    }
    for (value, path) in c.array("mountPoints", report)? {
        let mut mp = Obj::new(value, path.clone())?;
        let source_volume = required_string(&mut mp, "sourceVolume", report)?;
        let container_path = required_string(&mut mp, "containerPath", report)?;
        let read_only = mp.bool("readOnly", report)?.unwrap_or(false);
        mp.finish(&[], report);
        out.mount_points.push(MountPoint {
            path,
            source_volume,
            container_path,
            read_only,
        });
    }
    if let Some(mut hc) = c.object("healthCheck", report)? {
        let path = hc.path().clone();
        let command = hc.argv("command", report)?;
        if command.is_empty() {
            return Err(FieldError::new(
                &path.key("command"),
                "is required: a health check needs a command",
            ));
        }
        let health = HealthCheck {
            command,
            interval: hc.int("interval", 5, 300, report)?,
            timeout: hc.int("timeout", 2, 120, report)?,
            retries: hc.int("retries", 1, 10, report)?,
            start_period: hc.int("startPeriod", 0, 300, report)?,
            path,
        };
        hc.finish(&[], report);
        out.health_check = Some(health);
    }
    for (value, path) in c.array("dependsOn", report)? {
        let mut d = Obj::new(value, path.clone())?;
        let container_name = required_string(&mut d, "containerName", report)?;
        let condition = required_string(&mut d, "condition", report)?.to_ascii_uppercase();
        if !["START", "COMPLETE", "SUCCESS", "HEALTHY"].contains(&condition.as_str()) {
            return Err(FieldError::new(
                &path.key("condition"),
                format!("expected one of START, COMPLETE, SUCCESS, HEALTHY, got {condition:?}"),
            ));
        }
        d.finish(&[], report);
        out.depends_on.push(ContainerDependency {
            path,
            container_name,
            condition,
        });
    }
    if let Some(mut lp) = c.object("linuxParameters", report)? {
        if let Some(mut caps) = lp.object("capabilities", report)? {
            out.capabilities_add = caps.string_list("add", report)?;
            out.capabilities_drop = caps.string_list("drop", report)?;
            caps.finish(&[], report);
        }
        let shm_path = lp.path().key("sharedMemorySize");
        out.shared_memory_mib = lp
            .int("sharedMemorySize", 1, MAX_MIB, report)?
            .map(|v| (v, shm_path));
        for (value, path) in lp.array("tmpfs", report)? {
            let mut t = Obj::new(value, path.clone())?;
            let container_path = required_string(&mut t, "containerPath", report)?;
            let size = t
                .int("size", 1, MAX_MIB, report)?
                .ok_or_else(|| FieldError::new(&path.key("size"), "is required"))?;
            let options = t.string_list("mountOptions", report)?;
            t.finish(&[], report);
            out.tmpfs.push((container_path, size, options, path));
        }
        lp.finish(LINUX_PARAMETERS_NOT_CARRIED, report);
    }
    for (value, path) in c.array("volumesFrom", report)? {
        let mut v = Obj::new(value, path.clone())?;
        let source = required_string(&mut v, "sourceContainer", report)?;
        let read_only = v.bool("readOnly", report)?.unwrap_or(false);
        v.finish(&[], report);
        out.volumes_from.push((source, read_only, path));
    }
    out.dns_servers = c.string_list("dnsServers", report)?;
    out.docker_labels = c.string_map("dockerLabels", report)?;
    out.dns_search_domains = c.string_list("dnsSearchDomains", report)?;
    for (value, path) in c.array("extraHosts", report)? {
        let mut h = Obj::new(value, path)?;
        let hostname = required_string(&mut h, "hostname", report)?;
        let ip = required_string(&mut h, "ipAddress", report)?;
        h.finish(&[], report);
        out.extra_hosts.push((hostname, ip));
    }
    for (value, path) in c.array("systemControls", report)? {
        let mut sc = Obj::new(value, path.clone())?;
        let name = required_string(&mut sc, "namespace", report)?;
        let v = sc.exact_string("value", report)?.unwrap_or_default();
        sc.finish(&[], report);
        out.system_controls.push((name, v, path));
    }
    for (value, path) in c.array("resourceRequirements", report)? {
        let mut r = Obj::new(value, path.clone())?;
        let kind = required_string(&mut r, "type", report)?;
        let v = required_string(&mut r, "value", report)?;
        r.finish(&[NotCarried { key: "sharingStrategy", code: Code::GpuSharing, why: "GPU sharing (MPS, time slicing) is configured on the NVIDIA device plugin, not per pod" }], report);
        out.resource_requirements.push((kind, v, path));
    }
    for (value, path) in c.array("environmentFiles", report)? {
        let mut f = Obj::new(value, path.clone())?;
        let v = required_string(&mut f, "value", report)?;
        let _ = f.string("type", report)?;
        f.finish(&[], report);
        out.environment_files.push((v, path));
    }
    if let Some(mut rc) = c.object("repositoryCredentials", report)? {
        let path = rc.path().key("credentialsParameter");
        // An empty parameter means unset, as everywhere (`string` reports it).
        out.repository_credentials = rc
            .string("credentialsParameter", report)?
            .map(|p| (p, path));
        rc.finish(&[], report);
    }
    c.finish(CONTAINER_NOT_CARRIED, report);
    Ok(out)
}

fn read_volume(mut v: Obj<'_>, report: &mut Report) -> ReadResult<VolumeDefinition> {
    let mut out = VolumeDefinition {
        path: v.path().clone(),
        name: required_string(&mut v, "name", report)?,
        ..Default::default()
    };
    if let Some(mut host) = v.object("host", report)? {
        out.host_source_path = host.string("sourcePath", report)?;
        host.finish(&[], report);
    }
    if let Some(mut d) = v.object("dockerVolumeConfiguration", report)? {
        let docker = DockerVolume {
            path: d.path().clone(),
            scope: d.string("scope", report)?.map(|s| s.to_ascii_lowercase()),
            autoprovision: d.bool("autoprovision", report)?,
            driver: d.string("driver", report)?,
            driver_opts: d.string_map("driverOpts", report)?,
            labels: d.string_map("labels", report)?,
        };
        if let Some(scope) = &docker.scope {
            if scope != "task" && scope != "shared" {
                return Err(FieldError::new(
                    &docker.path.key("scope"),
                    format!("expected task or shared, got {scope:?}"),
                ));
            }
        }
        d.finish(&[], report);
        out.docker = Some(docker);
    }
    if let Some(mut e) = v.object("efsVolumeConfiguration", report)? {
        let path = e.path().clone();
        let file_system_id = required_string(&mut e, "fileSystemId", report)?;
        let root_directory = e.string("rootDirectory", report)?;
        let transit_encryption = e.string("transitEncryption", report)?;
        let _ = e.int("transitEncryptionPort", 0, 65535, report)?;
        let mut access_point_id = None;
        let mut iam = None;
        if let Some(mut auth) = e.object("authorizationConfig", report)? {
            access_point_id = auth.string("accessPointId", report)?;
            iam = auth.string("iam", report)?;
            auth.finish(&[], report);
        }
        e.finish(&[], report);
        out.efs = Some(EfsVolume {
            path,
            file_system_id,
            root_directory,
            transit_encryption,
            access_point_id,
            iam,
        });
    }
    out.configured_at_launch = v.bool("configuredAtLaunch", report)?.unwrap_or(false);
    v.finish(VOLUME_NOT_CARRIED, report);
    Ok(out)
}

/// Cross-field checks that make a task definition impossible to convert faithfully.
/// A `dependsOn` naming a container that is not in the file (a sidecar removed, a typo): the
/// intent without it is clear, so it is dropped with a warning instead of failing.
fn drop_unknown_dependencies(td: &mut TaskDefinition, report: &mut Report) {
    let names: BTreeSet<String> = td.containers.iter().map(|c| c.name.clone()).collect();
    for c in &mut td.containers {
        c.depends_on.retain(|d| {
            let known = names.contains(&d.container_name);
            if !known {
                report.warn(
                    Code::Order,
                    &d.path.key("containerName"),
                    format!(
                        "dependsOn names container {:?}, which is not in `containerDefinitions`",
                        d.container_name
                    ),
                    "dropped: the container starts without waiting for it",
                );
            }
            known
        });
    }
}

fn validate(td: &TaskDefinition) -> ReadResult<()> {
    let mut names = BTreeSet::new();
    for c in &td.containers {
        if !names.insert(c.name.as_str()) {
            return Err(FieldError::new(
                &c.path.key("name"),
                format!("duplicate container name {:?}", c.name),
            ));
        }
    }
    let mut volume_names = BTreeSet::new();
    for v in &td.volumes {
        if !volume_names.insert(v.name.as_str()) {
            return Err(FieldError::new(
                &v.path.key("name"),
                format!("duplicate volume name {:?}", v.name),
            ));
        }
    }
    for c in &td.containers {
        for m in &c.mount_points {
            if !volume_names.contains(m.source_volume.as_str()) {
                return Err(FieldError::new(
                    &m.path.key("sourceVolume"),
                    format!(
                        "names volume {:?}, which is not declared in `volumes`",
                        m.source_volume
                    ),
                ));
            }
        }
        for (source, _, path) in &c.volumes_from {
            if !names.contains(source.as_str()) {
                return Err(FieldError::new(
                    &path.key("sourceContainer"),
                    format!("names container {source:?}, which is not in `containerDefinitions`"),
                ));
            }
        }
        for d in &c.depends_on {
            if !names.contains(d.container_name.as_str()) {
                return Err(FieldError::new(
                    &d.path.key("containerName"),
                    format!(
                        "names container {:?}, which is not in `containerDefinitions`",
                        d.container_name
                    ),
                ));
            }
        }
    }
    if let Some(cycle) = dependency_cycle(td) {
        return Err(cycle);
    }
    Ok(())
}

impl TaskDefinition {
    /// Container name → position in `containers`.
    pub(crate) fn container_index(&self) -> BTreeMap<&str, usize> {
        self.containers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect()
    }
}

fn dependency_cycle(td: &TaskDefinition) -> Option<FieldError> {
    // Depth-first search with colours; the first back edge found names the cycle.
    let index = td.container_index();
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit(
        i: usize,
        td: &TaskDefinition,
        index: &BTreeMap<&str, usize>,
        marks: &mut [Mark],
        stack: &mut Vec<usize>,
    ) -> Option<FieldError> {
        marks[i] = Mark::Active;
        stack.push(i);
        for d in &td.containers[i].depends_on {
            let j = index[d.container_name.as_str()];
            if marks[j] == Mark::Active {
                let start = stack.iter().position(|&k| k == j).unwrap_or(0);
                let mut names: Vec<&str> = stack[start..]
                    .iter()
                    .map(|&k| td.containers[k].name.as_str())
                    .collect();
                names.push(td.containers[j].name.as_str());
                return Some(FieldError::new(
                    &d.path,
                    format!("dependsOn forms a cycle: {}", names.join(" -> ")),
                ));
            }
            if marks[j] == Mark::New {
                if let Some(e) = visit(j, td, index, marks, stack) {
                    return Some(e);
                }
            }
        }
        stack.pop();
        marks[i] = Mark::Done;
        None
    }
    let mut marks = vec![Mark::New; td.containers.len()];
    for i in 0..td.containers.len() {
        if marks[i] == Mark::New {
            if let Some(e) = visit(i, td, &index, &mut marks, &mut Vec::new()) {
                return Some(e);
            }
        }
    }
    None
}

/// True when a JSON value looks like a task definition's container list.
pub(crate) fn looks_like_container_list(value: &Value) -> bool {
    matches!(value, Value::Array(items) if !items.is_empty() && items.iter().all(|i| i.get("name").is_some() && i.get("image").is_some()))
}

/// Fields of each shape the converter maps (read and carried into the chart).
pub(crate) const TASK_MAPPED: &[&str] = &[
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "tags",
    "pidMode",
    "ipcMode",
    "ephemeralStorage",
    "runtimePlatform",
];
pub(crate) const CONTAINER_MAPPED: &[&str] = &[
    "name",
    "dockerLabels",
    "image",
    "hostname",
    "cpu",
    "memory",
    "memoryReservation",
    "portMappings",
    "essential",
    "entryPoint",
    "command",
    "environment",
    "mountPoints",
    "healthCheck",
    "dependsOn",
    "workingDirectory",
    "user",
    "privileged",
    "dockerSecurityOptions",
    "readonlyRootFilesystem",
    "stopTimeout",
    "interactive",
    "pseudoTerminal",
    "secrets",
    "linuxParameters",
    "volumesFrom",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "systemControls",
    "resourceRequirements",
    "environmentFiles",
    "repositoryCredentials",
];
pub(crate) const VOLUME_MAPPED: &[&str] = &[
    "name",
    "host",
    "dockerVolumeConfiguration",
    "efsVolumeConfiguration",
    "configuredAtLaunch",
];

/// How each field of the task definition, container definition and volume shapes is handled:
/// (shape, field, "mapped" | "read-only" | the report code). The coverage test holds this
/// against the AWS API model, so a field AWS adds cannot slip through unnoticed.
pub fn coverage() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    for (shape, mapped, reported) in [
        ("TaskDefinition", TASK_MAPPED, TASK_NOT_CARRIED),
        (
            "ContainerDefinition",
            CONTAINER_MAPPED,
            CONTAINER_NOT_CARRIED,
        ),
        ("Volume", VOLUME_MAPPED, VOLUME_NOT_CARRIED),
    ] {
        out.extend(mapped.iter().map(|f| (shape, *f, "mapped")));
        out.extend(reported.iter().map(|n| (shape, n.key, n.code.as_str())));
    }
    out.extend(
        READ_ONLY_FIELDS
            .iter()
            .map(|f| ("TaskDefinition", *f, "read-only")),
    );
    out
}

#[cfg(test)]
mod coverage_tests {
    use super::*;
    use serde_json::json;

    /// Every field listed as mapped is really read (no finding for it), and every field
    /// listed as not carried over is reported under its code at its pointer.
    #[test]
    fn the_coverage_lists_are_what_the_reader_does() {
        let container = json!({
            "name": "app", "image": "x", "hostname": "app-host", "cpu": 256, "memory": 512, "memoryReservation": 256,
            "portMappings": [{"containerPort": 80}], "essential": true, "entryPoint": ["sh"], "command": ["-c", "x"],
            "environment": [{"name": "A", "value": "1"}], "mountPoints": [{"sourceVolume": "v", "containerPath": "/v"}],
            "healthCheck": {"command": ["CMD", "true"]}, "dependsOn": [{"containerName": "side", "condition": "START"}],
            "workingDirectory": "/w", "user": "1000", "privileged": false, "dockerSecurityOptions": ["no-new-privileges"], "readonlyRootFilesystem": true, "stopTimeout": 30,
            "interactive": false, "pseudoTerminal": false, "secrets": [{"name": "S", "valueFrom": "p"}],
            "linuxParameters": {"capabilities": {"add": ["NET_ADMIN"]}}, "volumesFrom": [{"sourceContainer": "side"}],
            "dnsServers": ["10.0.0.2"], "dnsSearchDomains": ["a.local"], "extraHosts": [{"hostname": "h", "ipAddress": "10.0.0.1"}],
            "systemControls": [{"namespace": "net.core.somaxconn", "value": "1"}], "resourceRequirements": [{"type": "GPU", "value": "1"}],
            "environmentFiles": [{"value": "arn:aws:s3:::b/k.env", "type": "s3"}], "repositoryCredentials": {"credentialsParameter": "arn:x"},
            "dockerLabels": {"com.datadoghq.ad.check_names": "[\"nginx\"]"}
        });
        let mut td = json!({
            "family": "f", "taskRoleArn": "r", "executionRoleArn": "e", "networkMode": "awsvpc",
            "containerDefinitions": [container, {"name": "side", "image": "y"}], "volumes": [{"name": "v", "host": {}, "configuredAtLaunch": false}],
            "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}],
            "requiresCompatibilities": ["EC2"], "cpu": "256", "memory": "512", "tags": [{"key": "k", "value": "v"}],
            "pidMode": "task", "ipcMode": "task", "ephemeralStorage": {"sizeInGiB": 30},
            "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}
        });
        for key in TASK_MAPPED {
            assert!(td.get(key).is_some(), "the sample sets {key}");
        }
        for key in CONTAINER_MAPPED {
            assert!(
                td["containerDefinitions"][0].get(key).is_some(),
                "the sample sets {key}"
            );
        }
        let loaded = crate::ecs::from_value(&td).unwrap();
        let pointers: Vec<&str> = loaded
            .report
            .findings
            .iter()
            .map(|f| f.pointer.as_str())
            .collect();
        for key in TASK_MAPPED {
            assert!(
                !pointers.contains(&format!("/{key}").as_str()),
                "{key} is mapped, yet reported"
            );
        }
        for key in CONTAINER_MAPPED {
            assert!(
                !loaded
                    .report
                    .findings
                    .iter()
                    .any(|f| f.pointer == format!("/containerDefinitions/0/{key}")
                        && f.code.as_str().contains("UNKNOWN")),
                "{key}"
            );
        }

        // Not-carried fields are each reported with their code.
        for n in TASK_NOT_CARRIED {
            td[n.key] = json!({"x": 1});
        }
        for n in CONTAINER_NOT_CARRIED {
            td["containerDefinitions"][1][n.key] = json!({"x": 1});
        }
        td["volumes"][0]["s3filesVolumeConfiguration"] = json!({"x": 1});
        td["volumes"][0]["fsxWindowsFileServerVolumeConfiguration"] = json!({"x": 1});
        let loaded = crate::ecs::from_value(&td).unwrap();
        let has = |code: Code, pointer: String| {
            loaded
                .report
                .findings
                .iter()
                .any(|f| f.code == code && f.pointer == pointer)
        };
        for n in TASK_NOT_CARRIED {
            assert!(has(n.code, format!("/{}", n.key)), "{}", n.key);
        }
        for n in CONTAINER_NOT_CARRIED {
            assert!(
                has(n.code, format!("/containerDefinitions/1/{}", n.key)),
                "{}",
                n.key
            );
        }
        for n in VOLUME_NOT_CARRIED {
            assert!(has(n.code, format!("/volumes/0/{}", n.key)), "{}", n.key);
        }
    }
}
