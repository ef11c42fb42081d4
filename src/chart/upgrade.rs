//! A re-run's chart version: kept when the content is unchanged, the next patch when it
//! changed, the next minor for changes a StatefulSet cannot take in place (Kubernetes refuses
//! updates to its claim templates, service name, selector and pod management policy, so
//! `helm upgrade` would fail).

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::record::Record;
use super::Chart;

/// Values whose change alters a forbidden StatefulSet field.
const FORBIDDEN: &[&[&str]] = &[&["persistence"], &["workload", "podManagementPolicy"]];

/// The forbidden fields that differ between the values generated last time and now, when the
/// chart was and stays a StatefulSet.
pub(crate) fn forbidden_changes(before: Option<&[u8]>, after: Option<&[u8]>) -> Vec<String> {
    let parse = |b: Option<&[u8]>| {
        b.and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|t| crate::yaml::from_str::<Value>(t).ok())
    };
    let (Some(before), Some(after)) = (parse(before), parse(after)) else {
        return Vec::new();
    };
    let stateful = |v: &Value| v["workload"]["kind"] == "StatefulSet";
    if !stateful(&before) || !stateful(&after) {
        return Vec::new();
    }
    let at = |v: &Value, path: &[&str]| path.iter().fold(v.clone(), |v, k| v[*k].clone());
    let mut changed = Vec::new();
    for path in FORBIDDEN {
        let (b, a) = (at(&before, path), at(&after, path));
        if path == &["persistence"] {
            changed.extend(claim_changes(&b, &a));
        } else if b != a {
            changed.push(path.join("."));
        }
    }
    changed
}

/// Claim templates come from the persistence entries that are claims of their own; the
/// switches that only adopt or seed data are not part of them.
fn claim_changes(before: &Value, after: &Value) -> Vec<String> {
    let claim = |v: &Value| {
        let mut v = v.clone();
        if let Value::Object(m) = &mut v {
            for key in ["adoptVolumes", "hostPath", "ebs", "efs"] {
                m.remove(key);
            }
        }
        v
    };
    let names: std::collections::BTreeSet<&String> = before
        .as_object()
        .into_iter()
        .chain(after.as_object())
        .flat_map(|m| m.keys())
        .collect();
    names
        .into_iter()
        .filter(|n| claim(&before[n.as_str()]) != claim(&after[n.as_str()]))
        .map(|n| format!("persistence.{n}"))
        .collect()
}

/// On a re-run into the same output, the chart keeps the version it has there when its content
/// is unchanged, and gets the next patch version when it changed, so versions follow content.
/// A change Kubernetes cannot apply in place (`forbidden`) takes the next minor version.
pub(crate) fn follow_previous_version(chart: &mut Chart, out: &Path) -> Vec<String> {
    let dir = out.join(&chart.name);
    // Compared with what the tool generated last time (the record's digests), not with the
    // files on disk, so a user's edits never bump the version.
    let Some(digests) = Record::load_digests(&dir).or_else(|| {
        Record::load(&dir)
            .ok()
            .flatten()
            .map(|record| record.digests)
    }) else {
        return Vec::new();
    };
    // A Chart.yaml that is a link or huge is not ours to read: the write step refuses it.
    let chart_yaml = dir.join("Chart.yaml");
    let readable = fs::symlink_metadata(&chart_yaml)
        .is_ok_and(|m| m.is_file() && m.len() <= super::HELM_FILE_LIMIT as u64);
    let Some(previous) = (readable.then(|| fs::read(&chart_yaml).ok()).flatten())
        .and_then(|bytes| super::ChartMeta::parse(&bytes, &dir).ok())
        .map(|meta| meta.version)
    else {
        return Vec::new();
    };
    chart.set_version(&previous);
    if super::reimport::digests_match(&digests, &chart.files) {
        chart.matches_record = true;
        return Vec::new();
    }
    // Something changed: the merge base tells whether a StatefulSet field did.
    let Ok(Some(record)) = Record::load(&dir) else {
        chart.set_version(&crate::digest::next_patch(&previous));
        return Vec::new();
    };
    let forbidden = forbidden_changes(
        record.base.get("values.yaml").map(Vec::as_slice),
        chart.files.get("values.yaml").map(Vec::as_slice),
    );
    if forbidden.is_empty() {
        chart.set_version(&crate::digest::next_patch(&previous));
    } else {
        chart.set_version(&crate::digest::next_minor(&previous));
    }
    forbidden
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_size_change_is_forbidden_and_a_replica_change_is_not() {
        let before = b"workload:\n  kind: StatefulSet\n  podManagementPolicy: OrderedReady\nreplicaCount: 1\npersistence:\n  data:\n    size: 10Gi\n";
        let resized = b"workload:\n  kind: StatefulSet\n  podManagementPolicy: OrderedReady\nreplicaCount: 1\npersistence:\n  data:\n    size: 20Gi\n";
        let scaled = b"workload:\n  kind: StatefulSet\n  podManagementPolicy: OrderedReady\nreplicaCount: 3\npersistence:\n  data:\n    size: 10Gi\n";
        assert_eq!(
            forbidden_changes(Some(before), Some(resized)),
            vec!["persistence.data"]
        );
        assert!(forbidden_changes(Some(before), Some(scaled)).is_empty());
    }
}
