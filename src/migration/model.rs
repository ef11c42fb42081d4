//! The migration plan as `migration-plan.json` holds it: per environment, the order of moves
//! and, per chart, how it moves (the recommended move and the alternatives), each with its
//! steps and its downtime estimate broken into parts. Later stages (the bill) add sections
//! beside `move`; readers should ignore what they do not know.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MigrationPlan {
    /// What the plan is, for a reader that finds the file alone.
    pub about: String,
    pub environments: Vec<EnvironmentPlan>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EnvironmentPlan {
    pub name: String,
    /// Charts in the order they move: what others call first.
    pub order: Vec<String>,
    /// The same order in waves: charts in one wave call nothing in a later one.
    pub waves: Vec<Vec<String>>,
    pub services: Vec<ServiceMove>,
    /// What the environment costs a month on ECS today and on EKS tomorrow.
    pub cost: super::cost::model::Cost,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceMove {
    pub chart: String,
    pub kind: String,
    /// Charts this one calls (its environment values name them).
    pub calls: Vec<String>,
    #[serde(rename = "move")]
    pub recommended: Move,
    pub alternatives: Vec<Move>,
    /// Things to fix before the move, each naming the resource.
    pub checks: Vec<Check>,
    /// Where it should run on EKS, and whether Fargate can run it.
    pub compute: super::compute::Compute,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Strategy {
    /// Traffic moves while both run (a target group both register in).
    CutOver,
    /// The service stops on ECS, its EBS volume moves to the pod.
    AdoptVolume,
    /// The service stops on ECS, a snapshot of its data seeds the pod's claim.
    Snapshot,
    /// The software's own replication copies the data while ECS serves; then promotion.
    Replicate,
    /// No state and no traffic to move: start on EKS, stop on ECS.
    Recreate,
}

impl Strategy {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Strategy::CutOver => "cut-over",
            Strategy::AdoptVolume => "adopt-volume",
            Strategy::Snapshot => "snapshot",
            Strategy::Replicate => "replicate",
            Strategy::Recreate => "recreate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Move {
    pub strategy: Strategy,
    /// Why this move (and, for the recommended one, why over the others).
    pub why: String,
    pub downtime_seconds: i64,
    pub downtime_parts: Vec<DowntimePart>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DowntimePart {
    pub what: String,
    pub seconds: i64,
    /// Where the number comes from: a field of the input, or a stated typical value.
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Side {
    Ecs,
    Aws,
    Kubernetes,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Step {
    pub side: Side,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl Step {
    pub(crate) fn new(side: Side, text: impl Into<String>, command: Option<String>) -> Step {
        Step {
            side,
            text: text.into(),
            command,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Check {
    pub resource: String,
    pub problem: String,
    pub fix: String,
}
