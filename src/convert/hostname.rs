//! A container's `hostname`: services such as RabbitMQ name their data after it. A
//! StatefulSet pod has a stable name of its own; a single Deployment pod can take the old
//! hostname. Either way the report says what the name becomes.

use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::{Code, Report};
use crate::workload::{Workload, WorkloadKind};

use super::naming::dns_label;

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    for def in &td.containers {
        let Some(hostname) = def.hostname.as_deref() else {
            continue;
        };
        let at = def.path.key("hostname");
        match w.kind {
            WorkloadKind::StatefulSet => report.warn(
                Code::Hostname,
                &at,
                format!("container {:?} had the hostname {hostname:?}", def.name),
                format!(
                    "a StatefulSet pod's hostname is its stable name: {}-0 for the first replica (RELEASE-{}-0 under another release name); data named after the old hostname (e.g. RabbitMQ's node name) must be renamed or set explicitly",
                    w.name, w.name
                ),
            ),
            _ if w.replicas <= 1 => {
                let label = dns_label(hostname, 63);
                report.warn(
                    Code::Hostname,
                    &at,
                    format!("container {:?} had the hostname {hostname:?}", def.name),
                    format!("the pod's hostname is {label:?} (values: hostname); it is shared by every container of the pod"),
                );
                w.hostname = Some(label);
            }
            _ => report.warn(
                Code::Hostname,
                &at,
                format!("container {:?} had the hostname {hostname:?}", def.name),
                "not carried over: several replicas cannot share one hostname; each pod is named by Kubernetes",
            ),
        }
    }
    Ok(())
}
