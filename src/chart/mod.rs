//! A chart in memory: every file, by relative path, ready to be written or packaged.

mod container_values;
mod follow_image;
mod kinds;
pub(crate) mod merge;
mod meta;
pub(crate) mod profile;
pub(crate) mod readme;
pub(crate) mod record;
pub(crate) mod recover;
mod reimport;

pub(crate) mod service_values;
mod storage;
pub(crate) mod unchanged;
pub(crate) mod upgrade;
pub(crate) mod values;
mod values_tree;
pub(crate) mod write;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Result;
use crate::report::Report;
use crate::workload::Workload;
use crate::yaml::{self, Node};
pub(crate) use meta::ChartMeta;

pub(crate) const REPORT_FILE: &str = "ecs-import-report.json";

/// Go-template files, copied verbatim apart from the chart name in `define` names (which must
/// be unique across an umbrella chart's subcharts).
const STATIC_TEMPLATES: &[(&str, &str)] = &[
    (
        "templates/_helpers.tpl",
        include_str!("../../chart-templates/templates/_helpers.tpl"),
    ),
    (
        "templates/_pod.tpl",
        include_str!("../../chart-templates/templates/_pod.tpl"),
    ),
    (
        "templates/statefulset.yaml",
        include_str!("../../chart-templates/templates/statefulset.yaml"),
    ),
    (
        "templates/deployment.yaml",
        include_str!("../../chart-templates/templates/deployment.yaml"),
    ),
    (
        "templates/daemonset.yaml",
        include_str!("../../chart-templates/templates/daemonset.yaml"),
    ),
    (
        "templates/job.yaml",
        include_str!("../../chart-templates/templates/job.yaml"),
    ),
    (
        "templates/cronjob.yaml",
        include_str!("../../chart-templates/templates/cronjob.yaml"),
    ),
    (
        "templates/targetgroupbinding.yaml",
        include_str!("../../chart-templates/templates/targetgroupbinding.yaml"),
    ),
    (
        "templates/securitygrouppolicy.yaml",
        include_str!("../../chart-templates/templates/securitygrouppolicy.yaml"),
    ),
    (
        "templates/pvc.yaml",
        include_str!("../../chart-templates/templates/pvc.yaml"),
    ),
    (
        "templates/networkpolicy.yaml",
        include_str!("../../chart-templates/templates/networkpolicy.yaml"),
    ),
    (
        "templates/storageclass.yaml",
        include_str!("../../chart-templates/templates/storageclass.yaml"),
    ),
    (
        "templates/adopt.yaml",
        include_str!("../../chart-templates/templates/adopt.yaml"),
    ),
    (
        "templates/snapshot.yaml",
        include_str!("../../chart-templates/templates/snapshot.yaml"),
    ),
    (
        "templates/service.yaml",
        include_str!("../../chart-templates/templates/service.yaml"),
    ),
    (
        "templates/service-headless.yaml",
        include_str!("../../chart-templates/templates/service-headless.yaml"),
    ),
    (
        "templates/serviceaccount.yaml",
        include_str!("../../chart-templates/templates/serviceaccount.yaml"),
    ),
    (
        "templates/ingress.yaml",
        include_str!("../../chart-templates/templates/ingress.yaml"),
    ),
    (
        "templates/ingressclass.yaml",
        include_str!("../../chart-templates/templates/ingressclass.yaml"),
    ),
    (
        "templates/environment.yaml",
        include_str!("../../chart-templates/templates/environment.yaml"),
    ),
    (
        "templates/placeholders.yaml",
        include_str!("../../chart-templates/templates/placeholders.yaml"),
    ),
    (
        "templates/hpa.yaml",
        include_str!("../../chart-templates/templates/hpa.yaml"),
    ),
    (
        "templates/pdb.yaml",
        include_str!("../../chart-templates/templates/pdb.yaml"),
    ),
    (
        "templates/externalsecret.yaml",
        include_str!("../../chart-templates/templates/externalsecret.yaml"),
    ),
    (
        "templates/NOTES.txt",
        include_str!("../../chart-templates/templates/NOTES.txt"),
    ),
];
const CONNECTION_TEST: (&str, &str) = (
    "templates/tests/test-connection.yaml",
    include_str!("../../chart-templates/templates/tests/test-connection.yaml"),
);
const HELMIGNORE: &str = include_str!("../../chart-templates/helmignore");

