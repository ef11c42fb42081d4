//! The chart's values, declared once in `chart-templates/values-tree.yaml`: each key with its
//! documentation and its JSON Schema type. values.yaml takes its key order and comments from
//! here, values.schema.json is built from here, and the README's parameter table is read off
//! the documented values; the builders in `values.rs` and beside it only supply the data.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use crate::yaml::{Entry, Node};

const DECLARATION: &str = include_str!("../../chart-templates/values-tree.yaml");

/// One declared key.
#[derive(Debug)]
pub(crate) struct Decl {
    key: String,
    doc: Option<String>,
    /// Other wordings of `doc` for particular cases (an EFS claim's size), chosen by the builder.
    variants: BTreeMap<String, String>,
    shape: Shape,
}

#[derive(Debug)]
enum Shape {
    /// A value the chart does not look into further: its JSON Schema keywords.
    Leaf(Map<String, Value>),
    /// A map with declared keys; `open` admits keys that are not declared.
    Group {
        open: bool,
        required: Vec<Value>,
        keys: Vec<Decl>,
    },
    /// A map by name (containers, persistence) whose every member has the declared keys.
    Members {
        min_properties: Option<u64>,
        member: Vec<Decl>,
    },
}

/// The declaration, read once per process. It ships inside the binary, so a fault in it is a
/// bug that the unit tests below catch, never a user's error.
fn tree() -> &'static [Decl] {
    static TREE: OnceLock<Vec<Decl>> = OnceLock::new();
    TREE.get_or_init(|| {
        let value = crate::yaml_to_json::parse_keeping_text(DECLARATION, &[])
            .expect("values-tree.yaml is valid YAML")
            .expect("values-tree.yaml is one document");
        declarations(&value, "")
    })
}

fn declarations(value: &Value, at: &str) -> Vec<Decl> {
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("values-tree.yaml: {at:?} is not a map of keys"));
    object
        .iter()
        .map(|(key, spec)| declaration(key, spec, &format!("{at}.{key}")))
        .collect()
}

fn declaration(key: &str, spec: &Value, at: &str) -> Decl {
    let mut spec = spec
        .as_object()
        .unwrap_or_else(|| panic!("values-tree.yaml: {at} is not a map"))
        .clone();
    let text = |v: Value| v.as_str().map(str::to_string);
    let doc = spec.remove("doc").and_then(text);
    let variants = spec
        .remove("variants")
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(name, doc)| Some((name, text(doc)?)))
        .collect();
    let shape = if let Some(keys) = spec.remove("keys") {
        Shape::Group {
            open: spec
                .remove("open")
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            required: match spec.remove("required") {
                Some(Value::Array(names)) => names,
                _ => Vec::new(),
            },
            keys: declarations(&keys, at),
        }
    } else if let Some(member) = spec.remove("members") {
        Shape::Members {
            min_properties: spec.remove("minProperties").and_then(|v| v.as_u64()),
            member: declarations(&member, &format!("{at}.*")),
        }
    } else {
        Shape::Leaf(std::mem::take(&mut spec))
    };
    assert!(
        spec.is_empty(),
        "values-tree.yaml: {at} has unknown keys {spec:?}"
    );
    Decl {
        key: key.to_string(),
        doc,
        variants,
        shape,
    }
}

/// The values in declaration order, each key with its declared documentation (or the variant
/// its builder chose). A key the declaration lacks stays, undocumented, at the end: the closed
/// schema then refuses the chart, so the golden and Helm checks see it.
pub(crate) fn document(values: Node) -> Node {
    match values {
        Node::Map(entries) => Node::Map(document_entries(entries, tree())),
        other => other,
    }
}

fn document_entries(mut entries: Vec<Entry>, decls: &[Decl]) -> Vec<Entry> {
    let mut out = Vec::with_capacity(entries.len());
    for decl in decls {
        let Some(at) = entries.iter().position(|e| e.key == decl.key) else {
            continue;
        };
        let mut entry = entries.remove(at);
        entry.doc = match entry.variant.take() {
            Some(variant) => Some(decl.variants.get(variant).cloned().unwrap_or_else(|| {
                panic!("values-tree.yaml: {} has no variant {variant:?}", decl.key)
            })),
            None => decl.doc.clone(),
        };
        entry.value = document_value(entry.value, &decl.shape);
        out.push(entry);
    }
    debug_assert!(
        entries.is_empty(),
        "values not declared in values-tree.yaml: {:?}",
        entries.iter().map(|e| &e.key).collect::<Vec<_>>()
    );
    out.extend(entries);
    out
}

fn document_value(value: Node, shape: &Shape) -> Node {
    match (value, shape) {
        (Node::Map(entries), Shape::Group { keys, .. }) => {
            Node::Map(document_entries(entries, keys))
        }
        (Node::Map(members), Shape::Members { member, .. }) => Node::Map(
            members
                .into_iter()
                .map(|m| Entry {
                    value: match m.value {
                        Node::Map(entries) => Node::Map(document_entries(entries, member)),
                        other => other,
                    },
                    ..m
                })
                .collect(),
        ),
        (value, _) => value,
    }
}

/// The schema of every declared value (a chart's profile narrows it).
pub(crate) fn schema() -> Value {
    let mut root = group_schema(false, &[], tree());
    let object = root.as_object_mut().expect("a group's schema is an object");
    object.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    object.insert("title".into(), json!("Values"));
    root
}

fn group_schema(open: bool, required: &[Value], keys: &[Decl]) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    if !open {
        out.insert("additionalProperties".into(), json!(false));
    }
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required.to_vec()));
    }
    let properties = keys
        .iter()
        .map(|d| (d.key.clone(), shape_schema(&d.shape)))
        .collect();
    out.insert("properties".into(), Value::Object(properties));
    Value::Object(out)
}

