//! How one chart moves, from what it is: a scheduled job or a daemon is recreated, a service
//! with data on instance volumes adopts them (or replicates, where that interrupts less), a
//! service behind a target group cuts over, anything else is started on EKS and then stopped
//! on ECS.

use super::facts::MoveFacts;
use super::model::{Move, ServiceMove, Side, Step, Strategy};
use super::stateful::{ecs_names, helm_install};
use super::{replication, stateful};
use crate::workload::WorkloadKind;

pub(super) fn service_move(f: &MoveFacts, calls: Vec<String>) -> ServiceMove {
    let (mut recommended, mut alternatives) = moves(f);
    for m in std::iter::once(&mut recommended).chain(alternatives.iter_mut()) {
        keep_names(f, m);
    }
    ServiceMove {
        chart: f.chart.clone(),
        kind: f.kind.as_str().to_string(),
        calls,
        recommended,
        alternatives,
        checks: stateful::checks(f),
        compute: super::compute::of(f),
    }
}

fn moves(f: &MoveFacts) -> (Move, Vec<Move>) {
    if matches!(f.kind, WorkloadKind::CronJob | WorkloadKind::Job) || f.scheduled {
        return (scheduled(f), Vec::new());
    }
    if !f.instance_volumes.is_empty() {
        return stateful_moves(f);
    }
    if !f.other_data.is_empty() {
        let copy = unknown_data(f);
        return match replication::path(f) {
            Some((replicate, _)) => (replicate, vec![copy]),
            None => (copy, Vec::new()),
        };
    }
    match &f.target_group {
        Some(_) => (cut_over(f), vec![recreate(f)]),
        None => (recreate(f), Vec::new()),
    }
}

/// Adoption, a snapshot, and replication where the software has it: the one that interrupts
/// least is recommended, except where replication depends on a setup the input cannot show.
fn stateful_moves(f: &MoveFacts) -> (Move, Vec<Move>) {
    let mut adopt = stateful::adopt(f);
    let snapshot = stateful::snapshot(f);
    let Some((mut replicate, software)) = replication::path(f) else {
        adopt.why = format!("{}; the image has no replication path the tool knows, and adoption stops it for the least time", adopt.why);
        return (adopt, vec![snapshot]);
    };
    if software.starts_with("Vault") {
        adopt.why = format!("{}; Vault replicates only with integrated storage, which the task definition does not show: adoption works for every storage backend", adopt.why);
        return (adopt, vec![replicate, snapshot]);
    }
    replicate.why = format!(
        "{}: about {} s of switch-over instead of {} s stopped for adoption, which meets the no-interruption condition best",
        replicate.why, replicate.downtime_seconds, adopt.downtime_seconds
    );
    (replicate, vec![adopt, snapshot])
}

fn cut_over(f: &MoveFacts) -> Move {
    let (_, service) = ecs_names(f);
    let tg = f
        .target_group
        .as_ref()
        .expect("a cut-over has a target group");
    let arn = tg.binding_arn().unwrap_or("ARN");
    let reach = if tg.target_type == "instance" {
        "the node security group admits the load balancer's security group on the NodePort range"
    } else {
        "the pods' security group admits the load balancer's security group on the container port"
    };
    let steps = vec![
        Step::new(Side::Aws, reach, None),
        Step::new(Side::Kubernetes, "let rollouts wait for target health: label the namespace for the controller's readiness gate", Some("kubectl label namespace NAMESPACE elbv2.k8s.aws/pod-readiness-gate-inject=enabled".into())),
        Step::new(Side::Kubernetes, format!("install with the binding on: the pods register in {} beside the ECS tasks ({} targets)", tg.name, tg.target_type), Some(helm_install(f, &format!(" --set targetGroupBinding.enabled=true --set targetGroupBinding.targetGroupARN={arn}")))),
        Step::new(Side::Aws, "verify targets from both sides are healthy", Some(format!("aws elbv2 describe-target-health --target-group-arn {arn}"))),
        Step::new(Side::Ecs, format!("scale {service} to 0; the load balancer drains its tasks for {} s", tg.deregistration_delay), Some(stateful::scale_to_zero(f, false))),
        Step::new(Side::Kubernetes, "later, optionally: ingress.enabled=true makes a Kubernetes-owned ALB; move DNS to it, then turn the binding off", None),
    ];
    Move {
        strategy: Strategy::CutOver,
        why: "the load balancer sends to ECS tasks and pods at once while ECS scales down: no request is dropped".into(),
        downtime_seconds: 0,
        downtime_parts: Vec::new(),
        steps,
    }
}

