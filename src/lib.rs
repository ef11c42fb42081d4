//! helm-ecs-import: Amazon ECS task definitions → Helm charts.
//!
//! The pipeline reads off the modules: `ecs` (input model) → `convert` (mapping rules, one per
//! concern) → `workload` (intermediate model) → `chart` (files, written atomically). Findings
//! along the way collect in a `report::Report`.

pub mod chart;
pub mod cli;
pub mod convert;
pub mod ecs;
pub mod error;
pub mod report;
pub mod workload;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cli::{Cli, WorkloadArg};
use error::{Error, Result};
use report::{Report, Severity};
use workload::WorkloadKind;

/// One input converted in memory, not yet written.
pub struct Converted {
    pub source: PathBuf,
    pub chart: chart::Chart,
    pub report: Report,
    pub kind: WorkloadKind,
}

/// Everything `convert_file` needs besides the file.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: Option<String>,
    pub chart: chart::ChartOptions,
    pub convert: convert::Options,
    pub strict: bool,
}

impl Settings {
    pub fn from_cli(cli: &Cli) -> Result<Self> {
        if cli.name.is_some() && cli.files.len() > 1 {
            return Err(Error::Usage(
                "--name names one chart; it cannot be used with several FILEs".into(),
            ));
        }
        Ok(Settings {
            name: cli.name.clone(),
            chart: chart::ChartOptions {
                version: cli.chart_version.clone(),
                app_version: cli.app_version.clone(),
            },
            convert: convert::Options {
                workload: match cli.workload {
                    WorkloadArg::Auto => None,
                    WorkloadArg::Statefulset => Some(WorkloadKind::StatefulSet),
                    WorkloadArg::Deployment => Some(WorkloadKind::Deployment),
                },
            },
            strict: cli.strict,
        })
    }
}

/// Reads, converts and renders one task definition file; writes nothing.
pub fn convert_file(path: &Path, settings: &Settings) -> Result<Converted> {
    let file = path.display().to_string();
    let loaded = ecs::load(path)?;
    let mut report = loaded.report;
    let stem = path
        .file_name()
        .map(|n| n.to_string_lossy().trim_end_matches(".json").to_string())
        .unwrap_or_default();
    let family = loaded.task.family.clone();
    let candidates = [
        settings.name.as_deref(),
        family.as_deref(),
        Some(stem.as_str()),
    ];
    let name = convert::naming::chart_name(candidates.into_iter().flatten())
        .unwrap_or_else(|| "ecs-service".to_string());
    if family.is_none() && settings.name.is_none() {
        report.warn(
            "ECSI-W-NO-FAMILY",
            &loaded.task.path.key("family"),
            "the task definition has no family",
            format!("the chart is named {name:?} after the file; use --name to choose"),
        );
    } else if let Some(f) = family
        .as_deref()
        .filter(|f| *f != name && settings.name.is_none())
    {
        report.info(
            "ECSI-I-CHART-NAME",
            &loaded.task.path.key("family"),
            format!("family {f:?} is not a valid chart name"),
            format!("the chart is named {name:?}"),
        );
    }
    let workload = convert::convert(&loaded.task, name, &settings.convert, &mut report)
        .map_err(|e| Error::field(&file, e))?;
    report.sort();
    if settings.strict {
        let warnings: Vec<_> = report.warnings().collect();
        if let Some(first) = warnings.first() {
            return Err(Error::Strict {
                file,
                count: warnings.len(),
                first: format!("{} at {}", first.code, first.pointer),
            });
        }
    }
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let chart = chart::build(&workload, &source, &report, &settings.chart)?;
    Ok(Converted {
        source: path.to_path_buf(),
        chart,
        report,
        kind: workload.kind,
    })
}

fn summary(c: &Converted, dir: &Path) -> String {
    let warnings = c.report.warnings().count();
    let notes = c.report.findings.len() - warnings;
    let mut out = format!(
        "{}: wrote {} ({}, {} warning(s), {} note(s))\n",
        c.source.display(),
        dir.display(),
        c.kind.as_str(),
        warnings,
        notes
    );
    for f in c
        .report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
    {
        out.push_str(&format!(
            "  warning {} {}: {}; {}\n",
            f.code, f.pointer, f.message, f.action
        ));
    }
    out
}

/// Runs the command line; returns the process exit status.
pub fn run(cli: &Cli) -> u8 {
    let settings = match Settings::from_cli(cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Error: {e}");
            return e.exit_code();
        }
    };
    let mut failed = false;
    let mut written: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in &cli.files {
        let result = convert_file(path, &settings).and_then(|converted| {
            if let Some(first) = written.get(&converted.chart.name) {
                return Err(Error::Input {
                    file: path.display().to_string(),
                    message: format!(
                        "gives chart {:?}, which {} already gave in this run; use --name or rename the family",
                        converted.chart.name,
                        first.display()
                    ),
                });
            }
            let dir = chart::write::write_chart(&converted.chart, &cli.output, cli.force)?;
            written.insert(converted.chart.name.clone(), path.clone());
            Ok((converted, dir))
        });
        match result {
            Ok((converted, dir)) => {
                if !cli.quiet {
                    eprint!("{}", summary(&converted, &dir));
                }
            }
            Err(e) => {
                eprintln!("Error: {e}");
                failed = true;
            }
        }
    }
    u8::from(failed)
}
