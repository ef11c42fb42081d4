//! CloudFormation intrinsic functions, resolved where the value can be known from the template
//! or `--var`; anything else stays a visible `${…}` placeholder and is reported.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::budget::Budget;
use super::conditions::Conditions;
use super::resources::resource_type;
use crate::json_path::JsonPath;
use crate::report::{Code, Report};

/// A value only known once the stack is deployed: where it sits, and the placeholder written
/// there so the chart still lints and the value stays visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unresolved {
    pub path: JsonPath,
    pub placeholder: String,
}

pub(super) struct Resolver<'a> {
    pub(super) parameters: &'a Map<String, Value>,
    pub(super) resources: &'a Map<String, Value>,
    pub(super) mappings: &'a Map<String, Value>,
    /// The template's conditions, evaluated (see `conditions`).
    pub(super) conditions: Conditions,
    /// `--var` values: parameters and pseudo parameters (`AWS::AccountId`, `AWS::Region`)
    /// known to the user, which win over defaults.
    pub(super) vars: &'a BTreeMap<String, String>,
    /// Every value left unresolved since the last `take_unresolved`.
    pub(super) found: RefCell<Vec<Unresolved>>,
    /// Resources whose name is being resolved, so names that refer to each other stay unknown
    /// instead of recursing.
    pub(super) naming: RefCell<Vec<String>>,
    /// What `Ref`, `Fn::Sub`, `Fn::Join` and `Fn::Base64` have produced, in bytes.
    pub(super) budget: Budget,
}

