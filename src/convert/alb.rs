//! The ALB around an ECS service, carried over as AWS Load Balancer Controller annotations and
//! Ingress rules: the controller then builds a load balancer that checks health, listens,
//! terminates TLS and routes as the ECS one did.

use std::collections::BTreeMap;

use crate::ecs::alb::{AlbRouting, ListenerRule};
use crate::json_path::JsonPath;
use crate::report::{Code, Report};
use crate::workload::{IngressHost, IngressPath, Workload};

const PREFIX: &str = "alb.ingress.kubernetes.io/";

/// The scheme an Ingress holds when the load balancer is not in the input: the render
/// refuses it, so nobody exposes (or hides) a service by a guess.
const UNKNOWN_SCHEME: &str = "${ALB_SCHEME}";

/// The service's load balancer exists but the input describes neither it nor its target group
/// (another stack, or describe-services alone).
pub(crate) fn elsewhere(path: &JsonPath, w: &mut Workload, report: &mut Report) {
    let a = &mut w.ingress.annotations;
    a.insert(format!("{PREFIX}scheme"), UNKNOWN_SCHEME.into());
    a.insert(format!("{PREFIX}target-type"), "ip".into());
    unknown_scheme(path, report);
}

fn unknown_scheme(path: &JsonPath, report: &mut Report) {
    report.info(
        Code::AlbSettings,
        path,
        "the load balancer is not in the input (another stack?): whether it faces the internet is not known",
        format!("ingress.annotations holds scheme {UNKNOWN_SCHEME}; set internal or internet-facing before enabling the Ingress (the render refuses the placeholder)"),
    );
}

pub(crate) fn apply(routing: &AlbRouting, w: &mut Workload, report: &mut Report) {
    let mut a = BTreeMap::new();
    target_group(routing, &mut a, report);
    listeners(routing, &mut a);
    let Some(lb) = &routing.load_balancer else {
        a.insert(format!("{PREFIX}scheme"), UNKNOWN_SCHEME.into());
        unknown_scheme(&routing.target_group.path, report);
        return finish(routing, a, w, report);
    };
    {
        set(&mut a, "scheme", lb.scheme.clone());
        set(&mut a, "ip-address-type", lb.ip_address_type.clone());
        set(&mut a, "load-balancer-attributes", pairs(&lb.attributes));
        // Services that shared one ALB on ECS share one on EKS: an Ingress group.
        let group = crate::convert::naming::dns_label(&lb.logical_id, 63);
        a.insert(format!("{PREFIX}group.name"), group.clone());
        if !lb.not_carried.is_empty() {
            report.info(
                Code::AlbSettings,
                &lb.path,
                format!(
                    "load balancer {} sets {}",
                    lb.logical_id,
                    lb.not_carried.join(", ")
                ),
                format!("not carried: the controller picks subnets by their kubernetes.io/role tags, manages its own security groups and names the ALB; Ingresses with group.name {group:?} share one ALB, as the services shared this one"),
            );
        }
    }
    finish(routing, a, w, report);
}

fn finish(
    routing: &AlbRouting,
    a: BTreeMap<String, String>,
    w: &mut Workload,
    report: &mut Report,
) {
    let carried: Vec<String> = a
        .keys()
        .map(|k| k.trim_start_matches(PREFIX).to_string())
        .collect();
    report.info(
        Code::AlbSettings,
        &routing.target_group.path,
        "the target group's health check and the listeners' ports and certificates",
        format!("ingress.annotations: {}", carried.join(", ")),
    );
    w.ingress.annotations = a;
    w.ingress.hosts = routes(routing, report);
}

fn set(a: &mut BTreeMap<String, String>, key: &str, value: Option<String>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        a.insert(format!("{PREFIX}{key}"), v);
    }
}

fn pairs(items: &[(String, String)]) -> Option<String> {
    let joined: Vec<String> = items.iter().map(|(k, v)| format!("{k}={v}")).collect();
    (!joined.is_empty()).then(|| joined.join(","))
}

