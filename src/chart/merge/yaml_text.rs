//! Applies a merged YAML tree to the user's own text, touching only the keys that change, so
//! every comment and blank line the user wrote stays where it was.
//!
//! The scanner understands block-style YAML as the chart's files are written (a key per line,
//! children indented deeper, sequences and block scalars as opaque values). Whatever it makes
//! of a file, the caller checks the result by parsing it again, so a layout it misreads can only
//! lead to the safe fallback, never to a wrong value.

use serde_json::{Map, Value};

/// Where one key's text lies: its own line through the last line of its value.
#[derive(Debug, Clone)]
struct Span {
    path: Vec<String>,
    line: usize,
    end: usize,
}

/// The keys of one text, in order, with their lines.
struct Index<'a> {
    lines: Vec<&'a str>,
    spans: Vec<Span>,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

/// The key of a `key: value` line and what follows the colon.
fn key_of(line: &str) -> Option<(String, &str)> {
    let t = line.trim_start_matches(' ');
    if t.starts_with('-') || t.starts_with('#') {
        return None;
    }
    if let Some(q @ ('"' | '\'')) = t.chars().next() {
        let close = t[1..].find(q)? + 1;
        let rest = t[close + 1..].strip_prefix(':')?;
        let key: String = crate::yaml::from_str(&t[..=close]).ok()?;
        return Some((key, rest.trim()));
    }
    let colon = t
        .find(": ")
        .or_else(|| t.ends_with(':').then(|| t.len() - 1))?;
    Some((t[..colon].to_string(), t[colon + 1..].trim()))
}

