//! What the rest of an ECS service means on Kubernetes: the health check grace period becomes
//! a startup budget, the circuit breaker a progress deadline, spot capacity a node preference,
//! placement constraints affinity, tags pod labels, security groups a SecurityGroupPolicy and
//! Service Connect aliases Service ports. What has no equivalent is reported with the option
//! Kubernetes offers instead.

use crate::ecs::service::{CircuitBreaker, ServiceDefinition, ServiceExtras};
use crate::json_path::Located;
use crate::report::{Code, Report};
use crate::workload::{AliasPort, Workload, WorkloadKind};

/// Kubernetes' own default, written out so the value is visible and editable.
const PROGRESS_DEADLINE_SECONDS: i64 = 600;
const SERVICE_TAGS_ANNOTATION: &str = "ecs-import/service-tags";

pub(crate) fn apply(service: &ServiceDefinition, w: &mut Workload, report: &mut Report) {
    let x = &service.extras;
    grace_period(x, w, report);
    circuit_breaker(x, w, report);
    capacity(service, w, report);
    crate::convert::placement::constraints(&x.placement_constraints, true, w, report);
    tags(service, w, report);
    network(x, w, report);
    service_connect(x, w, report);
}

/// ECS ignores failing health checks for the grace period after a task starts; a startup
/// probe gives the same budget before liveness and readiness count.
fn grace_period(x: &ServiceExtras, w: &mut Workload, report: &mut Report) {
    let Some(Located { value: grace, path }) = &x.grace_period else {
        return;
    };
    if *grace == 0 {
        return;
    }
    let mut covered = Vec::new();
    for c in &mut w.containers {
        let Some(p) = &mut c.probe else { continue };
        let needed = (grace + p.period_seconds - 1) / p.period_seconds.max(1) + p.failure_threshold;
        let current = p.startup_failure_threshold.unwrap_or(0);
        p.startup_failure_threshold = Some(current.max(needed));
        covered.push(c.name.clone());
    }
    if covered.is_empty() {
        w.min_ready_seconds = Some(*grace);
        report.info(
            Code::GracePeriod,
            path,
            format!("a health check grace period of {grace} seconds, and no container health check"),
            format!("minReadySeconds: {grace}: a new pod counts as available only after {grace} seconds ready"),
        );
    } else {
        report.info(
            Code::GracePeriod,
            path,
            format!("a health check grace period of {grace} seconds"),
            format!("startup probes of {} allow at least {grace} seconds before liveness and readiness count", covered.join(", ")),
        );
    }
}

fn circuit_breaker(x: &ServiceExtras, w: &mut Workload, report: &mut Report) {
    let Some(CircuitBreaker {
        enable,
        rollback,
        path,
    }) = &x.circuit_breaker
    else {
        return;
    };
    if !enable {
        return;
    }
    if w.kind == WorkloadKind::Deployment {
        w.progress_deadline_seconds = Some(PROGRESS_DEADLINE_SECONDS);
    }
    let undo = if *rollback {
        "; ECS also rolled back: run helm upgrade --atomic (Helm 3) or --rollback-on-failure (Helm 4) to do the same"
    } else {
        ""
    };
    report.warn(
        Code::CircuitBreaker,
        path,
        "the deployment circuit breaker stopped failing rollouts",
        format!("progressDeadlineSeconds: {PROGRESS_DEADLINE_SECONDS} marks a stuck rollout failed (Kubernetes does not undo it){undo}"),
    );
}

