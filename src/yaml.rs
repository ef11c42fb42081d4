//! All YAML the tool writes or reads goes through here, so the YAML library can be swapped.
//!
//! Writing uses a small emitter over a comment-carrying tree instead of a serializer: values.yaml
//! needs `# --` documentation comments, and Helm parses YAML 1.1, where `yes`, `on`, `007`, `1e3`
//! and `~` are not strings. Any string that is not plainly a word is written double-quoted, so
//! every string reaches Helm as the exact string it was. Reading uses serde-saphyr (pure Rust).

use std::fmt::Write as _;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    /// Documentation, written as a `# --` comment above the key.
    pub doc: Option<String>,
    /// Which of the declared wordings documents this entry (see `chart::values_tree`).
    pub variant: Option<&'static str>,
    pub value: Node,
}

impl Node {
    pub(crate) fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    pub(crate) fn map() -> Node {
        Node::Map(Vec::new())
    }

    /// Adds an entry to a map node; a no-op on other nodes is a bug, so it panics there.
    pub(crate) fn with(mut self, key: &str, doc: Option<&str>, value: Node) -> Node {
        match &mut self {
            Node::Map(entries) => entries.push(Entry {
                key: key.to_string(),
                doc: doc.map(str::to_string),
                variant: None,
                value,
            }),
            _ => panic!("Node::with called on a non-map node"),
        }
        self
    }

    /// Adds an undocumented entry: values.yaml's documentation comes from chart::values_tree.
    pub(crate) fn set(self, key: &str, value: Node) -> Node {
        self.with(key, None, value)
    }

    /// Adds an entry whose documentation is a declared variant (values_tree) of the key's.
    pub(crate) fn with_variant(self, key: &str, variant: &'static str, value: Node) -> Node {
        let mut node = self.with(key, None, value);
        if let Node::Map(entries) = &mut node {
            if let Some(last) = entries.last_mut() {
                last.variant = Some(variant);
            }
        }
        node
    }

    pub(crate) fn string_map<'a>(
        items: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> Node {
        Node::Map(
            items
                .into_iter()
                .map(|(k, v)| Entry {
                    key: k.clone(),
                    doc: None,
                    variant: None,
                    value: Node::str(v.clone()),
                })
                .collect(),
        )
    }

