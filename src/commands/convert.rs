//! The conversion command: plan the inputs, map every unit in parallel, merge environments,
//! write each chart (and its archive, built from the chart in memory), then verify.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::cli::Cli;
use crate::config::ConvertConfig;
use crate::error::{Error, Result, Usage};
use crate::json_path::JsonPath;
use crate::migration::facts::MoveFacts;
use crate::output::{self, Written};
use crate::pipeline::map_unit::{self, check_strict, Converted, Mapped};
use crate::pipeline::plan::{self, Unit};
use crate::report::{Code, Finding, Report};
use crate::settings::EnvName;

pub(super) fn run(cli: &Cli) -> u8 {
    match run_checked(cli) {
        Ok(status) => status,
        Err(e) => {
            output::error(&e);
            e.exit_code()
        }
    }
}

fn run_checked(cli: &Cli) -> Result<u8> {
    let config = ConvertConfig::from_cli(cli)?;
    let mut plan = plan::plan(&config.inputs, &config.settings);
    // Consumed as they are converted, so each input is freed once its chart is written.
    let units = std::mem::take(&mut plan.units);
    if config.settings.name.is_some() && units.len() > 1 {
        return Err(Error::Usage(Usage::NameWithSeveralCharts));
    }
    if units.is_empty() && plan.failed.is_empty() && !config.environments {
        output::nothing_converted(&plan.skipped);
        return Ok(1);
    }
    let mut outcomes: Vec<Result<Written>> = std::mem::take(&mut plan.failed)
        .into_iter()
        .map(Err)
        .collect();
    // Nothing is written on a dry run or for failures alone: no output directory then.
    let _lock = if config.write.dry_run || units.is_empty() {
        None
    } else {
        Some(lock_output(&config)?)
    };
    let (converted, facts) = convert_units(units, &config);
    outcomes.extend(converted);
    output::conversion(&outcomes, &plan.skipped, config.quiet, config.write.dry_run);
    // The plan covers the charts that were written (a chart that failed has no move yet).
    let written: std::collections::BTreeSet<String> = outcomes
        .iter()
        .filter_map(|o| {
            o.as_ref()
                .ok()?
                .dir
                .file_name()?
                .to_str()
                .map(str::to_string)
        })
        .collect();
    let facts: Vec<MoveFacts> = facts
        .into_iter()
        .filter(|f| written.contains(&f.chart))
        .collect();
    if !config.write.dry_run && !facts.is_empty() {
        let regions: Vec<Option<String>> = config.inputs.iter().map(|i| i.region.clone()).collect();
        let migration = crate::migration::build(facts, &regions, &config.cost);
        let written =
            crate::migration::write::write(&config.output, &migration, config.cost.auto_mode)?;
        output::migration_plan(&config.output, &written, config.quiet);
    }
    Ok(u8::from(failed(&outcomes, &config)))
}

/// One conversion at a time writes into an output directory; a second one waits its turn
/// instead of racing for the same chart folders. Leftovers of a killed run are recovered first.
fn lock_output(config: &ConvertConfig) -> Result<crate::lock::Held> {
    std::fs::create_dir_all(&config.output).map_err(|source| Error::Write {
        path: config.output.clone(),
        source,
    })?;
    let lock = crate::lock::take(&config.output, config.lock_timeout, "conversion")?;
    crate::chart::recover::recover(&config.output)?;
    Ok(lock)
}

/// Each unit maps (and, in a plain batch, writes its own chart) on its own, so the work runs
/// in parallel; results come back in plan order, so output never depends on scheduling.
fn convert_units(
    units: Vec<Unit>,
    config: &ConvertConfig,
) -> (Vec<Result<Written>>, Vec<MoveFacts>) {
    let progress = output::progress(config.quiet, units.len());
    let names = crate::pipeline::discovery_rewrite::names(&units);
    let keep = config.settings.keep_discovery_names;
    let facts = std::sync::Mutex::new(Vec::new());
    let map = |u: &Unit| {
        map_unit::map(u, &config.settings).map(|mut m| {
            crate::pipeline::discovery_rewrite::rewrite(&mut m, &names, keep);
            if let Some(found) = m.facts.take() {
                facts.lock().expect("no panic holds it").push(found);
            }
            m
        })
    };
    let outcomes = if config.environments {
        let mapped: Vec<Result<Mapped>> = units
            .into_par_iter()
            .map(|u| {
                let result = map(&u);
                progress.inc(1);
                result
            })
            .collect();
        combine_and_write(mapped, config)
    } else {
        units
            .into_par_iter()
            .map(|u| {
                let result = map(&u).and_then(|m| {
                    let (done, fingerprint) = unchanged(&[&m], &[], config)?;
                    if let Some(done) = done {
                        return Ok(done);
                    }
                    let mut converted = map_unit::render(m, &config.settings)?;
                    converted.chart.fingerprint = fingerprint;
                    write(converted, config)
                });
                progress.inc(1);
                result
            })
            .collect()
    };
    progress.finish_and_clear();
    (outcomes, facts.into_inner().expect("no panic holds it"))
}

