//! The ECS input model: the parts of an ECS task definition the converter reads, each value
//! carrying the JSON path it came from so rules can point the report at it.
//!
//! Field names follow the AWS API model (`RegisterTaskDefinitionRequest`, `ContainerDefinition`,
//! `Volume`). Fields the model has but the converter does not carry over are listed in the
//! `NotCarried` tables below, so each one is reported by name, never dropped silently.

use crate::report::Code;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::ecs::reader::{Obj, ReadResult};
use crate::error::FieldError;
use crate::json_path::Located;
use crate::report::Report;

mod container;
mod coverage;
mod fields;
pub(crate) mod model;
mod volume;

use container::read_container;
pub use coverage::coverage;
pub(crate) use fields::READ_ONLY_FIELDS;
use fields::TASK_NOT_CARRIED;
pub(crate) use model::{
    ContainerDefinition, DockerVolume, EfsVolume, ExtraHost, PlacementConstraint, PortMapping,
    ResourceRequirement, SystemControl, TaskDefinition, Tmpfs, VolumeDefinition, VolumesFrom,
};
use volume::read_volume;

pub(crate) fn read_task_definition(
    mut td: Obj<'_>,
    read_only_severity_warning: bool,
    report: &mut Report,
) -> ReadResult<TaskDefinition> {
    let mut out = TaskDefinition {
        path: td.path().clone(),
        ..Default::default()
    };
    report_read_only(&mut td, read_only_severity_warning, report);
    out.revision = td.int("revision", 0, i64::MAX, report)?;
    out.family = td.string("family", report)?;
    out.task_role_arn = td.string("taskRoleArn", report)?;
    out.execution_role_arn = td.string("executionRoleArn", report)?;
    out.network_mode = read_network_mode(&mut td, report)?;
    out.cpu = task_size(&mut td, "cpu", report)?;
    out.memory = task_size(&mut td, "memory", report)?;
    out.requires_compatibilities = td.string_list("requiresCompatibilities", report)?;
    if let Some(mut platform) = td.object("runtimePlatform", report)? {
        out.cpu_architecture = platform
            .string("cpuArchitecture", report)?
            .map(|v| Located::new(v, platform.path().key("cpuArchitecture")));
        out.operating_system_family = platform
            .string("operatingSystemFamily", report)?
            .map(|v| Located::new(v, platform.path().key("operatingSystemFamily")));
        platform.finish(&[], report);
    }
    out.tags = read_tags(&mut td, "tags", report)?;
    out.placement_constraints = read_placement_constraints(&mut td, report)?;
    out.pid_mode = td
        .string("pidMode", report)?
        .map(|m| Located::new(m, td.path().key("pidMode")));
    out.ipc_mode = td
        .string("ipcMode", report)?
        .map(|m| Located::new(m, td.path().key("ipcMode")));
    if let Some(mut es) = td.object("ephemeralStorage", report)? {
        let path = es.path().key("sizeInGiB");
        out.ephemeral_storage_gib = es
            .int("sizeInGiB", 21, 200, report)?
            .map(|v| Located::new(v, path));
        es.finish(&[], report);
    }

    let containers = td.array("containerDefinitions", report)?;
    if containers.is_empty() {
        return Err(FieldError::new(
            &td.path().key("containerDefinitions"),
            "expected at least one container definition",
        ));
    }
    for (value, path) in containers {
        out.containers
            .push(read_container(Obj::new(value, path)?, report)?);
    }
    for (value, path) in td.array("volumes", report)? {
        out.volumes
            .push(read_volume(Obj::new(value, path)?, report)?);
    }
    td.finish(TASK_NOT_CARRIED, report);
    drop_unknown_dependencies(&mut out, report);
    validate(&out)?;
    Ok(out)
}

