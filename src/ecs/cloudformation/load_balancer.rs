//! The Application Load Balancer around a service's target group, read from the template: the
//! target group's own settings, the listeners and listener rules that forward to it, their
//! certificates, and the load balancer they belong to.

use serde_json::{Map, Value};

use super::intrinsics::Resolver;
use super::resources::{references, resource_type, resources_of_type};
use crate::ecs::alb::{
    AlbRouting, HealthCheck, Listener, ListenerRule, LoadBalancerSettings, TargetGroupSettings,
};
use crate::json_path::JsonPath;
use crate::report::Report;

const TARGET_GROUP: &str = "AWS::ElasticLoadBalancingV2::TargetGroup";
const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
const RULE: &str = "AWS::ElasticLoadBalancingV2::ListenerRule";
const CERTIFICATE: &str = "AWS::ElasticLoadBalancingV2::ListenerCertificate";
const LOAD_BALANCER: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";

/// One resource's properties, resolved key by key as they are read, so fields the chart does
/// not carry never raise placeholders.
struct Props<'a> {
    raw: &'a Value,
    path: JsonPath,
    resolver: &'a Resolver<'a>,
}

impl<'a> Props<'a> {
    fn of(resolver: &'a Resolver<'a>, id: &str) -> Props<'a> {
        static EMPTY: Value = Value::Null;
        Props {
            raw: resolver.resources[id].get("Properties").unwrap_or(&EMPTY),
            path: JsonPath::root().key("Resources").key(id).key("Properties"),
            resolver,
        }
    }

    fn value(&self, pointer: &str, report: &mut Report) -> Option<Value> {
        let raw = self.raw.pointer(pointer)?;
        Some(
            self.resolver
                .resolve(raw, &self.path.below(pointer), report),
        )
    }

    fn text(&self, pointer: &str, report: &mut Report) -> Option<String> {
        match self.value(pointer, report)? {
            Value::String(s) => Some(s),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    fn int(&self, pointer: &str, report: &mut Report) -> Option<i64> {
        self.text(pointer, report)?.parse().ok()
    }

    fn strings(&self, pointer: &str, report: &mut Report) -> Vec<String> {
        match self.value(pointer, report) {
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn refers_to(&self, key: &str, id: &str) -> bool {
        references(self.raw.get(key).unwrap_or(&Value::Null))
            .iter()
            .any(|r| r == id)
    }

    fn len(&self, key: &str) -> usize {
        self.raw
            .get(key)
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    }

    fn attributes(&self, key: &str, report: &mut Report) -> Vec<(String, String)> {
        (0..self.len(key))
            .filter_map(|i| {
                Some((
                    self.text(&format!("/{key}/{i}/Key"), report)?,
                    self.text(&format!("/{key}/{i}/Value"), report)?,
                ))
            })
            .collect()
    }
}

fn ids_of<'a>(
    resources: &'a Map<String, Value>,
    kind: &'a str,
) -> impl Iterator<Item = &'a String> {
    resources_of_type(resources, kind).map(|(id, _)| id)
}

/// The routing around target group `tg`, or None when `tg` is not a target group here.
pub(super) fn routing(resolver: &Resolver, tg: &str, report: &mut Report) -> Option<AlbRouting> {
    if resource_type(resolver.resources, tg) != Some(TARGET_GROUP) {
        return None;
    }
    let target_group = target_group(&Props::of(resolver, tg), report);
    let rules = rules(resolver, tg, report);
    let mut listener_ids: Vec<&String> = ids_of(resolver.resources, LISTENER)
        .filter(|id| {
            let p = Props::of(resolver, id);
            p.refers_to("DefaultActions", tg) || rules.iter().any(|(listener, _)| listener == *id)
        })
        .collect();
    let balancers: Vec<String> = listener_ids
        .iter()
        .flat_map(|id| references(&resolver.resources[*id]["Properties"]["LoadBalancerArn"]))
        .collect();
    // A listener on the same load balancer that only redirects to HTTPS belongs with them.
    for id in ids_of(resolver.resources, LISTENER) {
        let p = Props::of(resolver, id);
        let same_balancer = balancers.iter().any(|b| p.refers_to("LoadBalancerArn", b));
        if same_balancer && !listener_ids.contains(&id) && redirect(&p, report).is_some() {
            listener_ids.push(id);
        }
    }
    let listeners = listener_ids
        .iter()
        .map(|id| listener(resolver, id, tg, report))
        .collect();
    let load_balancer = balancers
        .first()
        .filter(|b| resource_type(resolver.resources, b) == Some(LOAD_BALANCER))
        .map(|b| load_balancer(&Props::of(resolver, b), b, report));
    Some(AlbRouting {
        target_group,
        listeners,
        rules: rules.into_iter().map(|(_, rule)| rule).collect(),
        load_balancer,
    })
}

fn target_group(p: &Props, report: &mut Report) -> TargetGroupSettings {
    let health_check = HealthCheck {
        enabled: p.text("/HealthCheckEnabled", report).map(|t| t == "true"),
        path: p.text("/HealthCheckPath", report),
        port: p.text("/HealthCheckPort", report),
        protocol: p.text("/HealthCheckProtocol", report),
        interval_seconds: p.int("/HealthCheckIntervalSeconds", report),
        timeout_seconds: p.int("/HealthCheckTimeoutSeconds", report),
        healthy_threshold: p.int("/HealthyThresholdCount", report),
        unhealthy_threshold: p.int("/UnhealthyThresholdCount", report),
        success_codes: p
            .text("/Matcher/HttpCode", report)
            .or_else(|| p.text("/Matcher/GrpcCode", report)),
    };
    TargetGroupSettings {
        path: p.path.clone(),
        protocol: p.text("/Protocol", report),
        protocol_version: p.text("/ProtocolVersion", report),
        target_type: p.text("/TargetType", report),
        health_check,
        attributes: p.attributes("TargetGroupAttributes", report),
    }
}

/// The HTTPS port a listener's default action redirects to, if that is all it does.
fn redirect(p: &Props, report: &mut Report) -> Option<String> {
    let protocol = p.text("/DefaultActions/0/RedirectConfig/Protocol", report)?;
    if !protocol.eq_ignore_ascii_case("HTTPS") {
        return None;
    }
    let port = p.text("/DefaultActions/0/RedirectConfig/Port", report);
    // `#{port}` keeps the request's port, which for an HTTPS redirect means the usual one.
    Some(
        port.filter(|p| !p.starts_with('#'))
            .unwrap_or_else(|| "443".into()),
    )
}

fn listener(resolver: &Resolver, id: &str, tg: &str, report: &mut Report) -> Listener {
    let p = Props::of(resolver, id);
    let mut certificates: Vec<String> = (0..p.len("Certificates"))
        .filter_map(|i| p.text(&format!("/Certificates/{i}/CertificateArn"), report))
        .collect();
    for extra in ids_of(resolver.resources, CERTIFICATE) {
        let c = Props::of(resolver, extra);
        if c.refers_to("ListenerArn", id) {
            certificates.extend(
                (0..c.len("Certificates"))
                    .filter_map(|i| c.text(&format!("/Certificates/{i}/CertificateArn"), report)),
            );
        }
    }
    Listener {
        path: p.path.clone(),
        protocol: p.text("/Protocol", report),
        port: p.int("/Port", report),
        certificates,
        ssl_policy: p.text("/SslPolicy", report),
        forwards_by_default: p.refers_to("DefaultActions", tg),
        redirects_to_https: redirect(&p, report),
    }
}

/// The rules that forward to `tg`, each with the logical ID of its listener.
fn rules(resolver: &Resolver, tg: &str, report: &mut Report) -> Vec<(String, ListenerRule)> {
    let mut out: Vec<(String, ListenerRule)> = ids_of(resolver.resources, RULE)
        .filter_map(|id| {
            let p = Props::of(resolver, id);
            if !p.refers_to("Actions", tg) {
                return None;
            }
            let listener = references(p.raw.get("ListenerArn").unwrap_or(&Value::Null))
                .into_iter()
                .next()
                .unwrap_or_default();
            let mut rule = ListenerRule {
                path: p.path.clone(),
                priority: p.int("/Priority", report),
                ..Default::default()
            };
            for i in 0..p.len("Conditions") {
                let at = |key: &str| format!("/Conditions/{i}/{key}");
                let field = p.text(&at("Field"), report).unwrap_or_default();
                // CDK writes the typed config; older templates the flat Values list.
                let mut values = |config: &str| {
                    let typed = p.strings(&at(&format!("{config}/Values")), &mut *report);
                    if typed.is_empty() {
                        p.strings(&at("Values"), &mut *report)
                    } else {
                        typed
                    }
                };
                match field.as_str() {
                    "host-header" => rule.hosts.extend(values("HostHeaderConfig")),
                    "path-pattern" => rule.paths.extend(values("PathPatternConfig")),
                    other => rule.other_conditions.push(other.to_string()),
                }
            }
            Some((listener, rule))
        })
        .collect();
    out.sort_by_key(|(_, r)| r.priority.unwrap_or(i64::MAX));
    out
}

fn load_balancer(p: &Props, id: &str, report: &mut Report) -> LoadBalancerSettings {
    let not_carried = ["Name", "Subnets", "SubnetMappings", "SecurityGroups"]
        .into_iter()
        .filter(|k| p.raw.get(*k).is_some())
        .collect();
    LoadBalancerSettings {
        logical_id: id.to_string(),
        path: p.path.clone(),
        // CloudFormation's default when Scheme is absent.
        scheme: p
            .text("/Scheme", report)
            .or_else(|| Some("internet-facing".into())),
        ip_address_type: p.text("/IpAddressType", report),
        attributes: p.attributes("LoadBalancerAttributes", report),
        not_carried,
    }
}

/// Every load balancer the template creates, for the bill: Elastic Load Balancing v2 by its
/// `Type` (application unless it says otherwise) and classic ones.
pub(super) fn all(resolver: &Resolver) -> Vec<crate::ecs::estate::LoadBalancer> {
    let v2 = resources_of_type(resolver.resources, LOAD_BALANCER).map(|(id, r)| {
        let kind = r
            .pointer("/Properties/Type")
            .and_then(|t| resolver.known_scalar(t))
            .unwrap_or_else(|| "application".into());
        (id, kind)
    });
    let classic = resources_of_type(
        resolver.resources,
        "AWS::ElasticLoadBalancing::LoadBalancer",
    )
    .map(|(id, _)| (id, "classic".to_string()));
    v2.chain(classic)
        .map(|(id, kind)| crate::ecs::estate::LoadBalancer {
            logical_id: id.clone(),
            kind: kind.to_ascii_lowercase(),
        })
        .collect()
}
