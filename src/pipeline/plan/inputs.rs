//! Reading input files: each file is sorted by what it holds (a task definition, a template,
//! describe-services output or create-service input) into task and service candidates.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::unit::{Plan, TaskRead};
use crate::ecs::cloudformation::{self, Unresolved};
use crate::ecs::service::{read_service, ServiceDefinition, TaskRef};
use crate::ecs::Parsed;
use crate::error::Error;
use crate::json_path::JsonPath;
use crate::report::Report;
/// Values for placeholders and template references (see `config::vars`).
type Vars = std::collections::BTreeMap<String, String>;

pub(super) struct TaskCandidate {
    pub source: PathBuf,
    pub root: JsonPath,
    /// The task definition read into the input model, once: the JSON tree is dropped here,
    /// and a unit that cannot be read fails when it is mapped, in plan order.
    pub task: std::sync::Arc<TaskRead>,
    pub pre_report: Report,
    /// Template values left unresolved, holding placeholders.
    pub unresolved: Vec<Unresolved>,
    pub family: Option<String>,
    pub revision: Option<i64>,
    /// CloudFormation logical ID, for services in the same template.
    pub logical_id: Option<String>,
    /// The template's volumes, groups and load balancers (empty outside a template).
    pub estate: SharedEstate,
}

use crate::ecs::estate::SharedEstate;

pub(super) struct ServiceCandidate {
    pub source: PathBuf,
    pub service: ServiceDefinition,
    pub report: Report,
}

#[derive(Default)]
pub(super) struct Found {
    pub tasks: Vec<TaskCandidate>,
    pub services: Vec<ServiceCandidate>,
}

/// JSON inputs, and YAML or `.template` files that may hold CloudFormation (told by content).
fn is_input_name(name: &str) -> bool {
    [".json", ".json.tpl", ".yaml", ".yml", ".template"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// Files under the given paths: files as given, directories walked (hidden entries skipped).
/// The flag says whether the file was named explicitly.
pub(crate) fn input_files(
    paths: &[PathBuf],
    skipped: &mut Vec<(PathBuf, String)>,
) -> (Vec<(PathBuf, bool)>, Vec<Error>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push((path.clone(), true));
            continue;
        }
        let mut keep = |rel: &str, is_dir: bool| {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            !name.starts_with('.') && (is_dir || is_input_name(name))
        };
        match crate::walk::walk_all(path, &mut keep) {
            Ok(found) => {
                files.extend(found.files.into_iter().map(|e| (e.path, false)));
                skipped.extend(found.skipped);
            }
            Err(source) => errors.push(Error::Read {
                path: path.clone(),
                source,
            }),
        }
    }
    (files, errors)
}

