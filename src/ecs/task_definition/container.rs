//! A container definition: what runs, with its ports, environment, secrets, mounts, health
//! check, start order and Linux settings.

use crate::deferred::{is_whole_placeholder, Deferred};
use crate::ecs::reader::{NotCarried, Obj, ReadResult};
use crate::error::FieldError;
use crate::json_path::Located;
use crate::report::{Code, Report};

use super::fields::{required_string, MAX_CPU_UNITS, MAX_MIB};
use super::model::*;
use crate::ecs::secret_source::parse_value_from;

pub(super) const CONTAINER_NOT_CARRIED: &[NotCarried] = &[
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

pub(super) const LINUX_PARAMETERS_NOT_CARRIED: &[NotCarried] = &[
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

pub(super) fn read_container(
    mut c: Obj<'_>,
    report: &mut Report,
) -> ReadResult<ContainerDefinition> {
    let mut out = ContainerDefinition {
        path: c.path().clone(),
        name: required_string(&mut c, "name", report)?,
        ..Default::default()
    };
    out.image = c.string("image", report)?;
    out.hostname = c.string("hostname", report)?;
    out.cpu = c.deferred_int("cpu", 0, MAX_CPU_UNITS, report)?;
    out.memory = c.deferred_int("memory", 0, MAX_MIB, report)?;
    out.memory_reservation = c.deferred_int("memoryReservation", 0, MAX_MIB, report)?;
    out.essential = c.bool("essential", report)?;
    out.entry_point = c.deferred_argv("entryPoint", report)?;
    out.command = c.deferred_argv("command", report)?;
    out.working_directory = c.string("workingDirectory", report)?;
    out.user = c
        .string("user", report)?
        .map(|u| Located::new(u, c.path().key("user")));
    out.privileged = c.bool("privileged", report)?;
    out.docker_security_options = c
        .has("dockerSecurityOptions")
        .then(|| c.string_list("dockerSecurityOptions", report))
        .transpose()?
        .map(|o| Located::new(o, c.path().key("dockerSecurityOptions")));
    out.readonly_root_filesystem = c.bool("readonlyRootFilesystem", report)?;
    out.stop_timeout = c.int("stopTimeout", 0, 86_400, report)?;
    out.interactive = c.bool("interactive", report)?;
    out.pseudo_terminal = c.bool("pseudoTerminal", report)?;

    read_environment(&mut c, &mut out, report)?;
    read_ports(&mut c, &mut out, report)?;
    read_mounts_and_health(&mut c, &mut out, report)?;
    read_start_order_and_linux(&mut c, &mut out, report)?;
    read_host_settings(&mut c, &mut out, report)?;
    read_resources_and_credentials(&mut c, &mut out, report)?;
    c.finish(CONTAINER_NOT_CARRIED, report);
    Ok(out)
}

/// The environment, its secrets by reference.
fn read_environment(
    c: &mut Obj<'_>,
    out: &mut ContainerDefinition,
    report: &mut Report,
) -> ReadResult<()> {
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
            source: parse_value_from(&value_from),
            value_from,
        });
    }
    Ok(())
}

/// Port mappings; a range without a single port is reported and skipped.
fn read_ports(
    c: &mut Obj<'_>,
    out: &mut ContainerDefinition,
    report: &mut Report,
) -> ReadResult<()> {
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
            .deferred_int("containerPort", 0, 65535, report)?
            .ok_or_else(|| FieldError::new(&path.key("containerPort"), "is required"))?;
        let host_port = pm.int("hostPort", 0, 65535, report)?;
        let protocol = read_protocol(&mut pm, report)?;
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
    Ok(())
}

/// `tcp` or `udp`, or the placeholder a template gives for one.
fn read_protocol(pm: &mut Obj<'_>, report: &mut Report) -> ReadResult<Option<Deferred<String>>> {
    let path = pm.path().key("protocol");
    let Some(text) = pm.string("protocol", report)? else {
        return Ok(None);
    };
    if is_whole_placeholder(&text) {
        return Ok(Some(Deferred::Placeholder(text)));
    }
    let lower = text.to_ascii_lowercase();
    if lower != "tcp" && lower != "udp" {
        return Err(FieldError::new(
            &path,
            format!("expected tcp or udp, got {lower:?}"),
        ));
    }
    Ok(Some(Deferred::Known(lower)))
}

