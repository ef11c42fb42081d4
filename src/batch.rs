//! A whole batch in one command: directories walked in a stable order, every input shape
//! (task definitions, CloudFormation/CDK templates, ECS services) sorted into one job per
//! service, jobs converted in parallel, and a bad file failing alone.

use crate::report::Code;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::ecs::cloudformation;
use crate::ecs::path::JsonPath;
use crate::ecs::service::{read_service, ServiceDefinition, TaskRef};
use crate::error::{Error, Result};
use crate::report::Report;
use crate::Settings;

/// One chart to make: a task definition, and the service that runs it if there is one.
pub struct Job {
    pub source: PathBuf,
    root: JsonPath,
    value: Value,
    /// Findings made before reading (CloudFormation intrinsics, service fields).
    pre_report: Report,
    service: Option<ServiceDefinition>,
    pub name: String,
}

/// What planning found besides jobs.
#[derive(Default)]
pub struct Plan {
    pub jobs: Vec<Job>,
    pub skipped: Vec<(PathBuf, String)>,
    pub failed: Vec<Error>,
}

struct TaskUnit {
    source: PathBuf,
    root: JsonPath,
    value: Value,
    pre_report: Report,
    family: Option<String>,
    revision: Option<i64>,
    /// CloudFormation logical ID, for services in the same template.
    logical_id: Option<String>,
}

struct ServiceUnit {
    source: PathBuf,
    service: ServiceDefinition,
    report: Report,
}

fn is_input_name(name: &str) -> bool {
    name.ends_with(".json") || name.ends_with(".json.tpl") || name.ends_with(".json.template")
}

/// Files under the given paths: files as given, directories walked recursively in byte order
/// of names, hidden entries skipped. The flag says whether the file was named explicitly.
pub fn input_files(paths: &[PathBuf]) -> (Vec<(PathBuf, bool)>, Vec<Error>) {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, bool)>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if is_input_name(&name) {
                out.push((path, false));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            if let Err(source) = walk(path, &mut files) {
                errors.push(Error::Read {
                    path: path.clone(),
                    source,
                });
            }
        } else {
            files.push((path.clone(), true));
        }
    }
    (files, errors)
}

fn family_and_revision(value: &Value) -> (Option<String>, Option<i64>) {
    let td = value
        .get("taskDefinition")
        .filter(|v| v.is_object())
        .unwrap_or(value);
    let family = td
        .get("family")
        .and_then(Value::as_str)
        .filter(|f| !f.is_empty())
        .map(str::to_string);
    let revision = td
        .get("revision")
        .and_then(|r| r.as_i64().or_else(|| r.as_str()?.parse().ok()))
        .or_else(
            || match TaskRef::parse(td.get("taskDefinitionArn")?.as_str()?) {
                TaskRef::Family { revision, .. } => revision,
                TaskRef::Resource(_) => None,
            },
        );
    (family, revision)
}

fn is_task_definition(value: &Value) -> bool {
    value.get("containerDefinitions").is_some()
        || value.get("taskDefinition").is_some_and(Value::is_object)
        || crate::ecs::task_definition::looks_like_container_list(value)
}