/// Whether the run failed: an error, an open conflict (until the user settles it or picks a
/// side), drift under --check, or a chart --verify refused.
fn failed(outcomes: &[Result<Written>], config: &ConvertConfig) -> bool {
    let mut failed = outcomes.iter().any(Result::is_err);
    let written = || outcomes.iter().filter_map(|o| o.as_ref().ok());
    failed |= written().any(|w| w.conflicts > 0);
    if config.write.dry_run {
        return failed | output::drift(written(), config.diff);
    }
    if config.verify {
        failed |= verify(outcomes, config.quiet);
    }
    failed
}

/// Groups the mapped units by chart (in order of first appearance) and merges each group.
fn combine_and_write(mapped: Vec<Result<Mapped>>, config: &ConvertConfig) -> Vec<Result<Written>> {
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
            let (done, fingerprint) =
                unchanged(&members.iter().collect::<Vec<_>>(), &envs, config)?;
            if let Some(done) = done {
                return Ok(done);
            }
            let mut converted = crate::pipeline::environment_overlay::combine(
                &name,
                &envs,
                members,
                &config.settings,
            )?;
            converted.chart.fingerprint = fingerprint;
            write(converted, config)
        })
        .collect();
    outcomes.extend(merged);
    outcomes
}

/// The chart of `members` when its recorded fingerprint shows it unchanged (reported without
/// generating it), and the fingerprint to record when it is generated. An archive needs the
/// chart's bytes, so --package always generates.
fn unchanged(
    members: &[&Mapped],
    envs: &[String],
    config: &ConvertConfig,
) -> Result<(Option<Written>, Option<String>)> {
    let first = members[0];
    let fingerprint = crate::pipeline::fingerprint::of(members, envs, &config.settings);
    let dir = config.output.join(&first.workload.name);
    let recorded = fingerprint
        .as_deref()
        .filter(|_| !config.package)
        .and_then(|f| crate::chart::unchanged::by_fingerprint(&dir, f));
    let Some(files) = recorded else {
        return Ok((None, fingerprint));
    };
    // The findings the chart would be generated with, counted and checked (--strict) as then.
    let mut report = Report::default();
    for m in members {
        report.findings.extend(m.report.findings.iter().cloned());
    }
    if !envs.is_empty() {
        let name = &first.workload.name;
        crate::pipeline::environment_overlay::report_missing(name, envs, members, &mut report);
    }
    check_strict(&config.settings, &first.source, &report)?;
    let warnings = output::warning_lines(&report);
    let written = Written {
        sources: map_unit::sources_label(members, !envs.is_empty()),
        dir,
        kind: first.workload.kind,
        notes: report.findings.len() - warnings.len(),
        warnings,
        values_files: files
            .into_iter()
            .filter(|k| k.starts_with("values-") && k.ends_with(".yaml"))
            .collect(),
        merges: Vec::new(),
        conflicts: 0,
        changes: Vec::new(),
        unchanged: true,
    };
    Ok((Some(written), fingerprint))
}

/// Writes a converted chart, and with --package its archive, built from the chart in memory.
fn write(mut converted: Converted, config: &ConvertConfig) -> Result<Written> {
    if !config.version_given {
        let forbidden =
            crate::chart::upgrade::follow_previous_version(&mut converted.chart, &config.output);
        converted.chart.reimport = statefulset_findings(&forbidden, &converted.chart.name);
    }
    let strict = Report {
        findings: converted.chart.reimport.clone(),
    };
    check_strict(&config.settings, &converted.source, &strict)?;
    let written = crate::chart::write::write_chart(&converted.chart, &config.output, config.write)?;
    let mut warnings = output::warning_lines(&converted.report);
    let reimport = Report {
        findings: written.findings.clone(),
    };
    warnings.extend(output::warning_lines(&reimport));
    let merges = output::merge_lines(&written);
    // A side chosen (--ours, --theirs) settles every conflict.
    let conflicts = if config.write.side.is_some() {
        0
    } else {
        written.conflicts().count()
    };
    if config.package {
        // From the folder as written, as `helm package` would: the user's edits of generated
        // files and their own files are in the archive, `.helmignore` applied.
        let source = crate::package::ChartSource::read(&written.dir)?;
        crate::package::write(&source.build(None)?, &config.output)?;
    }
    let notes = converted.report.findings.len() + reimport.findings.len() - warnings.len();
    Ok(Written {
        merges,
        conflicts,
        changes: written.changes,
        sources: converted.sources,
        unchanged: written.unchanged,
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

/// A re-import that changes StatefulSet fields Kubernetes does not update in place: the
/// chart's minor version goes up, and the upgrade needs the orphan-delete step first.
fn statefulset_findings(forbidden: &[String], chart: &str) -> Vec<Finding> {
    let mut report = Report::default();
    for key in forbidden {
        let at = key
            .split('.')
            .fold(JsonPath::root().key("values.yaml"), |p, k| p.key(k));
        report.warn(
            Code::StatefulSetUpdate,
            &at,
            format!("{key} changes a StatefulSet field Kubernetes does not update in place, so helm upgrade would fail; the chart's minor version is raised"),
            format!("before upgrading: kubectl delete statefulset <release>-{chart} --cascade=orphan (pods and claims stay), then helm upgrade; existing claims keep their old size until resized one by one"),
        );
    }
    report.findings
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
