//! A task's host path on an EBS volume its instance attached and mounted: the claim that
//! replaces it gets the volume's size, type, IOPS, throughput, encryption and filesystem, and
//! an adoption entry for the volume itself (its ID, or the placeholder naming it, and its zone),
//! so the data can move with no copy.

use crate::ecs::instance_volume::InstanceVolume;
use crate::ecs::task_definition::VolumeDefinition;
use crate::report::{Code, Report};
use crate::workload::{AdoptedVolume, Claim, Ebs, VolumeSource};

pub(crate) fn claim(
    v: &VolumeDefinition,
    host_path: &str,
    volume: &InstanceVolume,
    default_size: &str,
    report: &mut Report,
) -> VolumeSource {
    let size = volume.size_gib.map(|g| format!("{g}Gi"));
    let zone = volume
        .zone
        .clone()
        .unwrap_or_else(|| format!("${{{}.AvailabilityZone}}", volume.logical_id));
    let below = if host_path.trim_end_matches('/') == volume.mount_path.trim_end_matches('/') {
        String::new()
    } else {
        format!(" (the task used {host_path}, below it: mount the claim where the container expects that directory)")
    };
    let claim = Claim {
        size_defaulted: size.is_none(),
        size: size.clone().unwrap_or_else(|| default_size.into()),
        access_modes: vec!["ReadWriteOnce".to_string()],
        host_path: Some(host_path.to_string()),
        ebs: Some(Ebs {
            volume_type: Some(volume.volume_type.clone()),
            iops: volume.iops,
            throughput: volume.throughput,
            encrypted: volume.encrypted,
            kms_key_id: volume.kms_key_id.clone(),
            filesystem_type: volume.filesystem.clone(),
            tags: Default::default(),
        }),
        adopt: vec![AdoptedVolume {
            volume_id: volume.volume_id.clone(),
            zone: zone.clone(),
        }],
        ..Claim::default()
    };
    report_volume(v, volume, &zone, size.as_deref(), &below, report);
    VolumeSource::Persistent(Box::new(claim))
}

fn report_volume(
    v: &VolumeDefinition,
    volume: &InstanceVolume,
    zone: &str,
    size: Option<&str>,
    below: &str,
    report: &mut Report,
) {
    let at = v.path.key("host").key("sourcePath");
    let described = format!(
        "{} GiB {}{}{}, {}, zone {zone}",
        volume.size_gib.map_or("?".to_string(), |g| g.to_string()),
        volume.volume_type,
        volume
            .iops
            .map(|i| format!(", {i} IOPS"))
            .unwrap_or_default(),
        volume
            .throughput
            .map(|t| format!(", {t} MiB/s"))
            .unwrap_or_default(),
        volume
            .filesystem
            .as_deref()
            .unwrap_or("filesystem not stated"),
    );
    report.info(
        Code::InstanceVolume,
        &at,
        format!(
            "volume {:?} is EBS volume {} ({described}), which {} attaches at {} and mounts at {}{below}",
            v.name, volume.logical_id, volume.attached_by, volume.device, volume.mount_path
        ),
        format!(
            "persistence.{}: size {}, ebs settings and fsType from the volume; adoptVolumes holds {} in {zone}, so the StatefulSet's first claim binds to the volume itself",
            v.name,
            size.unwrap_or("unknown"),
            volume.volume_id
        ),
    );
    if volume.filesystem.is_none() {
        report.warn(
            Code::InstanceVolumeFilesystem,
            &at,
            format!("the user-data does not say how EBS volume {} is formatted", volume.logical_id),
            format!("persistence.{}.ebs.fsType is the ext4 default: check the volume's filesystem (blkid on the instance) before adopting it, as a volume mounted with the wrong type fails to mount", v.name),
        );
    }
    if volume.volume_id.starts_with("${") {
        report.warn(
            Code::InstanceVolumeId,
            &at,
            format!("EBS volume {}'s ID is only known from the deployed stack", volume.logical_id),
            format!("adoptVolumes holds {} until it is filled: convert with --stack-resources (describe-stack-resources output) or set the vol-… ID; installing with the placeholder fails", volume.volume_id),
        );
    }
}
