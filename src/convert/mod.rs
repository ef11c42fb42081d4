//! Mapping rules, one module per concern, applied in a fixed order: containers first (they
//! create the workload's containers), then what hangs off them.

pub(crate) mod alb;
pub(crate) mod containers;
pub(crate) mod cron_schedule;
pub(crate) mod docker_labels;
pub(crate) mod drain;
pub(crate) mod hostname;
pub(crate) mod identity;
pub(crate) mod image;
pub(crate) mod instance_storage;
pub(crate) mod lb_readiness;
pub(crate) mod load_balancer;
pub(crate) mod metadata;
pub mod naming;
pub(crate) mod networking;
pub(crate) mod placement;
pub(crate) mod plaintext;
pub(crate) mod platform;
pub(crate) mod pod;
pub(crate) mod probes;
pub(crate) mod resources;
pub(crate) mod secrets;
pub(crate) mod security;
pub(crate) mod service;
pub(crate) mod service_extras;
pub(crate) mod startup;
pub(crate) mod storage;

#[cfg(test)]
mod robustness_tests;

use crate::ecs::service::ServiceDefinition;
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::Report;
use crate::workload::{Workload, WorkloadKind};

/// What one chart is converted from: a task definition, and the ECS service running it.
pub(crate) struct Source<'a> {
    pub task: &'a TaskDefinition,
    pub service: Option<&'a ServiceDefinition>,
    pub options: &'a Options,
    /// EBS volumes the instances mounted, from the same template (empty outside one).
    pub instance_volumes: &'a [crate::ecs::instance_volume::InstanceVolume],
}

/// A rule that reads the task definition only.
#[cfg(test)]
pub(crate) type TaskRule =
    fn(&TaskDefinition, &mut Workload, &mut Report) -> Result<(), FieldError>;

type Rule = fn(&Source, &mut Workload, &mut Report) -> Result<(), FieldError>;

/// The rules, in order: containers create the workload's containers, the rest hang off them;
/// the workload kind is settled before the service's rollout and scaling are applied.
const RULES: &[Rule] = &[
    |s, w, r| containers::apply(s.task, w, r),
    |s, w, r| resources::apply(s.task, w, r),
    |s, w, r| probes::apply(s.task, w, r),
    |s, w, r| startup::apply(s.task, w, r),
    |s, w, r| secrets::apply(s.task, w, r),
    |s, w, r| plaintext::apply(s.task, s.options.move_plaintext_secrets, w, r),
    |s, w, r| networking::apply(s.task, w, r),
    |s, w, r| storage::apply(s.task, s.options, s.instance_volumes, w, r),
    |s, w, r| pod::apply(s.task, w, r),
    |s, w, r| docker_labels::apply(s.task, s.options.move_plaintext_secrets, w, r),
    |s, w, r| metadata::apply(s.task, w, r),
    |s, w, r| platform::apply(s.task, w, r),
    |s, w, r| placement::apply(s.task, w, r),
    |s, w, r| identity::apply(s.task, w, r),
    |s, w, r| {
        if let Some(service) = s.service {
            service::apply(service, s.task, w, r);
            service_extras::apply(service, w, r);
        }
        Ok(())
    },
    |s, w, r| match s.service.and_then(|s| s.schedule.as_ref()) {
        Some(run) => cron_schedule::apply(run, w, r),
        None => Ok(()),
    },
    workload_kind,
    // After the load balancer's drain and the kind: a pause before stop for served pods.
    |_, w, r| {
        drain::apply(w, r);
        Ok(())
    },
    |s, w, _| {
        w.eks_auto_mode = s.options.auto_mode;
        Ok(())
    },
    // After the service: the replica count decides what a hostname can become.
    |s, w, r| hostname::apply(s.task, w, r),
    |s, w, r| storage::launch_sizes(s.task, w, r),
    // Last: the level depends on every volume, namespace and container setting.
    |s, w, r| security::apply(s.task, w, r),
];

/// The kind the user asked for wins over the one the input suggests.
fn workload_kind(s: &Source, w: &mut Workload, r: &mut Report) -> Result<(), FieldError> {
    if let Some(kind) = s.options.workload {
        w.kind = kind;
        w.kind_reason = format!(
            "--workload {} was given",
            kind.as_str().to_ascii_lowercase()
        );
    }
    if let (WorkloadKind::CronJob, Some(schedule)) = (w.kind, &s.options.schedule) {
        for note in &schedule.translated.inexact {
            r.warn(
                crate::report::Code::ScheduleInexact,
                &crate::json_path::JsonPath::root(),
                format!("schedule {}: {note}", schedule.expression),
                format!(
                    "the CronJob runs at {:?}; check cronJob.schedule",
                    schedule.translated.cron
                ),
            );
        }
        w.schedule = Some(crate::workload::Schedule {
            cron: schedule.translated.cron.clone(),
            time_zone: schedule.time_zone.clone(),
            suspend: false,
            parallelism: None,
        });
    }
    Ok(())
}

