//! When a scheduled task runs: part of the service model, read by `scheduled`.

use crate::json_path::JsonPath;

/// When a scheduled task runs, as the input says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScheduledRun {
    /// Where the expression was read, for findings about it.
    pub path: JsonPath,
    pub expression: String,
    pub time_zone: String,
    pub enabled: bool,
    /// `TaskCount`: tasks started at each run.
    pub task_count: Option<i64>,
}
