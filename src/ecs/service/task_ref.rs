//! Which task definition a service or a schedule runs.

use serde_json::Value;

/// Which task definition a service runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TaskRef {
    /// `family`, `family:revision` or a task definition ARN.
    Family {
        family: String,
        revision: Option<i64>,
    },
    /// A CloudFormation logical ID in the same template.
    Resource(String),
}

impl TaskRef {
    /// The one reader of a task reference, in any input: text (`family`, `family:revision`,
    /// an ARN) or a CloudFormation `{"Ref": LogicalId}`.
    pub(crate) fn from_value(value: &Value) -> Option<TaskRef> {
        match value {
            Value::String(text) => Some(TaskRef::parse(text)),
            Value::Object(o) => o
                .get("Ref")
                .and_then(Value::as_str)
                .map(|r| TaskRef::Resource(r.to_string())),
            _ => None,
        }
    }

    pub(crate) fn parse(text: &str) -> TaskRef {
        let tail = text
            .rsplit_once("task-definition/")
            .map_or(text, |(_, t)| t);
        match tail.rsplit_once(':') {
            Some((family, rev)) if rev.parse::<i64>().is_ok() => TaskRef::Family {
                family: family.to_string(),
                revision: rev.parse().ok(),
            },
            _ => TaskRef::Family {
                family: tail.to_string(),
                revision: None,
            },
        }
    }
}
