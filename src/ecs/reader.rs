//! Reads a parsed JSON document field by field, tracking the JSON path of every value.
//!
//! Real task definitions are sloppy. This reader accepts what has a clear intent and notes it in
//! the report: `null` and `""` mean unset, a number written as a string (`"3000"`) is a number.
//! Every key an object reader did not consume is reported when the reader finishes, so no field
//! is ever dropped silently.

use crate::report::Code;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::deferred::{is_whole_placeholder, Deferred};
use crate::error::FieldError;
use crate::json_path::JsonPath;
use crate::report::Report;

pub(crate) type ReadResult<T> = Result<T, FieldError>;

/// A field the model knows but the converter does not carry over: its report code and why.
/// Keys ECS takes as one value (a flag, a number, a word): an empty list or object there is
/// not describe-task-definition's filler but a wrong type.
const SCALAR_KEYS: &[&str] = &[
    "initProcessEnabled",
    "maxSwap",
    "swappiness",
    "startTimeout",
    "versionConsistency",
    "disableNetworking",
];

pub(crate) struct NotCarried {
    pub key: &'static str,
    pub code: crate::report::Code,
    pub why: &'static str,
}

pub(crate) struct Obj<'v> {
    map: &'v Map<String, Value>,
    path: JsonPath,
    consumed: Vec<&'v str>,
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A number or boolean where ECS expects a string: read as the string it spells, and said so.
fn spelled(value: &Value, key: &str, path: &JsonPath, report: &mut Report) -> String {
    let kind = if value.is_boolean() {
        "a boolean"
    } else {
        "a number"
    };
    report.warn(
        Code::Type,
        path,
        format!("`{key}` is {kind} where ECS expects a string"),
        "read as the string it spells",
    );
    value.to_string()
}

impl<'v> Obj<'v> {
    pub(crate) fn new(value: &'v Value, path: JsonPath) -> ReadResult<Self> {
        match value {
            Value::Object(map) => Ok(Obj {
                map,
                path,
                consumed: Vec::new(),
            }),
            other => Err(FieldError::new(
                &path,
                format!("expected an object, got {}", describe(other)),
            )),
        }
    }

    pub(crate) fn path(&self) -> &JsonPath {
        &self.path
    }

    /// A string field's text without consuming it: the field stays for `finish` to report.
    pub(crate) fn peek_string(&self, key: &str) -> Option<String> {
        self.map
            .get(&self.path.name_of(key))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.map
            .get(&self.path.name_of(key))
            .is_some_and(|v| !v.is_null())
    }

    /// The raw value, marked as consumed. `null` reads as absent and is noted in the report.
    pub(crate) fn raw(&mut self, key: &str, report: &mut Report) -> Option<(&'v Value, JsonPath)> {
        let (k, value) = self.map.get_key_value(&self.path.name_of(key))?;
        self.consumed.push(k.as_str());
        let path = self.path.key(key);
        if value.is_null() {
            report.info(
                Code::Null,
                &path,
                format!("`{k}` is null"),
                "treated as unset",
            );
            return None;
        }
        Some((value, path))
    }

    pub(crate) fn string(&mut self, key: &str, report: &mut Report) -> ReadResult<Option<String>> {
        let Some((value, path)) = self.raw(key, report) else {
            return Ok(None);
        };
        let key = self.path.name_of(key);
        match value {
            Value::String(s) if s.is_empty() => {
                report.warn(
                    Code::Empty,
                    &path,
                    format!("`{key}` is an empty string"),
                    "treated as unset",
                );
                Ok(None)
            }
            Value::String(s) => Ok(Some(s.clone())),
            Value::Number(_) => Ok(Some(spelled(value, &key, &path, report))),
            other => Err(FieldError::new(
                &path,
                format!("expected a string, got {}", describe(other)),
            )),
        }
    }

    /// A string that may legitimately be empty (environment values, for instance).
    pub(crate) fn exact_string(
        &mut self,
        key: &str,
        report: &mut Report,
    ) -> ReadResult<Option<String>> {
        let Some((value, path)) = self.raw(key, report) else {
            return Ok(None);
        };
        let key = self.path.name_of(key);
        match value {
            Value::String(s) => Ok(Some(s.clone())),
            Value::Number(_) | Value::Bool(_) => Ok(Some(spelled(value, &key, &path, report))),
            other => Err(FieldError::new(
                &path,
                format!("expected a string, got {}", describe(other)),
            )),
        }
    }