/// A CronJob schedule from the command line, already translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScheduleOption {
    pub expression: String,
    pub translated: cron_schedule::Translated,
    pub time_zone: String,
}

/// Choices the user makes on the command line that the rules need.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub workload: Option<WorkloadKind>,
    pub schedule: Option<ScheduleOption>,
    /// Claim sizes by volume name, from --volume-size; `ENV:NAME` keys hold one
    /// environment's (see `for_environment`).
    pub volume_sizes: std::collections::BTreeMap<String, String>,
    /// --move-plaintext-secrets: secret-looking environment values are read from the
    /// release's Secret instead of being written into the chart.
    pub move_plaintext_secrets: bool,
    /// --auto-mode: charts default to EKS Auto Mode's APIs.
    pub auto_mode: bool,
}

impl Options {
    /// The options for one environment: its `ENV:NAME` volume sizes win over plain `NAME` ones,
    /// and other environments' are dropped.
    pub(crate) fn for_environment(&self, env: Option<&str>) -> Options {
        let mut out = self.clone();
        out.volume_sizes = self
            .volume_sizes
            .iter()
            .filter(|(k, _)| !k.contains(':'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(env) = env {
            for (key, size) in &self.volume_sizes {
                if let Some(name) = key.strip_prefix(&format!("{env}:")) {
                    out.volume_sizes.insert(name.to_string(), size.clone());
                }
            }
        }
        out
    }
}

pub(crate) fn convert(
    source: Source,
    name: String,
    report: &mut Report,
) -> Result<Workload, FieldError> {
    let td = source.task;
    let origin = match (&td.family, td.revision) {
        (Some(f), Some(r)) => format!("{f}:{r}"),
        (Some(f), None) => f.clone(),
        (None, _) => name.clone(),
    };
    let mut w = Workload::new(name, origin);
    for rule in RULES {
        rule(&source, &mut w, report)?;
    }
    app_version(td, &mut w, report);
    Ok(w)
}

/// `appVersion` is the main container's image tag when the tag names a version; a CDK asset
/// hash, a digest or `latest` does not, and the chart's own version stands in (reported).
fn app_version(td: &TaskDefinition, w: &mut Workload, report: &mut Report) {
    let Some((index, tag)) = w
        .containers
        .iter()
        .enumerate()
        .find(|(_, c)| c.main)
        .or(w.containers.iter().enumerate().next())
        .map(|(i, c)| (i, c.image.tag.clone()))
    else {
        return;
    };
    if looks_like_version(&tag) {
        w.app_version = tag;
        return;
    }
    w.app_version = String::new();
    if let Some(def) = td.containers.get(index) {
        report.info(
            crate::report::Code::AppVersion,
            &def.path.key("image"),
            if tag.is_empty() {
                "the main container's image has no tag".to_string()
            } else {
                format!("the main container's image tag {tag:?} is not a version")
            },
            "appVersion is the chart version; set --app-version to name the application's version",
        );
    }
}

/// `1.25.4`, `v2`, `16.3-alpine`, `2024.05.01`; not `latest`, not a 64-character asset hash.
pub(crate) fn looks_like_version(tag: &str) -> bool {
    let bare = tag.strip_prefix(['v', 'V']).unwrap_or(tag);
    let hash = tag.len() >= 32 && tag.chars().all(|c| c.is_ascii_hexdigit());
    bare.starts_with(|c: char| c.is_ascii_digit()) && !hash && tag.len() <= 64
}

/// For the rules' unit tests: reads `json` and applies `rules` in order.
#[cfg(test)]
pub(crate) fn run_rules(json: &str, rules: &[TaskRule]) -> Result<(Workload, Report), FieldError> {
    let loaded = crate::ecs::from_str(json, "t.json").expect("test input parses");
    let mut w = Workload::new("t".into(), "t".into());
    let mut report = Report::default();
    for rule in rules {
        rule(&loaded.task, &mut w, &mut report)?;
    }
    Ok((w, report))
}

#[cfg(test)]
mod app_version_tests {
    #[test]
    fn versions_are_told_from_hashes_and_names() {
        for v in ["1.25.4", "v2", "16.3-alpine", "2024.05.01", "7"] {
            assert!(super::looks_like_version(v), "{v}");
        }
        let asset = "8f2a9c1e0b7d4f6a3c5e9b1d7f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b0d2f4a";
        for v in ["latest", "", asset, "stable", "main-abc123"] {
            assert!(!super::looks_like_version(v), "{v}");
        }
    }
}