/// Every file of a chart by relative path; Chart.yaml is always `meta` rendered.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    pub name: String,
    pub(crate) meta: ChartMeta,
    pub files: BTreeMap<String, Vec<u8>>,
    /// Where the chart came from and what its conversion found: the report file is written
    /// again, with what the re-import found (`reimport`), when there is any.
    source: String,
    report: Report,
    /// The generated files equal the record of the chart already on disk (found while its
    /// version was followed), so the writer need not hash them again.
    pub(crate) matches_record: bool,
    /// What the chart is generated from, recorded with it (see `pipeline::fingerprint`).
    pub fingerprint: Option<String>,
    /// Findings of the re-import itself (edits kept or merged, conflicts, StatefulSet fields
    /// that need a migration step): in the written report, not in the record, so a re-run
    /// compares generated content only.
    pub reimport: Vec<crate::report::Finding>,
}

impl Chart {
    pub(crate) fn set_version(&mut self, version: &semver::Version) {
        // An appVersion standing in for a missing application version follows the chart's.
        if self.meta.app_version.as_deref() == Some(self.meta.version.to_string().as_str()) {
            self.meta.app_version = Some(version.to_string());
        }
        self.meta.version = version.clone();
        self.files
            .insert("Chart.yaml".into(), self.meta.render().into_bytes());
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ChartOptions {
    pub version: semver::Version,
    pub app_version: Option<String>,
}

#[derive(Serialize)]
struct ReportFile<'a> {
    source: &'a str,
    chart: &'a str,
    summary: Summary,
    findings: &'a [crate::report::Finding],
}

#[derive(Serialize)]
struct Summary {
    warnings: usize,
    infos: usize,
}

/// ecs-import-report.json: the chart's findings, with a count of each severity.
fn report_file(source: &str, chart: &str, findings: &[crate::report::Finding]) -> Vec<u8> {
    let warnings = findings
        .iter()
        .filter(|f| f.severity == crate::report::Severity::Warning)
        .count();
    let file = ReportFile {
        source,
        chart,
        summary: Summary {
            warnings,
            infos: findings.len() - warnings,
        },
        findings,
    };
    let mut json = serde_json::to_string_pretty(&file).expect("report serializes");
    json.push('\n');
    json.into_bytes()
}

impl Chart {
    /// The report file with the re-import's findings after the conversion's.
    pub(crate) fn report_with(&self, reimport: &[crate::report::Finding]) -> Vec<u8> {
        let all: Vec<_> = self
            .report
            .findings
            .iter()
            .chain(reimport)
            .cloned()
            .collect();
        report_file(&self.source, &self.name, &all)
    }
}

fn chart_meta(w: &Workload, description: &str, options: &ChartOptions) -> ChartMeta {
    ChartMeta {
        name: w.name.clone(),
        version: options.version.clone(),
        description: Some(description.to_string()),
        kind: Some("application".into()),
        app_version: Some(options.app_version.clone().unwrap_or_else(|| {
            if w.app_version.is_empty() {
                options.version.to_string()
            } else {
                w.app_version.clone()
            }
        })),
        // Native sidecars (init containers that keep running) arrived in Kubernetes 1.29.
        kube_version: w
            .containers
            .iter()
            .any(|c| c.kind == crate::workload::ContainerKind::Sidecar)
            .then(|| ">=1.29.0-0".to_string()),
        extra: {
            let mut extra = serde_json::Map::new();
            // NOTES.txt reads it to name the namespace label the pods need.
            extra.insert(
                "annotations".into(),
                serde_json::json!({ POD_SECURITY_ANNOTATION: w.pod_security.level.as_str() }),
            );
            extra
        },
    }
}

/// The largest file Helm loads from a chart (its MaxDecompressedFileSize, 5 MiB).
pub(crate) const HELM_FILE_LIMIT: usize = 5 << 20;

/// The dotted key of the longest string among `values`, the one to blame for their size.
fn largest_value(values: &Node) -> String {
    fn walk(node: &Node, at: &str, best: &mut (usize, String)) {
        match node {
            Node::Str(s) if s.len() > best.0 => *best = (s.len(), at.to_string()),
            Node::Map(entries) => {
                for e in entries {
                    let key = if at.is_empty() {
                        e.key.clone()
                    } else {
                        format!("{at}.{}", e.key)
                    };
                    walk(&e.value, &key, best);
                }
            }
            Node::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{at}[{i}]"), best);
                }
            }
            _ => {}
        }
    }
    let mut best = (0, String::new());
    walk(values, "", &mut best);
    best.1
}

