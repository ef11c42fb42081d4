//! Docker labels become pod annotations: containers have no labels in Kubernetes, and the
//! tools that read them (Datadog autodiscovery, Prometheus scraping) read pod annotations
//! there. Well-known families are translated; every other label is kept with its key made
//! valid, and each one is named in the report.

use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::{Code, Report};
use crate::workload::Workload;

const DATADOG_AD: &str = "com.datadoghq.ad.";
const DATADOG_TAGS: &str = "com.datadoghq.tags.";

pub(crate) fn apply(
    td: &TaskDefinition,
    move_secrets: bool,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    let names: Vec<String> = w.containers.iter().map(|c| c.name.clone()).collect();
    for (def, container) in td.containers.iter().zip(names) {
        for (key, value) in &def.docker_labels {
            let path = def.path.key("dockerLabels").key(key);
            if secret_label(&def.name, key, value, move_secrets, &path, report) {
                continue;
            }
            let (target, how) = translate(&container, key);
            let (target, how) = match w.pod_annotations.get(&target) {
                // The same key from another container with another value: kept apart.
                Some(existing) if existing != value => (
                    valid_key(&format!("{container}.{key}")),
                    "kept under the container's name (another container sets the same key)",
                ),
                _ => (target, how),
            };
            let (target, how) = target_or_label(target, how, value, w);
            report.info(
                Code::DockerLabel,
                &path,
                format!("Docker label {key:?} of container {:?}", def.name),
                format!("{how}: {target}"),
            );
        }
    }
    Ok(())
}

/// A label holding a secret is reported; moved, it is left out: an annotation cannot read a
/// Secret, and annotations are readable by anyone who can read the pod.
fn secret_label(
    container: &str,
    key: &str,
    value: &str,
    move_secrets: bool,
    path: &crate::json_path::JsonPath,
    report: &mut Report,
) -> bool {
    let Some(why) = crate::convert::plaintext::secret_like(key, value) else {
        return false;
    };
    let (message, action) = if move_secrets {
        (
            format!("Docker label {key:?} of container {container:?} was a plain-text secret ({why})"),
            "left out of the chart (an annotation cannot read a Secret and anyone who can read the pod reads it); give the program that read it the value from the release's Secret",
        )
    } else {
        (
            format!("Docker label {key:?} of container {container:?} looks like a secret in plain text ({why})"),
            "kept as a pod annotation, readable by anyone who can read the pod; convert with --move-plaintext-secrets to leave it out",
        )
    };
    report.warn(Code::PlaintextSecret, path, message, action);
    move_secrets
}

/// Datadog unified service tags are pod labels in Kubernetes; everything else an annotation.
fn target_or_label(
    target: String,
    how: &'static str,
    value: &str,
    w: &mut Workload,
) -> (String, &'static str) {
    if target.starts_with("tags.datadoghq.com/") && crate::convert::pod::valid_label_value(value) {
        w.pod_labels.insert(target.clone(), value.to_string());
        return (target, "the Datadog unified service tag, as a pod label");
    }
    w.pod_annotations.insert(target.clone(), value.to_string());
    (target, how)
}

/// The annotation key a label becomes, and how it was chosen.
fn translate(container: &str, key: &str) -> (String, &'static str) {
    if let Some(rest) = key.strip_prefix(DATADOG_AD) {
        return (
            format!("ad.datadoghq.com/{container}.{rest}"),
            "the Datadog autodiscovery annotation",
        );
    }
    if let Some(rest) = key.strip_prefix(DATADOG_TAGS) {
        return (
            format!("tags.datadoghq.com/{rest}"),
            "the Datadog unified service tag",
        );
    }
    // CloudWatch agent's ECS service discovery labels, and prometheus.io labels as-is.
    let prometheus = match key {
        "PROMETHEUS_EXPORTER_PORT" | "prometheus.io/port" => Some("prometheus.io/port"),
        "PROMETHEUS_EXPORTER_PATH" | "prometheus.io/path" => Some("prometheus.io/path"),
        "PROMETHEUS_EXPORTER_JOB_NAME" | "prometheus.io/job" => Some("prometheus.io/job"),
        "prometheus.io/scrape" => Some("prometheus.io/scrape"),
        _ => None,
    };
    if let Some(target) = prometheus {
        return (target.to_string(), "the Prometheus scrape annotation");
    }
    (valid_key(key), "a pod annotation")
}

/// An annotation key Kubernetes accepts: a DNS-subdomain prefix and a name of at most 63
/// alphanumerics, `-`, `_` and `.`, starting and ending alphanumeric.
fn valid_key(key: &str) -> String {
    if crate::convert::pod::valid_label_key(key) {
        return key.to_string();
    }
    let name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let name: String = name.chars().take(63).collect();
    let name = name.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    if name.is_empty() {
        "ecs-import/docker-label".to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_families_are_translated_and_the_rest_made_valid() {
        assert_eq!(
            translate("web", "com.datadoghq.ad.check_names").0,
            "ad.datadoghq.com/web.check_names"
        );
        assert_eq!(
            translate("web", "com.datadoghq.tags.env").0,
            "tags.datadoghq.com/env"
        );
        assert_eq!(
            translate("web", "PROMETHEUS_EXPORTER_PORT").0,
            "prometheus.io/port"
        );
        assert_eq!(translate("web", "com.example.team").0, "com.example.team");
        assert_eq!(translate("web", "Cost Center!").0, "Cost-Center");
        assert_eq!(valid_key("***"), "ecs-import/docker-label");
    }
}
