//! The values of a persistence entry: the claim, the EBS settings a StorageClass can be made
//! from, and the ways to bring the ECS data along (adopting EBS volumes, restoring a
//! snapshot, or keeping the instance directory).

use crate::workload::{Claim, VolumeSource, Workload};
use crate::yaml::{Entry, Node};

fn s(text: &str) -> Node {
    Node::str(text)
}

pub(crate) fn claim_node(claim: &Claim) -> Node {
    let node = Node::map().with("enabled", None, Node::Bool(true));
    let node = if claim.size_defaulted {
        node.with_variant("size", "defaulted", s(&claim.size))
    } else {
        node.with("size", None, s(&claim.size))
    };
    let mut node = node
        .with("storageClass", None, s(&claim.storage_class))
        .with("accessModes", None, Node::string_seq(&claim.access_modes))
        .with("existingClaim", None, s(""))
        .with("annotations", None, Node::string_map(&claim.annotations));
    if let Some(path) = &claim.host_path {
        node = node.with(
            "hostPath",
            None,
            Node::map().with("enabled", None, Node::Bool(false)).with("path", None, s(path)),
        );
    }
    if let Some(ebs) = &claim.ebs {
        let opt_int = |v: Option<i64>| v.map_or(Node::Null, Node::Int);
        node = node.with(
            "ebs",
            None,
            Node::map()
                .with("createStorageClass", None, Node::Bool(false))
                .with("type", None, s(ebs.volume_type.as_deref().unwrap_or("gp3")))
                .with("iops", None, opt_int(ebs.iops))
                .with("throughput", None, opt_int(ebs.throughput))
                .with("encrypted", None, Node::Bool(ebs.encrypted.unwrap_or(true)))
                .with("kmsKeyId", None, s(ebs.kms_key_id.as_deref().unwrap_or("")))
                .with("fsType", None, s(ebs.filesystem_type.as_deref().unwrap_or("ext4")))
                .with("tags", None, Node::string_map(&ebs.tags)),
        );
    }
    node.with(
        "adoptVolumes",
        None,
        Node::Seq(Vec::new()),
    )
    .with(
        "fromSnapshot",
        None,
        s(claim.snapshot_id.as_deref().unwrap_or("")),
    )
}

/// A Deployment holding a ReadWriteOnce claim or a node directory cannot run two pods side by
/// side during a rollout: the new pod would wait on the volume (Multi-Attach) or share it.
pub(crate) fn needs_recreate(w: &Workload) -> bool {
    w.volumes.iter().any(|v| match &v.source {
        VolumeSource::Persistent(c) => c.access_modes.iter().any(|m| m == "ReadWriteOnce"),
        VolumeSource::HostPath { .. } => true,
        _ => false,
    })
}

/// The volumes as values: those whose data outlives the pod (`persistence`, by name) and those
/// that do not (`volumes`, as Kubernetes volume sources).
pub(crate) fn volume_entries(w: &Workload) -> (Vec<Entry>, Vec<Entry>) {
    let s = |text: &str| Node::str(text);
    let mut persistence = Vec::new();
    let mut volumes = Vec::new();
    for v in &w.volumes {
        match &v.source {
            VolumeSource::SharedFileSystem { file_system_id, root_directory, access_point_id, transit_encryption, iam } => persistence.push(Entry {
                key: v.name.clone(),
                doc: None,
                variant: None,
                value: Node::map()
                    .with("enabled", None, Node::Bool(true))
                    .with_variant("size", "efs", s(crate::convert::storage::DEFAULT_SIZE))
                    .with_variant("storageClass", "efs", s(""))
                    .with("accessModes", None, Node::string_seq(&["ReadWriteMany".to_string()]))
                    .with("existingClaim", None, s(""))
                    .with("annotations", None, Node::map())
                    .with(
                        "efs",
                        None,
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
                variant: None,
                value: super::storage::claim_node(claim),
            }),
            VolumeSource::Scratch { memory, size_limit } => {
                let mut empty_dir = if *memory { Node::map().with("medium", None, s("Memory")) } else { Node::map() };
                if let Some(limit) = size_limit {
                    empty_dir = empty_dir.with("sizeLimit", None, s(limit));
                }
                volumes.push(Entry { key: v.name.clone(), doc: None, variant: None, value: Node::map().with("emptyDir", None, empty_dir) });
            }
            VolumeSource::HostPath { path } => volumes.push(Entry {
                key: v.name.clone(),
                doc: None,
                variant: None,
                value: Node::map().with(
                    "hostPath",
                    None,
                    Node::map().with("path", None, s(path)).with("type", None, s("DirectoryOrCreate")),
                ),
            }),
        }
    }
    (persistence, volumes)
}