fn target_group(routing: &AlbRouting, a: &mut BTreeMap<String, String>, report: &mut Report) {
    let tg = &routing.target_group;
    let hc = &tg.health_check;
    // Pods have VPC addresses, so the controller registers them as IP targets, as awsvpc did.
    a.insert(format!("{PREFIX}target-type"), "ip".into());
    if let Some(kind) = tg
        .target_type
        .as_deref()
        .filter(|t| !t.eq_ignore_ascii_case("ip"))
    {
        report.info(
            Code::AlbSettings,
            &tg.path.key("TargetType"),
            format!("the target group registers {kind} targets"),
            "target-type ip: pods get VPC addresses and register directly; set it to instance (with service.type NodePort) to register nodes instead",
        );
    }
    set(a, "backend-protocol", tg.protocol.clone());
    set(a, "backend-protocol-version", tg.protocol_version.clone());
    set(a, "healthcheck-path", hc.path.clone());
    set(a, "healthcheck-port", hc.port.clone());
    set(a, "healthcheck-protocol", hc.protocol.clone());
    let number = |n: Option<i64>| n.map(|n| n.to_string());
    set(
        a,
        "healthcheck-interval-seconds",
        number(hc.interval_seconds),
    );
    set(a, "healthcheck-timeout-seconds", number(hc.timeout_seconds));
    set(a, "healthy-threshold-count", number(hc.healthy_threshold));
    set(
        a,
        "unhealthy-threshold-count",
        number(hc.unhealthy_threshold),
    );
    set(a, "success-codes", hc.success_codes.clone());
    set(a, "target-group-attributes", pairs(&tg.attributes));
    if hc.enabled == Some(false) {
        report.warn(
            Code::AlbSettings,
            &tg.path.key("HealthCheckEnabled"),
            "the target group's health check is off",
            "IP targets are always health checked; the controller's defaults apply (healthcheck-path /)",
        );
    }
}

fn listeners(routing: &AlbRouting, a: &mut BTreeMap<String, String>) {
    let mut ports = Vec::new();
    let mut certificates = Vec::new();
    for l in &routing.listeners {
        if let (Some(protocol), Some(port)) = (&l.protocol, l.port) {
            ports.push(serde_json::json!({ protocol.to_ascii_uppercase(): port }));
        }
        for c in &l.certificates {
            if !certificates.contains(c) {
                certificates.push(c.clone());
            }
        }
        set(a, "ssl-policy", l.ssl_policy.clone());
        set(a, "ssl-redirect", l.redirects_to_https.clone());
    }
    if !ports.is_empty() {
        a.insert(
            format!("{PREFIX}listen-ports"),
            serde_json::Value::Array(ports).to_string(),
        );
    }
    set(
        a,
        "certificate-arn",
        (!certificates.is_empty()).then(|| certificates.join(",")),
    );
}

/// Ingress hosts and paths: each rule's hosts times its paths, by priority, then the
/// listener's default action as a catch-all.
fn routes(routing: &AlbRouting, report: &mut Report) -> Hosts {
    let mut hosts = Hosts::new();
    for rule in &routing.rules {
        if !rule.other_conditions.is_empty() {
            report.warn(
                Code::AlbCondition,
                &rule.path.key("Conditions"),
                format!(
                    "the rule also matches on {}",
                    rule.other_conditions.join(", ")
                ),
                "not an Ingress rule: the route matches on host and path only; add alb.ingress.kubernetes.io/conditions.<service> by hand",
            );
        }
        let paths = rule_paths(rule, report);
        for host in rule_hosts(rule, report) {
            for path in &paths {
                add(&mut hosts, host.clone(), path.clone());
            }
        }
    }
    let catch_all = routing.listeners.iter().any(|l| l.forwards_by_default);
    if catch_all || hosts.is_empty() {
        add(&mut hosts, String::new(), ("/".into(), "Prefix".into()));
    }
    if !routing.rules.is_empty() {
        report.info(
            Code::AlbRoute,
            &routing.rules[0].path,
            format!("{} listener rule(s) route to the service", routing.rules.len()),
            "ingress.hosts, in priority order; a catch-all is kept only where the listener's default action forwarded here",
        );
    }
    hosts
}

