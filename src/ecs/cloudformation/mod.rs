//! CloudFormation and CDK-synthesized templates: `AWS::ECS::TaskDefinition` resources are task
//! definitions read in place (their paths spell keys as the template does, see `JsonPath`),
//! `AWS::ECS::Service` resources name and scale them, and Application Auto Scaling targets and
//! target-tracking policies become autoscaling.
//!
//! Intrinsic functions are resolved where the value can be known (`Ref` to a parameter with a
//! default, `Fn::Join`, `Fn::Sub` with literals, a role in the same template); anything else is
//! left as a visible `${…}` placeholder, reported, and listed with its path (`Unresolved`) for
//! the steps after, so the chart lints and a deploy step can set the value.

use crate::report::Code;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::ecs::scheduled;
use crate::ecs::service::read_service;
use crate::error::FieldError;
use crate::json_path::JsonPath;
use crate::report::Report;

mod budget;
mod capacity;
mod conditions;
mod discovery;
#[cfg(test)]
mod evaluation_tests;
mod instance_volumes;
mod intrinsics;
mod load_balancer;
mod resources;
mod scaling;
mod selection;
mod template;
mod user_data;

use conditions::Conditions;
use intrinsics::Resolver;
pub(crate) use intrinsics::Unresolved;
use resources::references;
pub(crate) use template::{Skipped, Template, TemplateService, TemplateTask};

pub(crate) fn is_template(value: &Value) -> bool {
    value.get("Resources").is_some_and(Value::is_object)
}

#[cfg(test)]
pub(crate) fn read_template(value: &Value) -> Result<Template, FieldError> {
    read_template_with(value, &BTreeMap::new())
}

/// Like `read_template`, with values for parameters and pseudo parameters from `--var`.
pub(crate) fn read_template_with(
    value: &Value,
    vars: &BTreeMap<String, String>,
) -> Result<Template, FieldError> {
    let root = JsonPath::root();
    let empty = Map::new();
    let parameters = value
        .get("Parameters")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let all_resources = value["Resources"]
        .as_object()
        .ok_or_else(|| FieldError::new(&root.key("Resources"), "expected an object"))?;
    let section = |name: &str| value.get(name).and_then(Value::as_object).unwrap_or(&empty);
    let mut resolver = Resolver {
        parameters,
        resources: all_resources,
        mappings: section("Mappings"),
        conditions: Conditions::default(),
        vars,
        found: Default::default(),
        naming: Default::default(),
        budget: Default::default(),
    };
    let conditions = Conditions::evaluate(section("Conditions"), &|v| resolver.known_scalar(v));
    // A resource whose condition is false does not exist; every reader sees only the rest.
    let (resources, mut skipped) = existing_resources(all_resources, &conditions);
    resolver.conditions = conditions;
    resolver.resources = &resources;
    let mut tasks = Vec::new();
    let mut services = Vec::new();
    for (id, resource) in &resources {
        resolver.budget.check()?;
        let path = root
            .key("Resources")
            .key(id)
            .key("Properties")
            .in_template();
        // Only a task definition's unresolved values travel on; a service's are reported.
        resolver.take_unresolved();
        let properties = resource
            .get("Properties")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        match resource.get("Type").and_then(Value::as_str) {
            Some("AWS::ECS::TaskDefinition") => {
                tasks.push(read_task_resource(&resolver, id, &properties, path));
            }
            Some("AWS::ECS::Service") => {
                services.push(read_service_resource(&resolver, id, &properties, path)?);
            }
            Some(kind @ ("AWS::Events::Rule" | "AWS::Scheduler::Schedule")) => {
                let read = read_schedule_resource(&resolver, id, kind, &properties, path)?;
                match read {
                    ScheduleRead::Runners(runners) => services.extend(runners),
                    ScheduleRead::Skipped(none) => skipped.push(none),
                }
            }
            _ => {}
        }
    }
    scaling::attach(&resolver, &mut services);
    let estate = crate::ecs::estate::Estate {
        source: String::new(),
        volumes: instance_volumes::read(&resolver),
        groups: capacity::groups(&resolver),
        load_balancers: load_balancer::all(&resolver),
    };
    resolver.budget.check()?;
    for task in &mut tasks {
        note_unknown_condition(all_resources, &resolver.conditions, task);
    }
    Ok(Template {
        tasks,
        services,
        skipped,
        estate,
    })
}

