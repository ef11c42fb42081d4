//! The ECS service fields beyond replicas, rollout bounds and load balancers: the health check
//! grace period, the circuit breaker, capacity providers (spot), placement constraints, tags,
//! security groups and Service Connect aliases. Each is read here so the mapping rules can
//! carry it over; what they cannot is reported there, never dropped here.

use super::model::{CapacityMarket, CapacityShare, CircuitBreaker, ClientAlias, ServiceExtras};
use crate::ecs::reader::{NotCarried, Obj, ReadResult};
use crate::ecs::task_definition::model::PlacementConstraint;
use crate::json_path::JsonPath;
use crate::json_path::Located;
use crate::report::{Code, Report};

pub(crate) fn read(
    s: &mut Obj<'_>,
    path: &JsonPath,
    report: &mut Report,
) -> ReadResult<ServiceExtras> {
    let mut out = ServiceExtras {
        grace_period: s
            .int("healthCheckGracePeriodSeconds", 0, 2_147_483_647, report)?
            .map(|g| Located::new(g, path.key("healthCheckGracePeriodSeconds"))),
        propagate_tags: s.string("propagateTags", report)?,
        ..ServiceExtras::default()
    };
    for (entry, entry_path) in s.array("capacityProviderStrategy", report)? {
        let mut o = Obj::new(entry, entry_path)?;
        let provider = o.string("capacityProvider", report)?.unwrap_or_default();
        let weight = o.int("weight", 0, 1000, report)?.unwrap_or(0);
        let base = o.int("base", 0, 100_000, report)?.unwrap_or(0);
        o.finish(&[], report);
        out.capacity.push(CapacityShare {
            market: CapacityMarket::fargate(&provider),
            provider,
            weight,
            base,
        });
    }
    for (c, c_path) in s.array("placementConstraints", report)? {
        let mut o = Obj::new(c, c_path.clone())?;
        let kind = o.string("type", report)?.unwrap_or_default();
        let expression = o.string("expression", report)?;
        o.finish(&[], report);
        out.placement_constraints.push(PlacementConstraint {
            kind,
            expression,
            path: c_path,
        });
    }
    for (tag, tag_path) in s.array("tags", report)? {
        let mut o = Obj::new(tag, tag_path)?;
        // describe-services writes key/value; CloudFormation Key/Value.
        let key = o.string("key", report)?.or(o.string("Key", report)?);
        let value = o.string("value", report)?.or(o.string("Value", report)?);
        o.finish(&[], report);
        if let Some(key) = key {
            out.tags.insert(key, value.unwrap_or_default());
        }
    }
    if let Some(mut network) = s.object("networkConfiguration", report)? {
        out.network_path = Some(network.path().clone());
        if let Some(mut vpc) = network.object("awsvpcConfiguration", report)? {
            out.security_groups = vpc.string_list("securityGroups", report)?;
            out.assign_public_ip = vpc.string("assignPublicIp", report)?;
            vpc.finish(&[NotCarried { key: "subnets", code: Code::ServiceField, why: "pods get addresses in the subnets the VPC CNI is configured with (ENIConfig for custom networking)" }], report);
        }
        network.finish(&[], report);
    }
    if let Some(connect) = s.object("serviceConnectConfiguration", report)? {
        out.connect_path = Some(connect.path().clone());
        out.connect_aliases = service_connect(connect, report)?;
    }
    Ok(out)
}

/// `enable` and `rollback` of the deployment circuit breaker.
pub(crate) fn circuit_breaker(
    dc: &mut Obj<'_>,
    report: &mut Report,
) -> ReadResult<Option<CircuitBreaker>> {
    let Some(mut cb) = dc.object("deploymentCircuitBreaker", report)? else {
        return Ok(None);
    };
    let path = cb.path().clone();
    let enable = cb.bool("enable", report)?.unwrap_or(false);
    let rollback = cb.bool("rollback", report)?.unwrap_or(false);
    cb.finish(&[], report);
    Ok(Some(CircuitBreaker {
        enable,
        rollback,
        path,
    }))
}

/// The names and ports clients used to reach the service through Service Connect.
fn service_connect(mut connect: Obj<'_>, report: &mut Report) -> ReadResult<Vec<ClientAlias>> {
    let _ = connect.bool("enabled", report)?;
    let mut aliases = Vec::new();
    for (service, service_path) in connect.array("services", report)? {
        let mut o = Obj::new(service, service_path)?;
        let port_name = o.string("portName", report)?.unwrap_or_default();
        let discovery = o.string("discoveryName", report)?;
        for (alias, alias_path) in o.array("clientAliases", report)? {
            let mut a = Obj::new(alias, alias_path.clone())?;
            let port = a.int("port", 1, 65535, report)?;
            let dns_name = a.string("dnsName", report)?.or_else(|| discovery.clone());
            a.finish(
                &[NotCarried {
                    key: "testTrafficRules",
                    code: Code::ServiceField,
                    why: "header-based test traffic needs a service mesh or Gateway API routes",
                }],
                report,
            );
            if let Some(port) = port {
                aliases.push(ClientAlias {
                    path: alias_path,
                    port_name: port_name.clone(),
                    dns_name,
                    port,
                });
            }
        }
        o.finish(&[
            NotCarried { key: "ingressPortOverride", code: Code::ServiceField, why: "the Service Connect proxy's listener port; pods are reached on the container port" },
            NotCarried { key: "timeout", code: Code::ServiceField, why: "proxy timeouts have no Service equivalent; set them in the client or a mesh" },
            NotCarried { key: "tls", code: Code::ServiceField, why: "Service Connect TLS: use a service mesh (or cert-manager) for in-cluster TLS" },
        ], report);
    }
    connect.finish(&[
        NotCarried { key: "namespace", code: Code::ServiceField, why: "the Cloud Map namespace; Kubernetes Services resolve in the release's namespace" },
        NotCarried { key: "logConfiguration", code: Code::Logdriver, why: "the proxy's logs; pods log to stdout" },
        NotCarried { key: "accessLogConfiguration", code: Code::ServiceField, why: "proxy access logs have no Service equivalent" },
    ], report);
    Ok(aliases)
}
