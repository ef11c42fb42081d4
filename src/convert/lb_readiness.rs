//! On ECS the load balancer decided when a task took traffic: its target group's health check.
//! A container with no health check of its own gets that check as its readiness probe, so a
//! rolling update or a cut-over sends traffic only to pods that answer it.

use crate::ecs::alb::HealthCheck;
use crate::ecs::service::LoadBalancer;
use crate::report::{Code, Report};
use crate::workload::{Probe, ProbeAction, Workload};

/// Elastic Load Balancing's documented defaults for a check that does not set them.
const DEFAULT_INTERVAL: i64 = 30;
const DEFAULT_HEALTHY: i64 = 5;
const DEFAULT_UNHEALTHY: i64 = 2;

pub(crate) fn apply(lb: &LoadBalancer, port_name: &str, w: &mut Workload, report: &mut Report) {
    let Some(routing) = &lb.routing else { return };
    let check = &routing.target_group.health_check;
    if check.enabled == Some(false) {
        return;
    }
    let target = lb
        .container_name
        .as_deref()
        .map(|n| crate::convert::naming::dns_label(n, 63));
    let Some(container) = w
        .containers
        .iter_mut()
        .find(|c| target.as_ref().is_none_or(|t| *t == c.name))
    else {
        return;
    };
    let path = routing.target_group.path.clone();
    if container.probe.is_some() {
        report.info(
            Code::LbReadiness,
            &path,
            format!("the target group's health check and container {:?}'s own health check both judged the task", container.name),
            "the container's own check is its readiness probe; the target group's check stays in the Ingress annotations",
        );
        return;
    }
    let tg_protocol = routing.target_group.protocol.as_deref().unwrap_or("HTTP");
    let action = action(check, tg_protocol, port_name);
    let http = !matches!(action, ProbeAction::TcpSocket { .. });
    let timeout = check.timeout_seconds.unwrap_or(match (http, tg_protocol) {
        (true, "HTTP" | "HTTPS") => 5,
        (true, _) => 6,
        (false, _) => 10,
    });
    let matcher = check.success_codes.as_deref().unwrap_or("200");
    let described = match &action {
        ProbeAction::HttpGet { path, port, scheme } => {
            format!("{scheme} GET {path} on port {port}")
        }
        ProbeAction::TcpSocket { port } => format!("a TCP connection to port {port}"),
        ProbeAction::Exec(_) => String::new(),
    };
    container.probe = Some(Probe {
        action,
        period_seconds: check.interval_seconds.unwrap_or(DEFAULT_INTERVAL),
        timeout_seconds: timeout,
        failure_threshold: check.unhealthy_threshold.unwrap_or(DEFAULT_UNHEALTHY),
        startup_failure_threshold: None,
        liveness: false,
        success_threshold: Some(check.healthy_threshold.unwrap_or(DEFAULT_HEALTHY)),
    });
    let codes = if http && !within_kubernetes_success(matcher) {
        format!("; the target group took HTTP {matcher} as healthy, a probe takes 200-399: check the path answers within that")
    } else {
        String::new()
    };
    report.info(
        Code::LbReadiness,
        &path,
        format!("container {:?} has no health check; the load balancer judged it by {described}", container.name),
        format!("containers.{}.readinessProbe from the target group's check (no liveness probe: ECS replaced tasks the load balancer found unhealthy; enable livenessProbe with the same check for restarts){codes}", container.name),
    );
}

fn action(check: &HealthCheck, tg_protocol: &str, port_name: &str) -> ProbeAction {
    let port = match check.port.as_deref() {
        None | Some("traffic-port") => port_name.to_string(),
        Some(number) => number.to_string(),
    };
    let protocol = check
        .protocol
        .as_deref()
        .unwrap_or(match tg_protocol {
            "HTTP" | "HTTPS" => tg_protocol,
            _ if check.path.is_some() => "HTTP",
            _ => "TCP",
        })
        .to_ascii_uppercase();
    match protocol.as_str() {
        "HTTP" | "HTTPS" => ProbeAction::HttpGet {
            path: check.path.clone().unwrap_or_else(|| "/".into()),
            port,
            scheme: if protocol == "HTTPS" { "HTTPS" } else { "HTTP" },
        },
        _ => ProbeAction::TcpSocket { port },
    }
}

/// Whether every code the matcher accepts is one a Kubernetes HTTP probe counts as success.
fn within_kubernetes_success(matcher: &str) -> bool {
    matcher.split(',').all(|part| {
        let mut bounds = part.trim().splitn(2, '-').map(|b| b.trim().parse::<u16>());
        match (bounds.next(), bounds.next()) {
            (Some(Ok(low)), None) => (200..400).contains(&low),
            (Some(Ok(low)), Some(Ok(high))) => low >= 200 && high < 400,
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matcher_is_compared_with_what_a_probe_accepts() {
        assert!(within_kubernetes_success("200"));
        assert!(within_kubernetes_success("200-299,301"));
        assert!(!within_kubernetes_success("200-499"));
        assert!(!within_kubernetes_success("12"));
    }

    #[test]
    fn traffic_port_is_the_container_port_and_a_path_makes_it_http() {
        let check = HealthCheck {
            path: Some("/metrics".into()),
            port: Some("15692".into()),
            ..Default::default()
        };
        assert_eq!(
            action(&check, "TCP", "amqp"),
            ProbeAction::HttpGet {
                path: "/metrics".into(),
                port: "15692".into(),
                scheme: "HTTP"
            }
        );
        let tcp = HealthCheck::default();
        assert_eq!(
            action(&tcp, "TCP", "amqp"),
            ProbeAction::TcpSocket {
                port: "amqp".into()
            }
        );
        let alb = HealthCheck {
            port: Some("traffic-port".into()),
            ..Default::default()
        };
        assert!(
            matches!(action(&alb, "HTTP", "http"), ProbeAction::HttpGet { ref port, .. } if port == "http")
        );
    }
}