/// Mount points and the health check.
fn read_mounts_and_health(
    c: &mut Obj<'_>,
    out: &mut ContainerDefinition,
    report: &mut Report,
) -> ReadResult<()> {
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
    Ok(())
}

/// Start order (dependsOn) and Linux parameters.
fn read_start_order_and_linux(
    c: &mut Obj<'_>,
    out: &mut ContainerDefinition,
    report: &mut Report,
) -> ReadResult<()> {
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
            .map(|v| Located::new(v, shm_path));
        for (value, path) in lp.array("tmpfs", report)? {
            let mut t = Obj::new(value, path.clone())?;
            let container_path = required_string(&mut t, "containerPath", report)?;
            let size = t
                .int("size", 1, MAX_MIB, report)?
                .ok_or_else(|| FieldError::new(&path.key("size"), "is required"))?;
            let options = t.string_list("mountOptions", report)?;
            t.finish(&[], report);
            out.tmpfs.push(Tmpfs {
                container_path,
                size_mib: size,
                mount_options: options,
                path,
            });
        }
        lp.finish(LINUX_PARAMETERS_NOT_CARRIED, report);
    }
    Ok(())
}

/// What the container asked of its host: shared volumes, DNS, host entries, sysctls.
fn read_host_settings(
    c: &mut Obj<'_>,
    out: &mut ContainerDefinition,
    report: &mut Report,
) -> ReadResult<()> {
    for (value, path) in c.array("volumesFrom", report)? {
        let mut v = Obj::new(value, path.clone())?;
        let source = required_string(&mut v, "sourceContainer", report)?;
        let read_only = v.bool("readOnly", report)?.unwrap_or(false);
        v.finish(&[], report);
        out.volumes_from.push(VolumesFrom {
            source_container: source,
            read_only,
            path,
        });
    }
    out.dns_servers = c.string_list("dnsServers", report)?;
    out.docker_labels = c.string_map("dockerLabels", report)?;
    out.dns_search_domains = c.string_list("dnsSearchDomains", report)?;
    for (value, path) in c.array("extraHosts", report)? {
        let mut h = Obj::new(value, path)?;
        let hostname = required_string(&mut h, "hostname", report)?;
        let ip = required_string(&mut h, "ipAddress", report)?;
        h.finish(&[], report);
        out.extra_hosts.push(ExtraHost {
            hostname,
            ip_address: ip,
        });
    }
    for (value, path) in c.array("systemControls", report)? {
        let mut sc = Obj::new(value, path.clone())?;
        let name = required_string(&mut sc, "namespace", report)?;
        let v = sc.exact_string("value", report)?.unwrap_or_default();
        sc.finish(&[], report);
        out.system_controls.push(SystemControl {
            namespace: name,
            value: v,
            path,
        });
    }
    Ok(())
}

/// Accelerators, environment files from S3 and registry credentials.
fn read_resources_and_credentials(
    c: &mut Obj<'_>,
    out: &mut ContainerDefinition,
    report: &mut Report,
) -> ReadResult<()> {
    for (value, path) in c.array("resourceRequirements", report)? {
        let mut r = Obj::new(value, path.clone())?;
        let kind = required_string(&mut r, "type", report)?;
        let v = required_string(&mut r, "value", report)?;
        r.finish(&[NotCarried { key: "sharingStrategy", code: Code::GpuSharing, why: "GPU sharing (MPS, time slicing) is configured on the NVIDIA device plugin, not per pod" }], report);
        out.resource_requirements.push(ResourceRequirement {
            kind,
            value: v,
            path,
        });
    }
    for (value, path) in c.array("environmentFiles", report)? {
        let mut f = Obj::new(value, path.clone())?;
        let v = required_string(&mut f, "value", report)?;
        let _ = f.string("type", report)?;
        f.finish(&[], report);
        out.environment_files.push(Located::new(v, path));
    }
    if let Some(mut rc) = c.object("repositoryCredentials", report)? {
        let path = rc.path().key("credentialsParameter");
        // An empty parameter means unset, as everywhere (`string` reports it).
        out.repository_credentials = rc
            .string("credentialsParameter", report)?
            .map(|p| Located::new(p, path));
        rc.finish(&[], report);
    }
    Ok(())
}
