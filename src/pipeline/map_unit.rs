//! One unit through the pipeline: its task definition read where it sits in its file, the
//! mapping rules applied (the ECS service among them), and the chart rendered in memory.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::pipeline::plan::naming::file_name;
use crate::pipeline::plan::Unit;
use crate::report::{Code, Report};
use crate::settings::Settings;
use crate::workload::{Workload, WorkloadKind};

/// A unit mapped to the intermediate model, with its findings.
pub(crate) struct Mapped {
    pub source: PathBuf,
    pub env: Option<String>,
    pub env_index: usize,
    pub workload: Workload,
    pub report: Report,
    /// What the migration plan needs about this chart in this environment (taken once the
    /// unit is mapped, so the chart stage never holds it).
    pub facts: Option<crate::migration::facts::MoveFacts>,
}

/// A chart in memory, not yet written.
pub(crate) struct Converted {
    pub source: PathBuf,
    /// The inputs it came from, as the user reads them: `env=file, …` for several environments.
    pub sources: String,
    pub chart: crate::chart::Chart,
    pub report: Report,
    pub kind: WorkloadKind,
}

/// The inputs of a chart as the user reads them: `env=file, …` when it serves environments.
pub(crate) fn sources_label(members: &[&Mapped], with_env: bool) -> String {
    members
        .iter()
        .map(|m| match m.env.as_deref().filter(|_| with_env) {
            Some(env) => format!("{env}={}", m.source.display()),
            None => m.source.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the unit's task definition and applies the rules; writes nothing.
pub(crate) fn map(unit: &Unit, settings: &Settings) -> Result<Mapped> {
    let file = unit.source.display().to_string();
    let loaded = unit
        .task
        .as_ref()
        .as_ref()
        .map_err(|e| Error::field(&file, e.clone()))?;
    let mut report = loaded.report.clone();
    let service_name = unit.service.as_ref().and_then(|s| s.name.as_deref());
    name_findings(unit, &loaded.task, service_name, settings, &mut report);
    let options = settings.convert.for_environment(unit.env.as_deref());
    let source = crate::convert::Source {
        task: &loaded.task,
        service: unit.service.as_ref(),
        options: &options,
        instance_volumes: &unit.estate.volumes,
    };
    let workload = crate::convert::convert(source, unit.chart.clone(), &mut report)
        .map_err(|e| Error::field(&file, e))?;
    report
        .findings
        .extend(unit.pre_report.findings.iter().cloned());
    // A template value left unresolved is reported once, as unresolved, not again as a
    // placeholder.
    let unresolved: Vec<String> = unit.unresolved.iter().map(|u| u.path.pointer()).collect();
    report
        .findings
        .retain(|f| !(f.code == Code::Placeholder && unresolved.contains(&f.pointer)));
    // A placeholder the chart has no place for is reported as left unset, not as kept.
    let unset: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.code == Code::DeferredUnset)
        .map(|f| f.pointer.clone())
        .collect();
    report.findings.retain(|f| {
        !(matches!(f.code, Code::CfnUnresolved | Code::Placeholder) && unset.contains(&f.pointer))
    });
    if let Some(env) = &unit.env {
        for f in &mut report.findings {
            f.environment = Some(env.clone());
        }
    }
    report.sort();
    let facts = crate::migration::facts::of(
        &loaded.task,
        unit.service.as_ref(),
        &unit.estate,
        &workload,
        unit.env.as_deref(),
        unit.env_index,
    );
    Ok(Mapped {
        source: unit.source.clone(),
        env: unit.env.clone(),
        env_index: unit.env_index,
        workload,
        report,
        facts: Some(facts),
    })
}

fn name_findings(
    unit: &Unit,
    task: &crate::ecs::TaskDefinition,
    service_name: Option<&str>,
    settings: &Settings,
    report: &mut Report,
) {
    let name = &unit.chart;
    let chosen = settings.name.is_some() || service_name.is_some();
    match task.family.as_deref() {
        None if !chosen => report.warn(
            Code::NoFamily,
            &task.path.key("family"),
            "the task definition has no family",
            format!("the chart is named {name:?} after the file; use --name to choose"),
        ),
        Some(f) if f != name && !chosen => report.info(
            Code::ChartName,
            &task.path.key("family"),
            format!("family {f:?} gives the chart name {name:?}"),
            "named after the family, made a valid chart name without the environment's name",
        ),
        _ => {}
    }
}

pub(crate) fn check_strict(
    settings: &Settings,
    source: &std::path::Path,
    report: &Report,
) -> Result<()> {
    if !settings.strict {
        return Ok(());
    }
    let warnings: Vec<_> = report.warnings().collect();
    match warnings.first() {
        Some(first) => Err(Error::Strict {
            file: source.display().to_string(),
            count: warnings.len(),
            first: format!("{} at {}", first.code, first.pointer),
        }),
        None => Ok(()),
    }
}

/// Renders one mapped unit as a chart of its own.
pub(crate) fn render(mapped: Mapped, settings: &Settings) -> Result<Converted> {
    check_strict(settings, &mapped.source, &mapped.report)?;
    let chart = crate::chart::build(
        &mapped.workload,
        &file_name(&mapped.source),
        &mapped.report,
        &settings.chart,
    )?;
    Ok(Converted {
        sources: sources_label(&[&mapped], false),
        source: mapped.source,
        chart,
        report: mapped.report,
        kind: mapped.workload.kind,
    })
}
