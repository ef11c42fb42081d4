//! The conversion command: plan the inputs, map every unit in parallel, merge environments,
//! write each chart (and its archive, built from the chart in memory), then verify.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::cli::Cli;
use crate::config::ConvertConfig;
use crate::error::{Error, Result};
use crate::output::{self, Written};
use crate::pipeline::map_unit::{self, Converted, Mapped};
use crate::pipeline::plan::{self, Unit};
use crate::settings::EnvName;

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
    // One conversion at a time writes into an output directory; a second one waits its turn
    // instead of racing for the same chart folders.
    let _lock = if config.write.dry_run || units.is_empty() {
        // Nothing will be written: no output directory is created for failures alone.
        None
    } else {
        let lock = std::fs::create_dir_all(&config.output)
            .map_err(|source| Error::Write {
                path: config.output.clone(),
                source,
            })
            .and_then(|()| crate::lock::take(&config.output, config.lock_timeout, "conversion"))
            .and_then(|lock| crate::chart::write::recover(&config.output).map(|()| lock));
        match lock {
            Ok(l) => Some(l),
            Err(e) => {
                output::error(&e);
                return e.exit_code();
            }
        }
    };
    let progress = output::progress(config.quiet, units.len());
    // Each unit maps (and, in a plain batch, writes its own chart) on its own, so the work runs
    // in parallel; results come back in plan order, so output never depends on scheduling.
    if config.environments {
        let mapped: Vec<Result<Mapped>> = units
            .into_par_iter()
            .map(|u| {
                let result = map_unit::map(&u, &config.settings);
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
    let written = || outcomes.iter().filter_map(|o| o.as_ref().ok());
    // An open conflict fails the run until the user settles it or picks a side.
    if config.write.side.is_none() {
        failed |= written().any(|w| w.conflicts > 0);
    }
    if config.write.dry_run {
        failed |= output::drift(written(), config.diff);
        return u8::from(failed);
    }
    if config.verify {
        failed |= verify(&outcomes, config.quiet);
    }
    u8::from(failed)
}

fn convert_one(u: &Unit, config: &ConvertConfig) -> Result<Converted> {
    map_unit::render(map_unit::map(u, &config.settings)?, &config.settings)
}

/// Groups the mapped units by chart (in order of first appearance) and merges each group.
fn merge_and_write(mapped: Vec<Result<Mapped>>, config: &ConvertConfig) -> Vec<Result<Written>> {
    let envs: Vec<String> = config
        .inputs
        .iter()
        .filter_map(|i| i.env.as_ref().map(EnvName::to_string))
        .collect();
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
            crate::pipeline::environment_overlay::merge(&name, &envs, members, &config.settings)
                .and_then(|c| write(c, config))
        })
        .collect();
    outcomes.extend(merged);
    outcomes
}

/// Writes a converted chart, and with --package its archive, built from the chart in memory.
fn write(mut converted: Converted, config: &ConvertConfig) -> Result<Written> {
    let forbidden = if config.version_given {
        Vec::new()
    } else {
        crate::chart::write::follow_previous_version(&mut converted.chart, &config.output)
    };
    let written = crate::chart::write::write_chart(&converted.chart, &config.output, config.write)?;
    let mut warnings = output::warning_lines(&converted.report);
    warnings.extend(output::upgrade_lines(&forbidden, &converted.chart.name));
    let merges = output::merge_lines(&written);
    let conflicts = written.conflicts().count();
    if config.package {
        let source = crate::package::ChartSource::from_chart(
            &converted.chart,
            &written.dir,
            written.user_files,
        )?;
        crate::package::write(&source.build(None)?, &config.output)?;
    }
    let notes = converted.report.findings.len() - (warnings.len() - forbidden.len());
    Ok(Written {
        merges,
        conflicts,
        changes: written.changes,
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
    let dry_run = super::verify::dry_run_mode(&helm);
    let mut failed = false;
    for w in outcomes.iter().flatten() {
        let errors = super::verify::verify_chart(&helm, &w.dir, &w.values_files, dry_run);
        if errors.is_empty() && !quiet {
            output::verified(&w.dir, &helm, dry_run.as_str());
        }
        for e in errors {
            output::error(&e);
            failed = true;
        }
    }
    failed
}
