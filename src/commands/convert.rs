//! The conversion command: plan the inputs, map every unit in parallel, merge environments,
//! write each chart (and its archive, built from the chart in memory), then verify.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::cli::Cli;
use crate::config::ConvertConfig;
use crate::error::{Error, Result};
use crate::output::{self, Written};
use crate::plan::{self, Unit};
use crate::unit::{self, Converted, Mapped};

pub(super) fn run(cli: &Cli) -> u8 {
    let config = match ConvertConfig::from_cli(cli) {
        Ok(c) => c,
        Err(e) => {
            output::error(&e);
            return e.exit_code();
        }
    };
    let mut plan = plan::plan(&config.inputs, &config.settings);
    // Consumed as they are converted, so each input is freed once its chart is written.
    let units = std::mem::take(&mut plan.units);
    if config.settings.name.is_some() && units.len() > 1 {
        let e = Error::Usage("--name names one chart, but the inputs hold several".into());
        output::error(&e);
        return e.exit_code();
    }
    if units.is_empty() && plan.failed.is_empty() && !config.environments {
        output::nothing_converted(&plan.skipped);
        return 1;
    }
    let mut outcomes: Vec<Result<Written>> = std::mem::take(&mut plan.failed)
        .into_iter()
        .map(Err)
        .collect();
    let progress = output::progress(config.quiet, units.len());
    // Each unit maps (and, in a plain batch, writes its own chart) on its own, so the work runs
    // in parallel; results come back in plan order, so output never depends on scheduling.
    if config.environments {
        let mapped: Vec<Result<Mapped>> = units
            .into_par_iter()
            .map(|u| {
                let result = unit::map(&u, &config.settings);
                progress.inc(1);
                result
            })
            .collect();
        outcomes.extend(merge_and_write(mapped, &config));
    } else {
        let results: Vec<Result<Written>> = units
            .into_par_iter()
            .map(|u| {
                let result = convert_one(&u, &config).and_then(|c| write(c, &config));
                progress.inc(1);
                result
            })
            .collect();
        outcomes.extend(results);
    }
    progress.finish_and_clear();
    output::conversion(&outcomes, &plan.skipped, config.quiet);
    let mut failed = outcomes.iter().any(Result::is_err);
    if config.verify {
        failed |= verify(&outcomes, config.quiet);
    }
    u8::from(failed)
}

fn convert_one(u: &Unit, config: &ConvertConfig) -> Result<Converted> {
    unit::render(unit::map(u, &config.settings)?, &config.settings)
}

/// Groups the mapped units by chart (in order of first appearance) and merges each group.
fn merge_and_write(mapped: Vec<Result<Mapped>>, config: &ConvertConfig) -> Vec<Result<Written>> {
    let envs: Vec<String> = config.inputs.iter().filter_map(|i| i.env.clone()).collect();
    let mut outcomes = Vec::new();
    let mut groups: BTreeMap<String, Vec<Mapped>> = BTreeMap::new();
    for m in mapped {
        match m {
            Ok(m) => groups.entry(m.workload.name.clone()).or_default().push(m),
            Err(e) => outcomes.push(Err(e)),
        }
    }
    let merged: Vec<Result<Written>> = groups
        .into_par_iter()
        .map(|(name, mut members)| {
            members.sort_by_key(|m| m.env_index);
            crate::environments::merge(&name, &envs, members, &config.settings)
                .and_then(|c| write(c, config))
        })
        .collect();
    outcomes.extend(merged);
    outcomes
}

/// Writes a converted chart, and with --package its archive, built from the chart in memory.
fn write(mut converted: Converted, config: &ConvertConfig) -> Result<Written> {
    if !config.version_given {
        crate::chart::write::follow_previous_version(&mut converted.chart, &config.output);
    }
    let written = crate::chart::write::write_chart(&converted.chart, &config.output, config.force)?;
    if config.package {
        let source = crate::package::ChartSource::from_chart(
            &converted.chart,
            &written.dir,
            written.user_files,
        )?;
        crate::package::write(&source.build(None)?, &config.output)?;
    }
    let warnings = output::warning_lines(&converted.report);
    let notes = converted.report.findings.len() - warnings.len();
    Ok(Written {
        source: converted.source,
        dir: written.dir,
        kind: converted.kind,
        warnings,
        notes,
        values_files: converted
            .chart
            .files
            .keys()
            .filter(|k| k.starts_with("values-") && k.ends_with(".yaml"))
            .cloned()
            .collect(),
    })
}

/// Runs Helm over every written chart; true when any check failed.
fn verify(outcomes: &[Result<Written>], quiet: bool) -> bool {
    let helm = super::verify::helm_binary();
    let mut failed = false;
    for w in outcomes.iter().flatten() {
        let errors = super::verify::verify_chart(&helm, &w.dir, &w.values_files);
        if errors.is_empty() && !quiet {
            output::verified(&w.dir, &helm);
        }
        for e in errors {
            output::error(&e);
            failed = true;
        }
    }
    failed
}
