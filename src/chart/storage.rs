//! The values of a persistence entry: the claim, the EBS settings a StorageClass can be made
//! from, and the ways to bring the ECS data along (adopting EBS volumes, restoring a
//! snapshot, or keeping the instance directory).

use crate::workload::{Claim, VolumeSource, Workload};
use crate::yaml::{Entry, Node};

fn s(text: &str) -> Node {
    Node::str(text)
}

pub(crate) fn claim_node(claim: &Claim) -> Node {
    let node = Node::map().set("enabled", Node::Bool(true));
    let node = if claim.size_defaulted {
        node.with_variant("size", "defaulted", s(&claim.size))
    } else {
        node.set("size", s(&claim.size))
    };
    let mut node = node
        .set("storageClass", s(&claim.storage_class))
        .set("accessModes", Node::string_seq(&claim.access_modes))
        .set("existingClaim", s(""))
        .set("annotations", Node::string_map(&claim.annotations));
    if let Some(path) = &claim.host_path {
        node = node.set(
            "hostPath",
            Node::map()
                .set("enabled", Node::Bool(false))
                .set("path", s(path)),
        );
    }
    if let Some(ebs) = &claim.ebs {
        let opt_int = |v: Option<i64>| v.map_or(Node::Null, Node::Int);
        node = node.set(
            "ebs",
            Node::map()
                .set("createStorageClass", Node::Bool(false))
                .set("type", s(ebs.volume_type.as_deref().unwrap_or("gp3")))
                .set("iops", opt_int(ebs.iops))
                .set("throughput", opt_int(ebs.throughput))
                .set("encrypted", Node::Bool(ebs.encrypted.unwrap_or(true)))
                .set("kmsKeyId", s(ebs.kms_key_id.as_deref().unwrap_or("")))
                .set(
                    "fsType",
                    s(ebs.filesystem_type.as_deref().unwrap_or("ext4")),
                )
                .set("tags", Node::string_map(&ebs.tags)),
        );
    }
    let adopt = claim
        .adopt
        .iter()
        .map(|a| {
            Node::map()
                .set("volumeId", s(&a.volume_id))
                .set("zone", s(&a.zone))
        })
        .collect();
    node.set("adoptVolumes", Node::Seq(adopt)).set(
        "fromSnapshot",
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
            VolumeSource::SharedFileSystem {
                file_system_id,
                size,
                root_directory,
                access_point_id,
                transit_encryption,
                iam,
            } => persistence.push(Entry {
                key: v.name.clone(),
                doc: None,
                variant: None,
                value: Node::map()
                    .set("enabled", Node::Bool(true))
                    .with_variant("size", "efs", s(size))
                    .with_variant("storageClass", "efs", s(""))
                    .set(
                        "accessModes",
                        Node::string_seq(&["ReadWriteMany".to_string()]),
                    )
                    .set("existingClaim", s(""))
                    .set("annotations", Node::map())
                    .set(
                        "efs",
                        Node::map()
                            .set("fileSystemId", s(file_system_id))
                            .set("rootDirectory", s(root_directory.as_deref().unwrap_or("")))
                            .set("accessPointId", s(access_point_id.as_deref().unwrap_or("")))
                            .set("transitEncryption", Node::Bool(*transit_encryption))
                            .set("iam", Node::Bool(*iam)),
                    ),
            }),
            VolumeSource::Persistent(claim) => persistence.push(Entry {
                key: v.name.clone(),
                doc: None,
                variant: None,
                value: super::storage::claim_node(claim),
            }),
            VolumeSource::Scratch { memory, size_limit } => {
                let mut empty_dir = if *memory {
                    Node::map().set("medium", s("Memory"))
                } else {
                    Node::map()
                };
                if let Some(limit) = size_limit {
                    empty_dir = empty_dir.set("sizeLimit", s(limit));
                }
                volumes.push(Entry {
                    key: v.name.clone(),
                    doc: None,
                    variant: None,
                    value: Node::map().set("emptyDir", empty_dir),
                });
            }
            VolumeSource::HostPath { path } => volumes.push(Entry {
                key: v.name.clone(),
                doc: None,
                variant: None,
                value: Node::map().set(
                    "hostPath",
                    Node::map()
                        .set("path", s(path))
                        .set("type", s("DirectoryOrCreate")),
                ),
            }),
        }
    }
    (persistence, volumes)
}
