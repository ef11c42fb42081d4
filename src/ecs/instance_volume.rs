//! An EBS volume an instance attached and mounted for its tasks: on ECS the usual home of a
//! stateful service's data (the stateful group's user-data attaches the volume, formats it and
//! mounts it; tasks use a host path below the mount). Read from a template so the claims that
//! replace it get its size, type and filesystem, and the volume can be adopted as it is.

use crate::json_path::JsonPath;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InstanceVolume {
    /// The `AWS::EC2::Volume` resource.
    pub logical_id: String,
    pub path: JsonPath,
    /// The physical ID (from `--stack-resources`), else the placeholder `${LogicalId}`.
    pub volume_id: String,
    /// Where the instance mounted it; task host paths at or below it hold its data.
    pub mount_path: String,
    pub device: String,
    /// From `mkfs`, `mount -t` or the fstab line; None when the user-data does not say.
    pub filesystem: Option<String>,
    pub size_gib: Option<i64>,
    /// `gp2` when the template leaves it out, as CloudFormation does.
    pub volume_type: String,
    pub iops: Option<i64>,
    pub throughput: Option<i64>,
    pub encrypted: Option<bool>,
    pub kms_key_id: Option<String>,
    pub zone: Option<String>,
    pub snapshot_id: Option<String>,
    /// The resource's DeletionPolicy (`Delete` when unset): whether deleting the stack
    /// deletes the data.
    pub deletion_policy: String,
    /// The resource whose user-data attached and mounted it.
    pub attached_by: String,
    /// Auto Scaling groups launching instances with that user-data (they re-attach the volume
    /// on a replacement instance).
    pub groups: Vec<String>,
    /// The resource's UpdateReplacePolicy (`Delete` when unset).
    pub update_replace_policy: String,
}

impl InstanceVolume {
    /// Whether a task's host path keeps its data on this volume.
    pub(crate) fn holds(&self, host_path: &str) -> bool {
        let mount = self.mount_path.trim_end_matches('/');
        let path = host_path.trim_end_matches('/');
        !mount.is_empty() && (path == mount || path.starts_with(&format!("{mount}/")))
    }
}