impl<'a> Index<'a> {
    fn new(text: &'a str) -> Index<'a> {
        let lines: Vec<&str> = text.lines().collect();
        let mut spans = Vec::new();
        let mut stack: Vec<(usize, Vec<String>)> = Vec::new();
        // Lines at or deeper than this indent belong to an opaque value (sequence, block scalar).
        let mut opaque_floor: Option<usize> = None;
        for (i, line) in lines.iter().enumerate() {
            if !is_content(line) {
                continue;
            }
            let indent = indent_of(line);
            if let Some(floor) = opaque_floor {
                if indent >= floor {
                    continue;
                }
                opaque_floor = None;
            }
            let Some((key, rest)) = key_of(line) else {
                // A sequence under the key above: opaque down to its own indent.
                opaque_floor = Some(indent);
                continue;
            };
            while stack.last().is_some_and(|(n, _)| *n >= indent) {
                stack.pop();
            }
            let mut path = stack.last().map(|(_, p)| p.clone()).unwrap_or_default();
            path.push(key);
            let end = Self::span_end(&lines, i, indent);
            spans.push(Span {
                path: path.clone(),
                line: i,
                end,
            });
            if rest.starts_with('|') || rest.starts_with('>') {
                opaque_floor = Some(indent + 1);
            } else if rest.is_empty() || rest.starts_with('#') {
                stack.push((indent, path));
            }
        }
        Index { lines, spans }
    }

    /// The last content line of the value that starts at `line`.
    fn span_end(lines: &[&str], line: usize, indent: usize) -> usize {
        let mut end = line;
        for (j, l) in lines.iter().enumerate().skip(line + 1) {
            if !is_content(l) {
                continue;
            }
            let n = indent_of(l);
            let compact_item = n == indent && l.trim_start().starts_with('-');
            if n > indent || compact_item {
                end = j;
            } else {
                break;
            }
        }
        end
    }

    fn find(&self, path: &[String]) -> Option<&Span> {
        self.spans.iter().find(|s| s.path == path)
    }

    /// The first line of the comments written directly above a key.
    fn comments_start(&self, line: usize) -> usize {
        let mut start = line;
        while start > 0 && self.lines[start - 1].trim_start().starts_with('#') {
            start -= 1;
        }
        start
    }
}

/// One change to the user's text: replace lines `start..end` by `text`.
struct Edit {
    start: usize,
    end: usize,
    text: Vec<String>,
}

/// The user's text (`ours`) changed to hold `merged`, taking new keys' text from `theirs`.
/// None when the layout is beyond the scanner.
pub(super) fn apply(ours: &str, ours_tree: &Value, merged: &Value, theirs: &str) -> Option<String> {
    let o = Index::new(ours);
    let t = Index::new(theirs);
    let mut edits = Vec::new();
    let (Value::Object(om), Value::Object(mm)) = (ours_tree, merged) else {
        return None;
    };
    collect(&o, &t, om, mm, &mut Vec::new(), &mut edits)?;
    // Applied bottom-up, so earlier line numbers stay valid; inserts at one place keep order.
    edits.sort_by_key(|e| std::cmp::Reverse((e.start, e.end)));
    let mut lines: Vec<String> = o.lines.iter().map(|l| l.to_string()).collect();
    let mut i = 0;
    while i < edits.len() {
        let mut j = i;
        let mut text = Vec::new();
        while j < edits.len() && edits[j].start == edits[i].start && edits[j].end == edits[i].end {
            j += 1;
        }
        for e in edits[i..j].iter().rev() {
            text.extend(e.text.iter().cloned());
        }
        lines.splice(edits[i].start..edits[i].end, text);
        i = j;
    }
    let mut out = lines.join("\n");
    out.push('\n');
    Some(out)
}

fn collect(
    o: &Index,
    t: &Index,
    ours: &Map<String, Value>,
    merged: &Map<String, Value>,
    path: &mut Vec<String>,
    edits: &mut Vec<Edit>,
) -> Option<()> {
    for (key, value) in ours {
        path.push(key.clone());
        match merged.get(key) {
            None => edits.push(delete(o, path)?),
            Some(m) if m != value => match (value, m) {
                (Value::Object(a), Value::Object(b)) => collect(o, t, a, b, path, edits)?,
                _ => edits.push(replace(o, t, path)?),
            },
            Some(_) => {}
        }
        path.pop();
    }
    let siblings: Vec<&String> = merged.keys().collect();
    for (k, key) in siblings.iter().enumerate() {
        if ours.contains_key(*key) {
            continue;
        }
        path.push((*key).clone());
        let before = siblings[..k].iter().rev().find(|s| ours.contains_key(**s));
        edits.push(insert(o, t, path, before.map(|s| s.as_str()))?);
        path.pop();
    }
    Some(())
}

fn replace(o: &Index, t: &Index, path: &[String]) -> Option<Edit> {
    let mine = o.find(path)?;
    let new = t.find(path)?;
    let mut text: Vec<String> = t.lines[new.line..=new.end]
        .iter()
        .map(|l| l.to_string())
        .collect();
    // The user's note at the end of the key's line stays with the key's new value.
    if let Some(comment) = end_of_line_comment(o.lines[mine.line]) {
        if end_of_line_comment(&text[0]).is_none() {
            text[0] = format!("{} {comment}", text[0].trim_end());
        }
    }
    Some(Edit {
        start: mine.line,
        end: mine.end + 1,
        text,
    })
}

/// The `# …` that ends a line, outside quotes; YAML needs white space before it.
fn end_of_line_comment(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        match (quote, b[i]) {
            // A double-quoted string's escape skips the character after it.
            (Some(b'"'), b'\\') => i += 1,
            (Some(q), c) if c == q => quote = None,
            (None, c @ (b'"' | b'\'')) => quote = Some(c),
            (None, b'#') if i > 0 && b[i - 1] == b' ' && !line[..i].trim().is_empty() => {
                return Some(&line[i..]);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn delete(o: &Index, path: &[String]) -> Option<Edit> {
    let mine = o.find(path)?;
    let mut start = o.comments_start(mine.line);
    let after_blank = o
        .lines
        .get(mine.end + 1)
        .is_none_or(|l| l.trim().is_empty());
    if start > 0 && o.lines[start - 1].trim().is_empty() && after_blank {
        start -= 1;
    }
    Some(Edit {
        start,
        end: mine.end + 1,
        text: Vec::new(),
    })
}

/// A key only the new conversion has: its text, with the blank line and comments above it,
/// goes after the nearest earlier sibling the user still has (or first under its parent).
fn insert(o: &Index, t: &Index, path: &[String], before: Option<&str>) -> Option<Edit> {
    let new = t.find(path)?;
    let parent = &path[..path.len() - 1];
    let from = t.spans[..]
        .iter()
        .filter(|s| s.end < new.line && s.path.len() >= path.len() - 1)
        .map(|s| if s.path == parent { s.line } else { s.end })
        .max()
        .map_or(0, |l| l + 1);
    let at = match before {
        Some(sibling) => {
            let mut p = parent.to_vec();
            p.push(sibling.to_string());
            o.find(&p)?.end + 1
        }
        None if parent.is_empty() => o
            .spans
            .first()
            .map_or(o.lines.len(), |s| o.comments_start(s.line)),
        None => o.find(parent)?.line + 1,
    };
    Some(Edit {
        start: at,
        end: at,
        text: t.lines[from.min(new.line)..=new.end]
            .iter()
            .map(|l| l.to_string())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Value {
        crate::yaml::from_str(text).unwrap()
    }

    #[test]
    fn only_changed_keys_move_and_the_users_comments_stay() {
        let ours = "# -- Image\nimage:\n  # my pinned registry\n  repository: my.registry/app\n  tag: \"1.0\"\n\n# -- Pods\nreplicaCount: 3 # raised for launch\n";
        let theirs = "# -- Image\nimage:\n  repository: app\n  tag: \"2.0\"\n\n# -- Pods\nreplicaCount: 1\n\n# -- Env\nenv:\n  - name: A\n    value: b\n";
        let mut merged = tree(ours);
        merged["image"]["tag"] = Value::String("2.0".into());
        merged["env"] = tree(theirs)["env"].clone();
        let out = apply(ours, &tree(ours), &merged, theirs).unwrap();
        assert_eq!(tree(&out), merged);
        assert!(
            out.contains("# my pinned registry\n  repository: my.registry/app\n  tag: \"2.0\"\n"),
            "{out}"
        );
        assert!(
            out.contains("replicaCount: 3 # raised for launch\n\n# -- Env\nenv:\n  - name: A\n"),
            "{out}"
        );
    }

    #[test]
    fn a_note_at_the_end_of_a_changed_line_stays() {
        let ours = "storageClass: \"\" # empty: the default class\nname: \"a # b\"\n";
        let theirs = "storageClass: \"gp3\"\nname: \"c\"\n";
        let merged = tree(theirs);
        let out = apply(ours, &tree(ours), &merged, theirs).unwrap();
        assert_eq!(
            out,
            "storageClass: \"gp3\" # empty: the default class\nname: \"c\"\n"
        );
        assert_eq!(end_of_line_comment(r#"a: "x \" # y" # z"#), Some("# z"));
        assert_eq!(end_of_line_comment("a: x#y"), None);
        assert_eq!(end_of_line_comment("# whole line"), None);
    }

    #[test]
    fn removed_keys_go_with_their_comments() {
        let ours = "a: 1\n\n# -- gone soon\nb:\n  c: 2\n\nd: 3\n";
        let merged = tree("a: 1\nd: 3\n");
        let out = apply(ours, &tree(ours), &merged, "a: 1\n\nd: 3\n").unwrap();
        assert_eq!(out, "a: 1\n\nd: 3\n");
    }

    #[test]
    fn quoted_keys_and_nested_inserts_are_found() {
        let ours = "annotations:\n  \"yes\": \"1\"\n";
        let theirs = "annotations:\n  \"yes\": \"1\"\n  \"no\": \"2\"\n";
        let merged = tree(theirs);
        let out = apply(ours, &tree(ours), &merged, theirs).unwrap();
        assert_eq!(out, theirs);
    }
}
