//! Cloud Map names of a service: each `ServiceRegistries` entry followed to its
//! `AWS::ServiceDiscovery::Service` and that service's namespace, giving the DNS name clients
//! used (`<service>.<namespace>`).

use serde_json::Value;

use super::intrinsics::Resolver;
use super::resources::{references, resource_type};
use crate::ecs::service::ServiceDefinition;
use crate::json_path::{JsonPath, Located};

const REGISTRY: &str = "AWS::ServiceDiscovery::Service";

pub(super) fn resolve(
    resolver: &Resolver,
    raw: &Value,
    path: &JsonPath,
    service: &mut ServiceDefinition,
) {
    let Some(Value::Array(entries)) = raw.get("ServiceRegistries") else {
        return;
    };
    for (i, entry) in entries.iter().enumerate() {
        let Some(registry) = references(entry.get("RegistryArn").unwrap_or(&Value::Null))
            .into_iter()
            .find(|id| resource_type(resolver.resources, id) == Some(REGISTRY))
        else {
            continue;
        };
        let props = &resolver.resources[&registry]["Properties"];
        let Some(name) = props.get("Name").and_then(|n| resolver.known_scalar(n)) else {
            continue;
        };
        let namespace_ref = props
            .pointer("/DnsConfig/NamespaceId")
            .or_else(|| props.get("NamespaceId"))
            .map(references)
            .unwrap_or_default();
        let namespace = namespace_ref.iter().find_map(|ns| {
            let ns_props = resolver.resources.get(ns)?.get("Properties")?;
            resolver.known_scalar(ns_props.get("Name")?)
        });
        if let Some(namespace) = namespace {
            service.discovery_names.push(Located::new(
                format!("{name}.{namespace}"),
                path.key("ServiceRegistries").index(i),
            ));
        }
    }
}
