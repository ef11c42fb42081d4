//! The three-way merge of YAML trees: which value each key ends with, and where the two sides
//! truly disagree.

use serde_json::{Map, Value};

use super::side::Side;

/// The merged tree and the dotted paths of the keys both sides changed differently.
pub(super) struct TreeMerge {
    pub merged: Value,
    pub conflicts: Vec<String>,
}

/// Merges `ours` and `theirs`, both descended from `base`. On a conflict `side` wins.
pub(super) fn merge(base: &Value, ours: &Value, theirs: &Value, side: Side) -> TreeMerge {
    let mut conflicts = Vec::new();
    let merged = merge_at(
        Some(base),
        Some(ours),
        Some(theirs),
        side,
        "",
        &mut conflicts,
    )
    .unwrap_or(Value::Null);
    TreeMerge { merged, conflicts }
}

/// A key may be absent on any side; `None` is a value of its own here (deleted, or not yet
/// there), so deleting and adding merge like any other change.
fn merge_at(
    base: Option<&Value>,
    ours: Option<&Value>,
    theirs: Option<&Value>,
    side: Side,
    path: &str,
    conflicts: &mut Vec<String>,
) -> Option<Value> {
    if ours == theirs || theirs == base {
        return ours.cloned();
    }
    if ours == base {
        return theirs.cloned();
    }
    // Removed by the new conversion, but the user edited it: the user's edit is kept.
    if theirs.is_none() {
        return ours.cloned();
    }
    if let (Some(Value::Object(o)), Some(Value::Object(t))) = (ours, theirs) {
        let empty = Map::new();
        let b = match base {
            Some(Value::Object(b)) => b,
            _ => &empty,
        };
        return Some(Value::Object(merge_maps(b, o, t, side, path, conflicts)));
    }
    conflicts.push(if path.is_empty() {
        "(document)".into()
    } else {
        path.to_string()
    });
    match side {
        Side::Ours => ours.cloned(),
        Side::Theirs => theirs.cloned(),
    }
}

fn merge_maps(
    base: &Map<String, Value>,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
    side: Side,
    path: &str,
    conflicts: &mut Vec<String>,
) -> Map<String, Value> {
    // The user's order first, then keys only the new conversion has, in its order.
    let keys = ours
        .keys()
        .chain(theirs.keys().filter(|k| !ours.contains_key(*k)))
        .chain(
            base.keys()
                .filter(|k| !ours.contains_key(*k) && !theirs.contains_key(*k)),
        );
    let mut out = Map::new();
    for key in keys {
        let child = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        if let Some(v) = merge_at(
            base.get(key),
            ours.get(key),
            theirs.get(key),
            side,
            &child,
            conflicts,
        ) {
            out.insert(key.clone(), v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_side_keeps_its_own_changes_and_conflicts_name_the_key() {
        let base = json!({"image": {"tag": "1"}, "replicaCount": 1, "old": true});
        let ours = json!({"image": {"tag": "1"}, "replicaCount": 3, "old": true, "mine": "x"});
        let theirs = json!({"image": {"tag": "2"}, "replicaCount": 1, "new": 5});
        let m = merge(&base, &ours, &theirs, Side::Ours);
        assert_eq!(
            m.merged,
            json!({"image": {"tag": "2"}, "replicaCount": 3, "mine": "x", "new": 5})
        );
        assert!(m.conflicts.is_empty());

        let ours = json!({"image": {"tag": "3"}});
        let m = merge(&base, &ours, &theirs, Side::Ours);
        assert_eq!(m.merged["image"]["tag"], json!("3"));
        assert!(
            m.conflicts.contains(&"image.tag".to_string()),
            "{:?}",
            m.conflicts
        );
        let m = merge(&base, &ours, &theirs, Side::Theirs);
        assert_eq!(m.merged["image"]["tag"], json!("2"));
    }

    #[test]
    fn a_key_the_user_edited_survives_its_removal_upstream() {
        let base = json!({"a": 1, "b": 2});
        let ours = json!({"a": 1, "b": 9});
        let theirs = json!({"a": 1});
        let m = merge(&base, &ours, &theirs, Side::Ours);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.merged, json!({"a": 1, "b": 9}));
        let unedited = merge(&base, &base, &theirs, Side::Ours);
        assert_eq!(unedited.merged, json!({"a": 1}));
    }
}