/// One finding for all read-only fields: they are expected in describe output, and a line per
/// field would bury the findings that matter.
fn report_read_only(td: &mut Obj<'_>, as_warning: bool, report: &mut Report) {
    let mut read_only = Vec::new();
    for key in READ_ONLY_FIELDS.iter().filter(|k| **k != "revision") {
        if td.raw(key, report).is_some() {
            read_only.push(*key);
        }
    }
    if td.has("revision") {
        read_only.push("revision");
    }
    if !read_only.is_empty() {
        let message = format!(
            "read-only fields of describe-task-definition output: {}",
            read_only.join(", ")
        );
        let action = "dropped; the revision is kept in the chart description";
        if as_warning {
            report.warn(Code::ReadOnly, td.path(), message, action);
        } else {
            report.info(Code::ReadOnlyNote, td.path(), message, action);
        }
    }
}

fn read_placement_constraints(
    td: &mut Obj<'_>,
    report: &mut Report,
) -> ReadResult<Vec<PlacementConstraint>> {
    let mut out = Vec::new();
    for (value, path) in td.array("placementConstraints", report)? {
        let mut p = Obj::new(value, path.clone())?;
        let kind = p
            .string("type", report)?
            .unwrap_or_else(|| "memberOf".into());
        let expression = p.string("expression", report)?;
        p.finish(&[], report);
        out.push(PlacementConstraint {
            kind,
            expression,
            path,
        });
    }
    Ok(out)
}

/// Task-level cpu and memory are strings in the API ("1024", "1 vCPU", "2 GB"); keep the text and
/// let the resources rule interpret it.
fn task_size(
    td: &mut Obj<'_>,
    key: &str,
    report: &mut Report,
) -> ReadResult<Option<Located<String>>> {
    let path = td.path().key(key);
    Ok(td.string(key, report)?.map(|text| Located::new(text, path)))
}

pub(crate) fn read_tags(
    obj: &mut Obj<'_>,
    key: &str,
    report: &mut Report,
) -> ReadResult<Vec<(String, String)>> {
    let mut tags = Vec::new();
    for (value, path) in obj.array(key, report)? {
        let mut tag = Obj::new(value, path)?;
        let k = tag.string("key", report)?;
        let v = tag.exact_string("value", report)?.unwrap_or_default();
        if let Some(k) = k {
            tags.push((k, v));
        }
        tag.finish(&[], report);
    }
    Ok(tags)
}

/// Cross-field checks that make a task definition impossible to convert faithfully.
/// A `dependsOn` naming a container that is not in the file (a sidecar removed, a typo): the
/// intent without it is clear, so it is dropped with a warning instead of failing.
fn drop_unknown_dependencies(td: &mut TaskDefinition, report: &mut Report) {
    let names: BTreeSet<String> = td.containers.iter().map(|c| c.name.clone()).collect();
    for c in &mut td.containers {
        c.depends_on.retain(|d| {
            let known = names.contains(&d.container_name);
            if !known {
                report.warn(
                    Code::Order,
                    &d.path.key("containerName"),
                    format!(
                        "dependsOn names container {:?}, which is not in `containerDefinitions`",
                        d.container_name
                    ),
                    "dropped: the container starts without waiting for it",
                );
            }
            known
        });
    }
}

fn validate(td: &TaskDefinition) -> ReadResult<()> {
    let mut names = BTreeSet::new();
    for c in &td.containers {
        if !names.insert(c.name.as_str()) {
            return Err(FieldError::new(
                &c.path.key("name"),
                format!("duplicate container name {:?}", c.name),
            ));
        }
    }
    let mut volume_names = BTreeSet::new();
    for v in &td.volumes {
        if !volume_names.insert(v.name.as_str()) {
            return Err(FieldError::new(
                &v.path.key("name"),
                format!("duplicate volume name {:?}", v.name),
            ));
        }
    }
    for c in &td.containers {
        for m in &c.mount_points {
            if !volume_names.contains(m.source_volume.as_str()) {
                return Err(FieldError::new(
                    &m.path.key("sourceVolume"),
                    format!(
                        "names volume {:?}, which is not declared in `volumes`",
                        m.source_volume
                    ),
                ));
            }
        }
        for VolumesFrom {
            source_container: source,
            path,
            ..
        } in &c.volumes_from
        {
            if !names.contains(source.as_str()) {
                return Err(FieldError::new(
                    &path.key("sourceContainer"),
                    format!("names container {source:?}, which is not in `containerDefinitions`"),
                ));
            }
        }
        for d in &c.depends_on {
            if !names.contains(d.container_name.as_str()) {
                return Err(FieldError::new(
                    &d.path.key("containerName"),
                    format!(
                        "names container {:?}, which is not in `containerDefinitions`",
                        d.container_name
                    ),
                ));
            }
        }
    }
    if let Some(cycle) = dependency_cycle(td) {
        return Err(cycle);
    }
    Ok(())
}

