//! Pod-wide settings that ECS keeps per container or per task: /dev/shm and tmpfs mounts,
//! volumes from other containers, DNS, /etc/hosts entries, sysctls, process and IPC
//! namespaces, ephemeral storage, accelerators, environment files, registry credentials, tags.

use crate::report::Code;
use std::collections::BTreeMap;

use crate::ecs::task_definition::{
    ContainerDefinition, ExtraHost, ResourceRequirement, SystemControl, Tmpfs, VolumesFrom,
};
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::json_path::Located;
use crate::report::Report;
use crate::workload::{Mount, Volume, VolumeSource, Workload};

use super::naming::{dns_label, unique};
use super::resources::mebibytes;

/// A label key Kubernetes accepts: an optional DNS prefix and a name of at most 63 characters.
/// The annotation holding tags whose keys are not valid Kubernetes keys, as a JSON object.
const TAGS_ANNOTATION: &str = "ecs-import/task-tags";

/// Tags become pod labels where Kubernetes accepts them, annotations where only the value is
/// refused, and the rest (keys such as "Cost Center") travel verbatim in one JSON annotation.
pub(crate) fn tags_onto_pod<'a>(
    tags: impl IntoIterator<Item = (&'a String, &'a String)>,
    annotation: &str,
    w: &mut crate::workload::Workload,
) {
    // A key given twice keeps its last value, as ECS does.
    let tags: BTreeMap<&String, &String> = tags.into_iter().collect();
    let mut unkeyable = serde_json::Map::new();
    for (k, v) in tags {
        if k.starts_with("aws:") {
            continue;
        }
        if valid_label_key(k) && valid_label_value(v) {
            w.pod_labels.insert(k.clone(), v.clone());
        } else if valid_label_key(k) {
            w.pod_annotations.insert(k.clone(), v.clone());
        } else {
            unkeyable.insert(k.clone(), serde_json::Value::String(v.to_string()));
        }
    }
    if !unkeyable.is_empty() {
        w.pod_annotations.insert(
            annotation.to_string(),
            serde_json::Value::Object(unkeyable).to_string(),
        );
    }
}

pub(crate) fn valid_label_key(key: &str) -> bool {
    let (prefix, name) = key.rsplit_once('/').map_or(("", key), |(p, n)| (p, n));
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    let prefix_ok = prefix.is_empty()
        || (prefix.len() <= 253
            && prefix.split('.').all(|l| {
                !l.is_empty()
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            }));
    name_ok && prefix_ok && !key.starts_with("aws:")
}

