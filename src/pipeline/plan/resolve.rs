//! From candidates to units: the highest revision of a family wins, each service claims its
//! task definition, and every unit gets its chart name (two units that would make the same
//! chart in one environment are reported, and neither overwrites the other).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::inputs::{Found, ServiceCandidate, TaskCandidate};
use super::unit::{Plan, Unit};
use crate::ecs::service::TaskRef;
use crate::error::{Error, InputProblem};
use crate::settings::Settings;

pub(super) fn units(
    found: Found,
    env: Option<&str>,
    env_index: usize,
    settings: &Settings,
    plan: &mut Plan,
) {
    let Found { tasks, services } = found;
    let superseded = superseded(&tasks, plan);
    let mut jobs = match_services(&tasks, services, &superseded, plan);
    jobs.sort_by(|(a, sa), (b, sb)| {
        let key = |i: usize, s: &Option<ServiceCandidate>| {
            (
                tasks[i].source.clone(),
                tasks[i].root.pointer(),
                s.as_ref().map(|s| s.service.path.pointer()),
            )
        };
        key(*a, sa).cmp(&key(*b, sb))
    });
    let mut names: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (i, service) in jobs {
        let t = &tasks[i];
        let service_name = service.as_ref().and_then(|u| u.service.name.clone());
        let chart = super::naming::chart_name_for(
            settings.name.as_deref(),
            service_name.as_deref(),
            t.family.as_deref(),
            env,
            &super::naming::file_stem(&t.source),
        );
        if let Some(first) = names.get(&chart) {
            let place = env
                .map(|e| format!(" in environment {e}"))
                .unwrap_or_default();
            plan.failed.push(Error::Input {
                file: t.source.display().to_string(),
                problem: InputProblem::ChartTwice {
                    chart: chart.clone(),
                    place,
                    first: first.display().to_string(),
                },
            });
            continue;
        }
        names.insert(chart.clone(), t.source.clone());
        let mut pre_report = t.pre_report.clone();
        let service = service.map(|u| {
            pre_report.findings.extend(u.report.findings);
            u.service
        });
        plan.units.push(Unit {
            env: env.map(str::to_string),
            env_index,
            chart,
            source: t.source.clone(),
            task: t.task.clone(),
            pre_report,
            unresolved: t.unresolved.clone(),
            service,
            estate: t.estate.clone(),
        });
    }
}

/// Several revisions of one family: the highest wins; the others are reported as skipped.
fn superseded(tasks: &[TaskCandidate], plan: &mut Plan) -> Vec<bool> {
    let mut by_family: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, t) in tasks.iter().enumerate() {
        if let (Some(f), None) = (&t.family, &t.logical_id) {
            by_family.entry(f).or_default().push(i);
        }
    }
    let mut superseded = vec![false; tasks.len()];
    for (family, members) in &by_family {
        let best = members
            .iter()
            .copied()
            .max_by_key(|&i| (tasks[i].revision, std::cmp::Reverse(i)))
            .expect("non-empty");
        for &i in members {
            if i != best && tasks[i].revision.is_some() && tasks[i].revision != tasks[best].revision
            {
                superseded[i] = true;
                plan.skipped.push((
                    tasks[i].source.clone(),
                    format!(
                        "{family}:{} is superseded by revision {} in {}",
                        tasks[i].revision.unwrap_or(0),
                        tasks[best].revision.unwrap_or(0),
                        tasks[best].source.display()
                    ),
                ));
            }
        }
    }
    superseded
}

fn describe(task: &Option<TaskRef>) -> String {
    match task {
        Some(TaskRef::Family {
            family,
            revision: Some(r),
        }) => format!("{family}:{r}"),
        Some(TaskRef::Family { family, .. }) => family.clone(),
        Some(TaskRef::Resource(id)) => id.clone(),
        None => "no task definition".into(),
    }
}

/// One unit per service; a task definition no service runs is a unit of its own.
fn match_services(
    tasks: &[TaskCandidate],
    services: Vec<ServiceCandidate>,
    superseded: &[bool],
    plan: &mut Plan,
) -> Vec<(usize, Option<ServiceCandidate>)> {
    let mut served = vec![false; tasks.len()];
    let mut jobs = Vec::new();
    for unit in services {
        let found = match &unit.service.task {
            Some(TaskRef::Resource(id)) => tasks
                .iter()
                .position(|t| t.source == unit.source && t.logical_id.as_deref() == Some(id)),
            Some(TaskRef::Family { family, revision }) => {
                tasks.iter().enumerate().position(|(i, t)| {
                    !superseded[i]
                        && t.family.as_deref() == Some(family)
                        && (revision.is_none() || t.revision.is_none() || t.revision == *revision)
                })
            }
            None => None,
        };
        match found {
            Some(i) => {
                served[i] = true;
                jobs.push((i, Some(unit)));
            }
            None => plan.skipped.push((
                unit.source.clone(),
                format!(
                    "service {} runs {}, which is not among the inputs",
                    unit.service.name.as_deref().unwrap_or("(unnamed)"),
                    describe(&unit.service.task)
                ),
            )),
        }
    }
    for i in 0..tasks.len() {
        if !served[i] && !superseded[i] {
            jobs.push((i, None));
        }
    }
    jobs
}
