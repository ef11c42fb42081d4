//! CloudFormation and CDK-synthesized templates: `AWS::ECS::TaskDefinition` resources become
//! task definitions in the API's camelCase shape, `AWS::ECS::Service` resources name and scale
//! them, and Application Auto Scaling targets and target-tracking policies become autoscaling.
//!
//! Intrinsic functions are resolved where the value can be known (`Ref` to a parameter with a
//! default, `Fn::Join`, `Fn::Sub` with literals, a role in the same template); anything else is
//! left as a visible `${…}` placeholder and reported, so the chart lints and a deploy step can
//! set the value.

use crate::report::Code;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::ecs::path::JsonPath;
use crate::ecs::scheduled;
use crate::ecs::service::{read_service, Scaling, ServiceDefinition};
use crate::error::FieldError;
use crate::report::Report;

pub(crate) struct TemplateTask {
    pub logical_id: String,
    pub path: JsonPath,
    /// The task definition in the API's shape, intrinsics resolved.
    pub value: Value,
    pub report: Report,
}

pub(crate) struct TemplateService {
    pub logical_id: String,
    pub service: ServiceDefinition,
    pub report: Report,
}

pub(crate) struct Template {
    pub tasks: Vec<TemplateTask>,
    pub services: Vec<TemplateService>,
}

pub(crate) fn is_template(value: &Value) -> bool {
    value.get("Resources").is_some_and(Value::is_object)
}

/// Property names whose values are maps of user data: their keys keep their case.
const USER_MAPS: &[&str] = &["DockerLabels", "Options", "DriverOpts", "Labels"];

/// CloudFormation names that are not the API name with a lowercase first letter.
fn api_key(key: &str) -> String {
    match key {
        "EFSVolumeConfiguration" => "efsVolumeConfiguration".into(),
        "FilesystemId" => "fileSystemId".into(),
        "IAM" => "iam".into(),
        "FSxWindowsFileServerVolumeConfiguration" => {
            "fsxWindowsFileServerVolumeConfiguration".into()
        }
        "ProxyConfigurationProperties" => "properties".into(),
        "PlacementStrategies" => "placementStrategy".into(),
        "SizeInGiB" => "sizeInGiB".into(),
        _ => {
            let mut chars = key.chars();
            match chars.next() {
                Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        }
    }
}

/// The CloudFormation name of an API field name (the inverse of `api_key`).
pub(crate) fn cfn_key(key: &str) -> String {
    match key {
        "efsVolumeConfiguration" => "EFSVolumeConfiguration".into(),
        "fileSystemId" => "FilesystemId".into(),
        "iam" => "IAM".into(),
        "fsxWindowsFileServerVolumeConfiguration" => {
            "FSxWindowsFileServerVolumeConfiguration".into()
        }
        "properties" => "ProxyConfigurationProperties".into(),
        "placementStrategy" => "PlacementStrategies".into(),
        _ => {
            let mut chars = key.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        }
    }
}

/// Turns the part of a JSON pointer below a resource's Properties back into the template's
/// names, so report entries point into the file the user has.
pub(crate) fn template_pointer(rest: &str) -> String {
    let mut out = String::new();
    let mut user_map = false;
    for segment in rest.split('/').skip(1) {
        out.push('/');
        if user_map || segment.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(segment);
            user_map = false;
        } else {
            let key = cfn_key(segment);
            user_map = USER_MAPS.contains(&key.as_str());
            out.push_str(&key);
        }
    }
    out
}

fn camel(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if USER_MAPS.contains(&k.as_str()) {
                        v.clone()
                    } else {
                        camel(v)
                    };
                    (api_key(k), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camel).collect()),
        other => other.clone(),
    }
}

struct Resolver<'a> {
    parameters: &'a Map<String, Value>,
    resources: &'a Map<String, Value>,
    /// `--var` values: parameters and pseudo parameters (`AWS::AccountId`, `AWS::Region`)
    /// known to the user, which win over defaults.
    vars: &'a BTreeMap<String, String>,
}

