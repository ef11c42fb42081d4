//! Values for the workload kinds beyond Deployment and StatefulSet: every kind shares the pod
//! template, so these hold only what the controller itself needs.

use crate::workload::{Workload, WorkloadKind};
use crate::yaml::Node;

pub(crate) fn daemon_set(w: &Workload) -> Node {
    let update = match &w.rollout {
        Some(r) => Node::map()
            .with("type", None, Node::str("RollingUpdate"))
            .with(
                "rollingUpdate",
                None,
                Node::map()
                    .with(
                        "maxUnavailable",
                        None,
                        Node::str(nonzero(&r.max_unavailable, "1")),
                    )
                    .with("maxSurge", None, Node::str(&r.max_surge)),
            ),
        None => Node::map(),
    };
    Node::map()
        .with(
            "updateStrategy",
            Some("How pods are replaced (from the ECS deployment configuration: minimumHealthyPercent → maxUnavailable, maximumPercent → maxSurge); empty uses Kubernetes' default"),
            update,
        )
        .with(
            "tolerateAll",
            Some("Tolerate every taint, so a pod runs on every node as the ECS daemon ran on every instance"),
            Node::Bool(true),
        )
}

/// maxUnavailable and maxSurge may not both be zero; keep the rollout moving.
fn nonzero<'a>(value: &'a str, fallback: &'a str) -> &'a str {
    if value.trim_end_matches('%') == "0" {
        fallback
    } else {
        value
    }
}

pub(crate) fn job(w: &Workload) -> Node {
    Node::map()
        .with(
            "backoffLimit",
            Some("Retries before the job fails; ECS never retried a stopped task"),
            Node::Int(0),
        )
        .with(
            "activeDeadlineSeconds",
            Some("Seconds after which a running job is stopped; null for no limit"),
            Node::Null,
        )
        .with(
            "ttlSecondsAfterFinished",
            Some("Seconds a finished Job (run once) is kept before it is deleted"),
            Node::Int(86400),
        )
        .with(
            "restartPolicy",
            Some("Never (as on ECS, where a stopped task is not restarted) or OnFailure"),
            Node::str("Never"),
        )
        .with(
            "parallelism",
            Some("Pods run at once (the ECS TaskCount)"),
            Node::Int(w.schedule.as_ref().and_then(|s| s.parallelism).unwrap_or(1)),
        )
}

pub(crate) fn cron_job(w: &Workload) -> Node {
    let schedule = w.schedule.clone().unwrap_or_default();
    let cron = if schedule.cron.is_empty() {
        "0 0 * * *".to_string()
    } else {
        schedule.cron
    };
    let zone = if schedule.time_zone.is_empty() {
        "Etc/UTC".to_string()
    } else {
        schedule.time_zone
    };
    Node::map()
        .with(
            "schedule",
            Some("When the job runs, five-field cron (translated from the EventBridge expression)"),
            Node::str(cron),
        )
        .with(
            "timeZone",
            Some("Time zone of the schedule (EventBridge rules run in UTC)"),
            Node::str(zone),
        )
        .with(
            "suspend",
            Some("No new runs (the ECS rule or schedule was DISABLED)"),
            Node::Bool(schedule.suspend),
        )
        .with(
            "concurrencyPolicy",
            Some("Forbid skips a run while the previous one is still going; Allow or Replace"),
            Node::str("Forbid"),
        )
        .with(
            "startingDeadlineSeconds",
            Some("Seconds a missed run may start late; null for no limit"),
            Node::Null,
        )
        .with(
            "successfulJobsHistoryLimit",
            Some("Finished jobs kept"),
            Node::Int(3),
        )
        .with(
            "failedJobsHistoryLimit",
            Some("Failed jobs kept"),
            Node::Int(1),
        )
}

/// Kinds whose pods run to completion.
pub(crate) fn runs_to_completion(kind: WorkloadKind) -> bool {
    matches!(kind, WorkloadKind::Job | WorkloadKind::CronJob)
}