/// What a rule or schedule gives: a service per target that runs an ECS task, or, when none
/// does, why it gives no chart.
enum ScheduleRead {
    Runners(Vec<TemplateService>),
    Skipped(Skipped),
}

fn read_schedule_resource(
    resolver: &Resolver,
    id: &str,
    kind: &str,
    properties: &Value,
    path: JsonPath,
) -> Result<ScheduleRead, FieldError> {
    let source = if kind == "AWS::Events::Rule" {
        scheduled::Source::Rule
    } else {
        scheduled::Source::Scheduler
    };
    let mut report = Report::default();
    let resolved = resolve_schedule(resolver, properties, &path, &mut report);
    let runners = scheduled::read(&resolved, path.clone(), source, &mut report)?;
    if runners.is_empty() {
        return Ok(ScheduleRead::Skipped(Skipped::NoEcsTask {
            id: id.to_string(),
            targets: report.findings.iter().map(|f| f.message.clone()).collect(),
        }));
    }
    Ok(ScheduleRead::Runners(
        runners
            .into_iter()
            .map(|service| TemplateService {
                logical_id: id.to_string(),
                service,
                report: report.clone(),
            })
            .collect(),
    ))
}

/// The resource types the conversion reads; an absent one is worth a line to the user.
const CONVERTED: &[&str] = &[
    "AWS::ECS::TaskDefinition",
    "AWS::ECS::Service",
    "AWS::Events::Rule",
    "AWS::Scheduler::Schedule",
];

/// The resources that exist once the conditions are evaluated, and the logical IDs (with
/// their condition) of those that do not.
fn existing_resources(
    resources: &Map<String, Value>,
    conditions: &Conditions,
) -> (Map<String, Value>, Vec<Skipped>) {
    let mut existing = Map::new();
    let mut absent = Vec::new();
    for (id, resource) in resources {
        match resource.get("Condition").and_then(Value::as_str) {
            Some(c) if conditions.get(c) == Some(false) => {
                let kind = resource
                    .get("Type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if CONVERTED.contains(&kind) {
                    absent.push(Skipped::ConditionFalse {
                        id: id.clone(),
                        condition: c.to_string(),
                    });
                }
            }
            _ => {
                existing.insert(id.clone(), resource.clone());
            }
        }
    }
    (existing, absent)
}

/// A task definition that exists only when a condition holds that the template cannot decide.
fn note_unknown_condition(
    resources: &Map<String, Value>,
    conditions: &Conditions,
    task: &mut TemplateTask,
) {
    let condition = resources
        .get(&task.logical_id)
        .and_then(|r| r.get("Condition"))
        .and_then(Value::as_str);
    if let Some(c) = condition.filter(|c| conditions.get(c).is_none()) {
        let known = if conditions.is_declared(c) {
            "depends on a value only known at deploy time"
        } else {
            "is not declared in Conditions"
        };
        task.report.warn(
            Code::CfnCondition,
            &task.path,
            format!(
                "task definition {} exists only when condition {c} holds, which {known}",
                task.logical_id
            ),
            "converted; set the parameters the condition reads with --var to decide it",
        );
    }
}

/// An `AWS::ECS::TaskDefinition`: its properties resolved, named after the logical ID when
/// the template gives no Family.
fn read_task_resource(
    resolver: &Resolver,
    id: &str,
    properties: &Value,
    path: JsonPath,
) -> TemplateTask {
    let mut report = Report::default();
    let mut resolved = resolver.resolve(properties, &path, &mut report);
    if let Value::Object(map) = &mut resolved {
        if !map.contains_key("Family") {
            map.insert("Family".into(), Value::String(id.to_string()));
            report.info(
                Code::CfnFamily,
                &path,
                format!("task definition {id} has no Family"),
                "named after its logical ID",
            );
        }
    }
    TemplateTask {
        logical_id: id.to_string(),
        path,
        value: resolved,
        unresolved: resolver.take_unresolved(),
        report,
    }
}

