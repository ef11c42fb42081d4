//! Changes a StatefulSet cannot take in place: Kubernetes refuses updates to its claim
//! templates, service name, selector and pod management policy, so `helm upgrade` would fail.

use serde_json::Value;

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
