//! What an ECS service adds to its task definition: replicas, rollout bounds, load balancer
//! ports (an Ingress for an Application Load Balancer), service discovery, placement spread and
//! target-tracking autoscaling.

use crate::deferred::Deferred;
use crate::ecs::service::{PlacementStrategy, ServiceDefinition};
use crate::report::Code;
use crate::report::Report;
use crate::workload::{Autoscaling, Rollout, Workload, WorkloadKind};

pub(crate) fn apply(
    service: &ServiceDefinition,
    td: &crate::ecs::TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) {
    if service.daemon {
        daemon(service, w, report);
    } else {
        match &service.desired_count {
            Some(Deferred::Known(count)) => w.replicas = *count,
            Some(Deferred::Placeholder(text)) => w.replicas_placeholder = Some(text.clone()),
            None => {}
        }
    }
    if service.maximum_percent.is_some() || service.minimum_healthy_percent.is_some() {
        let max = service.maximum_percent.unwrap_or(200);
        let min = service.minimum_healthy_percent.unwrap_or(100);
        // ECS counts both bounds in percent of the desired count, as Kubernetes does.
        w.rollout = Some(Rollout {
            max_surge: format!("{}%", max - 100),
            max_unavailable: format!("{}%", 100 - min),
        });
        if w.kind == WorkloadKind::StatefulSet {
            report.info(
                Code::Rollout,
                &service.path.key("deploymentConfiguration"),
                "StatefulSets replace pods one at a time",
                "kept in deploymentStrategy for when the chart runs as a Deployment",
            );
        }
    }
    for lb in &service.load_balancers {
        super::load_balancer::apply(lb, super::load_balancer::awsvpc(td), w, report);
    }
    if w.ingress_port.is_some() {
        report.info(
            Code::Ingress,
            &service.path.key("loadBalancers"),
            "the service sits behind an Application Load Balancer",
            "an Ingress of class alb for the AWS Load Balancer Controller; set ingress.hosts",
        );
    }
    if service.service_registries {
        w.headless = true;
        discovery(service, w, report);
    }
    placement_strategy(service, w, report);
    volumes(service, w, report);
    scaling(service, w, report);
}

/// Clients found the service by its Cloud Map name, which does not exist on EKS: the name is
/// kept for the rewrite of other services' values, and named.
fn discovery(service: &ServiceDefinition, w: &mut Workload, report: &mut Report) {
    registry_ports(service, w, report);
    for name in &service.discovery_names {
        w.discovery_names.push(name.value.clone());
        report.warn(
            Code::CloudMap,
            &name.path,
            format!("clients reached the service at {} (Cloud Map)", name.value),
            format!("on EKS they reach the Service {} (in another namespace: {}.<namespace>.svc.cluster.local); values of other services converted with it are rewritten (--keep-discovery-names keeps them); clients still on ECS during the move need a name that reaches the pods (see the migration plan)", w.name, w.name),
        );
    }
    if service.discovery_names.is_empty() {
        report.warn(
            Code::CloudMap,
            &service.path.key("serviceRegistries"),
            "the service is registered in Cloud Map; the input does not name the registry's DNS name",
            "a headless Service gives the pods DNS names; clients using the Cloud Map name must change to the Service name",
        );
    }
}

/// A port a registry named that no port mapping declares: added to the container, so the
/// headless Service (and its SRV records) keep it.
fn registry_ports(service: &ServiceDefinition, w: &mut Workload, report: &mut Report) {
    for rp in &service.registry_ports {
        let Ok(number) = u16::try_from(rp.port) else {
            continue;
        };
        let target = rp
            .container
            .as_deref()
            .map(|n| crate::convert::naming::dns_label(n, 63));
        let declared = w.ports().any(|p| p.container_port.known() == Some(&number));
        let Some(c) = w
            .containers
            .iter_mut()
            .find(|c| target.as_ref().map_or(c.main, |t| *t == c.name))
        else {
            continue;
        };
        if declared {
            continue;
        }
        c.ports.push(crate::workload::Port {
            name: format!("port-{number}"),
            container_port: crate::deferred::Deferred::Known(number),
            protocol: crate::deferred::Deferred::Known("TCP"),
            app_protocol: None,
        });
        report.info(
            Code::CloudMapPort,
            &rp.path,
            format!("the Cloud Map registry named port {number}, which no port mapping declares"),
            format!(
                "container {} gets port {number}, so the headless Service keeps it",
                c.name
            ),
        );
    }
}

