//! What planning takes and gives: inputs per environment, units keyed by chart and environment.

use std::path::PathBuf;

use crate::ecs::service::ServiceDefinition;
use crate::error::Error;
use crate::report::Report;

/// A task definition as read: the model, or where and why it could not be read.
pub(crate) type TaskRead = Result<crate::ecs::Loaded, crate::error::FieldError>;

/// The paths of one environment; `env` is `None` for a plain batch.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub env: Option<crate::settings::EnvName>,
    pub paths: Vec<PathBuf>,
    /// Values for placeholders and template references in this environment's inputs.
    pub vars: std::collections::BTreeMap<String, String>,
    /// The AWS region (`--var AWS::Region=…`, else the CDK stack's target), for prices.
    pub region: Option<String>,
}

/// One chart in one environment: a task definition, and the service that runs it if any.
pub(crate) struct Unit {
    pub env: Option<String>,
    /// Index of the environment in the inputs, for ordering merged charts.
    pub env_index: usize,
    pub chart: String,
    pub source: PathBuf,
    /// The task definition as read (see `inputs::TaskCandidate`).
    /// Shared by the units of services that run the same task definition.
    pub task: std::sync::Arc<TaskRead>,
    /// Findings made before reading (CloudFormation intrinsics, service fields).
    pub pre_report: Report,
    /// Template values left unresolved: their placeholders are reported once, as unresolved.
    pub unresolved: Vec<crate::ecs::cloudformation::Unresolved>,
    pub service: Option<ServiceDefinition>,
    /// The template's volumes (for the task's host paths), groups and load balancers.
    pub estate: crate::ecs::estate::SharedEstate,
}

/// What planning found: units to convert, inputs skipped (with why) and inputs that failed.
#[derive(Default)]
pub(crate) struct Plan {
    pub units: Vec<Unit>,
    pub skipped: Vec<(PathBuf, String)>,
    pub failed: Vec<Error>,
}