    /// A number the chart can hold as a placeholder when the input only names it.
    pub(crate) fn deferred_int(
        &mut self,
        key: &str,
        min: i64,
        max: i64,
        report: &mut Report,
    ) -> ReadResult<Option<Deferred<i64>>> {
        match self.take_placeholder(key, report) {
            Some(text) => Ok(Some(Deferred::Placeholder(text))),
            None => Ok(self.int(key, min, max, report)?.map(Deferred::Known)),
        }
    }

    /// A command line the chart can hold as a placeholder when the input only names it.
    pub(crate) fn deferred_argv(
        &mut self,
        key: &str,
        report: &mut Report,
    ) -> ReadResult<Option<Deferred<Vec<String>>>> {
        if let Some(text) = self.take_placeholder(key, report) {
            return Ok(Some(Deferred::Placeholder(text)));
        }
        let known = self.has(key).then(|| self.argv(key, report)).transpose()?;
        self.raw(key, report);
        Ok(known.map(Deferred::Known))
    }

    /// The field's placeholder, consumed (it was reported where it was found: by the evaluator
    /// or the placeholder scan).
    fn take_placeholder(&mut self, key: &str, report: &mut Report) -> Option<String> {
        let text = self.whole_placeholder(key)?;
        self.raw(key, report);
        Some(text)
    }

    /// The placeholder text when the field is one `${…}` placeholder and nothing else.
    fn whole_placeholder(&self, key: &str) -> Option<String> {
        match self.map.get(&self.path.name_of(key)) {
            Some(Value::String(s)) if is_whole_placeholder(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// A typed field holding a placeholder where the chart has no place for one: unset, said.
    fn deferred_unset(&mut self, key: &str, report: &mut Report) -> bool {
        let Some(text) = self.whole_placeholder(key) else {
            return false;
        };
        let path = self.path.key(key);
        report.warn(
            Code::DeferredUnset,
            &path,
            format!(
                "`{}` is only known at deploy time ({text})",
                self.path.name_of(key)
            ),
            format!("left unset (the ECS default applies); give it with --var '{text}=…'"),
        );
        self.raw(key, report);
        true
    }

    pub(crate) fn int(
        &mut self,
        key: &str,
        min: i64,
        max: i64,
        report: &mut Report,
    ) -> ReadResult<Option<i64>> {
        if self.deferred_unset(key, report) {
            return Ok(None);
        }
        let Some((value, path)) = self.raw(key, report) else {
            return Ok(None);
        };
        let key = self.path.name_of(key);
        let expected = || format!("expected an integer {min}-{max}");
        let number = match value {
            Value::Number(n) => n.as_i64().ok_or_else(|| {
                FieldError::new(&path, format!("{}, got {}", expected(), describe(value)))
            })?,
            Value::String(s) if s.trim().is_empty() => {
                report.warn(
                    Code::Empty,
                    &path,
                    format!("`{key}` is an empty string"),
                    "treated as unset",
                );
                return Ok(None);
            }
            Value::String(s) => {
                let parsed = s.trim().parse::<i64>().map_err(|_| {
                    FieldError::new(&path, format!("{}, got {}", expected(), describe(value)))
                })?;
                report.warn(
                    Code::Type,
                    &path,
                    format!("`{key}` is the string {s:?} where ECS expects a number"),
                    format!("read as {parsed}"),
                );
                parsed
            }
            other => {
                return Err(FieldError::new(
                    &path,
                    format!("{}, got {}", expected(), describe(other)),
                ))
            }
        };
        if number < min || number > max {
            return Err(FieldError::new(
                &path,
                format!("{}, got {number}", expected()),
            ));
        }
        Ok(Some(number))
    }

    pub(crate) fn bool(&mut self, key: &str, report: &mut Report) -> ReadResult<Option<bool>> {
        let Some((value, path)) = self.raw(key, report) else {
            return Ok(None);
        };
        let key = self.path.name_of(key);
        match value {
            Value::Bool(b) => Ok(Some(*b)),
            Value::String(s)
                if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
            {
                report.warn(
                    Code::Type,
                    &path,
                    format!("`{key}` is the string {s:?} where ECS expects a boolean"),
                    "read as a boolean",
                );
                Ok(Some(s.eq_ignore_ascii_case("true")))
            }
            other => Err(FieldError::new(
                &path,
                format!("expected true or false, got {}", describe(other)),
            )),
        }
    }

    pub(crate) fn array(
        &mut self,
        key: &str,
        report: &mut Report,
    ) -> ReadResult<Vec<(&'v Value, JsonPath)>> {
        if self.deferred_unset(key, report) {
            return Ok(Vec::new());
        }
        let Some((value, path)) = self.raw(key, report) else {
            return Ok(Vec::new());
        };
        match value {
            Value::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| (v, path.index(i)))
                .collect()),
            other => Err(FieldError::new(
                &path,
                format!("expected an array, got {}", describe(other)),
            )),
        }
    }

    pub(crate) fn object(&mut self, key: &str, report: &mut Report) -> ReadResult<Option<Obj<'v>>> {
        let Some((value, path)) = self.raw(key, report) else {
            return Ok(None);
        };
        Obj::new(value, path).map(Some)
    }