fn placement_strategy(service: &ServiceDefinition, w: &mut Workload, report: &mut Report) {
    for PlacementStrategy { kind, field, path } in &service.placement_strategy {
        let field = field.as_deref().unwrap_or_default().to_ascii_lowercase();
        match (kind.as_str(), field.as_str()) {
            ("spread", "attribute:ecs.availability-zone") => w
                .spread_topology_keys
                .push("topology.kubernetes.io/zone".into()),
            ("spread", "instanceid" | "host") => {
                w.spread_topology_keys.push("kubernetes.io/hostname".into())
            }
            ("random", _) => {}
            _ => report.warn(
                Code::PlacementStrategy,
                path,
                format!("placement strategy {kind} {field}"),
                "not carried over; the Kubernetes scheduler spreads and packs by its own scoring",
            ),
        }
    }
}

/// Target tracking as an HPA; its cooldowns as stabilization windows.
fn scaling(service: &ServiceDefinition, w: &mut Workload, report: &mut Report) {
    if let Some(s) = &service.scaling {
        let enabled = s.cpu_percent.is_some() || s.memory_percent.is_some();
        if !enabled {
            report.warn(
                Code::ScalingMetric,
                &service.path,
                format!("the service scales between {} and {} tasks on metrics an HPA does not read", s.min, s.max),
                "autoscaling is off, with minReplicas and maxReplicas carried: set a target (autoscaling.targetCPUUtilizationPercentage) and enable it; replicaCount is at least the minimum",
            );
            w.replicas = w.replicas.max(s.min);
        }
        w.autoscaling = Some(Autoscaling {
            enabled,
            min: s.min.max(1),
            max: s.max.max(s.min.max(1)),
            cpu_percent: s.cpu_percent,
            memory_percent: s.memory_percent,
            scale_down_window: s.scale_in_cooldown.map(|c| c.clamp(0, 3600)),
            scale_up_window: s.scale_out_cooldown.map(|c| c.clamp(0, 3600)),
            scale_down_disabled: s.disable_scale_in,
        });
        if s.scale_in_cooldown.is_some() || s.scale_out_cooldown.is_some() || s.disable_scale_in {
            report.info(
                Code::ScalingCooldown,
                &service.path,
                format!(
                    "target tracking waits {}s after a scale-in and {}s after a scale-out{}",
                    s.scale_in_cooldown.unwrap_or(300),
                    s.scale_out_cooldown.unwrap_or(300),
                    if s.disable_scale_in { ", and never scales in" } else { "" }
                ),
                "autoscaling.behavior: the cooldowns become stabilization windows (the HPA acts on the highest recommendation in the window, rather than pausing)",
            );
        }
    }
}

/// The service's volumeConfigurations size and shape the claims of the volumes configured at
/// launch.
fn volumes(service: &ServiceDefinition, w: &mut Workload, report: &mut Report) {
    for config in &service.volume_configurations {
        let label = crate::convert::naming::dns_label(&config.name, 63);
        let claim = w
            .volumes
            .iter_mut()
            .find(|v| v.name == label)
            .and_then(|v| match &mut v.source {
                crate::workload::VolumeSource::Persistent(c) => Some(c),
                _ => None,
            });
        let Some(claim) = claim else {
            report.warn(
                Code::ServiceField,
                &config.path.key("name"),
                format!(
                    "volume configuration {:?} names no volume configured at launch",
                    config.name
                ),
                "not carried over",
            );
            continue;
        };
        if let Some(gib) = config.size_gib {
            claim.size = format!("{gib}Gi");
            claim.size_defaulted = false;
        }
        claim.ebs = Some(crate::workload::Ebs {
            volume_type: config.ebs.volume_type.clone(),
            iops: config.ebs.iops,
            throughput: config.ebs.throughput,
            encrypted: config.ebs.encrypted,
            kms_key_id: config.ebs.kms_key_id.clone(),
            filesystem_type: config.ebs.filesystem_type.clone(),
            tags: config.ebs.tags.clone(),
        });
        if let Some(snapshot) = &config.snapshot_id {
            claim.snapshot_id = Some(snapshot.clone());
            report.info(
                Code::EbsVolume,
                &config.path.key("managedEBSVolume").key("snapshotId"),
                format!("volume {:?} is created from snapshot {snapshot}", config.name),
                "the claims restore from it through a VolumeSnapshot (persistence.<volume>.fromSnapshot)",
            );
        }
    }
}