/// An `AWS::ECS::Service`: its properties, and the load balancer around each target group.
fn read_service_resource(
    resolver: &Resolver,
    id: &str,
    properties: &Value,
    path: JsonPath,
) -> Result<TemplateService, FieldError> {
    let mut report = Report::default();
    let task_ref = properties.get("TaskDefinition").cloned();
    let mut props = properties.clone();
    // Target group types decide between an Ingress (ALB) and a plain Service (NLB).
    let mut alb = BTreeMap::new();
    if let Some(Value::Array(lbs)) = properties.get("LoadBalancers") {
        for (i, lb) in lbs.iter().enumerate() {
            let protocol = references(lb.get("TargetGroupArn").unwrap_or(&Value::Null))
                .first()
                .and_then(|tg| resolver.resources.get(tg))
                .and_then(|tg| tg.pointer("/Properties/Protocol"))
                .and_then(Value::as_str)
                .map(str::to_ascii_uppercase);
            alb.insert(i, protocol.map(|p| p == "HTTP" || p == "HTTPS"));
        }
    }
    if let Some(Value::Array(lbs)) = props.get_mut("LoadBalancers") {
        for lb in lbs.iter_mut().filter_map(Value::as_object_mut) {
            let tg = lb.get("TargetGroupArn").map(references);
            if let Some(tg) = tg.and_then(|r| r.first().cloned()) {
                lb.insert("TargetGroupArn".into(), Value::String(tg));
            }
        }
    }
    let mut resolved = resolve_service(resolver, &props, &path, &mut report);
    if let (Value::Object(map), Some(task)) = (&mut resolved, task_ref) {
        map.insert("TaskDefinition".into(), task);
    }
    let mut service = read_service(&resolved, path.clone(), &mut report)?;
    capacity::resolve(resolver, properties, &mut service);
    discovery::resolve(resolver, properties, &path, &mut service);
    for (i, lb) in service.load_balancers.iter_mut().enumerate() {
        lb.application = alb.get(&i).copied().flatten();
        lb.routing = lb
            .target_group
            .as_deref()
            .and_then(|tg| load_balancer::routing(resolver, tg, &mut report));
        // The group's ARN, as a Ref gives it: the physical one from --stack-resources, else
        // the placeholder naming the group (never its logical ID as if it were an ARN).
        if let Some(id) = lb.target_group.clone().filter(|_| lb.routing.is_some()) {
            lb.target_group = Some(
                resolver
                    .known_scalar(&serde_json::json!({"Ref": id}))
                    .unwrap_or_else(|| format!("${{{id}}}")),
            );
        }
    }
    Ok(TemplateService {
        logical_id: id.to_string(),
        service,
        report,
    })
}

/// Where the service names infrastructure the chart does not carry (the cluster, subnets,
/// the Cloud Map namespace, IAM roles): placeholders there would be noise. The fields are
/// still read, and reported as not carried.
const SERVICE_NOISE: &[&str] = &[
    "/Cluster",
    "/Role",
    "/TaskDefinition",
    "/NetworkConfiguration/AwsvpcConfiguration/Subnets",
    "/ServiceRegistries",
    "/ServiceConnectConfiguration/Namespace",
    "/RoleArn",
];

fn resolve_service(
    resolver: &Resolver,
    props: &Value,
    path: &JsonPath,
    report: &mut Report,
) -> Value {
    let mut scratch = Report::default();
    let resolved = resolver.resolve(props, path, &mut scratch);
    let root = path.pointer();
    report
        .findings
        .extend(scratch.findings.into_iter().filter(|f| {
            let below = f.pointer.strip_prefix(&root).unwrap_or(&f.pointer);
            !SERVICE_NOISE
                .iter()
                .any(|n| below.starts_with(n) || below.ends_with(n))
        }));
    resolved
}

