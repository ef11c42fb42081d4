//! A load balancer in front of an ECS service: the port it sends to, the target group the
//! tasks were registered in (for a cut-over binding that matches its type), the drain a
//! stopping task got, the readiness the load balancer judged, and an Ingress for an ALB.

use crate::deferred::Deferred;
use crate::report::{Code, Report};
use crate::workload::{TargetGroup, Workload};

/// Whether tasks had their own network interfaces (awsvpc; Fargate always does), which makes
/// their target groups `ip` groups.
pub(crate) fn awsvpc(td: &crate::ecs::TaskDefinition) -> bool {
    match td.network_mode.as_deref() {
        Some(mode) => mode == "awsvpc",
        None => td.requires_compatibilities.iter().any(|c| c == "FARGATE"),
    }
}

/// One loadBalancers[] entry: its port on its own container, the target group for a cut-over,
/// and an Ingress when the target group is an ALB's.
pub(crate) fn apply(
    lb: &crate::ecs::service::LoadBalancer,
    awsvpc: bool,
    w: &mut Workload,
    report: &mut Report,
) {
    let Some(port) = lb
        .container_port
        .clone()
        .map(|p| p.map(|n| u16::try_from(n).expect("range checked when read")))
    else {
        return;
    };
    // The entry names its container; the port must be one that container maps.
    let target = lb
        .container_name
        .as_deref()
        .map(|n| crate::convert::naming::dns_label(n, 63));
    let mapped = w
        .containers
        .iter()
        .filter(|c| target.as_ref().is_none_or(|t| *t == c.name))
        .flat_map(|c| c.ports.iter())
        .find(|p| p.container_port == port)
        .map(|p| p.name.clone());
    let Some(port_name) = mapped else {
        let who = lb
            .container_name
            .as_deref()
            .map_or("no container".to_string(), |n| {
                format!("container {n:?} does not")
            });
        report.warn(
            Code::LbPort,
            &lb.path.key("containerPort"),
            format!("the load balancer sends traffic to port {port}, which {who} map"),
            "not added; add the port to the container's ports",
        );
        return;
    };
    crate::convert::lb_readiness::apply(lb, &port_name, w, report);
    if let (Some(name), None) = (&lb.target_group, &w.target_group) {
        target_group(name, port.clone(), lb, awsvpc, w, report);
    }
    match lb.application {
        Some(true) => {
            w.ingress_port = Some(port.clone());
            match &lb.routing {
                Some(routing) => crate::convert::alb::apply(routing, w, report),
                None => crate::convert::alb::elsewhere(&lb.path, w, report),
            }
        }
        Some(false) => report.info(
            Code::Nlb,
            &lb.path,
            "a Network Load Balancer target group",
            "set service.type=LoadBalancer with the AWS Load Balancer Controller's NLB annotations",
        ),
        None => unknown_type(lb, port, w, report),
    }
}

/// Elastic Load Balancing's default deregistration delay, for a group that does not set one.
const DEFAULT_DEREGISTRATION_DELAY: i64 = 300;

/// The target group the service's tasks are registered in: a TargetGroupBinding (off) can put
/// the pods beside them for the cut-over.
fn target_group(
    name: &str,
    port: Deferred<u16>,
    lb: &crate::ecs::service::LoadBalancer,
    awsvpc: bool,
    w: &mut Workload,
    report: &mut Report,
) {
    let is_arn = name.starts_with("arn:");
    let settings = lb.routing.as_ref().map(|r| &r.target_group);
    // A template's group says its type (CloudFormation's default is instance); otherwise ECS
    // only allows ip groups for awsvpc tasks and instance groups for the others.
    let target_type = match settings.map(|t| t.target_type.as_deref().unwrap_or("instance")) {
        Some(t) if t.eq_ignore_ascii_case("ip") => "ip",
        Some(_) => "instance",
        None if awsvpc => "ip",
        None => "instance",
    };
    let deregistration_delay = settings
        .and_then(|t| {
            t.attributes
                .iter()
                .find(|(k, _)| k == "deregistration_delay.timeout_seconds")
        })
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(DEFAULT_DEREGISTRATION_DELAY);
    w.target_group = Some(TargetGroup {
        name: name.to_string(),
        is_arn,
        port,
        target_type,
        deregistration_delay,
    });
    let arn = if is_arn {
        "targetGroupBinding (off) puts the pods into the same target group beside the ECS tasks, for a cut-over without interruption: see the chart README's Cut-over section"
    } else {
        "the deployed group's ARN is not in the input: targetGroupBinding.targetGroupARN holds its placeholder until --stack-resources gives it (chart README, Cut-over)"
    };
    let node_port = if target_type == "instance" {
        "; instance targets: the binding registers nodes on a NodePort Service, which the chart makes when the binding is on"
    } else {
        ""
    };
    report.info(
        Code::TargetGroup,
        &lb.path.key("targetGroupArn"),
        format!("the service's tasks are registered in target group {name} ({target_type} targets, deregistration delay {deregistration_delay} s)"),
        format!("{arn}{node_port}"),
    );
    // The load balancer drains a target for its deregistration delay; a pod that keeps serving
    // that long, and is given the time to, drops no request on a rollout or cut-over.
    if let Some(main) = w.containers.iter_mut().find(|c| c.main) {
        main.pre_stop_sleep = Some(deregistration_delay);
        let grace = w.termination_grace_period_seconds.unwrap_or(30) + deregistration_delay;
        w.termination_grace_period_seconds = Some(grace);
        report.info(
            Code::TargetGroup,
            &lb.path.key("targetGroupArn"),
            format!("the load balancer drained a stopping task for {deregistration_delay} s before ECS stopped it"),
            format!("containers.{}.lifecycle.preStop sleeps {deregistration_delay} s and terminationGracePeriodSeconds is {grace}, so a stopping pod serves while it is drained", main.name),
        );
    }
}

/// A target group whose load balancer type the input does not say: an HTTP port gets the
/// Ingress (its scheme unknown), anything else a warning.
fn unknown_type(
    lb: &crate::ecs::service::LoadBalancer,
    port: Deferred<u16>,
    w: &mut Workload,
    report: &mut Report,
) {
    let http = w.ports().any(|p| {
        p.container_port == port
            && p.app_protocol
                .as_deref()
                .is_some_and(|a| a.starts_with("http") || a.contains("h2c") || a == "grpc")
    });
    if http {
        w.ingress_port = Some(port);
        if lb.target_group.is_some() {
            crate::convert::alb::elsewhere(&lb.path, w, report);
        }
    } else {
        report.warn(
            Code::LbType,
            &lb.path.key("targetGroupArn"),
            format!(
                "the load balancer type of target group {} is not known from its ARN",
                lb.target_group.as_deref().unwrap_or("(none)")
            ),
            "no Ingress; set ingress.enabled=true for an ALB, or service.type=LoadBalancer for an NLB",
        );
    }
}
