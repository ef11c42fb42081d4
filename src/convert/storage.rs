//! Volumes, and with them the choice of workload: data that outlives the task on ECS (shared or
//! autoprovisioned docker volumes, EFS, EBS configured at launch) becomes a volume claim
//! template, which makes the service a StatefulSet whose data follows the pod.

use crate::report::Code;
use std::collections::BTreeMap;

use crate::ecs::instance_volume::InstanceVolume;
use crate::ecs::task_definition::VolumeDefinition;
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::Report;
use crate::workload::{Claim, Ebs, Mount, Volume, VolumeSource, Workload, WorkloadKind};

use super::naming::{dns_label, unique};

/// ECS never knows a size for these; 10Gi is a common default for a service's data volume.
pub(crate) const DEFAULT_SIZE: &str = "10Gi";

/// Host directories that belong to the node and its agents, not to the service: they stay
/// hostPath volumes. Every other host path held the service's data.
const NODE_PATHS: &[&str] = &[
    "/var/log",
    "/var/lib/docker",
    "/var/run/docker.sock",
    "/var/run",
    "/run",
    "/proc",
    "/sys",
    "/dev",
    "/etc",
    "/var/lib/ecs",
    "/var/lib/kubelet",
];

pub(crate) fn is_node_path(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path.is_empty()
        || path.contains("cgroup")
        || NODE_PATHS
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

pub(crate) fn apply(
    td: &TaskDefinition,
    options: &super::Options,
    instance_volumes: &[InstanceVolume],
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    let mut names: Vec<String> = Vec::new();
    let mut renamed: BTreeMap<&str, String> = BTreeMap::new();
    // A task that mounts node directories is a node agent (a log shipper reading /var/log):
    // its other host paths are its state on that node (read positions), not data to move.
    let node_agent = td
        .volumes
        .iter()
        .any(|v| v.host_source_path.as_deref().is_some_and(is_node_path));
    for v in &td.volumes {
        let mut name = dns_label(&v.name, 63);
        if name.is_empty() {
            name = "volume".into();
        }
        let name = unique(name, &names, 63);
        names.push(name.clone());
        renamed.insert(v.name.as_str(), name.clone());
        let mut source = volume_source(v, instance_volumes, node_agent, report);
        if let VolumeSource::Persistent(claim) = &mut source {
            if let Some(size) = options
                .volume_sizes
                .get(&v.name)
                .or(options.volume_sizes.get(&name))
            {
                claim.size = size.clone();
                claim.size_defaulted = false;
            }
        }
        w.volumes.push(Volume { name, source });
    }

    for (def, c) in td.containers.iter().zip(w.containers.iter_mut()) {
        for m in &def.mount_points {
            c.mounts.push(Mount {
                volume: renamed[m.source_volume.as_str()].clone(),
                mount_path: m.container_path.clone(),
                read_only: m.read_only,
            });
        }
    }

    let keeper = w.volumes.iter().find(|v| {
        matches!(
            v.source,
            VolumeSource::Persistent(_) | VolumeSource::SharedFileSystem { .. }
        )
    });
    (w.kind, w.kind_reason) = match keeper {
        Some(v) => (
            WorkloadKind::StatefulSet,
            format!("volume {} keeps data across tasks, so each replica gets its own claim and a stable name", v.name),
        ),
        None => (
            WorkloadKind::Deployment,
            "no volume keeps data across tasks".to_string(),
        ),
    };
    let needs_block_storage = td
        .volumes
        .iter()
        .zip(&w.volumes)
        .any(|(def, v)| def.efs.is_none() && matches!(v.source, VolumeSource::Persistent(_)));
    if needs_block_storage && td.requires_compatibilities.iter().any(|c| c == "FARGATE") {
        report.warn(
            Code::FargateEbs,
            &td.path.key("requiresCompatibilities"),
            "the task runs on Fargate, and its volume claims need EBS or EFS",
            "EKS Fargate has no EBS: run the StatefulSet on EC2-backed nodes, or use EFS",
        );
    }
    Ok(())
}

/// Volumes configured at launch whose size no ECS service gave: the default is flagged.
pub(crate) fn launch_sizes(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    for (def, v) in td.volumes.iter().zip(&w.volumes) {
        if let (true, VolumeSource::Persistent(c)) = (def.configured_at_launch, &v.source) {
            if c.size_defaulted {
                size_report(def, &None, report, &def.path.key("configuredAtLaunch"));
            }
        }
    }
    Ok(())
}

fn persistent(size: Option<String>) -> VolumeSource {
    VolumeSource::Persistent(Box::new(Claim {
        size_defaulted: size.is_none(),
        size: size.unwrap_or_else(|| DEFAULT_SIZE.into()),
        access_modes: vec!["ReadWriteOnce".to_string()],
        ..Claim::default()
    }))
}

/// Docker volume plugins that put each volume on EBS, with the option names they take.
fn ebs_driver(driver: &str) -> bool {
    let name = driver.split(':').next().unwrap_or(driver);
    matches!(name, "rexray/ebs" | "rexray/ebs-plugin" | "ebs")
}

const EBS_DRIVER_OPTS: &[&str] = &[
    "size",
    "type",
    "volumetype",
    "iops",
    "throughput",
    "encrypted",
    "kmskeyid",
    "fstype",
];

fn ebs_from_driver_opts(opts: &BTreeMap<String, String>) -> Ebs {
    let get = |k: &str| {
        opts.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    Ebs {
        volume_type: get("volumetype"),
        iops: get("iops").and_then(|v| v.parse().ok()),
        throughput: get("throughput").and_then(|v| v.parse().ok()),
        encrypted: get("encrypted").and_then(|v| v.parse().ok()),
        kms_key_id: get("kmskeyid"),
        filesystem_type: get("fstype"),
        tags: BTreeMap::new(),
    }
}

fn size_report(
    v: &VolumeDefinition,
    size: &Option<String>,
    report: &mut Report,
    at: &crate::json_path::JsonPath,
) {
    if size.is_none() {
        report.warn(
            Code::VolumeSize,
            at,
            format!("no size is known for volume {:?}", v.name),
            format!("claims request {DEFAULT_SIZE} (flagged in values); set persistence.<volume>.size or --volume-size {}=SIZE", v.name),
        );
    }
}

fn volume_source(
    v: &VolumeDefinition,
    instance_volumes: &[InstanceVolume],
    node_agent: bool,
    report: &mut Report,
) -> VolumeSource {
    if let Some(efs) = &v.efs {
        return efs_source(efs, report);
    }
    if let Some(d) = &v.docker {
        return docker_source(v, d, report);
    }
    if v.configured_at_launch {
        report.info(
            Code::EbsVolume,
            &v.path.key("configuredAtLaunch"),
            format!("volume {:?} is an EBS volume configured by the ECS service", v.name),
            "a claim per replica; size, type and IOPS come from the service's volumeConfigurations when it is given; unlike ECS, the data survives the pod",
        );
        let mut source = persistent(None);
        if let VolumeSource::Persistent(claim) = &mut source {
            claim.ebs = Some(Ebs::default());
        }
        return source;
    }
    if let Some(path) = &v.host_source_path {
        if let Some(ebs) = instance_volumes.iter().find(|e| e.holds(path)) {
            return super::instance_storage::claim(v, path, ebs, DEFAULT_SIZE, report);
        }
        return host_source(v, path, node_agent, report);
    }
    VolumeSource::Scratch {
        memory: false,
        size_limit: None,
    }
}

/// EFS: one claim every replica shares, on a static PersistentVolume for the same file system.
fn efs_source(efs: &crate::ecs::task_definition::EfsVolume, report: &mut Report) -> VolumeSource {
    report.warn(
        Code::Efs,
        &efs.path,
        format!("EFS file system {} is shared by every task", efs.file_system_id),
        "one ReadWriteMany claim shared by every replica, bound to a PersistentVolume on the EFS CSI driver for the same file system: the data stays where it is",
    );
    if efs.iam.as_deref() == Some("ENABLED") {
        report.warn(
            Code::EfsIam,
            &efs.path.key("authorizationConfig").key("iam"),
            "EFS IAM authorization",
            "mounted with the iam option; on EKS the EFS CSI node driver's role mounts it, so the file system policy must allow that role",
        );
    }
    VolumeSource::SharedFileSystem {
        file_system_id: efs.file_system_id.clone(),
        size: DEFAULT_SIZE.to_string(),
        root_directory: efs.root_directory.clone().filter(|r| r != "/"),
        access_point_id: efs.access_point_id.clone(),
        transit_encryption: efs.transit_encryption.as_deref() == Some("ENABLED"),
        iam: efs.iam.as_deref() == Some("ENABLED"),
    }
}

/// A Docker volume: a claim when it outlives the task (shared, autoprovisioned or on an EBS
/// plugin), else scratch space.
fn docker_source(
    v: &VolumeDefinition,
    d: &crate::ecs::task_definition::DockerVolume,
    report: &mut Report,
) -> VolumeSource {
    let memory = d.driver_opts.get("type").is_some_and(|t| t == "tmpfs");
    let shared = d.scope.as_deref() == Some("shared") || d.autoprovision == Some(true);
    let on_ebs = d.driver.as_deref().is_some_and(ebs_driver);
    for (key, _) in d.driver_opts.iter().filter(|(k, _)| {
        let k = k.to_ascii_lowercase();
        let known = ["size", "type"].contains(&k.as_str())
            || (on_ebs && EBS_DRIVER_OPTS.contains(&k.as_str()));
        !known
    }) {
        report.warn(
            Code::DriverOpts,
            &d.path.key("driverOpts").key(key),
            format!("docker volume driver option {key:?}"),
            "not carried over; set it on the storage class",
        );
    }
    if !d.labels.is_empty() {
        report.warn(
            Code::DriverOpts,
            &d.path.key("labels"),
            "docker volume labels",
            "not carried over; set persistence.<volume>.annotations",
        );
    }
    if let Some(driver) = d
        .driver
        .as_deref()
        .filter(|d| *d != "local" && !ebs_driver(d))
    {
        report.warn(
            Code::Driver,
            &d.path.key("driver"),
            format!("docker volume driver {driver:?}"),
            "the claim uses the cluster's default storage class; set persistence.<volume>.storageClass",
        );
    }
    if (shared || on_ebs) && !memory {
        let size = d
            .driver_opts
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("size"))
            .and_then(|(_, s)| s.trim().parse::<u64>().ok())
            .map(|gib| format!("{gib}Gi"));
        size_report(v, &size, report, &v.path);
        if d.autoprovision == Some(false) {
            report.warn(
                Code::ExistingVolume,
                &d.path.key("autoprovision"),
                "the volume must exist before the task starts",
                "a new claim is provisioned; set persistence.<volume>.existingClaim, or persistence.<volume>.adoptVolumes with the EBS volume IDs",
            );
        }
        let mut source = persistent(size);
        if let (VolumeSource::Persistent(claim), true) = (&mut source, on_ebs) {
            claim.ebs = Some(ebs_from_driver_opts(&d.driver_opts));
            report.info(
                Code::EbsVolume,
                &d.path.key("driver"),
                format!("volume {:?} was an EBS volume of the {} plugin", v.name, d.driver.as_deref().unwrap_or_default()),
                "a claim per replica on the EBS CSI driver; its type and IOPS are in persistence.<volume>.ebs (set createStorageClass to use them)",
            );
        }
        return source;
    }
    VolumeSource::Scratch {
        memory,
        size_limit: None,
    }
}

/// A host path: node directories stay host paths; anything else was data on an instance
/// volume, now a claim per replica.
fn host_source(
    v: &VolumeDefinition,
    path: &str,
    node_agent: bool,
    report: &mut Report,
) -> VolumeSource {
    let at = v.path.key("host").key("sourcePath");
    if is_node_path(path) || node_agent {
        let what = if is_node_path(path) {
            format!("volume {:?} is the node directory {path}", v.name)
        } else {
            format!("volume {:?} ({path}) is a node agent's state on its node: the task also mounts node directories", v.name)
        };
        report.warn(
            Code::Hostpath,
            &at,
            what,
            "kept as a hostPath, as node agents need it; EKS Fargate refuses it",
        );
        return VolumeSource::HostPath {
            path: path.to_string(),
        };
    }
    report.warn(
        Code::HostData,
        &at,
        format!("volume {:?} kept the service's data in the instance directory {path} (an EBS volume the instance attached)", v.name),
        format!("a volumeClaimTemplates entry of a StatefulSet, so the data follows the pod; bring the data with persistence.<volume>.adoptVolumes (the EBS volume IDs, one per replica) or persistence.<volume>.fromSnapshot (snap-…); persistence.<volume>.hostPath.enabled keeps {path} instead"),
    );
    let size = None;
    size_report(v, &size, report, &at);
    let mut source = persistent(size);
    if let VolumeSource::Persistent(claim) = &mut source {
        claim.host_path = Some(path.to_string());
        claim.ebs = Some(Ebs::default());
    }
    source
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(json: &str) -> (Workload, Report) {
        fn storage(
            td: &TaskDefinition,
            w: &mut Workload,
            r: &mut Report,
        ) -> Result<(), FieldError> {
            apply(td, &super::super::Options::default(), &[], w, r)
        }
        super::super::run_rules(json, &[super::super::containers::apply, storage]).unwrap()
    }

    #[test]
    fn a_node_agents_other_host_paths_are_node_state() {
        let (w, r) = convert(
            r#"{"volumes":[{"name":"logs","host":{"sourcePath":"/var/log"}},{"name":"containers","host":{"sourcePath":"/var/lib/docker/containers"}},{"name":"positions","host":{"sourcePath":"/opt/fluent-bit/db"}}],
            "containerDefinitions":[{"name":"agent","image":"fluent/fluent-bit","mountPoints":[{"sourceVolume":"logs","containerPath":"/var/log"},{"sourceVolume":"positions","containerPath":"/db"}]}]}"#,
        );
        assert_ne!(w.kind, WorkloadKind::StatefulSet);
        assert_eq!(
            w.volumes[2].source,
            VolumeSource::HostPath {
                path: "/opt/fluent-bit/db".into()
            }
        );
        assert!(r
            .findings
            .iter()
            .any(|f| f.code == Code::Hostpath && f.message.contains("node agent's state")));
        // Without node directories, the same path is the service's data: a claim.
        let (w, _) = convert(
            r#"{"volumes":[{"name":"positions","host":{"sourcePath":"/opt/fluent-bit/db"}}],
            "containerDefinitions":[{"name":"agent","image":"fluent/fluent-bit","mountPoints":[{"sourceVolume":"positions","containerPath":"/db"}]}]}"#,
        );
        assert!(matches!(w.volumes[0].source, VolumeSource::Persistent(_)));
    }

    #[test]
    fn shared_docker_volume_makes_a_statefulset() {
        let (w, r) = convert(
            r#"{"volumes":[{"name":"Redis_Data","dockerVolumeConfiguration":{"scope":"shared","autoprovision":true,"driver":"local"}},{"name":"tmp","dockerVolumeConfiguration":{"scope":"task"}}],
            "containerDefinitions":[{"name":"redis","image":"redis","mountPoints":[{"sourceVolume":"Redis_Data","containerPath":"/data"}]}]}"#,
        );
        assert_eq!(w.kind, WorkloadKind::StatefulSet);
        assert_eq!(w.volumes[0].name, "redis-data");
        assert!(
            matches!(&w.volumes[0].source, VolumeSource::Persistent(c) if c.size == "10Gi" && c.size_defaulted)
        );
        assert_eq!(
            w.volumes[1].source,
            VolumeSource::Scratch {
                memory: false,
                size_limit: None
            }
        );
        assert_eq!(w.containers[0].mounts[0].volume, "redis-data");
        assert!(r.findings.iter().any(|f| f.code == Code::VolumeSize));
    }

    #[test]
    fn task_scoped_and_host_volumes_stay_a_deployment() {
        let (w, r) = convert(
            r#"{"volumes":[{"name":"scratch"},{"name":"logs","host":{"sourcePath":"/var/log/app"}}],
            "containerDefinitions":[{"name":"a","image":"x"}]}"#,
        );
        assert_eq!(w.kind, WorkloadKind::Deployment);
        assert_eq!(
            w.volumes[1].source,
            VolumeSource::HostPath {
                path: "/var/log/app".into()
            }
        );
        assert!(r.findings.iter().any(|f| f.code == Code::Hostpath));
    }

    #[test]
    fn efs_is_persistent_and_read_write_many() {
        let (w, _) = convert(
            r#"{"volumes":[{"name":"shared","efsVolumeConfiguration":{"fileSystemId":"fs-1"}}],"containerDefinitions":[{"name":"a","image":"x"}]}"#,
        );
        assert_eq!(w.kind, WorkloadKind::StatefulSet);
        assert!(
            matches!(&w.volumes[0].source, VolumeSource::SharedFileSystem { file_system_id, .. } if file_system_id == "fs-1")
        );
    }
}
