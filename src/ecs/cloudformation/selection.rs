//! CloudFormation's selection functions (`Fn::If`, `Fn::FindInMap`, `Fn::Select`,
//! `Fn::Split`, `Fn::Base64`) and functions it does not evaluate.

use serde_json::{json, Value};

use super::intrinsics::Resolver;
use crate::json_path::JsonPath;
use crate::report::Report;

impl Resolver<'_> {
    /// `Fn::If`: the branch its condition picks; AWS::NoValue in it removes the key or item.
    pub(super) fn if_value(
        &self,
        arg: &Value,
        path: &JsonPath,
        report: &mut Report,
    ) -> Option<Value> {
        let (condition, then, otherwise) = match arg.as_array().map(Vec::as_slice) {
            Some([Value::String(c), a, b]) => (c, a, b),
            _ => return Some(self.unknown_function("Fn::If", arg, path, report)),
        };
        match self.conditions.get(condition) {
            Some(true) => self.resolve_opt(then, path, report),
            Some(false) => self.resolve_opt(otherwise, path, report),
            None => Some(self.unresolved(format!("${{Fn::If:{condition}}}"), path, report)),
        }
    }

    /// `Fn::FindInMap` with keys known from the template (literals, parameters, conditions).
    pub(super) fn find_in_map(
        &self,
        arg: &Value,
        path: &JsonPath,
        report: &mut Report,
    ) -> Option<Value> {
        let keys: Option<Vec<String>> = match arg.as_array().map(Vec::as_slice) {
            Some([map, top, second]) => [map, top, second]
                .iter()
                .map(|k| self.known_scalar(k))
                .collect(),
            _ => None,
        };
        let found = keys.as_deref().and_then(|k| match k {
            [map, top, second] => self.mappings.get(map)?.get(top)?.get(second),
            _ => None,
        });
        match found {
            Some(value) => self.resolve_opt(value, path, report),
            None => Some(self.unknown_function("Fn::FindInMap", arg, path, report)),
        }
    }

    /// `Fn::Select`: one item of a list known from the template.
    pub(super) fn select(&self, arg: &Value, path: &JsonPath, report: &mut Report) -> Value {
        let picked = match arg.as_array().map(Vec::as_slice) {
            Some([index, list]) => {
                let index = self
                    .known_scalar(index)
                    .and_then(|i| i.parse::<usize>().ok());
                match (index, self.resolve_quietly(list)) {
                    (Some(i), (Some(Value::Array(items)), true)) => items.get(i).cloned(),
                    _ => None,
                }
            }
            _ => None,
        };
        picked.unwrap_or_else(|| self.unknown_function("Fn::Select", arg, path, report))
    }

    /// `Fn::Split` of a string known from the template.
    pub(super) fn split(&self, arg: &Value, path: &JsonPath, report: &mut Report) -> Value {
        let parts = match arg.as_array().map(Vec::as_slice) {
            Some([Value::String(delimiter), source]) if !delimiter.is_empty() => self
                .known_scalar(source)
                .map(|s| s.split(delimiter.as_str()).map(|p| json!(p)).collect()),
            _ => None,
        };
        match parts {
            Some(parts) => Value::Array(parts),
            None => self.unknown_function("Fn::Split", arg, path, report),
        }
    }

    pub(super) fn base64(&self, arg: &Value, path: &JsonPath, report: &mut Report) -> Value {
        use base64::Engine as _;
        match self.known_scalar(arg) {
            Some(text) => Value::String(
                self.budget
                    .produce(base64::engine::general_purpose::STANDARD.encode(text), path),
            ),
            None => self.unknown_function("Fn::Base64", arg, path, report),
        }
    }

    /// A function whose value cannot be known from the template: a visible placeholder, which
    /// `--var` fills when given its exact text.
    pub(super) fn unknown_function(
        &self,
        name: &str,
        arg: &Value,
        path: &JsonPath,
        report: &mut Report,
    ) -> Value {
        let inner = format!("{name}:{}", serde_json::to_string(arg).unwrap_or_default());
        match self.vars.get(&inner) {
            Some(value) => Value::String(value.clone()),
            None => self.unresolved(format!("${{{inner}}}"), path, report),
        }
    }
}
