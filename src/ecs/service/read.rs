//! Reading an ECS service: `describe-services` output, `create-service` input (ecspresso's
//! ecs-service-def.json) or a CloudFormation service's properties.

use crate::report::Code;
use serde_json::Value;

use crate::ecs::reader::{NotCarried, Obj, ReadResult};
use crate::json_path::JsonPath;
use crate::report::Report;

use super::model::{
    LoadBalancer, PlacementStrategy, ServiceDefinition, ServiceExtras, VolumeConfiguration,
};
use super::task_ref::TaskRef;

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
    let task = s
        .raw("taskDefinition", report)
        .and_then(|(v, _)| TaskRef::from_value(v));
    let desired_count = s.deferred_int("desiredCount", 0, 100_000, report)?;
    let (mut maximum_percent, mut minimum_healthy_percent) = (None, None);
    let mut circuit_breaker = None;
    if let Some(mut dc) = s.object("deploymentConfiguration", report)? {
        maximum_percent = dc.int("maximumPercent", 100, i64::from(i32::MAX), report)?;
        minimum_healthy_percent = dc.int("minimumHealthyPercent", 0, 100, report)?;
        circuit_breaker = super::extras::circuit_breaker(&mut dc, report)?;
        dc.finish(DEPLOYMENT_NOT_CARRIED, report);
    }
    let load_balancers = read_load_balancers(&mut s, report)?;
    let (service_registries, registry_ports) = read_registries(&mut s, report)?;
    let placement_strategy = read_placement_strategy(&mut s, report)?;
    let extras = super::extras::read(&mut s, &path, report)?;
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
    let cluster = s
        .peek_string("cluster")
        .or_else(|| s.peek_string("clusterArn"));
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
        cluster,
        discovery_names: Vec::new(),
        registry_ports,
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

/// `loadBalancers`: the container and port each target group sends traffic to.
fn read_load_balancers(s: &mut Obj<'_>, report: &mut Report) -> ReadResult<Vec<LoadBalancer>> {
    let mut load_balancers = Vec::new();
    for (lb, lb_path) in s.array("loadBalancers", report)? {
        let mut o = Obj::new(lb, lb_path.clone())?;
        load_balancers.push(LoadBalancer {
            path: lb_path,
            container_name: o.string("containerName", report)?,
            container_port: o.deferred_int("containerPort", 1, 65535, report)?,
            target_group: o.string("targetGroupArn", report)?,
            application: None,
            routing: None,
        });
        o.finish(&[NotCarried { key: "loadBalancerName", code: Code::ClassicElb, why: "Classic Load Balancers are not carried over; use a Service of type LoadBalancer" }], report);
    }
    Ok(load_balancers)
}

fn read_placement_strategy(
    s: &mut Obj<'_>,
    report: &mut Report,
) -> ReadResult<Vec<PlacementStrategy>> {
    let mut placement_strategy = Vec::new();
    for (p, p_path) in s.array("placementStrategy", report)? {
        let mut o = Obj::new(p, p_path.clone())?;
        let kind = o.string("type", report)?.unwrap_or_default();
        let field = o.string("field", report)?;
        o.finish(&[], report);
        placement_strategy.push(PlacementStrategy {
            kind,
            field,
            path: p_path,
        });
    }
    Ok(placement_strategy)
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

/// Cloud Map registries: whether there are any, and the container ports their SRV records
/// named (a service registered with no port mapping still answers there).
fn read_registries(
    s: &mut Obj<'_>,
    report: &mut Report,
) -> ReadResult<(bool, Vec<super::model::RegistryPort>)> {
    let entries = s.array("serviceRegistries", report)?;
    let mut ports = Vec::new();
    for (value, path) in &entries {
        let mut r = Obj::new(value, path.clone())?;
        let _ = r.string("registryArn", report)?;
        let container = r.string("containerName", report)?;
        let port = r
            .int("containerPort", 1, 65535, report)?
            .or(r.int("port", 1, 65535, report)?);
        r.finish(&[], report);
        if let Some(port) = port {
            ports.push(super::model::RegistryPort {
                container,
                port,
                path: path.clone(),
            });
        }
    }
    Ok((!entries.is_empty(), ports))
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
