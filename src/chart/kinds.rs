//! Values for the workload kinds beyond Deployment and StatefulSet: every kind shares the pod
//! template, so these hold only what the controller itself needs.

use crate::workload::{Workload, WorkloadKind};
use crate::yaml::Node;

pub(crate) fn daemon_set(w: &Workload) -> Node {
    let update = match &w.rollout {
        Some(r) => Node::map().set("type", Node::str("RollingUpdate")).set(
            "rollingUpdate",
            Node::map()
                .set(
                    "maxUnavailable",
                    Node::str(nonzero(&r.max_unavailable, "1")),
                )
                .set("maxSurge", Node::str(&r.max_surge)),
        ),
        None => Node::map(),
    };
    Node::map()
        .set("updateStrategy", update)
        .set("tolerateAll", Node::Bool(true))
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
        .set("backoffLimit", Node::Int(0))
        .set("activeDeadlineSeconds", Node::Null)
        .set("ttlSecondsAfterFinished", Node::Int(86400))
        .set("restartPolicy", Node::str("Never"))
        .set(
            "parallelism",
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
        .set("schedule", Node::str(cron))
        .set("timeZone", Node::str(zone))
        .set("suspend", Node::Bool(schedule.suspend))
        .set("concurrencyPolicy", Node::str("Forbid"))
        .set("startingDeadlineSeconds", Node::Null)
        .set("successfulJobsHistoryLimit", Node::Int(3))
        .set("failedJobsHistoryLimit", Node::Int(1))
}

/// Kinds whose pods run to completion.
pub(crate) fn runs_to_completion(kind: WorkloadKind) -> bool {
    matches!(kind, WorkloadKind::Job | WorkloadKind::CronJob)
}
