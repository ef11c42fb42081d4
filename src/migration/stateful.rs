//! Moves for a service whose data sits on EBS volumes its instances mounted: adopt the volume
//! (the data moves with no copy, the service stops meanwhile), restore a snapshot, or, for
//! software that replicates, copy the data while ECS keeps serving and switch over.

use super::facts::MoveFacts;
use super::model::{Check, DowntimePart, Move, Side, Step, Strategy};
use crate::ecs::instance_volume::InstanceVolume;

/// Typical times, stated as such in the plan: measure yours in a rehearsal.
const DETACH: i64 = 10;
const ATTACH_AND_MOUNT: i64 = 30;
const FINAL_SNAPSHOT: i64 = 60;
const RESTORE_AND_ATTACH: i64 = 90;

pub(super) fn part(what: &str, seconds: i64, source: &str) -> DowntimePart {
    DowntimePart {
        what: what.into(),
        seconds,
        source: source.into(),
    }
}

pub(super) fn total(parts: &[DowntimePart]) -> i64 {
    parts.iter().map(|p| p.seconds).sum()
}

/// The ECS service's coordinates for commands.
pub(super) fn ecs_names(f: &MoveFacts) -> (String, String) {
    (
        f.cluster.clone().unwrap_or_else(|| "CLUSTER".into()),
        f.ecs_service.clone().unwrap_or_else(|| f.chart.clone()),
    )
}

pub(super) fn helm_install(f: &MoveFacts, extra: &str) -> String {
    let values = f
        .env
        .as_ref()
        .map(|e| format!(" -f ./{}/values-{e}.yaml", f.chart))
        .unwrap_or_default();
    format!("helm upgrade --install {0} ./{0}{values}{extra}", f.chart)
}

/// The command that scales the ECS service to 0, and with `wait` waits until its tasks stopped.
pub(super) fn scale_to_zero(f: &MoveFacts, wait: bool) -> String {
    let (cluster, service) = ecs_names(f);
    let mut command =
        format!("aws ecs update-service --cluster {cluster} --service {service} --desired-count 0");
    if wait {
        command.push_str(&format!(
            " && aws ecs wait services-stable --cluster {cluster} --services {service}"
        ));
    }
    command
}

/// The command that installs the chart and waits until its pods are ready.
pub(super) fn install_and_wait(f: &MoveFacts) -> String {
    let resource = match f.kind {
        crate::workload::WorkloadKind::StatefulSet => "statefulset",
        crate::workload::WorkloadKind::DaemonSet => "daemonset",
        _ => "deployment",
    };
    format!(
        "{} && kubectl rollout status {resource}/{} --timeout=600s",
        helm_install(f, ""),
        f.chart
    )
}

fn stop_on_ecs(f: &MoveFacts) -> Vec<Step> {
    let (_, service) = ecs_names(f);
    vec![Step::new(
        Side::Ecs,
        format!("scale the ECS service {service} to 0 and wait until its task has stopped"),
        Some(scale_to_zero(f, true)),
    )]
}

fn release_volume(v: &InstanceVolume) -> Vec<Step> {
    let mut steps = Vec::new();
    for group in &v.groups {
        steps.push(Step::new(
            Side::Aws,
            format!("keep Auto Scaling group {group} from replacing the instance and re-attaching the volume"),
            Some(format!("aws autoscaling suspend-processes --auto-scaling-group-name {group} --scaling-processes Launch Terminate ReplaceUnhealthy HealthCheck AZRebalance")),
        ));
    }
    steps.push(Step::new(
        Side::Aws,
        format!(
            "on the instance: unmount {} (the user-data mounted it; stopping the task does not)",
            v.mount_path
        ),
        Some(format!("sudo umount {}", v.mount_path)),
    ));
    steps.push(Step::new(
        Side::Aws,
        format!("detach {} ({}) and wait until it is available", v.volume_id, v.logical_id),
        Some(format!("aws ec2 detach-volume --volume-id {0} && aws ec2 wait volume-available --volume-ids {0}", v.volume_id)),
    ));
    steps
}

fn snapshot_first(v: &InstanceVolume, chart: &str) -> Step {
    Step::new(
        Side::Aws,
        format!(
            "snapshot {} first, so a failed move can go back",
            v.volume_id
        ),
        Some(format!(
            "aws ec2 create-snapshot --volume-id {} --description \"before moving {chart} to EKS\"",
            v.volume_id
        )),
    )
}