/// Reads every file and sorts what it holds into jobs.
pub fn plan(paths: &[PathBuf], settings: &Settings) -> Plan {
    let (files, errors) = input_files(paths);
    let mut plan = Plan {
        failed: errors,
        ..Default::default()
    };
    let mut tasks: Vec<TaskUnit> = Vec::new();
    let mut services: Vec<ServiceUnit> = Vec::new();
    for (path, explicit) in files {
        let file = path.display().to_string();
        let value = match crate::ecs::parse_file(&path, &settings.vars) {
            Ok(v) => v,
            Err(e) => {
                plan.failed.push(e);
                continue;
            }
        };
        if cloudformation::is_template(&value) {
            match cloudformation::read_template_with(&value, &settings.vars) {
                Ok(template) if template.tasks.is_empty() => plan.skipped.push((
                    path.clone(),
                    "a CloudFormation template without ECS task definitions".into(),
                )),
                Ok(template) => {
                    for t in template.tasks {
                        let (family, revision) = family_and_revision(&t.value);
                        tasks.push(TaskUnit {
                            source: path.clone(),
                            root: t.path,
                            value: t.value,
                            pre_report: t.report,
                            family,
                            revision,
                            logical_id: Some(t.logical_id),
                        });
                    }
                    for s in template.services {
                        services.push(ServiceUnit {
                            source: path.clone(),
                            service: s.service,
                            report: s.report,
                        });
                    }
                }
                Err(e) => plan.failed.push(Error::field(&file, e)),
            }
        } else if let Some(list) = value.get("services").and_then(Value::as_array) {
            // describe-services output
            for (i, s) in list.iter().enumerate() {
                let mut report = Report::default();
                match read_service(s, JsonPath::root().key("services").index(i), &mut report) {
                    Ok(service) => services.push(ServiceUnit {
                        source: path.clone(),
                        service,
                        report,
                    }),
                    Err(e) => plan.failed.push(Error::field(&file, e)),
                }
            }
        } else if value.get("serviceName").is_some()
            && value.get("taskDefinition").is_some_and(Value::is_string)
        {
            // create-service input (ecspresso's ecs-service-def.json)
            let mut report = Report::default();
            match read_service(&value, JsonPath::root(), &mut report) {
                Ok(service) => services.push(ServiceUnit {
                    source: path.clone(),
                    service,
                    report,
                }),
                Err(e) => plan.failed.push(Error::field(&file, e)),
            }
        } else if is_task_definition(&value) || explicit {
            let (family, revision) = family_and_revision(&value);
            tasks.push(TaskUnit {
                source: path.clone(),
                root: JsonPath::root(),
                value,
                pre_report: Report::default(),
                family,
                revision,
                logical_id: None,
            });
        } else {
            plan.skipped.push((
                path.clone(),
                "not a task definition, CloudFormation template or ECS service".into(),
            ));
        }
    }

    // Several revisions of one family: the highest wins; the others are reported.
    let mut by_family: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, t) in tasks.iter().enumerate() {
        if let (Some(f), None) = (&t.family, &t.logical_id) {
            by_family.entry(f.clone()).or_default().push(i);
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

    // One chart per service; a task definition no service runs is a chart of its own.
    let mut served = vec![false; tasks.len()];
    let mut jobs: Vec<(usize, Option<ServiceUnit>)> = Vec::new();
    for unit in services {
        let found = match &unit.service.task {
            Some(TaskRef::Resource(id)) => tasks
                .iter()
                .position(|t| t.source == unit.source && t.logical_id.as_deref() == Some(id)),
            Some(TaskRef::Family { family, revision }) => tasks
                .iter()
                .enumerate()
                .filter(|(i, t)| {
                    !superseded[*i]
                        && t.family.as_deref() == Some(family)
                        && (revision.is_none() || t.revision.is_none() || t.revision == *revision)
                })
                .map(|(i, _)| i)
                .next(),
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
                    match &unit.service.task {
                        Some(TaskRef::Family {
                            family,
                            revision: Some(r),
                        }) => format!("{family}:{r}"),
                        Some(TaskRef::Family { family, .. }) => family.clone(),
                        Some(TaskRef::Resource(id)) => id.clone(),
                        None => "no task definition".into(),
                    }
                ),
            )),
        }
    }
    for i in 0..tasks.len() {
        if !served[i] && !superseded[i] {
            jobs.push((i, None));
        }
    }
    jobs.sort_by(|(a, sa), (b, sb)| {
        (
            &tasks[*a].source,
            tasks[*a].root.pointer(),
            sa.as_ref().map(|s| s.service.path.pointer()),
        )
            .cmp(&(
                &tasks[*b].source,
                tasks[*b].root.pointer(),
                sb.as_ref().map(|s| s.service.path.pointer()),
            ))
    });

    // Two inputs that would make the same chart: the first keeps it, the other is reported.
    let mut names: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (i, unit) in jobs {
        let t = &tasks[i];
        let service_name = unit.as_ref().and_then(|u| u.service.name.clone());
        let name = crate::chart_name_for(
            settings.name.as_deref(),
            service_name.as_deref(),
            t.family.as_deref(),
            None,
            &crate::file_stem(&t.source),
        );
        if let Some(first) = names.get(&name) {
            plan.failed.push(Error::Input {
                file: t.source.display().to_string(),
                message: format!("gives chart {name:?}, which {} already gives; neither overwrites the other: use --name or rename the family", first.display()),
            });
            continue;
        }
        names.insert(name.clone(), t.source.clone());
        let mut pre_report = t.pre_report.clone();
        let service = unit.map(|u| {
            pre_report.findings.extend(u.report.findings);
            u.service
        });
        plan.jobs.push(Job {
            source: t.source.clone(),
            root: t.root.clone(),
            value: t.value.clone(),
            pre_report,
            service,
            name,
        });
    }
    plan
}

impl Job {
    /// Converts and renders the chart; writes nothing.
    pub fn convert(&self, settings: &Settings) -> Result<crate::Converted> {
        let file = self.source.display().to_string();
        let root_len = self.root.depth();
        let loaded =
            crate::ecs::from_value_at(&self.value, self.root.clone()).map_err(|mut e| {
                // Errors inside a template resource name the template's own keys.
                if root_len > 0 {
                    e.path = e.path.rename_keys_after(root_len, cloudformation::cfn_key);
                }
                Error::field(&file, e)
            })?;
        let service_name = self.service.as_ref().and_then(|s| s.name.as_deref());
        let mut service =
            crate::convert_loaded(loaded, &self.source, settings, service_name, None)?;
        // Findings made while reading point into the API-shaped copy of a template resource;
        // point them back at the template's own names.
        let root = self.root.pointer();
        if !root.is_empty() {
            for f in &mut service.report.findings {
                if let Some(rest) = f.pointer.strip_prefix(&root) {
                    f.pointer = format!("{root}{}", cloudformation::template_pointer(rest));
                }
            }
        }
        service
            .report
            .findings
            .extend(self.pre_report.findings.iter().cloned());
        // A template value left unresolved is reported once, as unresolved.
        let unresolved: Vec<String> = self
            .pre_report
            .findings
            .iter()
            .filter(|f| f.code == Code::CfnUnresolved)
            .map(|f| f.pointer.clone())
            .collect();
        service
            .report
            .findings
            .retain(|f| !(f.code == Code::Placeholder && unresolved.contains(&f.pointer)));
        if let Some(s) = &self.service {
            crate::convert::service::apply(s, &mut service.workload, &mut service.report);
        }
        service.report.sort();
        crate::check_strict(settings, &self.source, &service.report)?;
        let chart = crate::chart::build(
            &service.workload,
            &crate::file_name(&self.source),
            &service.report,
            &settings.chart,
        )?;
        Ok(crate::Converted {
            source: self.source.clone(),
            chart,
            report: service.report,
            kind: service.workload.kind,
        })
    }
}
