//! Line-wise three-way merge (diff3) for templates, README and other text.

use super::side::Side;

/// Long markers, so that no line of a chart is mistaken for one.
const MARKER_LENGTH: usize = 19;

/// The merged text, and the 1-based lines (in it) where a conflicting hunk starts.
pub(super) struct TextMerge {
    pub text: String,
    pub conflict_lines: Vec<usize>,
}

/// Merges `ours` and `theirs` line by line; conflicting hunks take `side`'s lines.
pub(super) fn merge(base: &str, ours: &str, theirs: &str, side: Side) -> TextMerge {
    let mut options = diffy::MergeOptions::new();
    options
        .set_conflict_marker_length(MARKER_LENGTH)
        .set_conflict_style(diffy::ConflictStyle::Merge);
    match options.merge(base, ours, theirs) {
        Ok(text) => TextMerge {
            text,
            conflict_lines: Vec::new(),
        },
        Err(marked) => resolve(&marked, side),
    }
}

/// Keeps one side of each marked hunk.
fn resolve(marked: &str, side: Side) -> TextMerge {
    let open = "<".repeat(MARKER_LENGTH);
    let middle = "=".repeat(MARKER_LENGTH);
    let close = ">".repeat(MARKER_LENGTH);
    let mut text = String::with_capacity(marked.len());
    let mut conflict_lines = Vec::new();
    // Which part of a hunk the scan is in: outside, ours, theirs.
    let mut part = 0u8;
    let mut line_no = 0usize;
    for line in marked.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if part == 0 && bare.starts_with(&open) {
            part = 1;
            conflict_lines.push(line_no + 1);
            continue;
        }
        if part == 1 && bare == middle {
            part = 2;
            continue;
        }
        if part == 2 && bare.starts_with(&close) {
            part = 0;
            continue;
        }
        let keep = matches!((part, side), (0, _) | (1, Side::Ours) | (2, Side::Theirs));
        if keep {
            text.push_str(line);
            line_no += 1;
        }
    }
    TextMerge {
        text,
        conflict_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_edits_merge_and_a_clash_keeps_the_chosen_side() {
        let base = "a\nb\nc\nd\ne\n";
        let ours = "a\nB (mine)\nc\nd\ne\n";
        let theirs = "a\nb\nc\nd\nE (new)\n";
        let m = merge(base, ours, theirs, Side::Ours);
        assert_eq!(m.text, "a\nB (mine)\nc\nd\nE (new)\n");
        assert!(m.conflict_lines.is_empty());

        let theirs = "a\nB (new)\nc\nd\nE (new)\n";
        let m = merge(base, ours, theirs, Side::Ours);
        assert_eq!(m.text, "a\nB (mine)\nc\nd\nE (new)\n");
        assert_eq!(m.conflict_lines, vec![2]);
        let m = merge(base, ours, theirs, Side::Theirs);
        assert_eq!(m.text, "a\nB (new)\nc\nd\nE (new)\n");
    }
}