type Hosts = Vec<IngressHost>;

fn add(hosts: &mut Hosts, host: String, path: (String, String)) {
    let path = IngressPath {
        path: path.0,
        path_type: path.1,
    };
    match hosts.iter_mut().find(|h| h.host == host) {
        Some(h) if !h.paths.contains(&path) => h.paths.push(path),
        Some(_) => {}
        None => hosts.push(IngressHost {
            host,
            paths: vec![path],
        }),
    }
}

fn rule_hosts(rule: &ListenerRule, report: &mut Report) -> Vec<String> {
    if rule.hosts.is_empty() {
        return vec![String::new()];
    }
    rule.hosts
        .iter()
        .filter_map(|h| {
            let host = h.to_ascii_lowercase();
            let rest = host.strip_prefix("*.").unwrap_or(&host);
            if rest.contains(['*', '?']) {
                report.warn(
                    Code::AlbCondition,
                    &rule.path.key("Conditions"),
                    format!("host pattern {h:?} has a wildcard inside a label"),
                    "not carried: an Ingress host takes a wildcard only as its whole first label (*.example.com)",
                );
                return None;
            }
            Some(host)
        })
        .collect()
}

/// ALB path patterns in Ingress terms: `/x/*` is the prefix `/x`, a pattern without wildcards
/// matches exactly, and any other wildcard is kept for the controller as
/// ImplementationSpecific.
fn rule_paths(rule: &ListenerRule, report: &mut Report) -> Vec<(String, String)> {
    if rule.paths.is_empty() {
        return vec![("/".into(), "Prefix".into())];
    }
    rule.paths
        .iter()
        .map(|p| {
            let wild = |s: &str| s.contains(['*', '?']);
            match p.strip_suffix("/*").or_else(|| p.strip_suffix('*').filter(|s| s.is_empty())) {
                Some(base) if !wild(base) => {
                    let base = if base.is_empty() { "/" } else { base };
                    (base.to_string(), "Prefix".to_string())
                }
                _ if !wild(p) => (p.clone(), "Exact".to_string()),
                _ => {
                    report.info(
                        Code::AlbRoute,
                        &rule.path.key("Conditions"),
                        format!("path pattern {p:?} has a wildcard the Ingress API cannot express"),
                        "kept verbatim with pathType ImplementationSpecific, which the AWS Load Balancer Controller matches as the ALB did",
                    );
                    (p.clone(), "ImplementationSpecific".to_string())
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_path::JsonPath;

    fn rule(paths: &[&str]) -> ListenerRule {
        ListenerRule {
            path: JsonPath::root(),
            paths: paths.iter().map(|p| p.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn path_patterns_become_ingress_paths() {
        let mut report = Report::default();
        let got = rule_paths(
            &rule(&["/orders/*", "/health", "/*", "*", "/v*/items"]),
            &mut report,
        );
        let want = [
            ("/orders", "Prefix"),
            ("/health", "Exact"),
            ("/", "Prefix"),
            ("/", "Prefix"),
            ("/v*/items", "ImplementationSpecific"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(got, want);
        assert_eq!(report.findings.len(), 1);
    }

    #[test]
    fn hosts_keep_only_leading_wildcards() {
        let mut report = Report::default();
        let mut r = rule(&[]);
        r.hosts = vec![
            "Shop.Example.com".into(),
            "*.example.com".into(),
            "api-*.example.com".into(),
        ];
        assert_eq!(
            rule_hosts(&r, &mut report),
            ["shop.example.com", "*.example.com"]
        );
        assert_eq!(report.findings[0].code, Code::AlbCondition);
    }
}