fn resource_type<'a>(resources: &'a Map<String, Value>, id: &str) -> Option<&'a str> {
    resources.get(id)?.get("Type")?.as_str()
}

impl Resolver<'_> {
    fn role_name(&self, id: &str) -> String {
        self.resources
            .get(id)
            .and_then(|r| r.pointer("/Properties/RoleName"))
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_string()
    }

    /// A name inside `${…}` or a `Ref`: a known value, or None.
    fn name(&self, name: &str) -> Option<String> {
        if let Some(v) = self.vars.get(name) {
            return Some(v.clone());
        }
        match name {
            "AWS::URLSuffix" => return Some("amazonaws.com".into()),
            "AWS::Partition" => return Some("aws".into()),
            _ => {}
        }
        if let Some(p) = self.parameters.get(name) {
            return p.get("Default").map(|d| match d {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
        if resource_type(self.resources, name) == Some("AWS::IAM::Role") {
            return Some(self.role_name(name));
        }
        None
    }

    fn unresolved(&self, text: String, path: &JsonPath, report: &mut Report) -> Value {
        report.warn(
            Code::CfnUnresolved,
            path,
            format!("the value {text} is only known when the stack is deployed"),
            "kept as a visible placeholder in values.yaml; set it at deploy time, or convert with --var NAME=VALUE",
        );
        Value::String(text)
    }

    fn sub(
        &self,
        template: &str,
        vars: &Map<String, Value>,
        path: &JsonPath,
        report: &mut Report,
    ) -> Value {
        let mut out = String::new();
        let mut rest = template;
        let mut missing = false;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let Some(len) = rest[start..].find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let inner = &rest[start + 2..start + len];
            if let Some(literal) = inner.strip_prefix('!') {
                out.push_str(&format!("${{{literal}}}"));
            } else if let Some(v) = vars
                .get(inner)
                .map(|v| self.resolve(v, path, report))
                .and_then(|v| v.as_str().map(str::to_string))
            {
                out.push_str(&v);
            } else if let Some(v) = self.name(inner) {
                out.push_str(&v);
            } else if let Some((id, attr)) = inner.split_once('.') {
                match self.get_att(id, attr) {
                    Some(v) => out.push_str(&v),
                    None => {
                        missing = true;
                        out.push_str(&rest[start..start + len + 1]);
                    }
                }
            } else {
                missing = true;
                out.push_str(&rest[start..start + len + 1]);
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        if missing {
            self.unresolved(out, path, report)
        } else {
            Value::String(out)
        }
    }

    fn get_att(&self, id: &str, attr: &str) -> Option<String> {
        (resource_type(self.resources, id) == Some("AWS::IAM::Role") && attr == "Arn").then(|| {
            format!(
                "arn:aws:iam::{}:role/{}",
                self.name("AWS::AccountId")
                    .unwrap_or_else(|| "${AWS::AccountId}".into()),
                self.role_name(id)
            )
        })
    }

    /// Resolves intrinsics in `value`; `None` means AWS::NoValue (drop the key or item).
    fn resolve_opt(&self, value: &Value, path: &JsonPath, report: &mut Report) -> Option<Value> {
        let Value::Object(map) = value else {
            return Some(match value {
                Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .enumerate()
                        .filter_map(|(i, v)| self.resolve_opt(v, &path.index(i), report))
                        .collect(),
                ),
                other => other.clone(),
            });
        };
        if map.len() == 1 {
            let (key, arg) = map.iter().next().expect("one entry");
            let compact = || serde_json::to_string(arg).unwrap_or_default();
            match key.as_str() {
                "Ref" => {
                    let name = arg.as_str().unwrap_or_default();
                    if name == "AWS::NoValue" {
                        return None;
                    }
                    return Some(match self.name(name) {
                        Some(v) => Value::String(v),
                        None => self.unresolved(format!("${{{name}}}"), path, report),
                    });
                }
                "Fn::Sub" => {
                    let (template, vars) = match arg {
                        Value::String(s) => (s.as_str(), Map::new()),
                        Value::Array(a) if !a.is_empty() => (
                            a[0].as_str().unwrap_or_default(),
                            a.get(1)
                                .and_then(Value::as_object)
                                .cloned()
                                .unwrap_or_default(),
                        ),
                        _ => ("", Map::new()),
                    };
                    return Some(self.sub(template, &vars, path, report));
                }
                "Fn::Join" => {
                    let (sep, parts) = match arg.as_array().map(Vec::as_slice) {
                        Some([Value::String(sep), Value::Array(parts)]) => {
                            (sep.clone(), parts.clone())
                        }
                        _ => {
                            return Some(self.unresolved(
                                format!("${{Fn::Join:{}}}", compact()),
                                path,
                                report,
                            ))
                        }
                    };
                    let mut strings = Vec::new();
                    let mut quiet = Report::default();
                    let mut unresolved = false;
                    for part in &parts {
                        let v = self
                            .resolve_opt(part, path, &mut quiet)
                            .unwrap_or(Value::String(String::new()));
                        unresolved |= quiet.findings.iter().any(|f| f.code == Code::CfnUnresolved);
                        strings.push(match v {
                            Value::String(s) => s,
                            other => other.to_string(),
                        });
                    }
                    let joined = strings.join(&sep);
                    return Some(if unresolved {
                        self.unresolved(joined, path, report)
                    } else {
                        Value::String(joined)
                    });
                }
                "Fn::GetAtt" => {
                    let (id, attr) = match arg {
                        Value::Array(a) if a.len() == 2 => (
                            a[0].as_str().unwrap_or_default().to_string(),
                            a[1].as_str().unwrap_or_default().to_string(),
                        ),
                        Value::String(s) => s
                            .split_once('.')
                            .map(|(a, b)| (a.to_string(), b.to_string()))
                            .unwrap_or_default(),
                        _ => Default::default(),
                    };
                    return Some(match self.get_att(&id, &attr) {
                        Some(v) => {
                            if v.contains("${AWS::AccountId}") {
                                report.warn(
                                    Code::CfnUnresolved,
                                    path,
                                    format!("the ARN of role {id} needs the account id"),
                                    "written with the placeholder ${AWS::AccountId}; substitute it at deploy time, or convert with --var AWS::AccountId=…",
                                );
                            }
                            Value::String(v)
                        }
                        None => self.unresolved(format!("${{{id}.{attr}}}"), path, report),
                    });
                }
                k if k.starts_with("Fn::") => {
                    return Some(self.unresolved(format!("${{{k}:{}}}", compact()), path, report));
                }
                _ => {}
            }
        }
        Some(Value::Object(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), self.resolve_opt(v, &path.key(k), report)?)))
                .collect(),
        ))
    }

    fn resolve(&self, value: &Value, path: &JsonPath, report: &mut Report) -> Value {
        self.resolve_opt(value, path, report).unwrap_or(Value::Null)
    }
}

