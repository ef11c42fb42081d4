//! Mapping rules, one module per concern, applied in a fixed order: containers first (they
//! create the workload's containers), then what hangs off them.

pub mod containers;
pub mod identity;
pub mod image;
pub mod naming;
pub mod networking;
pub mod placement;
pub mod pod;
pub mod probes;
pub mod resources;
pub mod scheduling;
pub mod secrets;
pub mod service;
pub mod startup;
pub mod storage;

use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::Report;
use crate::workload::{Workload, WorkloadKind};

type Rule = fn(&TaskDefinition, &mut Workload, &mut Report) -> Result<(), FieldError>;

const RULES: &[Rule] = &[
    containers::apply,
    resources::apply,
    probes::apply,
    startup::apply,
    secrets::apply,
    networking::apply,
    storage::apply,
    pod::apply,
    scheduling::apply,
    placement::apply,
    identity::apply,
];

/// Choices the user makes on the command line that the rules need.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub workload: Option<WorkloadKind>,
}

pub fn convert(
    td: &TaskDefinition,
    name: String,
    options: &Options,
    report: &mut Report,
) -> Result<Workload, FieldError> {
    let origin = match (&td.family, td.revision) {
        (Some(f), Some(r)) => format!("{f}:{r}"),
        (Some(f), None) => f.clone(),
        (None, _) => name.clone(),
    };
    let mut w = Workload::new(name, origin);
    for rule in RULES {
        rule(td, &mut w, report)?;
    }
    if let Some(kind) = options.workload {
        w.kind = kind;
    }
    w.app_version = w
        .main_container()
        .map(|c| {
            if c.image.tag.is_empty() {
                "latest".to_string()
            } else {
                c.image.tag.clone()
            }
        })
        .unwrap_or_else(|| "latest".into());
    Ok(w)
}

/// For the rules' unit tests: reads `json` and applies `rules` in order.
#[cfg(test)]
pub(crate) fn run_rules(json: &str, rules: &[Rule]) -> Result<(Workload, Report), FieldError> {
    let loaded = crate::ecs::from_str(json, "t.json").expect("test input parses");
    let mut w = Workload::new("t".into(), "t".into());
    let mut report = Report::default();
    for rule in rules {
        rule(&loaded.task, &mut w, &mut report)?;
    }
    Ok((w, report))
}
