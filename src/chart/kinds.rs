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
            None,
            update,
        )
        .with(
            "tolerateAll",
            None,
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
            None,
            Node::Int(0),
        )
        .with(
            "activeDeadlineSeconds",
            None,
            Node::Null,
        )
        .with(
            "ttlSecondsAfterFinished",
            None,
            Node::Int(86400),
        )
        .with(
            "restartPolicy",
            None,
            Node::str("Never"),
        )
        .with(
            "parallelism",
            None,
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
            None,
            Node::str(cron),
        )
        .with(
            "timeZone",
            None,
            Node::str(zone),
        )
        .with(
            "suspend",
            None,
            Node::Bool(schedule.suspend),
        )
        .with(
            "concurrencyPolicy",
            None,
            Node::str("Forbid"),
        )
        .with(
            "startingDeadlineSeconds",
            None,
            Node::Null,
        )
        .with(
            "successfulJobsHistoryLimit",
            None,
            Node::Int(3),
        )
        .with(
            "failedJobsHistoryLimit",
            None,
            Node::Int(1),
        )
}

/// Kinds whose pods run to completion.
pub(crate) fn runs_to_completion(kind: WorkloadKind) -> bool {
    matches!(kind, WorkloadKind::Job | WorkloadKind::CronJob)
}
