//! Application Auto Scaling in a template: a scalable target names its service in ResourceId,
//! and its policies name the target. Target tracking on CPU or memory becomes the HPA's metrics
//! and its cooldowns the HPA's stabilization windows; anything else is reported.

use serde_json::Value;

use super::intrinsics::Resolver;
use super::resources::{references, resources_of_type};
use super::template::TemplateService;
use crate::ecs::service::Scaling;
use crate::json_path::JsonPath;
use crate::report::Code;

const TARGET: &str = "AWS::ApplicationAutoScaling::ScalableTarget";
const POLICY: &str = "AWS::ApplicationAutoScaling::ScalingPolicy";

fn number(value: Option<&Value>) -> Option<i64> {
    value.and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
}

/// The scalable targets and their policies, evaluated (parameters, conditions, mappings) and
/// attached to the services they name, by logical ID or by the service's name.
pub(super) fn attach(resolver: &Resolver, services: &mut [TemplateService]) {
    let resources = resolver.resources;
    let root = JsonPath::root().key("Resources");
    for (id, target) in resources_of_type(resources, TARGET) {
        let raw = target.get("Properties").cloned().unwrap_or_default();
        let refs = references(raw.get("ResourceId").unwrap_or(&Value::Null));
        let resource_id = raw.get("ResourceId").and_then(|r| resolver.known_scalar(r));
        let Some(service) = services
            .iter_mut()
            .find(|s| refs.contains(&s.logical_id) || names_service(resource_id.as_deref(), s))
        else {
            continue;
        };
        let props = quietly(resolver, &raw);
        let path = root.key(id).key("Properties");
        let mut scaling = Scaling {
            min: capacity(&props, "MinCapacity", &path, service),
            max: capacity(&props, "MaxCapacity", &path, service),
            ..Default::default()
        };
        for (policy_id, policy) in resources_of_type(resources, POLICY) {
            let p = quietly(
                resolver,
                &policy.get("Properties").cloned().unwrap_or_default(),
            );
            if !references(p.get("ScalingTargetId").unwrap_or(&Value::Null)).contains(id) {
                continue;
            }
            let path = root.key(policy_id).key("Properties");
            policy_into(&p, &path, &mut scaling, service);
        }
        service.service.scaling = Some(scaling);
    }
}

/// Properties with their intrinsics evaluated; what stays unknown is handled by the caller.
fn quietly(resolver: &Resolver, properties: &Value) -> Value {
    resolver
        .resolve_quietly(properties)
        .0
        .unwrap_or(Value::Null)
}

/// `service/CLUSTER/NAME`: the ResourceId of a scalable target on the named service.
fn names_service(resource_id: Option<&str>, service: &TemplateService) -> bool {
    let (Some(id), Some(name)) = (resource_id, service.service.name.as_deref()) else {
        return false;
    };
    id.starts_with("service/") && id.rsplit('/').next() == Some(name)
}

/// A capacity bound; one only known at deploy time is reported and taken as 1.
fn capacity(props: &Value, key: &str, path: &JsonPath, service: &mut TemplateService) -> i64 {
    if let Some(n) = number(props.get(key)) {
        return n;
    }
    if props.get(key).is_some() {
        service.report.warn(
            Code::CfnUnresolved,
            &path.key(key),
            format!("{key} is only known when the stack is deployed"),
            "taken as 1: set autoscaling.minReplicas and maxReplicas, or convert with --var for the parameter",
        );
    }
    1
}

fn policy_into(p: &Value, path: &JsonPath, scaling: &mut Scaling, service: &mut TemplateService) {
    let Some(config) = p.get("TargetTrackingScalingPolicyConfiguration") else {
        let kind = p
            .get("PolicyType")
            .and_then(Value::as_str)
            .unwrap_or("a policy");
        service.report.warn(
            Code::StepScaling,
            path,
            format!("{kind} scales by steps on a CloudWatch alarm"),
            "not carried over; the HorizontalPodAutoscaler scales toward a target, so set autoscaling.targetCPUUtilizationPercentage (or a custom metric) to the level the alarm guarded",
        );
        return;
    };
    let path = path.key("TargetTrackingScalingPolicyConfiguration");
    let target = config
        .get("TargetValue")
        .and_then(Value::as_f64)
        .map(|v| v.round() as i64);
    match config
        .pointer("/PredefinedMetricSpecification/PredefinedMetricType")
        .and_then(Value::as_str)
    {
        Some("ECSServiceAverageCPUUtilization") => scaling.cpu_percent = target,
        Some("ECSServiceAverageMemoryUtilization") => scaling.memory_percent = target,
        other => {
            service.report.warn(
                Code::ScalingMetric,
                &path,
                format!(
                    "scaling policy on {:?} is not CPU or memory target tracking",
                    other.unwrap_or("a custom metric")
                ),
                "not carried over; add the metric to the HorizontalPodAutoscaler by hand",
            );
            return;
        }
    }
    // One HPA behavior serves every metric: the longest cooldown of each direction wins, the
    // cautious choice when policies disagree.
    let longest = |old: Option<i64>, new: Option<i64>| old.max(new).or(old).or(new);
    scaling.scale_in_cooldown = longest(
        scaling.scale_in_cooldown,
        number(config.get("ScaleInCooldown")),
    );
    scaling.scale_out_cooldown = longest(
        scaling.scale_out_cooldown,
        number(config.get("ScaleOutCooldown")),
    );
    if config.get("DisableScaleIn") == Some(&Value::Bool(true)) {
        scaling.disable_scale_in = true;
    }
}