fn recreate(f: &MoveFacts) -> Move {
    let (_, service) = ecs_names(f);
    let steps = vec![
        Step::new(
            Side::Kubernetes,
            "install and wait until the pods are ready",
            Some(stateful::install_and_wait(f)),
        ),
        Step::new(
            Side::Ecs,
            format!("scale {service} to 0"),
            Some(stateful::scale_to_zero(f, false)),
        ),
    ];
    Move {
        strategy: Strategy::Recreate,
        why: if f.shared_file_systems.is_empty() {
            "no state and no load balancer to move: both run for a while, then ECS stops"
        } else {
            "its data is on EFS, which both mount, and no load balancer to move: both run for a while, then ECS stops"
        }
        .into(),
        downtime_seconds: 0,
        downtime_parts: Vec::new(),
        steps,
    }
}

fn scheduled(f: &MoveFacts) -> Move {
    let steps = vec![
        Step::new(
            Side::Kubernetes,
            "install with the schedule suspended",
            Some(helm_install(f, " --set cronJob.suspend=true")),
        ),
        Step::new(
            Side::Ecs,
            "between two runs, disable the EventBridge rule or schedule that starts the ECS task",
            Some("aws events disable-rule --name RULE".into()),
        ),
        Step::new(
            Side::Kubernetes,
            "resume the CronJob",
            Some(helm_install(f, " --set cronJob.suspend=false")),
        ),
    ];
    Move {
        strategy: Strategy::Recreate,
        why: "a scheduled job keeps no state between runs: switched between two runs, no run is missed or doubled".into(),
        downtime_seconds: 0,
        downtime_parts: Vec::new(),
        steps,
    }
}

fn unknown_data(f: &MoveFacts) -> Move {
    let (_, service) = ecs_names(f);
    let volumes = f.other_data.join(", ");
    let steps = vec![
        Step::new(Side::Ecs, format!("scale {service} to 0 so nothing writes"), Some(stateful::scale_to_zero(f, true))),
        Step::new(Side::Aws, format!("copy the data of {volumes}: a snapshot of the EBS volume that holds it into persistence.<volume>.fromSnapshot, or the software's own backup and restore"), None),
        Step::new(Side::Kubernetes, "install and wait until the pods are ready", Some(stateful::install_and_wait(f))),
    ];
    let parts = vec![
        stateful::part("the ECS task stops", f.stop.0, &f.stop.1),
        stateful::part(
            "copying the data",
            0,
            "not known here: it depends on the data's size; measure it in a rehearsal",
        ),
        stateful::part("the pod starts and is ready", f.start.0, &f.start.1),
    ];
    Move {
        strategy: Strategy::Snapshot,
        why: format!("volumes {volumes} keep data, and the input does not say which EBS volume holds it, so it is copied while the service is stopped"),
        downtime_seconds: stateful::total(&parts),
        downtime_parts: parts,
        steps,
    }
}

/// Callers still on ECS use the Cloud Map name: once ECS no longer registers it, the Service
/// takes it over (ExternalDNS aws-sd), so they follow without a change.
fn keep_names(f: &MoveFacts, m: &mut Move) {
    if f.answers_to.len() < 2 {
        return;
    }
    let name = &f.answers_to[0];
    m.steps.push(Step::new(
        Side::Kubernetes,
        format!("flip the name: when the ECS service is at 0 and its Cloud Map instances are gone, publish the Service as {name} for callers still on ECS (ExternalDNS, aws-sd provider)"),
        Some(helm_install(f, " --set cloudMap.publish=true")),
    ));
}
