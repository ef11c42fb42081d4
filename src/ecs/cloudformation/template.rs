//! What reading a template gives: its task definitions, resolved, and its services.

use serde_json::Value;

use super::intrinsics::Unresolved;
use crate::ecs::service::ServiceDefinition;
use crate::json_path::JsonPath;
use crate::report::Report;

pub(crate) struct TemplateTask {
    pub logical_id: String,
    pub path: JsonPath,
    /// The task definition's properties, intrinsics resolved.
    pub value: Value,
    /// Where a value stayed unresolved (and holds its placeholder).
    pub unresolved: Vec<Unresolved>,
    pub report: Report,
}

pub(crate) struct TemplateService {
    pub logical_id: String,
    pub service: ServiceDefinition,
    pub report: Report,
}

pub(crate) struct Template {
    pub tasks: Vec<TemplateTask>,
    pub services: Vec<TemplateService>,
    /// Resources of a kind the conversion reads that give no chart.
    pub skipped: Vec<Skipped>,
    /// The volumes its instances mount (for tasks' host paths), its groups and load balancers.
    pub estate: crate::ecs::estate::Estate,
}

/// A resource the conversion reads that gives no chart, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Skipped {
    /// Its condition is false: CloudFormation does not create it.
    ConditionFalse { id: String, condition: String },
    /// A rule or schedule none of whose targets runs an ECS task.
    NoEcsTask { id: String, targets: Vec<String> },
}