/// `at` knows how the document spells the fields (a template resource's are PascalCase).
fn family_and_revision(value: &Value, at: &JsonPath) -> (Option<String>, Option<i64>) {
    let td = value
        .get("taskDefinition")
        .filter(|v| v.is_object())
        .unwrap_or(value);
    let family = td
        .get(at.name_of("family"))
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

/// Reads every file under `paths`; what cannot be read goes to `plan`.
pub(super) fn read_all(paths: &[PathBuf], vars: &Vars, plan: &mut Plan) -> Found {
    let (files, errors) = input_files(paths, &mut plan.skipped);
    plan.failed.extend(errors);
    let mut found = Found::default();
    // Files are parsed in parallel a chunk at a time (so only a chunk's JSON trees are held at
    // once) and sorted in their order, so the plan never depends on scheduling.
    for chunk in files.chunks(PARSE_CHUNK) {
        let parsed: Vec<Result<Parsed, Error>> = chunk
            .par_iter()
            .map(|(path, _)| crate::ecs::parse_file(path, vars))
            .collect();
        for ((path, explicit), parsed) in chunk.iter().zip(parsed) {
            if let Err(e) = read_one(path, *explicit, parsed, vars, &mut found, plan) {
                plan.failed.push(e);
            }
        }
    }
    found
}

/// Files parsed at once: enough to keep both cores busy, few enough to bound memory.
const PARSE_CHUNK: usize = 64;

fn read_one(
    path: &Path,
    explicit: bool,
    parsed: Result<Parsed, Error>,
    vars: &Vars,
    found: &mut Found,
    plan: &mut Plan,
) -> Result<(), Error> {
    let file = path.display().to_string();
    let parsed = match parsed {
        // A YAML file met in a directory walk may be anything (a Kubernetes manifest, a CI
        // config); only one named on the command line must parse.
        Err(Error::Yaml { message, line, .. }) if !explicit => {
            plan.skipped
                .push((path.to_path_buf(), format!("{message} (line {line})")));
            return Ok(());
        }
        other => other?,
    };
    let value = &parsed.value;
    let service = |service: ServiceDefinition, report: Report| {
        service_candidate(path, &parsed, service, report)
    };
    if cloudformation::is_template(value) {
        read_template_file(path, &parsed, vars, found, plan)?;
    } else if let Some(source) = crate::ecs::scheduled::detect(value) {
        read_scheduled_file(path, &parsed, source, found, plan)?;
    } else if let Some(list) = value.get("services").and_then(Value::as_array) {
        // describe-services output
        for (i, s) in list.iter().enumerate() {
            let mut report = Report::default();
            let read = read_service(s, JsonPath::root().key("services").index(i), &mut report)
                .map_err(|e| Error::field(&file, e))?;
            found.services.push(service(read, report));
        }
    } else if value.get("serviceName").is_some()
        && value.get("taskDefinition").is_some_and(Value::is_string)
    {
        // create-service input (ecspresso's ecs-service-def.json)
        let mut report = Report::default();
        let read = read_service(value, JsonPath::root(), &mut report)
            .map_err(|e| Error::field(&file, e))?;
        found.services.push(service(read, report));
    } else if is_task_definition(value) || explicit {
        let (family, revision) = family_and_revision(value, &JsonPath::root());
        found.tasks.push(TaskCandidate {
            source: path.to_path_buf(),
            root: JsonPath::root(),
            task: std::sync::Arc::new(crate::ecs::from_value_at(value, JsonPath::root())),
            pre_report: parsed.duplicates_under(&JsonPath::root()),
            unresolved: Vec::new(),
            family,
            revision,
            logical_id: None,
            estate: SharedEstate::default(),
        });
    } else {
        plan.skipped.push((
            path.to_path_buf(),
            "not a task definition, CloudFormation template, ECS service or scheduled task".into(),
        ));
    }
    Ok(())
}

/// describe-rule (+ list-targets-by-rule) or get-schedule output: one service candidate per
/// target that runs an ECS task.
fn read_scheduled_file(
    path: &Path,
    parsed: &crate::ecs::Parsed,
    source: crate::ecs::scheduled::Source,
    found: &mut Found,
    plan: &mut Plan,
) -> Result<(), Error> {
    let file = path.display().to_string();
    let value = &parsed.value;
    // describe-rule (+ list-targets-by-rule) or get-schedule output
    let mut report = Report::default();
    let runners = crate::ecs::scheduled::read(value, JsonPath::root(), source, &mut report)
        .map_err(|e| Error::field(&file, e))?;
    if runners.is_empty() {
        let why = unscheduled_reason(value, &report);
        plan.skipped.push((
            path.to_path_buf(),
            format!("a scheduled rule not converted: {why}"),
        ));
    }
    // The rule's own fields sit above each target's path: the whole file's duplicates.
    report
        .findings
        .extend(parsed.duplicates_under(&JsonPath::root()).findings);
    for runner in runners {
        found.services.push(ServiceCandidate {
            source: path.to_path_buf(),
            service: runner,
            report: report.clone(),
        });
    }
    Ok(())
}

fn service_candidate(
    path: &Path,
    parsed: &crate::ecs::Parsed,
    service: ServiceDefinition,
    mut report: Report,
) -> ServiceCandidate {
    report
        .findings
        .extend(parsed.duplicates_under(&service.path).findings);
    ServiceCandidate {
        source: path.to_path_buf(),
        service,
        report,
    }
}

/// A CloudFormation or CDK template: its task definitions and the services and schedules
/// that run them.
fn read_template_file(
    path: &Path,
    parsed: &crate::ecs::Parsed,
    vars: &Vars,
    found: &mut Found,
    plan: &mut Plan,
) -> Result<(), Error> {
    let file = path.display().to_string();
    let template = cloudformation::read_template_with(&parsed.value, vars)
        .map_err(|e| Error::field(&file, e))?;
    for skipped in &template.skipped {
        let why = match skipped {
            cloudformation::Skipped::ConditionFalse { id, condition } => format!(
                "resource {id}: its condition {condition} is false, so CloudFormation does not create it"
            ),
            cloudformation::Skipped::NoEcsTask { id, targets } => {
                format!("resource {id}: no target runs an ECS task ({})", targets.join("; "))
            }
        };
        plan.skipped.push((path.to_path_buf(), why));
    }
    if template.tasks.is_empty() {
        plan.skipped.push((
            path.to_path_buf(),
            "a CloudFormation template without ECS task definitions".into(),
        ));
        return Ok(());
    }
    let estate = std::sync::Arc::new(crate::ecs::estate::Estate {
        source: path.display().to_string(),
        ..template.estate
    });
    for mut t in template.tasks {
        t.report
            .findings
            .extend(parsed.duplicates_under(&t.path).findings);
        let (family, revision) = family_and_revision(&t.value, &t.path);
        // A family CloudFormation builds at deploy time names nothing yet: the logical ID does.
        let family = family
            .filter(|f| crate::placeholder::find(f).is_none())
            .or_else(|| Some(t.logical_id.clone()));
        found.tasks.push(TaskCandidate {
            source: path.to_path_buf(),
            task: std::sync::Arc::new(crate::ecs::from_value_at(&t.value, t.path.clone())),
            root: t.path,
            pre_report: t.report,
            unresolved: t.unresolved,
            family,
            revision,
            logical_id: Some(t.logical_id),
            estate: estate.clone(),
        });
    }
    for s in template.services {
        found
            .services
            .push(service_candidate(path, parsed, s.service, s.report));
    }
    Ok(())
}

/// Why a rule or schedule gave no CronJob, with the way out when it is half of a pair.
fn unscheduled_reason(value: &Value, report: &Report) -> String {
    let merge = "merge describe-rule and list-targets-by-rule output with jq -s add";
    if value.get("ScheduleExpression").is_none() && value.get("EventPattern").is_none() {
        format!("targets without a schedule; {merge}")
    } else if value.get("Targets").is_none() && value.get("Target").is_none() {
        format!("a schedule without targets; {merge}")
    } else {
        report
            .findings
            .iter()
            .find(|f| f.code == crate::report::Code::ScheduleEvent)
            .map_or("no target runs an ECS task".to_string(), |f| {
                f.message.clone()
            })
    }
}
