//! Re-imports keep the user's edits: each generated file is merged three ways, between what
//! the tool generated last time (the base), what is on disk (ours) and the new conversion
//! (theirs).

mod side;
mod text;
mod tree;
mod yaml_text;

pub(crate) use side::Side;

use serde_json::Value;

/// What a re-run did with one generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Written as the conversion made it: new, or not edited by the user.
    Generated,
    /// The user's version, which the new conversion did not change.
    Kept,
    /// Both changed it, in different places; both changes are in.
    Merged,
    /// Both changed the same keys or lines differently: where, in the file.
    Conflict(Vec<String>),
}

/// The content a file ends with (None: it stays absent) and how it came about.
pub(crate) struct FileMerge {
    pub bytes: Option<Vec<u8>>,
    pub outcome: Outcome,
}

/// Files the tool alone writes; an edit to them is not kept.
const TOOL_OWNED: &[&str] = &[crate::chart::REPORT_FILE];

/// Keys whose new value always wins: the chart version is computed from the user's own.
const THEIRS_WINS: &[(&str, &str)] = &[("Chart.yaml", "version")];

/// Merges one generated file. `base` is what the tool wrote last time, if it is known.
pub(crate) fn merge_file(
    rel: &str,
    base: Option<&[u8]>,
    ours: Option<&[u8]>,
    theirs: &[u8],
    side: Side,
) -> FileMerge {
    let generated = |outcome| FileMerge {
        bytes: Some(theirs.to_vec()),
        outcome,
    };
    let Some(ours) = ours else {
        return match base {
            None => generated(Outcome::Generated),
            // The user deleted it; the deletion stands while the conversion leaves it alone.
            Some(b) if b == theirs => FileMerge {
                bytes: None,
                outcome: Outcome::Kept,
            },
            Some(_) => FileMerge {
                bytes: (side == Side::Theirs).then(|| theirs.to_vec()),
                outcome: Outcome::Conflict(
                    vec!["deleted by you, changed by the conversion".into()],
                ),
            },
        };
    };
    if ours == theirs || base == Some(ours) || TOOL_OWNED.contains(&rel) {
        return generated(Outcome::Generated);
    }
    let kept = |outcome| FileMerge {
        bytes: Some(ours.to_vec()),
        outcome,
    };
    let Some(base) = base else {
        let conflict = Outcome::Conflict(vec![
            "edited, and no record of what was generated before".into(),
        ]);
        return match side {
            Side::Ours => kept(conflict),
            Side::Theirs => generated(conflict),
        };
    };
    if base == theirs {
        return kept(Outcome::Kept);
    }
    let (Ok(b), Ok(o), Ok(t)) = (
        std::str::from_utf8(base),
        std::str::from_utf8(ours),
        std::str::from_utf8(theirs),
    ) else {
        let conflict = Outcome::Conflict(vec!["(binary file)".into()]);
        return match side {
            Side::Ours => kept(conflict),
            Side::Theirs => generated(conflict),
        };
    };
    let (text, conflicts) = if is_structured(rel) {
        merge_yaml(rel, b, o, t, side).unwrap_or_else(|| merge_lines(b, o, t, side))
    } else {
        merge_lines(b, o, t, side)
    };
    FileMerge {
        bytes: Some(text.into_bytes()),
        outcome: if conflicts.is_empty() {
            Outcome::Merged
        } else {
            Outcome::Conflict(conflicts)
        },
    }
}

/// values files and Chart.yaml merge on the YAML tree; templates are text to YAML's eyes.
fn is_structured(rel: &str) -> bool {
    !rel.contains('/') && (rel.ends_with(".yaml") || rel.ends_with(".yml"))
}

fn merge_lines(base: &str, ours: &str, theirs: &str, side: Side) -> (String, Vec<String>) {
    let m = text::merge(base, ours, theirs, side);
    let conflicts = m
        .conflict_lines
        .iter()
        .map(|l| format!("line {l}"))
        .collect();
    (m.text, conflicts)
}

