//! A template's resources as the readers look them up: by type, by logical ID, and the logical
//! IDs a value refers to.

use serde_json::{Map, Value};

/// The resources of one type, with their logical IDs, in template order.
pub(super) fn resources_of_type<'a>(
    resources: &'a Map<String, Value>,
    kind: &'a str,
) -> impl Iterator<Item = (&'a String, &'a Value)> {
    resources
        .iter()
        .filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
}

pub(super) fn resource_type<'a>(resources: &'a Map<String, Value>, id: &str) -> Option<&'a str> {
    resources.get(id)?.get("Type")?.as_str()
}

/// Logical IDs referenced anywhere in `value` through `Ref`, `Fn::GetAtt` or `${Id}`.
pub(super) fn references(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("Ref") {
                    out.push(r.clone());
                }
                if let Some(Value::Array(a)) = m.get("Fn::GetAtt") {
                    if let Some(Value::String(r)) = a.first() {
                        out.push(r.clone());
                    }
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            Value::String(s) => {
                let mut rest = s.as_str();
                while let Some(i) = rest.find("${") {
                    if let Some(j) = rest[i..].find('}') {
                        out.push(
                            rest[i + 2..i + j]
                                .split('.')
                                .next()
                                .unwrap_or_default()
                                .to_string(),
                        );
                        rest = &rest[i + j..];
                    } else {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    walk(value, &mut out);
    out
}
