//! EBS volumes of a template followed to where instances mount them: each `AWS::EC2::Volume`
//! the user-data of a launch template, launch configuration or instance attaches (or an
//! `AWS::EC2::VolumeAttachment` puts at a device the user-data mounts), with the volume's size,
//! type, IOPS, throughput, encryption, zone and the filesystem the script formats it with.

use serde_json::{json, Value};

use super::intrinsics::Resolver;
use super::resources::{resource_type, resources_of_type};
use super::user_data;
use crate::ecs::instance_volume::InstanceVolume;
use crate::json_path::JsonPath;

const VOLUME: &str = "AWS::EC2::Volume";
const ATTACHMENT: &str = "AWS::EC2::VolumeAttachment";
/// Resources that carry user-data, and where.
const SCRIPTS: &[(&str, &str)] = &[
    (
        "AWS::EC2::LaunchTemplate",
        "/Properties/LaunchTemplateData/UserData",
    ),
    (
        "AWS::AutoScaling::LaunchConfiguration",
        "/Properties/UserData",
    ),
    ("AWS::EC2::Instance", "/Properties/UserData"),
];

pub(super) fn read(resolver: &Resolver) -> Vec<InstanceVolume> {
    let text = |v: &Value| match resolver.resolve_quietly(v).0 {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    // How each volume appears in a resolved script: its physical ID, or `${LogicalId}`.
    let volumes: Vec<(&String, String)> = resources_of_type(resolver.resources, VOLUME)
        .filter_map(|(id, _)| Some((id, text(&json!({"Ref": id}))?)))
        .collect();
    let attachments: Vec<(String, String)> = resources_of_type(resolver.resources, ATTACHMENT)
        .filter_map(|(_, r)| {
            let p = r.get("Properties")?;
            Some((text(p.get("Device")?)?, text(p.get("VolumeId")?)?))
        })
        .collect();
    let mut out: Vec<InstanceVolume> = Vec::new();
    for (kind, pointer) in SCRIPTS {
        for (script_id, resource) in resources_of_type(resolver.resources, kind) {
            let Some(script) = resource
                .pointer(pointer)
                .and_then(|u| script_text(resolver, u))
            else {
                continue;
            };
            let mut disks = user_data::read(&script);
            for (device, volume) in &attachments {
                disks
                    .attached
                    .entry(device.clone())
                    .or_insert_with(|| volume.clone());
            }
            for (device, reference) in &disks.attached {
                let Some((id, _)) = volumes.iter().find(|(_, token)| token == reference) else {
                    continue;
                };
                let Some(mount) = mounted_at(&disks.mounted, device) else {
                    continue;
                };
                if out.iter().any(|v| v.logical_id == **id) {
                    continue;
                }
                let filesystem = mounted_at(&disks.formatted, device);
                out.push(volume(
                    resolver, id, reference, device, mount, filesystem, script_id,
                ));
            }
        }
    }
    out
}

/// A device's entry, also under the other name Linux gives the same disk (`sdf` / `xvdf`).
fn mounted_at(map: &std::collections::BTreeMap<String, String>, device: &str) -> Option<String> {
    let other = match device.strip_prefix("/dev/sd") {
        Some(rest) => format!("/dev/xvd{rest}"),
        None => device.replacen("/dev/xvd", "/dev/sd", 1),
    };
    map.get(device).or_else(|| map.get(&other)).cloned()
}

/// The script as the instance runs it: `Fn::Base64` of a text is the text; a literal base64
/// value is decoded.
fn script_text(resolver: &Resolver, user_data: &Value) -> Option<String> {
    use base64::Engine as _;
    let inner = user_data.get("Fn::Base64").unwrap_or(user_data);
    let Some(Value::String(text)) = resolver.resolve_quietly(inner).0 else {
        return None;
    };
    if inner.get("Fn::Base64").is_none() && user_data.get("Fn::Base64").is_none() {
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text.trim()) {
            if let Ok(decoded) = String::from_utf8(bytes) {
                return Some(decoded);
            }
        }
    }
    Some(text)
}

fn volume(
    resolver: &Resolver,
    id: &str,
    reference: &str,
    device: &str,
    mount: String,
    filesystem: Option<String>,
    script: &str,
) -> InstanceVolume {
    let resource = &resolver.resources[id];
    let prop = |key: &str| {
        resource
            .pointer(&format!("/Properties/{key}"))
            .and_then(|v| match resolver.resolve_quietly(v).0? {
                Value::String(s) => Some(s),
                Value::Null => None,
                other => Some(other.to_string()),
            })
    };
    let number = |key: &str| prop(key).and_then(|t| t.parse::<i64>().ok());
    debug_assert_eq!(resource_type(resolver.resources, id), Some(VOLUME));
    InstanceVolume {
        logical_id: id.to_string(),
        path: JsonPath::root().key("Resources").key(id).in_template(),
        volume_id: reference.to_string(),
        mount_path: mount,
        device: device.to_string(),
        filesystem,
        size_gib: number("Size"),
        volume_type: prop("VolumeType").unwrap_or_else(|| "gp2".into()),
        iops: number("Iops"),
        throughput: number("Throughput"),
        encrypted: prop("Encrypted").map(|e| e == "true"),
        kms_key_id: prop("KmsKeyId"),
        zone: prop("AvailabilityZone"),
        snapshot_id: prop("SnapshotId"),
        deletion_policy: resource
            .get("DeletionPolicy")
            .and_then(Value::as_str)
            .unwrap_or("Delete")
            .to_string(),
        attached_by: script.to_string(),
        groups: groups_using(resolver, script),
        update_replace_policy: resource
            .get("UpdateReplacePolicy")
            .and_then(Value::as_str)
            .unwrap_or("Delete")
            .to_string(),
    }
}

/// Auto Scaling groups whose instances run `script`'s user-data (through its launch template or
/// launch configuration).
fn groups_using(resolver: &Resolver, script: &str) -> Vec<String> {
    resources_of_type(resolver.resources, "AWS::AutoScaling::AutoScalingGroup")
        .filter(|(_, group)| {
            let props = group.get("Properties").unwrap_or(&Value::Null);
            [
                "LaunchTemplate",
                "MixedInstancesPolicy",
                "LaunchConfigurationName",
            ]
            .iter()
            .filter_map(|k| props.get(*k))
            .any(|v| super::resources::references(v).iter().any(|r| r == script))
        })
        .map(|(id, _)| id.clone())
        .collect()
}