/// A value a template leaves to deploy time is written as its `${…}` placeholder: where the
/// declaration marks a schema `deferrable`, such a string is admitted beside the declared type.
fn admit_placeholders(schema: Value) -> Value {
    match schema {
        Value::Object(mut keywords) => {
            let deferrable = keywords.remove("deferrable") == Some(Value::Bool(true));
            let keywords: Map<String, Value> = keywords
                .into_iter()
                .map(|(k, v)| (k, admit_placeholders(v)))
                .collect();
            if deferrable {
                json!({"anyOf": [keywords, {"type": "string", "pattern": "^\\$\\{.+\\}$"}]})
            } else {
                Value::Object(keywords)
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(admit_placeholders).collect()),
        other => other,
    }
}

fn shape_schema(shape: &Shape) -> Value {
    match shape {
        Shape::Leaf(keywords) => admit_placeholders(Value::Object(keywords.clone())),
        Shape::Group {
            open,
            required,
            keys,
        } => group_schema(*open, required, keys),
        Shape::Members {
            min_properties,
            member,
        } => {
            let mut out = Map::new();
            out.insert("type".into(), json!("object"));
            if let Some(n) = min_properties {
                out.insert("minProperties".into(), json!(n));
            }
            out.insert(
                "additionalProperties".into(),
                group_schema(false, &[], member),
            );
            Value::Object(out)
        }
    }
}

/// Whether a `.Values.a.b.c` path names a declared value, or a field inside a Kubernetes
/// object the chart passes through whole.
#[cfg(test)]
pub(crate) fn resolves(path: &[&str]) -> bool {
    resolves_in(tree(), path)
}

#[cfg(test)]
fn resolves_in(decls: &[Decl], path: &[&str]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return true;
    };
    let Some(decl) = decls.iter().find(|d| d.key == *first) else {
        return false;
    };
    match &decl.shape {
        Shape::Group { keys, .. } => resolves_in(keys, rest),
        Shape::Members { member, .. } => match rest.split_first() {
            Some((_name, fields)) => resolves_in(member, fields),
            None => true,
        },
        Shape::Leaf(keywords) => rest.is_empty() || keywords.get("type") == Some(&json!("object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `.Values.a.b` chains in a template, as paths.
    fn values_references(text: &str) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for (at, _) in text.match_indices(".Values.") {
            let tail = &text[at + ".Values.".len()..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(tail.len());
            let path: Vec<String> = tail[..end]
                .split('.')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            out.push(path);
        }
        out
    }

    #[test]
    fn every_values_reference_in_the_templates_is_declared() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("chart-templates");
        let mut files = Vec::new();
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().is_some_and(|n| n != "values-tree.yaml") {
                    files.push(path);
                }
            }
        }
        let mut checked = 0;
        let mut unknown = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for path in values_references(&text) {
                checked += 1;
                let parts: Vec<&str> = path.iter().map(String::as_str).collect();
                if !resolves(&parts) {
                    unknown.push(format!("{}: .Values.{}", file.display(), path.join(".")));
                }
            }
        }
        assert!(
            checked > 100,
            "only {checked} references found: is the reader broken?"
        );
        assert!(
            unknown.is_empty(),
            "undeclared values:\n{}",
            unknown.join("\n")
        );
    }

    #[test]
    fn references_resolve_through_groups_members_and_pass_through_objects() {
        assert!(resolves(&["serviceAccount", "annotations"]));
        assert!(resolves(&["containers", "web", "image", "tag"]));
        assert!(resolves(&["affinity", "nodeAffinity"]));
        assert!(!resolves(&["serviceAccount", "nmae"]));
        assert!(!resolves(&["containers", "web", "imgae"]));
        assert!(!resolves(&["replicaCount", "x"]));
        let refs = values_references("{{ .Values.a.b }} and {{- if .Values.c }}");
        assert_eq!(refs, vec![vec!["a", "b"], vec!["c"]]);
    }

    #[test]
    fn documenting_orders_keys_and_takes_declared_words() {
        let values = Node::map()
            .with("replicaCount", None, Node::Int(2))
            .with("nameOverride", None, Node::str(""))
            .with(
                "containers",
                None,
                Node::map().with(
                    "web",
                    None,
                    Node::map().with("tty", None, Node::Bool(false)),
                ),
            );
        let Node::Map(entries) = document(values) else {
            panic!("a map")
        };
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["nameOverride", "replicaCount", "containers"]);
        assert_eq!(
            entries[0].doc.as_deref(),
            Some("Replaces the chart name in resource names")
        );
        let Node::Map(members) = &entries[2].value else {
            panic!("a map")
        };
        let Node::Map(fields) = &members[0].value else {
            panic!("a map")
        };
        assert_eq!(
            fields[0].doc.as_deref(),
            Some("Allocate a TTY (ECS pseudoTerminal)")
        );
    }

    #[test]
    fn the_schema_is_closed_where_the_declaration_is() {
        let schema = schema();
        assert_eq!(schema["additionalProperties"], json!(false));
        // A deferrable key admits its declared type or a `${…}` placeholder, nothing else.
        let replicas = &schema["properties"]["replicaCount"]["anyOf"];
        assert_eq!(replicas[0]["minimum"], json!(0));
        assert_eq!(replicas[1]["pattern"], json!("^\\$\\{.+\\}$"));
        assert!(replicas.get(2).is_none());
        let container = &schema["properties"]["containers"]["additionalProperties"];
        assert_eq!(container["additionalProperties"], json!(false));
        assert_eq!(
            container["properties"]["livenessProbe"]["required"],
            json!(["enabled"])
        );
        assert!(container["properties"]["livenessProbe"]
            .get("additionalProperties")
            .is_none());
    }
}
