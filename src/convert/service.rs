//! What an ECS service adds to its task definition: replicas, rollout bounds, load balancer
//! ports (an Ingress for an Application Load Balancer), service discovery, placement spread and
//! target-tracking autoscaling.

use crate::ecs::service::ServiceDefinition;
use crate::report::Report;
use crate::workload::{Autoscaling, Rollout, Workload, WorkloadKind};

pub fn apply(service: &ServiceDefinition, w: &mut Workload, report: &mut Report) {
    if let Some(count) = service.desired_count {
        w.replicas = count;
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
                "ECSI-I-ROLLOUT",
                &service.path.key("deploymentConfiguration"),
                "StatefulSets replace pods one at a time",
                "kept in deploymentStrategy for when the chart runs as a Deployment",
            );
        }
    }
    for lb in &service.load_balancers {
        let Some(port) = lb.container_port.and_then(|p| u16::try_from(p).ok()) else {
            continue;
        };
        if !w.ports().any(|p| p.container_port == port) {
            report.warn(
                "ECSI-W-LB-PORT",
                &lb.path.key("containerPort"),
                format!("the load balancer sends traffic to port {port}, which no container maps"),
                "not added; add the port to the container's ports",
            );
            continue;
        }
        match lb.application {
            Some(true) => w.ingress_port = Some(port),
            Some(false) => report.info(
                "ECSI-I-NLB",
                &lb.path,
                "a Network Load Balancer target group",
                "set service.type=LoadBalancer with the AWS Load Balancer Controller's NLB annotations",
            ),
            None => {
                let http = w.ports().any(|p| p.container_port == port && p.app_protocol.as_deref().is_some_and(|a| a.starts_with("http") || a.contains("h2c") || a == "grpc"));
                if http {
                    w.ingress_port = Some(port);
                } else {
                    report.warn(
                        "ECSI-W-LB-TYPE",
                        &lb.path.key("targetGroupArn"),
                        "the target group's load balancer type is not known from its ARN",
                        "no Ingress; set ingress.enabled=true for an ALB, or service.type=LoadBalancer for an NLB",
                    );
                }
            }
        }
    }
    if w.ingress_port.is_some() {
        report.info(
            "ECSI-I-INGRESS",
            &service.path.key("loadBalancers"),
            "the service sits behind an Application Load Balancer",
            "an Ingress of class alb for the AWS Load Balancer Controller; set ingress.hosts",
        );
    }
    if service.service_registries {
        w.headless = true;
    }
    for (kind, field, path) in &service.placement_strategy {
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
                "ECSI-W-PLACEMENT-STRATEGY",
                path,
                format!("placement strategy {kind} {field}"),
                "not carried over; the Kubernetes scheduler spreads and packs by its own scoring",
            ),
        }
    }
    if let Some(path) = &service.capacity_providers {
        report.warn(
            "ECSI-W-CAPACITY-PROVIDER",
            path,
            "a capacity provider strategy",
            "not carried over; choose nodes with nodeSelector or Karpenter NodePools",
        );
    }
    if let Some(s) = &service.scaling {
        w.autoscaling = Some(Autoscaling {
            min: s.min.max(1),
            max: s.max.max(s.min.max(1)),
            cpu_percent: s.cpu_percent,
            memory_percent: s.memory_percent,
        });
    }
}