/// A DAEMON service runs one task per instance: a DaemonSet, tolerating every taint as ECS
/// placed daemons on every instance.
fn daemon(service: &ServiceDefinition, w: &mut Workload, report: &mut Report) {
    w.kind = WorkloadKind::DaemonSet;
    w.kind_reason = "the ECS service's schedulingStrategy is DAEMON".into();
    let host = w.host_network;
    report.info(
        Code::Daemon,
        &service.path.key("schedulingStrategy"),
        "a DAEMON service: one task per container instance",
        if host {
            "a DaemonSet with hostNetwork: each pod binds its ports on the node, as the ECS daemon did; tolerations let it run on every node"
        } else {
            "a DaemonSet, one pod per node; tolerations let it run on every node (daemonSet.tolerateAll)"
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::service::{read_service, Scaling};
    use crate::json_path::JsonPath;
    use crate::workload::Port;
    use serde_json::json;

    #[test]
    fn service_settings_shape_the_workload() {
        let mut report = Report::default();
        let mut service = read_service(
            &json!({"serviceName": "api", "taskDefinition": "api:3", "desiredCount": 4,
                "deploymentConfiguration": {"maximumPercent": 150, "minimumHealthyPercent": 75},
                "loadBalancers": [{"containerName": "api", "containerPort": 8080, "targetGroupArn": "arn:tg"}],
                "serviceRegistries": [{"registryArn": "arn:sd"}],
                "placementStrategy": [{"type": "spread", "field": "instanceId"}, {"type": "binpack", "field": "cpu"}]}),
            JsonPath::root(),
            &mut report,
        )
        .unwrap();
        service.load_balancers[0].application = Some(true);
        service.scaling = Some(Scaling {
            min: 2,
            max: 8,
            cpu_percent: Some(70),
            memory_percent: None,
            ..Default::default()
        });
        let mut w = Workload::new("api".into(), "api".into());
        w.containers.push(crate::workload::Container {
            name: "api".into(),
            ports: vec![Port {
                name: "http".into(),
                container_port: Deferred::Known(8080),
                protocol: Deferred::Known("TCP"),
                app_protocol: None,
            }],
            ..Default::default()
        });
        apply(
            &service,
            &crate::ecs::TaskDefinition::default(),
            &mut w,
            &mut report,
        );
        assert_eq!(w.replicas, 4);
        assert_eq!(
            w.rollout,
            Some(Rollout {
                max_surge: "50%".into(),
                max_unavailable: "25%".into()
            })
        );
        assert_eq!(w.ingress_port, Some(Deferred::Known(8080)));
        assert!(w.headless);
        assert_eq!(w.spread_topology_keys, ["kubernetes.io/hostname"]);
        assert_eq!(w.autoscaling.as_ref().unwrap().max, 8);
        assert!(report
            .findings
            .iter()
            .any(|f| f.code == Code::PlacementStrategy));
    }

    #[test]
    fn the_binding_matches_the_target_group_and_stopping_pods_are_drained() {
        let run = |network_mode: Option<&str>, routing: Option<crate::ecs::alb::AlbRouting>| {
            let mut report = Report::default();
            let mut service = read_service(
                &json!({"serviceName": "api", "taskDefinition": "api:3",
                    "loadBalancers": [{"containerName": "api", "containerPort": 8080, "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/api/1"}]}),
                JsonPath::root(),
                &mut report,
            )
            .unwrap();
            service.load_balancers[0].routing = routing;
            let td = crate::ecs::TaskDefinition {
                network_mode: network_mode.map(str::to_string),
                ..Default::default()
            };
            let mut w = Workload::new("api".into(), "api".into());
            w.containers.push(crate::workload::Container {
                name: "api".into(),
                main: true,
                ports: vec![Port {
                    name: "http".into(),
                    container_port: Deferred::Known(8080),
                    protocol: Deferred::Known("TCP"),
                    app_protocol: None,
                }],
                ..Default::default()
            });
            w.termination_grace_period_seconds = Some(45);
            apply(&service, &td, &mut w, &mut report);
            w
        };
        let bridge = run(Some("bridge"), None);
        let tg = bridge.target_group.as_ref().unwrap();
        assert_eq!((tg.target_type, tg.deregistration_delay), ("instance", 300));
        assert_eq!(bridge.containers[0].pre_stop_sleep, Some(300));
        assert_eq!(bridge.termination_grace_period_seconds, Some(345));
        assert_eq!(
            run(Some("awsvpc"), None).target_group.unwrap().target_type,
            "ip"
        );
        let routing = crate::ecs::alb::AlbRouting {
            target_group: crate::ecs::alb::TargetGroupSettings {
                target_type: Some("ip".into()),
                attributes: vec![("deregistration_delay.timeout_seconds".into(), "20".into())],
                ..Default::default()
            },
            ..Default::default()
        };
        // The group's own type wins over what the network mode implies.
        let tg = run(Some("bridge"), Some(routing)).target_group.unwrap();
        assert_eq!((tg.target_type, tg.deregistration_delay), ("ip", 20));
    }

    #[test]
    fn a_port_only_cloud_map_names_stays_on_the_headless_service() {
        let mut report = Report::default();
        let service = read_service(
            &json!({"serviceName": "cache", "taskDefinition": "cache:1",
                "serviceRegistries": [{"registryArn": "arn:sd", "containerName": "cache", "containerPort": 6379},
                                      {"registryArn": "arn:sd2", "port": 8080}]}),
            JsonPath::root(),
            &mut report,
        )
        .unwrap();
        let mut w = Workload::new("cache".into(), "cache".into());
        w.containers.push(crate::workload::Container {
            name: "cache".into(),
            main: true,
            ports: vec![Port {
                name: "http".into(),
                container_port: Deferred::Known(8080),
                protocol: Deferred::Known("TCP"),
                app_protocol: None,
            }],
            ..Default::default()
        });
        apply(
            &service,
            &crate::ecs::TaskDefinition::default(),
            &mut w,
            &mut report,
        );
        let ports: Vec<_> = w.ports().map(|p| p.container_port.clone()).collect();
        assert_eq!(ports, [Deferred::Known(8080), Deferred::Known(6379)]);
        assert!(w.headless);
        assert_eq!(
            report
                .findings
                .iter()
                .filter(|f| f.code == Code::CloudMapPort)
                .count(),
            1,
            "8080 is declared already"
        );
    }

    #[test]
    fn step_scaling_alone_carries_bounds_without_an_empty_hpa() {
        let mut report = Report::default();
        let mut service = read_service(
            &json!({"serviceName": "api", "taskDefinition": "api:3", "desiredCount": 1}),
            JsonPath::root(),
            &mut report,
        )
        .unwrap();
        service.scaling = Some(Scaling {
            min: 2,
            max: 4,
            ..Default::default()
        });
        let mut w = Workload::new("api".into(), "api".into());
        apply(
            &service,
            &crate::ecs::TaskDefinition::default(),
            &mut w,
            &mut report,
        );
        let scaling = w.autoscaling.as_ref().unwrap();
        assert!(!scaling.enabled, "no metric an HPA reads: off");
        assert_eq!((scaling.min, scaling.max), (2, 4));
        assert_eq!(w.replicas, 2, "at least the minimum ECS kept running");
        assert!(report
            .findings
            .iter()
            .any(|f| f.code == Code::ScalingMetric));
    }
}
