//! The ECS task metadata endpoint (`ECS_CONTAINER_METADATA_URI`, `_V4`) does not exist on EKS: a
//! container that reads it finds the variable unset. Named, so the team replaces it with the
//! downward API or the instance metadata service before the cut-over.

use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::{Code, Report};
use crate::workload::Workload;

const VARIABLE: &str = "ECS_CONTAINER_METADATA_URI";

pub(crate) fn apply(
    td: &TaskDefinition,
    _w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    for def in &td.containers {
        let mut places = Vec::new();
        for (key, argv) in [("entryPoint", &def.entry_point), ("command", &def.command)] {
            let words = argv.as_ref().and_then(|a| a.known());
            if words.into_iter().flatten().any(|a| a.contains(VARIABLE)) {
                places.push(def.path.key(key));
            }
        }
        for (i, var) in def.environment.iter().enumerate() {
            if var.value.contains(VARIABLE) || var.name.starts_with(VARIABLE) {
                places.push(def.path.key("environment").index(i));
            }
        }
        if let Some(hc) = &def.health_check {
            if hc.command.iter().any(|a| a.contains(VARIABLE)) {
                places.push(hc.path.key("command"));
            }
        }
        for path in places {
            report.warn(
                Code::MetadataEndpoint,
                &path,
                format!("container {:?} reads the ECS task metadata endpoint ({VARIABLE}*)", def.name),
                "EKS has no such endpoint: the variable is unset in the pod; use the downward API (pod name, namespace, IP, labels) or the instance metadata service",
            );
        }
    }
    Ok(())
}