pub(crate) fn valid_label_value(value: &str) -> bool {
    value.is_empty()
        || (value.len() <= 63
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && value.starts_with(|c: char| c.is_ascii_alphanumeric())
            && value.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    let mut volume_names: Vec<String> = w.volumes.iter().map(|v| v.name.clone()).collect();
    let mounts_before: Vec<Vec<Mount>> = w.containers.iter().map(|c| c.mounts.clone()).collect();
    for (i, def) in td.containers.iter().enumerate() {
        scratch_volumes(def, i, &mut volume_names, w, report);
        volumes_from(td, def, i, &mounts_before, w, report);
        host_settings(def, w, report);
        devices_and_files(def, i, w, report);
    }
    namespaces(td, w, report);
    if let Some(Located { value: gib, path }) = &td.ephemeral_storage_gib {
        if let Some(c) = w.containers.iter_mut().find(|c| c.main) {
            c.requests
                .insert("ephemeral-storage".into(), format!("{gib}Gi"));
            c.limits
                .insert("ephemeral-storage".into(), format!("{gib}Gi"));
        }
        report.info(
            Code::Ephemeral,
            path,
            format!("{gib} GiB of ephemeral storage"),
            "requested and limited on the main container; Kubernetes evicts a pod that writes more, where Fargate failed the write",
        );
    }
    tags_onto_pod(td.tags.iter().map(|(k, v)| (k, v)), TAGS_ANNOTATION, w);
    if !td.tags.is_empty() {
        report.info(
            Code::Tags,
            &td.path.key("tags"),
            format!("{} task definition tag(s)", td.tags.len()),
            format!("valid ones became podLabels, those with label-invalid values podAnnotations, and those whose keys Kubernetes refuses the JSON annotation {TAGS_ANNOTATION}"),
        );
    }
    // A non-root user needs its group to own the volumes it writes.
    let stateful = w
        .volumes
        .iter()
        .any(|v| matches!(v.source, VolumeSource::Persistent { .. }));
    if stateful {
        w.fs_group = w
            .containers
            .iter()
            .find(|c| c.main)
            .and_then(|c| c.security.run_as_group.or(c.security.run_as_user))
            .filter(|id| *id != 0);
    }
    Ok(())
}

/// /dev/shm and tmpfs mounts, as emptyDirs in memory.
fn scratch_volumes(
    def: &ContainerDefinition,
    i: usize,
    volume_names: &mut Vec<String>,
    w: &mut Workload,
    report: &mut Report,
) {
    let cname = w.containers[i].name.clone();
    if let Some(Located { value: mib, .. }) = &def.shared_memory_mib {
        let name = unique(dns_label(&format!("{cname}-shm"), 63), volume_names, 63);
        volume_names.push(name.clone());
        w.volumes.push(Volume {
            name: name.clone(),
            source: VolumeSource::Scratch {
                memory: true,
                size_limit: Some(mebibytes(*mib)),
            },
        });
        w.containers[i].mounts.push(Mount {
            volume: name,
            mount_path: "/dev/shm".into(),
            read_only: false,
        });
    }
    for Tmpfs {
        container_path: path,
        size_mib: size,
        mount_options: options,
        path: fpath,
    } in &def.tmpfs
    {
        let name = unique(dns_label(&format!("{cname}-tmpfs"), 63), volume_names, 63);
        volume_names.push(name.clone());
        w.volumes.push(Volume {
            name: name.clone(),
            source: VolumeSource::Scratch {
                memory: true,
                size_limit: Some(mebibytes(*size)),
            },
        });
        let read_only = options.iter().any(|o| o == "ro");
        let lost: Vec<&String> = options
            .iter()
            .filter(|o| *o != "ro" && *o != "rw")
            .collect();
        if !lost.is_empty() {
            report.warn(
                Code::TmpfsOpts,
                &fpath.key("mountOptions"),
                format!("tmpfs mount options {lost:?}"),
                "not carried over: an emptyDir in memory has no mount options",
            );
        }
        w.containers[i].mounts.push(Mount {
            volume: name,
            mount_path: path.clone(),
            read_only,
        });
    }
}

/// volumesFrom: the source container's mounts, as they were before any were copied.
fn volumes_from(
    td: &TaskDefinition,
    def: &ContainerDefinition,
    i: usize,
    mounts_before: &[Vec<Mount>],
    w: &mut Workload,
    report: &mut Report,
) {
    for VolumesFrom {
        source_container: source,
        read_only,
        path,
    } in &def.volumes_from
    {
        let s = td
            .containers
            .iter()
            .position(|c| &c.name == source)
            .expect("validated when read");
        let copied: Vec<Mount> = mounts_before[s]
            .iter()
            .map(|m| Mount {
                read_only: m.read_only || *read_only,
                ..m.clone()
            })
            .collect();
        if copied.is_empty() {
            report.warn(
                Code::VolumesFrom,
                path,
                format!("{source} declares no mount points; volumes from its image's VOLUME instructions are not visible here"),
                "nothing to copy; mount an emptyDir at those paths with extraVolumeMounts",
            );
        }
        for m in copied {
            if !w.containers[i]
                .mounts
                .iter()
                .any(|x| x.mount_path == m.mount_path)
            {
                w.containers[i].mounts.push(m);
            }
        }
    }
}

/// DNS, host entries and sysctls: one set for the whole pod, merged from every container.
fn host_settings(def: &ContainerDefinition, w: &mut Workload, report: &mut Report) {
    for server in &def.dns_servers {
        if !w.dns_nameservers.contains(server) {
            w.dns_nameservers.push(server.clone());
        }
    }
    for domain in &def.dns_search_domains {
        if !w.dns_searches.contains(domain) {
            w.dns_searches.push(domain.clone());
        }
    }
    if !def.dns_servers.is_empty() {
        report.warn(
            Code::Dns,
            &def.path.key("dnsServers"),
            "the task uses its own DNS servers",
            "dnsPolicy None with these nameservers: cluster DNS names no longer resolve; prefer CoreDNS forwarding",
        );
    }
    for ExtraHost {
        hostname: host,
        ip_address: ip,
    } in &def.extra_hosts
    {
        let names = w.host_aliases.entry(ip.clone()).or_default();
        if !names.contains(host) {
            names.push(host.clone());
        }
    }
    for SystemControl {
        namespace: name,
        value,
        path,
    } in &def.system_controls
    {
        if let Some(previous) = w.sysctls.insert(name.clone(), value.clone()) {
            if &previous != value {
                report.warn(
                    Code::Sysctl,
                    path,
                    format!("{name} is set to different values by two containers"),
                    "the last one wins, as for awsvpc tasks",
                );
            }
        }
        if !crate::workload::SAFE_SYSCTLS.contains(&name.as_str()) {
            report.warn(
                Code::SysctlUnsafe,
                path,
                format!("sysctl {name} is not in Kubernetes' safe set"),
                format!("kept in values but off (unsafeSysctls.enabled): a pod asking for it is refused unless the kubelet runs with --allowed-unsafe-sysctls={name} (kubeletConfiguration allowedUnsafeSysctls on the node group)"),
            );
        }
    }
}

/// Accelerators, S3 environment files and private registry credentials.
fn devices_and_files(def: &ContainerDefinition, i: usize, w: &mut Workload, report: &mut Report) {
    let cname = w.containers[i].name.clone();
    for ResourceRequirement { kind, value, path } in &def.resource_requirements {
        match kind.as_str() {
            "GPU" => match value.parse::<u32>() {
                Ok(n) => {
                    w.containers[i].limits.insert("nvidia.com/gpu".into(), n.to_string());
                    report.info(Code::Gpu, path, format!("{n} GPU(s)"), "limits nvidia.com/gpu; the NVIDIA device plugin must run on the nodes");
                }
                Err(_) => report.warn(Code::Accelerator, path, format!("GPU count {value:?}"), "not a number; set resources.limits.nvidia.com/gpu"),
            },
            other => report.warn(
                Code::Accelerator,
                path,
                format!("{other} {value}"),
                "no equivalent; request aws.amazon.com/neuron or nvidia.com/gpu in resources.limits",
            ),
        }
    }
    for Located { value: arn, path } in &def.environment_files {
        let object = arn.rsplit('/').next().unwrap_or(arn);
        let name = dns_label(&format!("{cname}-{}", object.trim_end_matches(".env")), 63);
        w.containers[i].env_from.push(name.clone());
        report.warn(
            Code::Envfile,
            path,
            format!("environment file {arn} is not fetched"),
            format!("envFrom reads ConfigMap {name:?}: create it from the file (kubectl create configmap {name} --from-env-file=…), or change envFrom"),
        );
    }
    if let Some(Located {
        value: credentials,
        path,
    }) = &def.repository_credentials
    {
        let name = dns_label(&format!("{}-registry", w.name), 63);
        if !w.image_pull_secrets.contains(&name) {
            w.image_pull_secrets.push(name.clone());
        }
        report.warn(
            Code::RepoCreds,
            path,
            format!("private registry credentials in {credentials}"),
            format!("imagePullSecrets names {name:?}: create that kubernetes.io/dockerconfigjson Secret from the credentials"),
        );
    }
}

/// pidMode and ipcMode.
fn namespaces(td: &TaskDefinition, w: &mut Workload, report: &mut Report) {
    if let Some(Located { value: mode, path }) = &td.pid_mode {
        match mode.as_str() {
            "task" => w.share_process_namespace = true,
            "host" => {
                w.host_pid = true;
                report.warn(
                    Code::PidMode,
                    path,
                    "the task shares the host's process namespace",
                    "hostPID: true; needs the privileged Pod Security level",
                );
            }
            other => report.warn(
                Code::PidMode,
                path,
                format!("pidMode {other:?}"),
                "not carried over",
            ),
        }
    }
    if let Some(Located { value: mode, path }) = &td.ipc_mode {
        match mode.as_str() {
            "task" => report.info(
                Code::IpcModeNote,
                path,
                "containers share IPC",
                "containers of a pod always do",
            ),
            "host" => {
                w.host_ipc = true;
                report.warn(
                    Code::IpcMode,
                    path,
                    "the task shares the host's IPC namespace",
                    "hostIPC: true; needs the privileged Pod Security level",
                );
            }
            _ => report.warn(
                Code::IpcMode,
                path,
                "the containers have private IPC",
                "containers of a pod always share IPC",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs;

    #[test]
    fn pod_wide_settings() {
        let text = r#"{"pidMode":"task","ephemeralStorage":{"sizeInGiB":50},"tags":[{"key":"team","value":"payments"},{"key":"cost center","value":"a b"}],"volumes":[{"name":"data"}],
            "containerDefinitions":[
            {"name":"app","image":"x","portMappings":[{"containerPort":80}],"mountPoints":[{"sourceVolume":"data","containerPath":"/data"}],"linuxParameters":{"sharedMemorySize":256,"tmpfs":[{"containerPath":"/run","size":64,"mountOptions":["ro","noexec"]}]},
             "dnsSearchDomains":["svc.local"],"extraHosts":[{"hostname":"db","ipAddress":"10.0.0.5"},{"hostname":"db2","ipAddress":"10.0.0.5"}],
             "systemControls":[{"namespace":"net.core.somaxconn","value":"1024"}],"resourceRequirements":[{"type":"GPU","value":"2"}],
             "environmentFiles":[{"value":"arn:aws:s3:::bucket/app.env","type":"s3"}],"repositoryCredentials":{"credentialsParameter":"arn:aws:secretsmanager:x"}},
            {"name":"side","image":"y","volumesFrom":[{"sourceContainer":"app","readOnly":true}]}]}"#;
        let loaded = ecs::from_str(text, "t.json").unwrap();
        let mut w = Workload::new("t".into(), "t".into());
        let mut report = Report::default();
        super::super::containers::apply(&loaded.task, &mut w, &mut report).unwrap();
        super::super::storage::apply(&loaded.task, &Default::default(), &[], &mut w, &mut report)
            .unwrap();
        apply(&loaded.task, &mut w, &mut report).unwrap();
        let app = &w.containers[0];
        assert!(app.mounts.iter().any(|m| m.mount_path == "/dev/shm"));
        assert!(app
            .mounts
            .iter()
            .any(|m| m.mount_path == "/run" && m.read_only));
        assert!(w.volumes.iter().any(|v| v.source
            == VolumeSource::Scratch {
                memory: true,
                size_limit: Some("256Mi".into())
            }));
        // Mount points are copied (read-only here); /dev/shm and tmpfs are not volumes.
        let side = &w.containers[1].mounts;
        assert_eq!(side.len(), 1);
        assert!(side[0].mount_path == "/data" && side[0].read_only);
        assert_eq!(w.dns_searches, ["svc.local"]);
        assert_eq!(w.host_aliases["10.0.0.5"], ["db", "db2"]);
        assert_eq!(w.sysctls["net.core.somaxconn"], "1024");
        assert_eq!(app.limits["nvidia.com/gpu"], "2");
        assert_eq!(app.limits["ephemeral-storage"], "50Gi");
        assert_eq!(app.env_from, ["app-app"]);
        assert_eq!(w.image_pull_secrets, ["t-registry"]);
        assert!(w.share_process_namespace);
        assert_eq!(w.pod_labels["team"], "payments");
        assert_eq!(
            w.pod_annotations[TAGS_ANNOTATION],
            r#"{"cost center":"a b"}"#
        );
        for code in [
            Code::TmpfsOpts,
            Code::SysctlUnsafe,
            Code::Envfile,
            Code::RepoCreds,
        ] {
            assert!(report.findings.iter().any(|f| f.code == code), "{code}");
        }
    }
}