impl Resolver<'_> {
    /// A role's name when the template gives one; otherwise CloudFormation makes one up
    /// (`<stack>-<LogicalId>-<random>`), which only the deployed stack knows.
    /// The physical name from `--stack-resources` (or a `--var` of the logical ID) wins.
    fn role_name(&self, id: &str) -> Option<String> {
        if let Some(physical) = self.vars.get(id) {
            return Some(physical.clone());
        }
        self.resources
            .get(id)
            .and_then(|r| r.pointer("/Properties/RoleName"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// A `CommaDelimitedList` or `List<…>` parameter, whose `Ref` is a list.
    fn is_list_parameter(&self, name: &str) -> bool {
        self.parameters
            .get(name)
            .and_then(|p| p.get("Type"))
            .and_then(Value::as_str)
            .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"))
    }

    /// The placeholder for a `Ref` only the deployed stack answers, shaped like its value where
    /// the resource type says what that is: a secret's ARN, so the secret lands in the Secrets
    /// Manager store with its JSON key, only the generated part (and what `--var` has not
    /// given) unknown.
    fn ref_placeholder(&self, name: &str) -> String {
        match resource_type(self.resources, name) {
            Some("AWS::SecretsManager::Secret" | "AWS::SecretsManager::SecretTargetAttachment") => {
                let part = |n: &str| self.name(n).unwrap_or_else(|| format!("${{{n}}}"));
                format!(
                    "arn:{}:secretsmanager:{}:{}:secret:${{{name}}}",
                    part("AWS::Partition"),
                    part("AWS::Region"),
                    part("AWS::AccountId")
                )
            }
            _ => format!("${{{name}}}"),
        }
    }

    /// A value resolved without reporting or listing what stays unknown: the value (None for
    /// AWS::NoValue) and whether every part of it is known. The caller decides what an
    /// unknown value means.
    pub(super) fn resolve_quietly(&self, value: &Value) -> (Option<Value>, bool) {
        let before = self.found.borrow().len();
        let resolved = self.resolve_opt(value, &JsonPath::root(), &mut Report::default());
        let known = self.found.borrow().len() == before;
        self.found.borrow_mut().truncate(before);
        (resolved, known)
    }

    /// A value resolved as a known scalar (text), or None when any part of it is unknown.
    pub(super) fn known_scalar(&self, value: &Value) -> Option<String> {
        let (resolved, known) = self.resolve_quietly(value);
        match resolved? {
            _ if !known => None,
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A name inside `${…}` or a `Ref`: a known value, or None.
    fn name(&self, name: &str) -> Option<String> {
        if let Some(v) = self.vars.get(name) {
            return Some(v.clone());
        }
        match name {
            "AWS::URLSuffix" => return Some("amazonaws.com".into()),
            "AWS::Partition" => return Some("aws".into()),
            _ => {}
        }
        if let Some(p) = self.parameters.get(name) {
            return p.get("Default").map(|d| match d {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
        if resource_type(self.resources, name) == Some("AWS::IAM::Role") {
            return self.role_name(name);
        }
        self.named_resource(name)
    }

    /// A `Ref` that returns the name the template gives the resource (its physical ID when
    /// `--stack-resources` has it): only for types whose `Ref` is that name, and only when
    /// the name is set, since CloudFormation otherwise generates one.
    fn named_resource(&self, id: &str) -> Option<String> {
        const NAME_PROPERTY: &[(&str, &str)] = &[
            ("AWS::ECS::CapacityProvider", "Name"),
            ("AWS::ECS::Cluster", "ClusterName"),
            ("AWS::Logs::LogGroup", "LogGroupName"),
            ("AWS::Events::Rule", "Name"),
            ("AWS::SSM::Parameter", "Name"),
            ("AWS::S3::Bucket", "BucketName"),
            ("AWS::DynamoDB::Table", "TableName"),
            ("AWS::ECR::Repository", "RepositoryName"),
        ];
        let kind = resource_type(self.resources, id)?;
        let (_, property) = NAME_PROPERTY.iter().find(|(t, _)| *t == kind)?;
        if let Some(physical) = self.vars.get(id) {
            return Some(physical.clone());
        }
        let value = self
            .resources
            .get(id)?
            .pointer(&format!("/Properties/{property}"))?;
        if let Value::String(s) = value {
            return Some(s.clone());
        }
        // A name built by functions resolves like any value; unknown parts keep it unknown,
        // and so does a name that refers back to itself.
        if self.naming.borrow().iter().any(|n| n == id) {
            return None;
        }
        self.naming.borrow_mut().push(id.to_string());
        let name = self.known_scalar(value);
        self.naming.borrow_mut().pop();
        name
    }

    /// The values left unresolved since the last call, for the resource just read.
    pub(super) fn take_unresolved(&self) -> Vec<Unresolved> {
        std::mem::take(&mut *self.found.borrow_mut())
    }

    pub(super) fn unresolved(&self, text: String, path: &JsonPath, report: &mut Report) -> Value {
        self.found.borrow_mut().push(Unresolved {
            path: path.clone(),
            placeholder: text.clone(),
        });
        report.warn(
            Code::CfnUnresolved,
            path,
            format!("the value {text} is only known when the stack is deployed"),
            "kept as a visible placeholder in values.yaml; set it at deploy time, or convert with --var NAME=VALUE",
        );
        Value::String(text)
    }

    fn sub(
        &self,
        template: &str,
        vars: &Map<String, Value>,
        path: &JsonPath,
        report: &mut Report,
    ) -> Value {
        let mut out = String::new();
        let mut rest = template;
        let mut missing = false;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let Some(len) = rest[start..].find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let inner = &rest[start + 2..start + len];
            if let Some(literal) = inner.strip_prefix('!') {
                out.push_str(&format!("${{{literal}}}"));
            } else if let Some(v) = vars
                .get(inner)
                .map(|v| self.resolve(v, path, report))
                .and_then(|v| v.as_str().map(str::to_string))
            {
                out.push_str(&v);
            } else if let Some(v) = self.name(inner) {
                out.push_str(&v);
            } else if let Some((id, attr)) = inner.split_once('.') {
                match self.get_att(id, attr) {
                    Some((v, account_known)) => {
                        missing |= !account_known;
                        out.push_str(&v);
                    }
                    None => {
                        missing = true;
                        out.push_str(&rest[start..start + len + 1]);
                    }
                }
            } else {
                missing = true;
                out.push_str(&self.ref_placeholder(inner));
            }
            rest = &rest[start + len + 1..];
            if !self.budget.fits(out.len(), path) {
                return Value::String(String::new());
            }
        }
        out.push_str(rest);
        let out = self.budget.produce(out, path);
        if missing {
            self.unresolved(out, path, report)
        } else {
            Value::String(out)
        }
    }

    /// A role's ARN when its name is in the template, and whether the account in it is known
    /// (else it holds the placeholder). A generated name is never invented.
    fn get_att(&self, id: &str, attr: &str) -> Option<(String, bool)> {
        if resource_type(self.resources, id) != Some("AWS::IAM::Role") || attr != "Arn" {
            return None;
        }
        let name = self.role_name(id)?;
        let account = self.name("AWS::AccountId");
        let arn = format!(
            "arn:aws:iam::{}:role/{name}",
            account.as_deref().unwrap_or("${AWS::AccountId}"),
        );
        Some((arn, account.is_some()))
    }

    fn join(&self, arg: &Value, path: &JsonPath, report: &mut Report) -> Value {
        // The list may itself be a function giving a list (a list parameter, Fn::Split, Fn::If).
        let list = |v: &Value| match v {
            Value::Array(parts) => Some(parts.clone()),
            other => match self.resolve_quietly(other) {
                (Some(Value::Array(parts)), true) => Some(parts),
                _ => None,
            },
        };
        let joinable = match arg.as_array().map(Vec::as_slice) {
            Some([Value::String(sep), parts]) => list(parts).map(|p| (sep.clone(), p)),
            _ => None,
        };
        let Some((sep, parts)) = joinable else {
            return self.unknown_function("Fn::Join", arg, path, report);
        };
        let mut strings = Vec::new();
        // The parts' own findings give way to one for the joined value.
        let mut quiet = Report::default();
        let before = self.found.borrow().len();
        let mut length = 0usize;
        for part in &parts {
            let v = self
                .resolve_opt(part, path, &mut quiet)
                .unwrap_or(Value::String(String::new()));
            let text = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            length += text.len() + sep.len();
            if !self.budget.fits(length, path) {
                self.found.borrow_mut().truncate(before);
                return Value::String(String::new());
            }
            strings.push(text);
        }
        let joined = self.budget.produce(strings.join(&sep), path);
        let unresolved = self.found.borrow().len() > before;
        self.found.borrow_mut().truncate(before);
        if unresolved {
            self.unresolved(joined, path, report)
        } else {
            Value::String(joined)
        }
    }

    fn get_att_value(&self, arg: &Value, path: &JsonPath, report: &mut Report) -> Value {
        let (id, attr) = match arg {
            Value::Array(a) if a.len() == 2 => (
                a[0].as_str().unwrap_or_default().to_string(),
                a[1].as_str().unwrap_or_default().to_string(),
            ),
            Value::String(s) => s
                .split_once('.')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .unwrap_or_default(),
            _ => Default::default(),
        };
        // `--var Id.Attr=VALUE` fills exactly the placeholder the warning names.
        if let Some(v) = self.vars.get(&format!("{id}.{attr}")) {
            return Value::String(v.clone());
        }
        match self.get_att(&id, &attr) {
            Some((v, account_known)) => {
                if !account_known {
                    self.found.borrow_mut().push(Unresolved {
                        path: path.clone(),
                        placeholder: v.clone(),
                    });
                    report.warn(
                            Code::CfnUnresolved,
                            path,
                            format!("the ARN of role {id} needs the account id"),
                            "written with the placeholder ${AWS::AccountId}; substitute it at deploy time, or convert with --var AWS::AccountId=…",
                        );
                }
                Value::String(v)
            }
            None => self.unresolved(format!("${{{id}.{attr}}}"), path, report),
        }
    }

    /// Resolves intrinsics in `value`; `None` means AWS::NoValue (drop the key or item).
    pub(super) fn resolve_opt(
        &self,
        value: &Value,
        path: &JsonPath,
        report: &mut Report,
    ) -> Option<Value> {
        let Value::Object(map) = value else {
            return Some(match value {
                Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .enumerate()
                        .filter_map(|(i, v)| self.resolve_opt(v, &path.index(i), report))
                        .collect(),
                ),
                other => other.clone(),
            });
        };
        if map.len() == 1 {
            let (key, arg) = map.iter().next().expect("one entry");
            match key.as_str() {
                "Ref" => {
                    let name = arg.as_str().unwrap_or_default();
                    if name == "AWS::NoValue" {
                        return None;
                    }
                    return Some(match self.name(name) {
                        Some(v) if self.is_list_parameter(name) => {
                            Value::Array(v.split(',').map(|s| json!(s.trim())).collect())
                        }
                        Some(v) => Value::String(self.budget.produce(v, path)),
                        None => self.unresolved(self.ref_placeholder(name), path, report),
                    });
                }
                "Fn::Sub" => {
                    let (template, vars) = match arg {
                        Value::String(s) => (s.as_str(), Map::new()),
                        Value::Array(a) if !a.is_empty() => (
                            a[0].as_str().unwrap_or_default(),
                            a.get(1)
                                .and_then(Value::as_object)
                                .cloned()
                                .unwrap_or_default(),
                        ),
                        _ => ("", Map::new()),
                    };
                    return Some(self.sub(template, &vars, path, report));
                }
                "Fn::Join" => return Some(self.join(arg, path, report)),
                "Fn::GetAtt" => return Some(self.get_att_value(arg, path, report)),
                "Fn::If" => return self.if_value(arg, path, report),
                "Fn::FindInMap" => return self.find_in_map(arg, path, report),
                "Fn::Select" => return Some(self.select(arg, path, report)),
                "Fn::Split" => return Some(self.split(arg, path, report)),
                "Fn::Base64" => return Some(self.base64(arg, path, report)),
                k if k.starts_with("Fn::") => {
                    return Some(self.unknown_function(k, arg, path, report));
                }
                _ => {}
            }
        }
        Some(Value::Object(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), self.resolve_opt(v, &path.key(k), report)?)))
                .collect(),
        ))
    }

    pub(super) fn resolve(&self, value: &Value, path: &JsonPath, report: &mut Report) -> Value {
        self.resolve_opt(value, path, report).unwrap_or(Value::Null)
    }
}