impl TaskDefinition {
    /// A Windows task: ECS ran its CMD-SHELL checks through `cmd /S /C`, not `/bin/sh -c`.
    pub(crate) fn is_windows(&self) -> bool {
        self.operating_system_family
            .as_ref()
            .is_some_and(|os| os.value.to_ascii_uppercase().starts_with("WINDOWS"))
    }

    /// Container name → position in `containers`.
    pub(crate) fn container_index(&self) -> BTreeMap<&str, usize> {
        self.containers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect()
    }
}

fn dependency_cycle(td: &TaskDefinition) -> Option<FieldError> {
    // Depth-first search with colours; the first back edge found names the cycle.
    let index = td.container_index();
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit(
        i: usize,
        td: &TaskDefinition,
        index: &BTreeMap<&str, usize>,
        marks: &mut [Mark],
        stack: &mut Vec<usize>,
    ) -> Option<FieldError> {
        marks[i] = Mark::Active;
        stack.push(i);
        for d in &td.containers[i].depends_on {
            let j = index[d.container_name.as_str()];
            if marks[j] == Mark::Active {
                let start = stack.iter().position(|&k| k == j).unwrap_or(0);
                let mut names: Vec<&str> = stack[start..]
                    .iter()
                    .map(|&k| td.containers[k].name.as_str())
                    .collect();
                names.push(td.containers[j].name.as_str());
                return Some(FieldError::new(
                    &d.path,
                    format!("dependsOn forms a cycle: {}", names.join(" -> ")),
                ));
            }
            if marks[j] == Mark::New {
                if let Some(e) = visit(j, td, index, marks, stack) {
                    return Some(e);
                }
            }
        }
        stack.pop();
        marks[i] = Mark::Done;
        None
    }
    let mut marks = vec![Mark::New; td.containers.len()];
    for i in 0..td.containers.len() {
        if marks[i] == Mark::New {
            if let Some(e) = visit(i, td, &index, &mut marks, &mut Vec::new()) {
                return Some(e);
            }
        }
    }
    None
}

/// True when a JSON value looks like a task definition's container list.
pub(crate) fn looks_like_container_list(value: &Value) -> bool {
    matches!(value, Value::Array(items) if !items.is_empty() && items.iter().all(|i| i.get("name").is_some() && i.get("image").is_some()))
}

/// `networkMode`, one of the four ECS knows; a mode left to deploy time is unset, said.
fn read_network_mode(td: &mut Obj<'_>, report: &mut Report) -> ReadResult<Option<String>> {
    let mut mode = td.string("networkMode", report)?;
    if let Some(deferred) = mode.take_if(|m| crate::deferred::is_whole_placeholder(m)) {
        report.warn(
            Code::DeferredUnset,
            &td.path().key("networkMode"),
            format!("`networkMode` is only known at deploy time ({deferred})"),
            format!("pod networking; if the deployed mode is host, set hostNetwork: true, or give it with --var '{deferred}=…'"),
        );
    }
    if let Some(mode) = &mode {
        if !["awsvpc", "bridge", "host", "none"].contains(&mode.as_str()) {
            return Err(FieldError::new(
                &td.path().key("networkMode"),
                format!("expected one of awsvpc, bridge, host, none, got {mode:?}"),
            ));
        }
    }
    Ok(mode)
}
