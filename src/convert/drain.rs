//! A pod serving behind a Service stops serving only after every node's proxy has stopped
//! sending to it. When the pod is deleted, the endpoint goes away and the container is told to
//! stop at the same moment; a server that exits at once on SIGTERM (nginx, Node, Go) would
//! refuse the requests proxies still send it. ECS had the load balancer's drain for this; a
//! short pause before the stop signal is the Kubernetes way.

use crate::json_path::JsonPath;
use crate::report::{Code, Report};
use crate::workload::{Workload, WorkloadKind};

/// Long enough for kube-proxy (1 s minimum sync) and the cluster's other proxies to see the
/// endpoint go; what EKS's own guidance uses.
pub(crate) const DRAIN_SECONDS: i64 = 5;

pub(crate) fn apply(w: &mut Workload, report: &mut Report) {
    if matches!(w.kind, WorkloadKind::Job | WorkloadKind::CronJob) {
        return;
    }
    let grace = w.termination_grace_period_seconds.unwrap_or(30) + DRAIN_SECONDS;
    // A load balancer's deregistration delay already set a longer pause.
    let Some(main) = w
        .containers
        .iter_mut()
        .find(|c| c.main && !c.ports.is_empty() && c.pre_stop_sleep.is_none())
    else {
        return;
    };
    main.pre_stop_sleep = Some(DRAIN_SECONDS);
    w.termination_grace_period_seconds = Some(grace);
    report.info(
        Code::Drain,
        &JsonPath::root(),
        format!("container {} serves a port behind the chart's Service", main.name),
        format!("containers.{}.lifecycle.preStop sleeps {DRAIN_SECONDS} s before the stop signal (terminationGracePeriodSeconds {grace}), so no proxy still sends to a stopped pod during a rollout", main.name),
    );
}