/// Only what the CronJob reads is resolved: the cluster, role and network of the target are
/// not carried over, so placeholders for them would be noise; the task definition `Ref` stays
/// as it is, since it is what matches the task in this template.
fn resolve_schedule(
    resolver: &Resolver,
    raw: &Value,
    path: &JsonPath,
    report: &mut Report,
) -> Value {
    const READ: &[&str] = &[
        "/Name",
        "/ScheduleExpression",
        "/ScheduleExpressionTimezone",
        "/State",
    ];
    let mut out = raw.clone();
    let count = raw
        .get("Targets")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let counts = (0..count)
        .map(|i| format!("/Targets/{i}/EcsParameters/TaskCount"))
        .chain(["/Target/EcsParameters/TaskCount".to_string()]);
    for pointer in READ.iter().map(|p| p.to_string()).chain(counts) {
        if let (Some(value), Some(slot)) = (raw.pointer(&pointer), out.pointer_mut(&pointer)) {
            *slot = resolver.resolve(value, &path.below(&pointer), report);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn intrinsics_template() -> Value {
        json!({
            "Parameters": {"Tag": {"Type": "String", "Default": "1.2.3"}, "Env": {"Type": "String"}},
            "Resources": {
                "TaskRole": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "web-task"}},
                "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                    "Family": "web",
                    "TaskRoleArn": {"Fn::GetAtt": ["TaskRole", "Arn"]},
                    "ContainerDefinitions": [{
                        "Name": "web",
                        "Image": {"Fn::Join": ["", [{"Ref": "AWS::AccountId"}, ".dkr.ecr.eu-west-1.", {"Ref": "AWS::URLSuffix"}, "/web:", {"Ref": "Tag"}]]},
                        "Environment": [
                            {"Name": "ENV", "Value": {"Ref": "Env"}},
                            {"Name": "GREETING", "Value": {"Fn::Sub": ["hello ${Who}", {"Who": "world"}]}},
                            {"Name": "VPC", "Value": {"Fn::ImportValue": "shared-vpc"}}
                        ],
                        "DockerLabels": {"MyLabel": "x"}
                    }],
                    "Volumes": [{"Name": "d", "EFSVolumeConfiguration": {"FilesystemId": "fs-1", "AuthorizationConfig": {"IAM": "ENABLED"}}}]
                }}
            }
        })
    }

    #[test]
    fn intrinsics_resolve_or_stay_visible() {
        let t = read_template(&intrinsics_template()).unwrap();
        let v = &t.tasks[0].value;
        assert_eq!(
            v["TaskRoleArn"],
            "arn:aws:iam::${AWS::AccountId}:role/web-task"
        );
        let c = &v["ContainerDefinitions"][0];
        assert_eq!(
            c["Image"],
            "${AWS::AccountId}.dkr.ecr.eu-west-1.amazonaws.com/web:1.2.3"
        );
        assert_eq!(c["Environment"][0]["Value"], "${Env}");
        assert_eq!(c["Environment"][1]["Value"], "hello world");
        assert_eq!(
            c["Environment"][2]["Value"],
            "${Fn::ImportValue:\"shared-vpc\"}"
        );
        assert_eq!(c["DockerLabels"]["MyLabel"], "x");
        assert_eq!(
            v["Volumes"][0]["EFSVolumeConfiguration"]["FilesystemId"],
            "fs-1"
        );
        assert_eq!(
            v["Volumes"][0]["EFSVolumeConfiguration"]["AuthorizationConfig"]["IAM"],
            "ENABLED"
        );
    }

    #[test]
    fn unresolved_values_are_reported_and_listed_with_their_paths() {
        let t = read_template(&intrinsics_template()).unwrap();
        let unresolved = t.tasks[0]
            .report
            .findings
            .iter()
            .filter(|f| f.code == Code::CfnUnresolved)
            .count();
        assert_eq!(unresolved, 4);
        // The same four, as data: where each sits and the placeholder written there.
        let typed: Vec<(String, &str)> = t.tasks[0]
            .unresolved
            .iter()
            .map(|u| (u.path.pointer(), u.placeholder.as_str()))
            .collect();
        let base = "/Resources/Task/Properties";
        assert_eq!(
            typed,
            [
                (
                    format!("{base}/TaskRoleArn"),
                    "arn:aws:iam::${AWS::AccountId}:role/web-task"
                ),
                (
                    format!("{base}/ContainerDefinitions/0/Image"),
                    "${AWS::AccountId}.dkr.ecr.eu-west-1.amazonaws.com/web:1.2.3"
                ),
                (
                    format!("{base}/ContainerDefinitions/0/Environment/0/Value"),
                    "${Env}"
                ),
                (
                    format!("{base}/ContainerDefinitions/0/Environment/2/Value"),
                    "${Fn::ImportValue:\"shared-vpc\"}"
                ),
            ]
        );
    }
}