/// The Chart.yaml annotation naming the environments of a chart converted for several.
const ENVIRONMENTS_ANNOTATION: &str = "ecs-import/environments";

/// The Chart.yaml annotation naming the Pod Security level the pods meet with default values.
const POD_SECURITY_ANNOTATION: &str = "ecs-import/pod-security";

pub(crate) fn build(
    w: &Workload,
    source: &str,
    report: &Report,
    options: &ChartOptions,
) -> Result<Chart> {
    let values = values::build(w);
    let profile = profile::Profile::of(&[values.to_json()]);
    build_with_values(
        w,
        source,
        report,
        options,
        &profile.prune(values),
        &profile,
        None,
    )
}

/// Builds a chart whose values.yaml is `values` (the environment merge supplies its own),
/// carrying the parts `profile` names.
pub(crate) fn build_with_values(
    w: &Workload,
    source: &str,
    report: &Report,
    options: &ChartOptions,
    values: &Node,
    profile: &profile::Profile,
    environments: Option<&readme::Environments>,
) -> Result<Chart> {
    let description = format!(
        "{} converted from the ECS task definition {}",
        w.kind.as_str(),
        w.origin
    );
    let mut meta = chart_meta(w, &description, options);
    if let Some(e) = environments {
        // environment.yaml names them when a render lacks an environment's values file.
        if let Some(annotations) = meta
            .extra
            .get_mut("annotations")
            .and_then(|a| a.as_object_mut())
        {
            annotations.insert(ENVIRONMENTS_ANNOTATION.into(), e.names.join(", ").into());
        }
    }
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    files.insert("Chart.yaml".into(), meta.render().into_bytes());
    let values_yaml = yaml::to_string(values);
    if values_yaml.len() > HELM_FILE_LIMIT {
        return Err(crate::error::Error::Input {
            file: source.to_string(),
            problem: crate::error::InputProblem::TooLargeForHelm {
                key: largest_value(values),
                file: "values.yaml".into(),
                limit_mib: (HELM_FILE_LIMIT >> 20) as u64,
            },
        });
    }
    files.insert("values.yaml".into(), values_yaml.into_bytes());
    files.insert(
        "values.schema.json".into(),
        profile.schema_text().as_bytes().to_vec(),
    );
    files.insert(".helmignore".into(), HELMIGNORE.as_bytes().to_vec());
    let templates = STATIC_TEMPLATES
        .iter()
        .chain([&CONNECTION_TEST])
        .filter(|(path, _)| profile.keeps_template(path));
    for (path, text) in templates {
        files.insert(
            (*path).to_string(),
            text.replace("<CHARTNAME>", &w.name).into_bytes(),
        );
    }
    files.insert(
        "README.md".into(),
        readme::render(w, &description, values, report, environments)?.into_bytes(),
    );
    files.insert(
        REPORT_FILE.into(),
        report_file(source, &w.name, &report.findings),
    );
    Ok(Chart {
        name: w.name.clone(),
        meta,
        files,
        source: source.to_string(),
        report: report.clone(),
        matches_record: false,
        fingerprint: None,
        reimport: Vec::new(),
    })
}