/// The share of the tasks that ran on spot (FARGATE_SPOT, or a provider whose Auto Scaling group
/// the input describes): the pods prefer spot nodes with the same share, and can still run on
/// demand when spot is short. A provider whose capacity the input does not describe is named,
/// never judged by its name.
fn capacity(service: &ServiceDefinition, w: &mut Workload, report: &mut Report) {
    let shares = &service.extras.capacity;
    if shares.is_empty() {
        return;
    }
    let path = service.path.key("capacityProviderStrategy");
    let total: i64 = shares.iter().map(|s| s.weight).sum();
    // Weight × spot percent, in hundredths of a weight.
    let spot: i64 = shares
        .iter()
        .filter_map(|s| Some(s.weight * s.market.as_ref()?.spot_percent))
        .sum();
    let described = shares
        .iter()
        .map(|s| {
            let behind = match &s.market {
                Some(m) => format!(" ({}% spot: {})", m.spot_percent, m.source),
                None => " (capacity not described in the input)".to_string(),
            };
            format!("{} weight {} base {}{behind}", s.provider, s.weight, s.base)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let unknown: Vec<&str> = shares
        .iter()
        .filter(|s| s.market.is_none())
        .map(|s| s.provider.as_str())
        .collect();
    if !unknown.is_empty() {
        report.warn(
            Code::CapacityUnknown,
            &path,
            format!("the capacity behind provider(s) {} is not in the input", unknown.join(", ")),
            "counted as on demand; give the stack's template (with its Auto Scaling groups) to read the spot share, or set affinity in values",
        );
    }
    if spot == 0 || total == 0 {
        report.info(
            Code::Capacity,
            &path,
            format!("capacity providers: {described}"),
            "on-demand capacity: no node preference; choose nodes with nodeSelector or a Karpenter NodePool",
        );
        return;
    }
    let percent = ((spot + total / 2) / total).clamp(1, 100);
    w.spot_weight = Some(percent);
    report.info(
        Code::Capacity,
        &path,
        format!("capacity providers: {described}"),
        format!("the pods prefer spot nodes (weight {percent}, Karpenter's karpenter.sh/capacity-type and EKS node groups' eks.amazonaws.com/capacityType) and fall back to on-demand; ECS base counts have no equivalent in one workload: install a second release with compute.target=on-demand and the base as its replicaCount to keep that floor on on-demand nodes"),
    );
}

fn tags(service: &ServiceDefinition, w: &mut Workload, report: &mut Report) {
    let x = &service.extras;
    let propagated = x.propagate_tags.as_deref().unwrap_or("NONE");
    if x.tags.is_empty() {
        if let Some(p) = &x.propagate_tags {
            report.info(
                Code::Tags,
                &service.path.key("propagateTags"),
                format!("propagateTags {p}: ECS copied those tags onto each task"),
                "the task definition's tags are on the pods already (labels and annotations); the service has none of its own",
            );
        }
        return;
    }
    // On ECS a task gets the tags of the source propagateTags names; a key both give keeps
    // that source's value.
    let task_wins = propagated == "TASK_DEFINITION";
    let mut carried = Vec::new();
    for (k, v) in &x.tags {
        let existing = w.pod_labels.get(k).or_else(|| w.pod_annotations.get(k));
        match existing {
            Some(old) if old != v => {
                let (kept, dropped) = if task_wins { (old, v) } else { (v, old) };
                report.warn(
                    Code::TagClash,
                    &service.path.key("tags"),
                    format!("tag {k}: the service says {v:?}, the task definition {old:?}"),
                    format!(
                        "the pods carry {kept:?} (propagateTags {propagated}), not {dropped:?}"
                    ),
                );
                if !task_wins {
                    carried.push((k, v));
                }
            }
            _ => carried.push((k, v)),
        }
    }
    crate::convert::pod::tags_onto_pod(carried, SERVICE_TAGS_ANNOTATION, w);
    report.info(
        Code::Tags,
        &service.path.key("tags"),
        format!("{} service tag(s), propagated: {propagated}", x.tags.len()),
        format!("on the pods as labels (valid ones), annotations, and the JSON annotation {SERVICE_TAGS_ANNOTATION}; set commonLabels to tag every object"),
    );
}

fn network(x: &ServiceExtras, w: &mut Workload, report: &mut Report) {
    let Some(path) = &x.network_path else { return };
    let vpc = path.key("awsvpcConfiguration");
    if !x.security_groups.is_empty() {
        w.security_groups = x.security_groups.clone();
        report.info(
            Code::SecurityGroups,
            &vpc.key("securityGroups"),
            format!("the tasks ran in security groups {}", x.security_groups.join(", ")),
            "securityGroupPolicy (off) applies them to the pods (security groups for pods: the VPC CNI's ENABLE_POD_ENI on Nitro nodes)",
        );
    }
    if x.assign_public_ip.as_deref() == Some("ENABLED") {
        report.warn(
            Code::ServiceField,
            &vpc.key("assignPublicIp"),
            "the tasks had public IP addresses",
            "pods get private VPC addresses; reach them through a Service of type LoadBalancer or an Ingress",
        );
    }
}

/// Clients reached the service at `dnsName:port`; the Service gains those ports, and the name
/// that changes is named.
fn service_connect(x: &ServiceExtras, w: &mut Workload, report: &mut Report) {
    let target = w
        .ports()
        .next()
        .map(|p| (p.name.clone(), p.container_port.clone()));
    for alias in &x.connect_aliases {
        let Ok(port) = u16::try_from(alias.port) else {
            continue;
        };
        let Some((target_name, target_port)) = &target else {
            report.warn(
                Code::ServiceConnect,
                &alias.path,
                format!(
                    "Service Connect alias port {} with no container port to send it to",
                    alias.port
                ),
                "not carried over",
            );
            continue;
        };
        if target_port.known() != Some(&port) && !w.alias_ports.iter().any(|a| a.port == port) {
            w.alias_ports.push(AliasPort {
                name: format!("alias-{port}"),
                port,
                target_port: target_name.clone(),
            });
        }
        let was = alias.dns_name.as_deref().unwrap_or(&alias.port_name);
        let short = crate::convert::naming::dns_label(was.split('.').next().unwrap_or(was), 63);
        report.warn(
            Code::ServiceConnect,
            &alias.path,
            format!("clients reached the service as {was}:{port} through Service Connect"),
            format!("the Service listens on port {port}; its name is RELEASE-{}.NAMESPACE.svc.cluster.local: fullnameOverride={short} keeps the short name {short}:{port} for clients in the namespace, a CoreDNS rewrite keeps {was}", w.name),
        );
    }
}