    pub(crate) fn string_list(
        &mut self,
        key: &str,
        report: &mut Report,
    ) -> ReadResult<Vec<String>> {
        let mut out = Vec::new();
        for (value, path) in self.array(key, report)? {
            match value {
                Value::String(s) => out.push(s.clone()),
                Value::Number(n) => out.push(n.to_string()),
                other => {
                    return Err(FieldError::new(
                        &path,
                        format!("expected a string, got {}", describe(other)),
                    ))
                }
            }
        }
        Ok(out)
    }

    /// A command line: every element must be a string. `1` and `"1"` would run the same, but
    /// a number, boolean or null in argv is a sign the list was built by a broken template,
    /// and guessing its spelling (`1.0`? `1e0`?) could run a different command.
    pub(crate) fn argv(&mut self, key: &str, report: &mut Report) -> ReadResult<Vec<String>> {
        let mut out = Vec::new();
        for (value, path) in self.array(key, report)? {
            match value {
                Value::String(s) => out.push(s.clone()),
                other => {
                    return Err(FieldError::new(
                        &path,
                        format!(
                        "expected a string, got {}: command elements are passed verbatim; quote it",
                        describe(other)
                    ),
                    ))
                }
            }
        }
        Ok(out)
    }

    pub(crate) fn string_map(
        &mut self,
        key: &str,
        report: &mut Report,
    ) -> ReadResult<BTreeMap<String, String>> {
        let Some(obj) = self.object(key, report)? else {
            return Ok(BTreeMap::new());
        };
        let mut out = BTreeMap::new();
        for (k, v) in obj.map {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => {
                    return Err(FieldError::new(
                        &obj.path.verbatim(k),
                        format!("expected a string, got {}", describe(other)),
                    ))
                }
            };
            out.insert(k.clone(), text);
        }
        Ok(out)
    }

    /// Reports every key that was not read: fields the converter knows but does not carry over
    /// get their own code and reason; keys outside the ECS model are kept, value and all, in
    /// the report.
    pub(crate) fn finish(self, not_carried: &[NotCarried], report: &mut Report) {
        for (key, value) in self.map {
            if self.consumed.contains(&key.as_str()) {
                continue;
            }
            let path = self.path.verbatim(key);
            if value.is_null() {
                report.info(
                    Code::Null,
                    &path,
                    format!("`{key}` is null"),
                    "treated as unset",
                );
                continue;
            }
            // describe-task-definition fills in empty lists and objects; they carry nothing.
            // Where ECS takes a single value, an empty one is a wrong type, and said so.
            let empty = matches!(value, Value::Array(a) if a.is_empty())
                || matches!(value, Value::Object(o) if o.is_empty());
            if empty && !SCALAR_KEYS.contains(&key.as_str()) {
                continue;
            }
            if let Some(known) = not_carried
                .iter()
                .find(|n| self.path.name_of(n.key) == *key)
            {
                let message = if empty {
                    format!("`{key}` is {value} where ECS takes one value; not carried over")
                } else {
                    format!("`{key}` is not carried over")
                };
                report.add(known.code, &path, message, known.why);
                continue;
            }
            report.push(crate::report::Finding {
                code: Code::UnknownKey,
                severity: crate::report::Severity::Warning,
                pointer: path.pointer(),
                message: format!("`{key}` is not a field of the ECS model here"),
                action: "ignored; its value is kept in this report".into(),
                value: Some(value.clone()),
                environment: None,
            });
        }
    }
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;
