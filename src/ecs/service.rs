//! ECS services: what the service adds to its task definition (replicas, rollout, load
//! balancers, service discovery, placement, scaling). Read from `describe-services` output,
//! `create-service` input (ecspresso's ecs-service-def.json) or CloudFormation.

use crate::report::Code;
use serde_json::Value;

use crate::ecs::path::JsonPath;
use crate::ecs::reader::{NotCarried, Obj, ReadResult};
use crate::report::Report;

/// Which task definition a service runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TaskRef {
    /// `family`, `family:revision` or a task definition ARN.
    Family {
        family: String,
        revision: Option<i64>,
    },
    /// A CloudFormation logical ID in the same template.
    Resource(String),
}

impl TaskRef {
    pub(crate) fn parse(text: &str) -> TaskRef {
        let tail = text
            .rsplit_once("task-definition/")
            .map_or(text, |(_, t)| t);
        match tail.rsplit_once(':') {
            Some((family, rev)) if rev.parse::<i64>().is_ok() => TaskRef::Family {
                family: family.to_string(),
                revision: rev.parse().ok(),
            },
            _ => TaskRef::Family {
                family: tail.to_string(),
                revision: None,
            },
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct LoadBalancer {
    pub path: JsonPath,
    pub container_name: Option<String>,
    pub container_port: Option<i64>,
    pub target_group: Option<String>,
    /// Known from a CloudFormation target group's protocol: HTTP(S) means an ALB.
    pub application: Option<bool>,
    /// The listeners, rules and health check around the target group, from CloudFormation.
    pub routing: Option<crate::ecs::alb::AlbRouting>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Scaling {
    pub min: i64,
    pub max: i64,
    pub cpu_percent: Option<i64>,
    pub memory_percent: Option<i64>,
    /// Seconds after a scale-in before the next one (target tracking's ScaleInCooldown).
    pub scale_in_cooldown: Option<i64>,
    pub scale_out_cooldown: Option<i64>,
    pub disable_scale_in: bool,
}

/// An ECS-managed EBS volume the service attaches to each task (`configuredAtLaunch`).
#[derive(Debug, Clone, Default)]
pub(crate) struct VolumeConfiguration {
    pub path: JsonPath,
    pub name: String,
    pub size_gib: Option<i64>,
    pub ebs: crate::workload::Ebs,
    pub snapshot_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceDefinition {
    pub path: JsonPath,
    pub name: Option<String>,
    pub task: Option<TaskRef>,
    pub desired_count: Option<i64>,
    pub maximum_percent: Option<i64>,
    pub minimum_healthy_percent: Option<i64>,
    pub load_balancers: Vec<LoadBalancer>,
    pub service_registries: bool,
    /// (type, field) of each placement strategy.
    pub placement_strategy: Vec<(String, Option<String>, JsonPath)>,
    /// `schedulingStrategy: DAEMON`: one task per instance.
    pub daemon: bool,
    pub scaling: Option<Scaling>,
    pub volume_configurations: Vec<VolumeConfiguration>,
    /// Set for a scheduled task (an EventBridge rule or schedule), which runs as a CronJob.
    pub schedule: Option<crate::ecs::scheduled::ScheduledRun>,
    pub extras: ServiceExtras,
}

/// One entry of a capacity provider strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CapacityShare {
    pub provider: String,
    pub weight: i64,
    pub base: i64,
}

/// A Service Connect alias clients used: a DNS name and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientAlias {
    pub path: JsonPath,
    pub port_name: String,
    pub dns_name: Option<String>,
    pub port: i64,
}

/// Service settings beyond replicas and load balancers, read from the same input.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceExtras {
    pub grace_period: Option<(i64, JsonPath)>,
    /// `deploymentCircuitBreaker`: (enabled, rollback).
    pub circuit_breaker: Option<(bool, bool, JsonPath)>,
    pub capacity: Vec<CapacityShare>,
    /// (type, expression, path), as task-level constraints are read.
    pub placement_constraints: Vec<(String, Option<String>, JsonPath)>,
    pub tags: std::collections::BTreeMap<String, String>,
    pub propagate_tags: Option<String>,
    pub security_groups: Vec<String>,
    pub network_path: Option<JsonPath>,
    pub assign_public_ip: Option<String>,
    pub connect_aliases: Vec<ClientAlias>,
    pub connect_path: Option<JsonPath>,
}

/// Fields of describe-services output that describe the running state, not the service:
/// reported as notes, so nothing is dropped without a word.
const RUNTIME_STATE: &[&str] = &[
    "serviceArn",
    "clusterArn",
    "status",
    "runningCount",
    "pendingCount",
    "deployments",
    "taskSets",
    "events",
    "createdAt",
    "createdBy",
    "currentServiceDeployment",
    "currentServiceRevisions",
    "clientToken",
];

/// The service fields the mapping rules carry over (read here and in service_extras).
const MAPPED: &[&str] = &[
    "serviceName",
    "taskDefinition",
    "desiredCount",
    "deploymentConfiguration",
    "loadBalancers",
    "serviceRegistries",
    "placementStrategy",
    "placementConstraints",
    "capacityProviderStrategy",
    "schedulingStrategy",
    "volumeConfigurations",
    "healthCheckGracePeriodSeconds",
    "propagateTags",
    "tags",
    "networkConfiguration",
    "serviceConnectConfiguration",
];

const DEPLOYMENT_MAPPED: &[&str] = &[
    "maximumPercent",
    "minimumHealthyPercent",
    "deploymentCircuitBreaker",
];

/// Blue/green, canary and linear rollouts and their hooks: Kubernetes rolls Deployments
/// itself; these need a progressive delivery controller.
const DEPLOYMENT_NOT_CARRIED: &[NotCarried] = &[
    NotCarried { key: "alarms", code: Code::Alarms, why: "CloudWatch alarm rollbacks have no Kubernetes equivalent; use a progressive delivery tool" },
    NotCarried { key: "strategy", code: Code::ServiceField, why: "ECS blue/green, linear and canary deployments: Argo Rollouts or Flagger give the same on Kubernetes; ROLLING is the Deployment's own RollingUpdate" },
    NotCarried { key: "bakeTimeInMinutes", code: Code::ServiceField, why: "the blue/green bake time: Argo Rollouts' pause steps; minReadySeconds delays each pod" },
    NotCarried { key: "canaryConfiguration", code: Code::ServiceField, why: "canary steps: Argo Rollouts or Flagger" },
    NotCarried { key: "linearConfiguration", code: Code::ServiceField, why: "linear steps: Argo Rollouts or Flagger" },
    NotCarried { key: "lifecycleHooks", code: Code::ServiceField, why: "deployment lifecycle Lambda hooks: Helm hooks (pre-upgrade, post-upgrade Jobs) or Argo Rollouts analysis" },
    NotCarried { key: "earlySuccessCriteria", code: Code::ServiceField, why: "early success criteria of a progressive rollout: Argo Rollouts analysis" },
];

/// Service settings with no mapping yet, each reported with what to do on EKS.
const NOT_CARRIED: &[(&str, &str)] = &[
    (
        "role",
        "the service-linked role for load balancers; the AWS Load Balancer Controller has its own",
    ),
    (
        "resourceManagementType",
        "who manages the ECS service (ECS or an ECS-managed instance); Helm manages the release",
    ),
    (
        "gatewayConnectors",
        "ECS gateway connectors: an Ingress or Gateway API route reaches the Service",
    ),
    (
        "monitoring",
        "service monitoring settings: scrape the pods with Prometheus or the CloudWatch agent",
    ),
    (
        "roleArn",
        "the service-linked role for load balancers; the AWS Load Balancer Controller has its own",
    ),
    (
        "cluster",
        "the ECS cluster; on EKS the chart is installed into a namespace of your cluster",
    ),
    (
        "launchType",
        "capacity is chosen by node selectors, Karpenter NodePools or Fargate profiles",
    ),
    (
        "platformVersion",
        "Fargate platform versions have no EKS equivalent",
    ),
    (
        "platformFamily",
        "the node's operating system is chosen with nodeSelector kubernetes.io/os",
    ),
    (
        "enableECSManagedTags",
        "ECS-managed tags have no Kubernetes equivalent; use commonLabels",
    ),
    (
        "enableExecuteCommand",
        "kubectl exec needs RBAC on pods/exec instead",
    ),
    (
        "deploymentController",
        "Kubernetes rolls Deployments itself; blue/green needs Argo Rollouts or Flagger",
    ),
    (
        "availabilityZoneRebalancing",
        "spread pods with topologySpreadConstraints on topology.kubernetes.io/zone",
    ),
    (
        "vpcLatticeConfigurations",
        "VPC Lattice needs the AWS Gateway API Controller",
    ),
];

pub(crate) fn read_service(
    value: &Value,
    path: JsonPath,
    report: &mut Report,
) -> ReadResult<ServiceDefinition> {
    let mut s = Obj::new(value, path.clone())?;
    let name = s.string("serviceName", report)?;
    let task = match s.raw("taskDefinition", report) {
        Some((Value::String(t), _)) => Some(TaskRef::parse(t)),
        Some((Value::Object(o), _)) => o
            .get("Ref")
            .and_then(Value::as_str)
            .map(|r| TaskRef::Resource(r.to_string())),
        _ => None,
    };
    let desired_count = s.int("desiredCount", 0, 100_000, report)?;
    let (mut maximum_percent, mut minimum_healthy_percent) = (None, None);
    let mut circuit_breaker = None;
    if let Some(mut dc) = s.object("deploymentConfiguration", report)? {
        maximum_percent = dc.int("maximumPercent", 100, 200, report)?;
        minimum_healthy_percent = dc.int("minimumHealthyPercent", 0, 100, report)?;
        circuit_breaker = crate::ecs::service_extras::circuit_breaker(&mut dc, report)?;
        dc.finish(DEPLOYMENT_NOT_CARRIED, report);
    }
    let mut load_balancers = Vec::new();
    for (lb, lb_path) in s.array("loadBalancers", report)? {
        let mut o = Obj::new(lb, lb_path.clone())?;
        load_balancers.push(LoadBalancer {
            path: lb_path,
            container_name: o.string("containerName", report)?,
            container_port: o.int("containerPort", 1, 65535, report)?,
            target_group: o.string("targetGroupArn", report)?,
            application: None,
            routing: None,
        });
        o.finish(&[NotCarried { key: "loadBalancerName", code: Code::ClassicElb, why: "Classic Load Balancers are not carried over; use a Service of type LoadBalancer" }], report);
    }
    let service_registries = !s.array("serviceRegistries", report)?.is_empty();
    let mut placement_strategy = Vec::new();
    for (p, p_path) in s.array("placementStrategy", report)? {
        let mut o = Obj::new(p, p_path.clone())?;
        let kind = o.string("type", report)?.unwrap_or_default();
        let field = o.string("field", report)?;
        o.finish(&[], report);
        placement_strategy.push((kind, field, p_path));
    }
    let extras = crate::ecs::service_extras::read(&mut s, &path, report)?;
    let volume_configurations = read_volume_configurations(&mut s, report)?;
    let daemon = s
        .string("schedulingStrategy", report)?
        .is_some_and(|s| s.eq_ignore_ascii_case("DAEMON"));
    let reported: Vec<NotCarried> = RUNTIME_STATE
        .iter()
        .map(|key| NotCarried {
            key,
            code: Code::ServiceRuntime,
            why: "the running state of the ECS service, not part of its definition",
        })
        .chain(NOT_CARRIED.iter().map(|(key, why)| NotCarried {
            key,
            code: Code::ServiceField,
            why,
        }))
        .collect();
    s.finish(&reported, report);
    Ok(ServiceDefinition {
        path,
        name,
        task,
        desired_count,
        maximum_percent,
        minimum_healthy_percent,
        load_balancers,
        service_registries,
        placement_strategy,
        scaling: None,
        volume_configurations,
        daemon,
        schedule: None,
        extras: ServiceExtras {
            circuit_breaker,
            ..extras
        },
    })
}

fn read_volume_configurations(
    s: &mut Obj<'_>,
    report: &mut Report,
) -> ReadResult<Vec<VolumeConfiguration>> {
    let mut out = Vec::new();
    for (v, v_path) in s.array("volumeConfigurations", report)? {
        let mut o = Obj::new(v, v_path.clone())?;
        let mut config = VolumeConfiguration {
            path: v_path,
            name: o.string("name", report)?.unwrap_or_default(),
            ..Default::default()
        };
        if let Some(mut m) = o.object("managedEBSVolume", report)? {
            config.size_gib = m.int("sizeInGiB", 1, 65536, report)?;
            config.ebs.volume_type = m.string("volumeType", report)?;
            config.ebs.iops = m.int("iops", 0, 256_000, report)?;
            config.ebs.throughput = m.int("throughput", 0, 2000, report)?;
            config.ebs.encrypted = m.bool("encrypted", report)?;
            config.ebs.kms_key_id = m.string("kmsKeyId", report)?;
            config.ebs.filesystem_type = m.string("filesystemType", report)?;
            config.snapshot_id = m.string("snapshotId", report)?;
            for (spec, spec_path) in m.array("tagSpecifications", report)? {
                let mut spec = Obj::new(spec, spec_path)?;
                let _ = spec.string("resourceType", report)?;
                for (tag, tag_path) in spec.array("tags", report)? {
                    let mut tag = Obj::new(tag, tag_path)?;
                    if let (Some(k), v) = (tag.string("key", report)?, tag.string("value", report)?)
                    {
                        config.ebs.tags.insert(k, v.unwrap_or_default());
                    }
                    tag.finish(&[], report);
                }
                spec.finish(&[NotCarried { key: "propagateTags", code: Code::ServiceField, why: "tags are set on the StorageClass (ebs.tags), which tags every volume it creates" }], report);
            }
            m.finish(&[
                NotCarried { key: "roleArn", code: Code::ServiceField, why: "the ECS infrastructure role; on EKS the EBS CSI driver's own role creates volumes" },
                NotCarried { key: "volumeInitializationRate", code: Code::ServiceField, why: "snapshot initialization rate has no StorageClass parameter; restored volumes hydrate lazily" },
            ], report);
        }
        o.finish(&[], report);
        out.push(config);
    }
    Ok(out)
}

/// Every service field and what happens to it: (shape, field, code or "mapped"), for the test
/// that holds it against botocore's ECS model.
pub fn coverage() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out: Vec<(&str, &str, &str)> =
        MAPPED.iter().map(|f| ("Service", *f, "mapped")).collect();
    out.extend(
        NOT_CARRIED
            .iter()
            .map(|(f, _)| ("Service", *f, Code::ServiceField.as_str())),
    );
    out.extend(
        RUNTIME_STATE
            .iter()
            .map(|f| ("Service", *f, Code::ServiceRuntime.as_str())),
    );
    out.extend(
        DEPLOYMENT_MAPPED
            .iter()
            .map(|f| ("DeploymentConfiguration", *f, "mapped")),
    );
    out.extend(
        DEPLOYMENT_NOT_CARRIED
            .iter()
            .map(|n| ("DeploymentConfiguration", n.key, n.code.as_str())),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_references() {
        assert_eq!(
            TaskRef::parse("arn:aws:ecs:eu-west-1:1:task-definition/web:12"),
            TaskRef::Family {
                family: "web".into(),
                revision: Some(12)
            }
        );
        assert_eq!(
            TaskRef::parse("web:3"),
            TaskRef::Family {
                family: "web".into(),
                revision: Some(3)
            }
        );
        assert_eq!(
            TaskRef::parse("web"),
            TaskRef::Family {
                family: "web".into(),
                revision: None
            }
        );
    }
}
