//! Volumes, and with them the choice of workload: data that outlives the task on ECS (shared or
//! autoprovisioned docker volumes, EFS, EBS configured at launch) becomes a volume claim
//! template, which makes the service a StatefulSet whose data follows the pod.

use crate::report::Code;
use std::collections::BTreeMap;

use crate::ecs::task_definition::VolumeDefinition;
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::Report;
use crate::workload::{Mount, Volume, VolumeSource, Workload, WorkloadKind};

use super::naming::{dns_label, unique};

/// ECS never knows a size for these; 10Gi is a common default for a service's data volume.
pub(crate) const DEFAULT_SIZE: &str = "10Gi";

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    let mut names: Vec<String> = Vec::new();
    let mut renamed: BTreeMap<&str, String> = BTreeMap::new();
    for v in &td.volumes {
        let mut name = dns_label(&v.name, 63);
        if name.is_empty() {
            name = "volume".into();
        }
        let name = unique(name, &names, 63);
        names.push(name.clone());
        renamed.insert(v.name.as_str(), name.clone());
        let source = volume_source(v, report);
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

    let persistent = w.volumes.iter().any(|v| {
        matches!(
            v.source,
            VolumeSource::Persistent { .. } | VolumeSource::SharedFileSystem { .. }
        )
    });
    w.kind = if persistent {
        WorkloadKind::StatefulSet
    } else {
        WorkloadKind::Deployment
    };
    let needs_block_storage =
        td.volumes.iter().zip(&w.volumes).any(|(def, v)| {
            def.efs.is_none() && matches!(v.source, VolumeSource::Persistent { .. })
        });
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

fn persistent(size: String, access: &str, storage_class: &str) -> VolumeSource {
    VolumeSource::Persistent {
        size,
        access_modes: vec![access.to_string()],
        storage_class: storage_class.to_string(),
        annotations: BTreeMap::new(),
    }
}

fn volume_source(v: &VolumeDefinition, report: &mut Report) -> VolumeSource {
    if let Some(efs) = &v.efs {
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
        return VolumeSource::SharedFileSystem {
            file_system_id: efs.file_system_id.clone(),
            root_directory: efs.root_directory.clone().filter(|r| r != "/"),
            access_point_id: efs.access_point_id.clone(),
            transit_encryption: efs.transit_encryption.as_deref() == Some("ENABLED"),
            iam: efs.iam.as_deref() == Some("ENABLED"),
        };
    }
    if let Some(d) = &v.docker {
        let memory = d.driver_opts.get("type").is_some_and(|t| t == "tmpfs");
        let shared = d.scope.as_deref() == Some("shared") || d.autoprovision == Some(true);
        for (key, _) in d
            .driver_opts
            .iter()
            .filter(|(k, _)| !["size", "type"].contains(&k.as_str()))
        {
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
        if let Some(driver) = d.driver.as_deref().filter(|d| *d != "local") {
            report.warn(
                Code::Driver,
                &d.path.key("driver"),
                format!("docker volume driver {driver:?}"),
                "the claim uses the cluster's default storage class; set persistence.<volume>.storageClass",
            );
        }
        if shared && !memory {
            let size = match d
                .driver_opts
                .get("size")
                .and_then(|s| s.trim().parse::<u64>().ok())
            {
                Some(gib) => format!("{gib}Gi"),
                None => {
                    report.info(
                        Code::VolumeSize,
                        &v.path,
                        format!("ECS has no size for volume {:?}", v.name),
                        format!("claims request {DEFAULT_SIZE}; set persistence.<volume>.size"),
                    );
                    DEFAULT_SIZE.into()
                }
            };
            if d.autoprovision == Some(false) {
                report.warn(
                    Code::ExistingVolume,
                    &d.path.key("autoprovision"),
                    "the volume must exist before the task starts",
                    "a new claim is provisioned; set persistence.<volume>.existingClaim to reuse a volume",
                );
            }
            return persistent(size, "ReadWriteOnce", "");
        }
        return VolumeSource::Scratch {
            memory,
            size_limit: None,
        };
    }
    if v.configured_at_launch {
        report.info(
            Code::VolumeSize,
            &v.path.key("configuredAtLaunch"),
            format!("volume {:?} is an EBS volume configured by the ECS service", v.name),
            format!("a claim per replica of {DEFAULT_SIZE} on the default storage class; unlike ECS, it survives the pod"),
        );
        return persistent(DEFAULT_SIZE.into(), "ReadWriteOnce", "");
    }
    if let Some(path) = &v.host_source_path {
        report.warn(
            Code::Hostpath,
            &v.path.key("host").key("sourcePath"),
            format!("volume {:?} is the instance directory {path}", v.name),
            "kept as a hostPath: the data stays on one node; EKS Fargate refuses it",
        );
        return VolumeSource::HostPath { path: path.clone() };
    }
    VolumeSource::Scratch {
        memory: false,
        size_limit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(json: &str) -> (Workload, Report) {
        super::super::run_rules(json, &[super::super::containers::apply, apply]).unwrap()
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
            matches!(&w.volumes[0].source, VolumeSource::Persistent { size, .. } if size == "10Gi")
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
