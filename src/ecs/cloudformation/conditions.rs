//! A template's `Conditions`, evaluated as CloudFormation evaluates them when the stack is
//! created: `Fn::Equals` on resolved values, `Fn::And`, `Fn::Or`, `Fn::Not` and `Condition`.
//! A condition that depends on a value only known at deploy time (a parameter without default,
//! an import) is unknown, never guessed: what it decides stays a placeholder or is reported.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Each condition's value: `Some(true)`, `Some(false)`, or `None` when it cannot be known.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Conditions {
    values: BTreeMap<String, Option<bool>>,
}

impl Conditions {
    /// Evaluates every condition; `resolve` gives a known scalar as text, or None.
    pub(crate) fn evaluate(
        conditions: &Map<String, Value>,
        resolve: &dyn Fn(&Value) -> Option<String>,
    ) -> Conditions {
        let mut out = Conditions::default();
        for name in conditions.keys() {
            let value = evaluate_named(name, conditions, resolve, &mut Vec::new());
            out.values.insert(name.clone(), value);
        }
        out
    }

    /// The value of a named condition; None when unknown or not declared.
    pub(crate) fn get(&self, name: &str) -> Option<bool> {
        self.values.get(name).copied().flatten()
    }

    pub(crate) fn is_declared(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
}

/// A named condition; `seen` guards against a condition that refers to itself.
fn evaluate_named(
    name: &str,
    conditions: &Map<String, Value>,
    resolve: &dyn Fn(&Value) -> Option<String>,
    seen: &mut Vec<String>,
) -> Option<bool> {
    if seen.iter().any(|s| s == name) {
        return None;
    }
    seen.push(name.to_string());
    let value = conditions
        .get(name)
        .and_then(|expr| evaluate_expr(expr, conditions, resolve, seen));
    seen.pop();
    value
}

fn evaluate_expr(
    expr: &Value,
    conditions: &Map<String, Value>,
    resolve: &dyn Fn(&Value) -> Option<String>,
    seen: &mut Vec<String>,
) -> Option<bool> {
    let map = expr.as_object().filter(|m| m.len() == 1)?;
    let (function, arg) = map.iter().next()?;
    let operands = || arg.as_array().map(Vec::as_slice).unwrap_or_default();
    let mut each = |v: &Value| evaluate_expr(v, conditions, resolve, seen);
    match function.as_str() {
        "Condition" => evaluate_named(arg.as_str()?, conditions, resolve, seen),
        "Fn::Equals" => match operands() {
            [a, b] => Some(resolve(a)? == resolve(b)?),
            _ => None,
        },
        "Fn::Not" => match operands() {
            [a] => each(a).map(|v| !v),
            _ => None,
        },
        // One false operand decides an And whatever the unknown ones are; one true an Or.
        "Fn::And" => combine(operands().iter().map(&mut each), false),
        "Fn::Or" => combine(operands().iter().map(&mut each), true),
        _ => None,
    }
}

/// And (`decisive` false) or Or (`decisive` true) of operands some of which may be unknown.
fn combine(values: impl Iterator<Item = Option<bool>>, decisive: bool) -> Option<bool> {
    let mut unknown = false;
    for v in values {
        match v {
            Some(v) if v == decisive => return Some(decisive),
            Some(_) => {}
            None => unknown = true,
        }
    }
    (!unknown).then_some(!decisive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn known(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(m) if m.get("Ref") == Some(&json!("Env")) => Some("prod".into()),
            _ => None,
        }
    }

    #[test]
    fn conditions_evaluate_as_cloudformation_does() {
        let conditions = json!({
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Unknown": {"Fn::Equals": [{"Ref": "NoDefault"}, "x"]},
            "ProdOrUnknown": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "Unknown"}]},
            "DevAndUnknown": {"Fn::And": [{"Condition": "IsDev"}, {"Condition": "Unknown"}]},
            "ProdAndUnknown": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "Unknown"}]},
            "Loop": {"Condition": "Loop"}
        });
        let c = Conditions::evaluate(conditions.as_object().unwrap(), &known);
        assert_eq!(c.get("IsProd"), Some(true));
        assert_eq!(c.get("IsDev"), Some(false));
        assert_eq!(c.get("Unknown"), None);
        assert_eq!(c.get("ProdOrUnknown"), Some(true));
        assert_eq!(c.get("DevAndUnknown"), Some(false));
        assert_eq!(c.get("ProdAndUnknown"), None);
        assert_eq!(c.get("Loop"), None);
        assert!(c.is_declared("Loop") && !c.is_declared("Nope"));
    }
}
