//! The names CloudFormation gives ECS fields, beside the API's: the template is read in the
//! API's shape, and report pointers are turned back into the names in the file the user has.

use serde_json::Value;

/// Property names whose values are maps of user data: their keys keep their case.
pub(super) const USER_MAPS: &[&str] = &["DockerLabels", "Options", "DriverOpts", "Labels"];

/// CloudFormation names that are not the API name with a lowercase first letter.
pub(super) fn api_key(key: &str) -> String {
    match key {
        "EFSVolumeConfiguration" => "efsVolumeConfiguration".into(),
        "FilesystemId" => "fileSystemId".into(),
        "IAM" => "iam".into(),
        "FSxWindowsFileServerVolumeConfiguration" => {
            "fsxWindowsFileServerVolumeConfiguration".into()
        }
        "ProxyConfigurationProperties" => "properties".into(),
        "PlacementStrategies" => "placementStrategy".into(),
        "SizeInGiB" => "sizeInGiB".into(),
        _ => {
            let mut chars = key.chars();
            match chars.next() {
                Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        }
    }
}

/// The CloudFormation name of an API field name (the inverse of `api_key`).
pub(crate) fn cfn_key(key: &str) -> String {
    match key {
        "efsVolumeConfiguration" => "EFSVolumeConfiguration".into(),
        "fileSystemId" => "FilesystemId".into(),
        "iam" => "IAM".into(),
        "fsxWindowsFileServerVolumeConfiguration" => {
            "FSxWindowsFileServerVolumeConfiguration".into()
        }
        "properties" => "ProxyConfigurationProperties".into(),
        "placementStrategy" => "PlacementStrategies".into(),
        _ => {
            let mut chars = key.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        }
    }
}

/// Turns the part of a JSON pointer below a resource's Properties back into the template's
/// names, so report entries point into the file the user has.
pub(crate) fn template_pointer(rest: &str) -> String {
    let mut out = String::new();
    let mut user_map = false;
    for segment in rest.split('/').skip(1) {
        out.push('/');
        if user_map || segment.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(segment);
            user_map = false;
        } else {
            let key = cfn_key(segment);
            user_map = USER_MAPS.contains(&key.as_str());
            out.push_str(&key);
        }
    }
    out
}

pub(super) fn camel(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if USER_MAPS.contains(&k.as_str()) {
                        v.clone()
                    } else {
                        camel(v)
                    };
                    (api_key(k), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camel).collect()),
        other => other.clone(),
    }
}