pub(super) fn adopt(f: &MoveFacts) -> Move {
    let mut steps: Vec<Step> = f
        .instance_volumes
        .iter()
        .map(|(_, v)| snapshot_first(v, &f.chart))
        .collect();
    steps.extend(stop_on_ecs(f));
    for (_, v) in &f.instance_volumes {
        steps.extend(release_volume(v));
    }
    for (name, v) in &f.instance_volumes {
        steps.push(Step::new(
            Side::Kubernetes,
            format!(
                "a node in {} must be able to run the pod: the adopted volume pins it to its zone",
                v.zone.as_deref().unwrap_or("the volume's zone")
            ),
            Some(format!(
                "kubectl get nodes -l topology.kubernetes.io/zone={}",
                v.zone.as_deref().unwrap_or("ZONE")
            )),
        ));
        steps.push(Step::new(
            Side::Kubernetes,
            format!(
                "persistence.{name}.adoptVolumes holds {} (fill it if it is still a placeholder)",
                v.volume_id
            ),
            None,
        ));
    }
    steps.push(Step::new(Side::Kubernetes, "install; on a release already installed, first follow the chart README's commands for adopting on an installed release", Some(helm_install(f, ""))));
    steps.push(Step::new(
        Side::Kubernetes,
        "wait for the claims to bind to the adopted volumes and the pod to be ready",
        Some(format!("kubectl rollout status statefulset/{0} --timeout=600s && kubectl get pvc -l app.kubernetes.io/instance={0}", f.chart)),
    ));
    let parts = vec![
        part("the ECS task stops", f.stop.0, &f.stop.1),
        part("unmount and detach the volume", DETACH, "typical"),
        part(
            "attach and mount it on the node",
            ATTACH_AND_MOUNT,
            "typical (EBS CSI driver)",
        ),
        part("the pod starts and is ready", f.start.0, &f.start.1),
    ];
    Move {
        strategy: Strategy::AdoptVolume,
        why: "the volume itself moves to the pod: no copy, the same data and filesystem".into(),
        downtime_seconds: total(&parts),
        downtime_parts: parts,
        steps,
    }
}

pub(super) fn snapshot(f: &MoveFacts) -> Move {
    let mut steps: Vec<Step> = f
        .instance_volumes
        .iter()
        .map(|(_, v)| snapshot_first(v, &f.chart))
        .collect();
    steps.extend(stop_on_ecs(f));
    for (name, v) in &f.instance_volumes {
        steps.push(Step::new(
            Side::Aws,
            format!("a final snapshot of {} now that nothing writes (incremental: only what changed since the first)", v.volume_id),
            Some(format!("aws ec2 create-snapshot --volume-id {} --description \"final: {}\"", v.volume_id, f.chart)),
        ));
        steps.push(Step::new(
            Side::Kubernetes,
            format!("set persistence.{name}.fromSnapshot to the final snapshot's ID (snap-…); the ECS volume stays as it was"),
            None,
        ));
    }
    steps.push(Step::new(
        Side::Kubernetes,
        "install; the claims are restored from the snapshot",
        Some(helm_install(f, "")),
    ));
    let parts = vec![
        part("the ECS task stops", f.stop.0, &f.stop.1),
        part(
            "the final, incremental snapshot",
            FINAL_SNAPSHOT,
            "typical after a first full snapshot",
        ),
        part(
            "a volume from the snapshot, attached and mounted",
            RESTORE_AND_ATTACH,
            "typical",
        ),
        part("the pod starts and is ready", f.start.0, &f.start.1),
    ];
    Move {
        strategy: Strategy::Snapshot,
        why: "the ECS volume is never touched, so going back is starting ECS again; the copy costs more downtime than adoption".into(),
        downtime_seconds: total(&parts),
        downtime_parts: parts,
        steps,
    }
}

/// What must hold before the move: the data survives changes to the ECS stack.
pub(super) fn checks(f: &MoveFacts) -> Vec<Check> {
    let mut out = Vec::new();
    if f.replicas > 1 && !f.instance_volumes.is_empty() {
        out.push(Check {
            resource: f.chart.clone(),
            problem: format!("{} replicas, and one instance volume each: only replica 0 adopts it", f.replicas),
            fix: "list one volume per replica in adoptVolumes (ordinal order), or let the others start empty and replicate".into(),
        });
    }
    for (volume, file_system) in &f.shared_file_systems {
        out.push(Check {
            resource: file_system.clone(),
            problem: format!("ECS tasks and the pods mount this EFS file system (volume {volume}) at once during the move"),
            fix: "nothing is copied; if the software cannot share its files with a second writer, scale ECS to 0 before the pods start".into(),
        });
    }
    for (_, v) in &f.instance_volumes {
        for (policy, value) in [
            ("DeletionPolicy", &v.deletion_policy),
            ("UpdateReplacePolicy", &v.update_replace_policy),
        ] {
            if value != "Retain" {
                out.push(Check {
                    resource: v.logical_id.clone(),
                    problem: format!("{policy} is {value}: removing the volume from the ECS stack (or replacing it) deletes the data"),
                    fix: format!("set {policy}: Retain on {} and deploy the ECS stack before any change that removes or replaces it", v.logical_id),
                });
            }
        }
        if v.volume_id.starts_with("${") {
            out.push(Check {
                resource: v.logical_id.clone(),
                problem: format!("the volume's ID is not known here ({})", v.volume_id),
                fix: "convert with --stack-resources ENV=FILE (aws cloudformation describe-stack-resources) so the commands and adoptVolumes name it".into(),
            });
        }
    }
    out
}
