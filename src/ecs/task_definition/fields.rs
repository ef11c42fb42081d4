//! Facts about task definition fields the readers share: limits ECS enforces, fields that only
//! describe output carries, fields the converter reports instead of carrying.

use crate::ecs::reader::{NotCarried, Obj, ReadResult};
use crate::error::FieldError;
use crate::report::{Code, Report};

/// Fields of `describe-task-definition` output that `register-task-definition` rejects.
pub(crate) const READ_ONLY_FIELDS: &[&str] = &[
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "deregisteredAt",
    "deleteRequestedAt",
    "registeredBy",
];

pub(super) const TASK_NOT_CARRIED: &[NotCarried] = &[
    NotCarried { key: "proxyConfiguration", code: Code::Appmesh, why: "App Mesh proxy configuration has no Kubernetes equivalent; use a service mesh's sidecar injection" },
    NotCarried { key: "inferenceAccelerators", code: Code::Ei, why: "Elastic Inference is discontinued; request GPUs or Inferentia devices instead" },
    NotCarried { key: "enableFaultInjection", code: Code::Fault, why: "ECS fault injection has no equivalent; use AWS FIS EKS actions or Chaos Mesh" },
    NotCarried { key: "trustedExecutionConfiguration", code: Code::Tee, why: "no direct equivalent; a runtimeClassName for a sandboxed runtime is the closest" },
];

/// Largest CPU units / MiB values ECS accepts anywhere; bigger numbers are typos.
pub(super) const MAX_CPU_UNITS: i64 = 1_000_000;
pub(super) const MAX_MIB: i64 = 16_777_216;

pub(super) fn required_string(
    obj: &mut Obj<'_>,
    key: &str,
    report: &mut Report,
) -> ReadResult<String> {
    obj.string(key, report)?
        .ok_or_else(|| FieldError::new(&obj.path().key(key), "is required"))
}