/// The structural merge, written into the user's text. None when a side is not YAML the
/// merge can read (the line merge then decides).
fn merge_yaml(
    rel: &str,
    base: &str,
    ours: &str,
    theirs: &str,
    side: Side,
) -> Option<(String, Vec<String>)> {
    let parse = |s: &str| crate::yaml::from_str::<Value>(s).ok();
    let (b, o, t) = (parse(base)?, parse(ours)?, parse(theirs)?);
    let mut m = tree::merge(&b, &o, &t, side);
    for (file, key) in THEIRS_WINS {
        if *file == rel {
            if let (Some(v), Value::Object(merged)) = (t.get(*key), &mut m.merged) {
                merged.insert((*key).to_string(), v.clone());
            }
            m.conflicts.retain(|c| c != key);
        }
    }
    let line_merged = text::merge(base, ours, theirs, side);
    let candidates = [
        line_merged
            .conflict_lines
            .is_empty()
            .then_some(line_merged.text),
        yaml_text::apply(ours, &o, &m.merged, theirs),
    ];
    let text = candidates
        .into_iter()
        .flatten()
        .find(|text| parse(text).as_ref() == Some(&m.merged));
    match text {
        Some(text) => Some((text, m.conflicts)),
        // Neither way of writing the merge reads back as it: the chosen side, whole.
        None => Some(match side {
            Side::Ours => (
                ours.to_string(),
                vec!["(whole file): the merge could not be written into your layout".into()],
            ),
            Side::Theirs => (
                theirs.to_string(),
                vec!["(whole file): the merge could not be written into your layout".into()],
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_values_edit_and_a_new_image_tag_both_land() {
        let base = "image:\n  repository: app\n  tag: \"1\"\nstorageClass: \"\"\n";
        let ours = "image:\n  repository: app\n  tag: \"1\"\n# gp3 for the database\nstorageClass: gp3\nextra: true\n";
        let theirs = "image:\n  repository: app\n  tag: \"2\"\nstorageClass: \"\"\n";
        let m = merge_file(
            "values.yaml",
            Some(base.as_bytes()),
            Some(ours.as_bytes()),
            theirs.as_bytes(),
            Side::Ours,
        );
        assert_eq!(m.outcome, Outcome::Merged);
        let text = String::from_utf8(m.bytes.unwrap()).unwrap();
        assert_eq!(text, "image:\n  repository: app\n  tag: \"2\"\n# gp3 for the database\nstorageClass: gp3\nextra: true\n");
    }

    #[test]
    fn adjacent_edits_merge_on_the_tree_where_lines_clash() {
        let base = "a: 1\nb: 2\n";
        let ours = "a: 1\nb: 3\n";
        let theirs = "a: 5\nb: 2\n";
        let m = merge_file(
            "values.yaml",
            Some(base.as_bytes()),
            Some(ours.as_bytes()),
            theirs.as_bytes(),
            Side::Ours,
        );
        assert_eq!(m.outcome, Outcome::Merged);
        assert_eq!(m.bytes.unwrap(), b"a: 5\nb: 3\n");
    }

    #[test]
    fn unedited_files_take_the_new_version_and_deleted_ones_stay_deleted() {
        let m = merge_file(
            "templates/x.yaml",
            Some(b"old"),
            Some(b"old"),
            b"new",
            Side::Ours,
        );
        assert_eq!(
            (m.bytes.unwrap(), m.outcome),
            (b"new".to_vec(), Outcome::Generated)
        );
        let m = merge_file("templates/x.yaml", Some(b"same"), None, b"same", Side::Ours);
        assert_eq!((m.bytes, m.outcome), (None, Outcome::Kept));
        let m = merge_file("templates/x.yaml", Some(b"old"), None, b"new", Side::Ours);
        assert!(matches!(m.outcome, Outcome::Conflict(_)) && m.bytes.is_none());
    }
}