/// Logical IDs referenced anywhere in `value` through `Ref`, `Fn::GetAtt` or `${Id}`.
fn references(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("Ref") {
                    out.push(r.clone());
                }
                if let Some(Value::Array(a)) = m.get("Fn::GetAtt") {
                    if let Some(Value::String(r)) = a.first() {
                        out.push(r.clone());
                    }
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            Value::String(s) => {
                let mut rest = s.as_str();
                while let Some(i) = rest.find("${") {
                    if let Some(j) = rest[i..].find('}') {
                        out.push(
                            rest[i + 2..i + j]
                                .split('.')
                                .next()
                                .unwrap_or_default()
                                .to_string(),
                        );
                        rest = &rest[i + j..];
                    } else {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    walk(value, &mut out);
    out
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
    let resources = value["Resources"]
        .as_object()
        .ok_or_else(|| FieldError::new(&root.key("Resources"), "expected an object"))?;
    let resolver = Resolver {
        parameters,
        resources,
        vars,
    };
    let mut tasks = Vec::new();
    let mut services = Vec::new();
    for (id, resource) in resources {
        let path = root.key("Resources").key(id).key("Properties");
        let properties = resource
            .get("Properties")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        match resource.get("Type").and_then(Value::as_str) {
            Some("AWS::ECS::TaskDefinition") => {
                let mut report = Report::default();
                let mut resolved = camel(&resolver.resolve(&properties, &path, &mut report));
                if let Value::Object(map) = &mut resolved {
                    if !map.contains_key("family") {
                        map.insert("family".into(), Value::String(id.clone()));
                        report.info(
                            Code::CfnFamily,
                            &path,
                            format!("task definition {id} has no Family"),
                            "named after its logical ID",
                        );
                    }
                }
                tasks.push(TemplateTask {
                    logical_id: id.clone(),
                    path,
                    value: resolved,
                    report,
                });
            }
            Some("AWS::ECS::Service") => {
                let mut report = Report::default();
                let task_ref = properties.get("TaskDefinition").cloned();
                let mut props = properties.clone();
                // Target group types decide between an Ingress (ALB) and a plain Service (NLB).
                let mut alb = BTreeMap::new();
                if let Some(Value::Array(lbs)) = properties.get("LoadBalancers") {
                    for (i, lb) in lbs.iter().enumerate() {
                        let protocol = references(lb.get("TargetGroupArn").unwrap_or(&Value::Null))
                            .first()
                            .and_then(|tg| resources.get(tg))
                            .and_then(|tg| tg.pointer("/Properties/Protocol"))
                            .and_then(Value::as_str)
                            .map(str::to_ascii_uppercase);
                        alb.insert(i, protocol.map(|p| p == "HTTP" || p == "HTTPS"));
                    }
                }
                // Only what the service mapping reads is resolved: the cluster, network and
                // target group ARNs are not carried over, so their placeholders would be noise.
                if let Value::Object(map) = &mut props {
                    map.retain(|k, _| {
                        [
                            "ServiceName",
                            "DesiredCount",
                            "DeploymentConfiguration",
                            "LoadBalancers",
                            "ServiceRegistries",
                            "PlacementStrategies",
                            "CapacityProviderStrategy",
                        ]
                        .contains(&k.as_str())
                    });
                    if let Some(Value::Array(lbs)) = map.get_mut("LoadBalancers") {
                        for lb in lbs.iter_mut() {
                            if let Value::Object(lb) = lb {
                                if let Some(tg) = lb
                                    .get("TargetGroupArn")
                                    .map(references)
                                    .and_then(|r| r.first().cloned())
                                {
                                    lb.insert("TargetGroupArn".into(), Value::String(tg));
                                }
                            }
                        }
                    }
                }
                let mut resolved = camel(&resolver.resolve(&props, &path, &mut report));
                if let (Value::Object(map), Some(task)) = (&mut resolved, task_ref) {
                    map.insert("taskDefinition".into(), task);
                }
                let mut service = read_service(&resolved, path.clone(), &mut report)?;
                for (i, lb) in service.load_balancers.iter_mut().enumerate() {
                    lb.application = alb.get(&i).copied().flatten();
                }
                services.push(TemplateService {
                    logical_id: id.clone(),
                    service,
                    report,
                });
            }
            Some(kind @ ("AWS::Events::Rule" | "AWS::Scheduler::Schedule")) => {
                let source = if kind == "AWS::Events::Rule" {
                    scheduled::Source::Rule
                } else {
                    scheduled::Source::Scheduler
                };
                let mut report = Report::default();
                let resolved = resolve_schedule(&resolver, &properties, &path, &mut report);
                for service in scheduled::read(&resolved, path.clone(), source, &mut report)? {
                    services.push(TemplateService {
                        logical_id: id.clone(),
                        service,
                        report: report.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    // Application Auto Scaling: a scalable target names its service in ResourceId; a
    // target-tracking policy names its target.
    for (id, resource) in resources {
        if resource.get("Type").and_then(Value::as_str)
            != Some("AWS::ApplicationAutoScaling::ScalableTarget")
        {
            continue;
        }
        let props = resource.get("Properties").cloned().unwrap_or_default();
        let refs = references(props.get("ResourceId").unwrap_or(&Value::Null));
        let Some(service) = services.iter_mut().find(|s| refs.contains(&s.logical_id)) else {
            continue;
        };
        let number =
            |v: Option<&Value>| v.and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
        let mut scaling = Scaling {
            min: number(props.get("MinCapacity")).unwrap_or(1),
            max: number(props.get("MaxCapacity")).unwrap_or(1),
            ..Default::default()
        };
        for policy in resources.values().filter(|r| {
            r.get("Type").and_then(Value::as_str)
                == Some("AWS::ApplicationAutoScaling::ScalingPolicy")
        }) {
            let p = policy.get("Properties").cloned().unwrap_or_default();
            if !references(p.get("ScalingTargetId").unwrap_or(&Value::Null)).contains(id) {
                continue;
            }
            let config = p
                .get("TargetTrackingScalingPolicyConfiguration")
                .cloned()
                .unwrap_or_default();
            let target = config
                .get("TargetValue")
                .and_then(|v| v.as_f64())
                .map(|v| v.round() as i64);
            match config
                .pointer("/PredefinedMetricSpecification/PredefinedMetricType")
                .and_then(Value::as_str)
            {
                Some("ECSServiceAverageCPUUtilization") => scaling.cpu_percent = target,
                Some("ECSServiceAverageMemoryUtilization") => scaling.memory_percent = target,
                other => service.report.warn(
                    Code::ScalingMetric,
                    &root.key("Resources"),
                    format!(
                        "scaling policy on {:?} is not CPU or memory target tracking",
                        other.unwrap_or("a custom metric")
                    ),
                    "not carried over; add the metric to the HorizontalPodAutoscaler by hand",
                ),
            }
        }
        service.service.scaling = Some(scaling);
    }
    Ok(Template { tasks, services })
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
            let mut at = path.clone();
            for key in pointer.split('/').skip(1) {
                at = match key.parse::<usize>() {
                    Ok(i) => at.index(i),
                    Err(_) => at.key(key),
                };
            }
            *slot = resolver.resolve(value, &at, report);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_map_back_to_template_names() {
        assert_eq!(
            template_pointer("/containerDefinitions/0/logConfiguration/options/awslogs-group"),
            "/ContainerDefinitions/0/LogConfiguration/Options/awslogs-group"
        );
        assert_eq!(
            template_pointer("/volumes/1/efsVolumeConfiguration/fileSystemId"),
            "/Volumes/1/EFSVolumeConfiguration/FilesystemId"
        );
        assert_eq!(
            template_pointer("/containerDefinitions/0/dockerLabels/my.label/x"),
            "/ContainerDefinitions/0/DockerLabels/my.label/X"
        );
    }

    #[test]
    fn intrinsics_resolve_or_stay_visible() {
        let template = json!({
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
        });
        let t = read_template(&template).unwrap();
        let v = &t.tasks[0].value;
        assert_eq!(
            v["taskRoleArn"],
            "arn:aws:iam::${AWS::AccountId}:role/web-task"
        );
        let c = &v["containerDefinitions"][0];
        assert_eq!(
            c["image"],
            "${AWS::AccountId}.dkr.ecr.eu-west-1.amazonaws.com/web:1.2.3"
        );
        assert_eq!(c["environment"][0]["value"], "${Env}");
        assert_eq!(c["environment"][1]["value"], "hello world");
        assert_eq!(
            c["environment"][2]["value"],
            "${Fn::ImportValue:\"shared-vpc\"}"
        );
        assert_eq!(c["dockerLabels"]["MyLabel"], "x");
        assert_eq!(
            v["volumes"][0]["efsVolumeConfiguration"]["fileSystemId"],
            "fs-1"
        );
        assert_eq!(
            v["volumes"][0]["efsVolumeConfiguration"]["authorizationConfig"]["iam"],
            "ENABLED"
        );
        let unresolved = t.tasks[0]
            .report
            .findings
            .iter()
            .filter(|f| f.code == Code::CfnUnresolved)
            .count();
        assert_eq!(unresolved, 4);
    }
}