    pub(crate) fn string_seq<'a>(items: impl IntoIterator<Item = &'a String>) -> Node {
        Node::Seq(items.into_iter().map(|s| Node::str(s.clone())).collect())
    }

    /// A tree without documentation from JSON data (object keys keep their order).
    pub(crate) fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value;
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => n
                .as_i64()
                .map_or_else(|| Node::Str(n.to_string()), Node::Int),
            Value::String(s) => Node::Str(s.clone()),
            Value::Array(items) => Node::Seq(items.iter().map(Node::from_json).collect()),
            Value::Object(map) => Node::Map(
                map.iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        doc: None,
                        variant: None,
                        value: Node::from_json(v),
                    })
                    .collect(),
            ),
        }
    }

    /// The same data as JSON, for the schema, the README and tests.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::Str(s) => Value::String(s.clone()),
            Node::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Words YAML 1.1 (Helm's parser) reads as something other than a string.
const SPECIAL_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

/// True when `s` can be written without quotes and still reads back as the same string in
/// both YAML 1.1 and 1.2.
fn is_plain(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '/' || first == '_') {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
    {
        return false;
    }
    !SPECIAL_WORDS.contains(&s.to_ascii_lowercase().as_str())
}

/// Text safe inside a `#` comment: control characters (a newline would end the comment and
/// start YAML) are written as escapes.
pub(crate) fn comment_safe(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // What YAML's printable set (and so Helm) refuses raw: C0 and C1 controls, DEL,
            // U+FFFE, U+FFFF; and line and byte-order marks a reader may take for structure.
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || c == '\u{2028}'
                || c == '\u{2029}'
                || c == '\u{feff}'
                || c == '\u{fffe}'
                || c == '\u{ffff}' =>
            {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) fn scalar(s: &str) -> String {
    if is_plain(s) {
        s.to_string()
    } else {
        quote(s)
    }
}

pub(crate) fn to_string(node: &Node) -> String {
    let mut out = String::new();
    match node {
        Node::Map(entries) if !entries.is_empty() => write_entries(&mut out, entries, 0, true),
        other => {
            out.push_str(&inline(other).unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

/// The one-line form of scalars and empty collections; `None` for anything that needs lines.
fn inline(node: &Node) -> Option<String> {
    match node {
        Node::Null => Some("null".into()),
        Node::Bool(b) => Some(b.to_string()),
        Node::Int(i) => Some(i.to_string()),
        Node::Str(s) => Some(scalar(s)),
        Node::Seq(items) if items.is_empty() => Some("[]".into()),
        Node::Map(entries) if entries.is_empty() => Some("{}".into()),
        _ => None,
    }
}

fn write_doc(out: &mut String, doc: &str, indent: usize, top: bool) {
    // A blank line before documented top-level keys keeps values.yaml readable.
    if top && !out.is_empty() {
        out.push('\n');
    }
    for (i, line) in doc.lines().enumerate() {
        out.push_str(&" ".repeat(indent));
        out.push_str(if i == 0 { "# -- " } else { "# " });
        out.push_str(line);
        out.push('\n');
    }
}

fn write_entries(out: &mut String, entries: &[Entry], indent: usize, top: bool) {
    for entry in entries {
        if let Some(doc) = &entry.doc {
            write_doc(out, doc, indent, top);
        }
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar(&entry.key));
        out.push(':');
        write_value(out, &entry.value, indent);
    }
}

/// Writes what follows `key:` or `- `.
fn write_value(out: &mut String, value: &Node, indent: usize) {
    if let Some(text) = inline(value) {
        out.push(' ');
        out.push_str(&text);
        out.push('\n');
        return;
    }
    out.push('\n');
    match value {
        Node::Map(entries) => write_entries(out, entries, indent + 2, false),
        Node::Seq(items) => write_items(out, items, indent + 2),
        _ => unreachable!("scalars are inline"),
    }
}

fn write_items(out: &mut String, items: &[Node], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Node::Map(entries) if !entries.is_empty() => {
                // The first key shares the dash's line; the rest line up under it.
                let mut first = String::new();
                write_entries(&mut first, entries, indent + 2, false);
                out.push(' ');
                out.push_str(first.trim_start());
            }
            Node::Seq(inner) if !inner.is_empty() => {
                out.push('\n');
                write_items(out, inner, indent + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&inline(other).expect("scalars and empty collections are inline"));
                out.push('\n');
            }
        }
    }
}

/// Parses YAML text into any deserializable type.
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_saphyr::from_str(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "yes", "No", "ON", "off", "y", "true", "null", "~", "007", "1e3", "0x1F", "1.10", "",
            " a", "a: b", "#x", "*x", "&x", "!x", "@x", "%x", "-x", "{{ x }}", ".inf", "<<",
        ] {
            assert!(
                scalar(s).starts_with('"'),
                "{s:?} must be quoted, got {}",
                scalar(s)
            );
        }
        for s in ["nginx", "IfNotPresent", "/data", "team/api", "a_b.c-d"] {
            assert_eq!(scalar(s), s);
        }
        assert_eq!(quote("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
    }

    #[test]
    fn written_yaml_reads_back_as_the_same_data() {
        let node = Node::map()
            .with(
                "env",
                Some("Environment"),
                Node::Map(vec![
                    Entry {
                        key: "A".into(),
                        doc: None,
                        variant: None,
                        value: Node::str("007"),
                    },
                    Entry {
                        key: "B".into(),
                        doc: None,
                        variant: None,
                        value: Node::str("yes"),
                    },
                    Entry {
                        key: "C".into(),
                        doc: None,
                        variant: None,
                        value: Node::str("1e3"),
                    },
                    Entry {
                        key: "D".into(),
                        doc: None,
                        variant: None,
                        value: Node::str("~"),
                    },
                    Entry {
                        key: "weird key: x".into(),
                        doc: None,
                        variant: None,
                        value: Node::str("line1\nline2"),
                    },
                ]),
            )
            .with(
                "list",
                None,
                Node::Seq(vec![
                    Node::map().with("name", None, Node::str("http")).with(
                        "port",
                        None,
                        Node::Int(80),
                    ),
                    Node::str("plain"),
                    Node::Seq(vec![Node::Bool(true)]),
                ]),
            )
            .with("empty", None, Node::map())
            .with("none", None, Node::Seq(vec![]));
        let text = to_string(&node);
        assert!(
            text.contains("# -- Environment\nenv:\n  A: \"007\"\n"),
            "{text}"
        );
        let back: serde_json::Value = from_str(&text).unwrap();
        assert_eq!(back, node.to_json());
        assert_eq!(back["env"]["B"], json!("yes"));
        assert_eq!(back["env"]["D"], json!("~"));
    }
}
