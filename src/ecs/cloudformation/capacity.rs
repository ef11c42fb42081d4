//! Capacity providers followed to what runs behind them: the provider's name, its Auto Scaling
//! group, and from the group how much is spot (`MixedInstancesPolicy`'s on-demand percentage,
//! a launch template's spot market options, a launch configuration's spot price) and on which
//! instance types. Never from a name: a provider this template does not describe stays unknown.

use serde_json::Value;

use super::intrinsics::Resolver;
use super::resources::{references, resource_type};
use crate::ecs::estate::InstanceGroup;
use crate::ecs::service::{CapacityMarket, ServiceDefinition};

const PROVIDER: &str = "AWS::ECS::CapacityProvider";
const GROUP: &str = "AWS::AutoScaling::AutoScalingGroup";
const LAUNCH_TEMPLATE: &str = "AWS::EC2::LaunchTemplate";
const LAUNCH_CONFIGURATION: &str = "AWS::AutoScaling::LaunchConfiguration";

/// Fills in each strategy entry's market and, where the template names the provider, its name.
/// `raw` is the service's properties as written (before evaluation), so references are seen.
pub(super) fn resolve(resolver: &Resolver, raw: &Value, service: &mut ServiceDefinition) {
    let Some(Value::Array(entries)) = raw.get("CapacityProviderStrategy") else {
        return;
    };
    for (entry, share) in entries.iter().zip(service.extras.capacity.iter_mut()) {
        let Some(id) = references(entry.get("CapacityProvider").unwrap_or(&Value::Null))
            .into_iter()
            .find(|id| resource_type(resolver.resources, id) == Some(PROVIDER))
        else {
            continue;
        };
        let props = &resolver.resources[&id]["Properties"];
        if let Some(name) = props.get("Name").and_then(|n| resolver.known_scalar(n)) {
            share.provider = name;
        }
        share.market = props
            .pointer("/AutoScalingGroupProvider/AutoScalingGroupArn")
            .map(references)
            .and_then(|ids| {
                ids.into_iter()
                    .find(|g| resource_type(resolver.resources, g) == Some(GROUP))
            })
            .map(|group| market(resolver, &group));
    }
}

/// Every Auto Scaling group of the template with the instances it keeps, for the bill.
pub(super) fn groups(resolver: &Resolver) -> Vec<InstanceGroup> {
    super::resources::resources_of_type(resolver.resources, GROUP)
        .map(|(id, r)| {
            let m = market(resolver, id);
            let number = |key: &str| {
                r.pointer(&format!("/Properties/{key}"))
                    .and_then(|v| resolver.known_scalar(v))
                    .and_then(|t| t.parse::<i64>().ok())
            };
            let (count, count_source) = match (number("DesiredCapacity"), number("MinSize")) {
                (Some(n), _) => (Some(n), "DesiredCapacity"),
                (None, Some(n)) => (Some(n), "MinSize"),
                (None, None) => (None, "neither DesiredCapacity nor MinSize known"),
            };
            InstanceGroup {
                logical_id: id.clone(),
                instance_types: m.instance_types,
                count,
                count_source,
                spot_percent: m.spot_percent,
                on_demand_base: m.on_demand_base,
            }
        })
        .collect()
}

fn market(resolver: &Resolver, group: &str) -> CapacityMarket {
    let props = &resolver.resources[group]["Properties"];
    let number = |pointer: &str, default: i64| {
        props
            .pointer(pointer)
            .and_then(|v| resolver.known_scalar(v))
            .and_then(|t| t.parse::<i64>().ok())
            .unwrap_or(default)
    };
    let subnets = match props
        .get("VPCZoneIdentifier")
        .map(|v| resolver.resolve_quietly(v).0)
    {
        Some(Some(Value::Array(list))) => list.len(),
        _ => props
            .get("AvailabilityZones")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
    };
    if let Some(mixed) = props.get("MixedInstancesPolicy") {
        let on_demand = number(
            "/MixedInstancesPolicy/InstancesDistribution/OnDemandPercentageAboveBaseCapacity",
            100,
        );
        let base = number(
            "/MixedInstancesPolicy/InstancesDistribution/OnDemandBaseCapacity",
            0,
        );
        let mut types: Vec<String> = mixed
            .pointer("/LaunchTemplate/Overrides")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|o| o.get("InstanceType").and_then(|t| resolver.known_scalar(t)))
            .collect();
        if types.is_empty() {
            types = launch_template_types(
                resolver,
                mixed.pointer("/LaunchTemplate/LaunchTemplateSpecification"),
            );
        }
        return CapacityMarket {
            spot_percent: 100 - on_demand.clamp(0, 100),
            on_demand_base: base,
            source: format!("{group}: MixedInstancesPolicy, OnDemandPercentageAboveBaseCapacity {on_demand}, OnDemandBaseCapacity {base}"),
            instance_types: types,
            group: Some(group.to_string()),
            subnets,
        };
    }
    let (spot, source, types) = single_market(resolver, props, group);
    CapacityMarket {
        spot_percent: if spot { 100 } else { 0 },
        on_demand_base: 0,
        source,
        instance_types: types,
        group: Some(group.to_string()),
        subnets,
    }
}

/// A group with one launch template or configuration: all spot or all on demand.
fn single_market(resolver: &Resolver, props: &Value, group: &str) -> (bool, String, Vec<String>) {
    if let Some(spec) = props.get("LaunchTemplate") {
        let data = launch_template_data(resolver, Some(spec));
        let spot = data
            .and_then(|d| d.pointer("/InstanceMarketOptions/MarketType"))
            .and_then(|m| resolver.known_scalar(m))
            .is_some_and(|m| m.eq_ignore_ascii_case("spot"));
        let how = if spot {
            "spot market options"
        } else {
            "no spot market options"
        };
        return (
            spot,
            format!("{group}: launch template with {how}"),
            launch_template_types(resolver, Some(spec)),
        );
    }
    let config = props
        .get("LaunchConfigurationName")
        .map(references)
        .and_then(|ids| {
            ids.into_iter()
                .find(|c| resource_type(resolver.resources, c) == Some(LAUNCH_CONFIGURATION))
        });
    let Some(config) = config else {
        return (
            false,
            format!("{group}: on demand (no spot settings)"),
            Vec::new(),
        );
    };
    let config_props = &resolver.resources[&config]["Properties"];
    let spot = config_props.get("SpotPrice").is_some();
    let types = config_props
        .get("InstanceType")
        .and_then(|t| resolver.known_scalar(t))
        .into_iter()
        .collect();
    let how = if spot {
        "a spot price"
    } else {
        "no spot price"
    };
    (
        spot,
        format!("{group}: launch configuration {config} with {how}"),
        types,
    )
}

fn launch_template_data<'a>(resolver: &'a Resolver, spec: Option<&Value>) -> Option<&'a Value> {
    let id = references(
        spec?
            .get("LaunchTemplateId")
            .or_else(|| spec?.get("LaunchTemplateName"))?,
    )
    .into_iter()
    .find(|t| resource_type(resolver.resources, t) == Some(LAUNCH_TEMPLATE))?;
    resolver.resources[&id].pointer("/Properties/LaunchTemplateData")
}

fn launch_template_types(resolver: &Resolver, spec: Option<&Value>) -> Vec<String> {
    launch_template_data(resolver, spec)
        .and_then(|d| d.get("InstanceType"))
        .and_then(|t| resolver.known_scalar(t))
        .into_iter()
        .collect()
}
