//! The values placeholders and template references are filled with, per environment: physical
//! IDs from `--stack-resources` (describe-stack-resources or list-stack-resource-summaries
//! output), then `--var-file`, then `--var`, each later one winning. A file given as
//! `ENV=FILE` holds for that environment only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, InputProblem, Result};

/// A file for every environment, or for one (`ENV=FILE` with ENV given to `--env`).
fn scoped<'a>(arg: &'a str, envs: &[&str]) -> (Option<&'a str>, PathBuf) {
    match arg.split_once('=') {
        Some((env, file)) if envs.contains(&env) => (Some(env), PathBuf::from(file)),
        _ => (None, PathBuf::from(arg)),
    }
}

/// A var file or stack-resources output, read up to the input limit.
fn read(file: &Path) -> Result<String> {
    String::from_utf8(crate::ecs::read_limited(file)?).map_err(|e| Error::Read {
        path: file.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

/// The values for one environment (`None`: a plain batch).
pub(super) fn for_environment(
    env: Option<&str>,
    envs: &[&str],
    stack_resources: &[String],
    var_files: &[String],
    vars: &[(String, String)],
) -> Result<BTreeMap<String, String>> {
    let applies = |scope: Option<&str>| scope.is_none() || scope == env;
    let mut out = BTreeMap::new();
    for arg in stack_resources {
        let (scope, file) = scoped(arg, envs);
        if applies(scope) {
            out.extend(physical_ids(&file)?);
        }
    }
    for arg in var_files {
        let (scope, file) = scoped(arg, envs);
        if applies(scope) {
            let parsed = crate::placeholder::parse_var_file(&read(&file)?).map_err(|reason| {
                Error::Input {
                    file: file.display().to_string(),
                    problem: InputProblem::VarFile(reason),
                }
            })?;
            out.extend(parsed);
        }
    }
    out.extend(vars.iter().cloned());
    Ok(out)
}

/// Logical ID → physical ID, from `aws cloudformation describe-stack-resources` or
/// `list-stack-resource-summaries` output: what a `Ref` to the resource gives once deployed.
fn physical_ids(file: &Path) -> Result<BTreeMap<String, String>> {
    let bad = |problem: InputProblem| Error::Input {
        file: file.display().to_string(),
        problem,
    };
    let value: Value = serde_json::from_str(&read(file)?).map_err(|e| {
        bad(InputProblem::StackResources {
            at: format!("line {}", e.line()),
            reason: e.to_string(),
        })
    })?;
    let (key, list) = ["StackResources", "StackResourceSummaries"]
        .iter()
        .find_map(|k| Some((*k, value.get(k)?.as_array()?)))
        .ok_or_else(|| {
            bad(InputProblem::StackResources {
                at: "(top level)".into(),
                reason: "expected StackResources or StackResourceSummaries, a list".into(),
            })
        })?;
    let mut out = BTreeMap::new();
    for (i, resource) in list.iter().enumerate() {
        let text = |field: &str| {
            resource.get(field).and_then(Value::as_str).ok_or_else(|| {
                bad(InputProblem::StackResources {
                    at: format!("{key}[{i}].{field}"),
                    reason: "expected a string".into(),
                })
            })
        };
        // A resource not created (yet) has no physical ID: its references stay placeholders.
        if resource
            .get("PhysicalResourceId")
            .is_none_or(Value::is_null)
        {
            continue;
        }
        out.insert(
            text("LogicalResourceId")?.to_string(),
            text("PhysicalResourceId")?.to_string(),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_resources_and_var_files_apply_to_their_environment() {
        let dir = tempfile::tempdir().unwrap();
        let prod = dir.path().join("prod.json");
        std::fs::write(&prod, r#"{"StackResources": [
            {"LogicalResourceId": "TaskRole", "PhysicalResourceId": "shop-TaskRole-A1", "ResourceType": "AWS::IAM::Role"},
            {"LogicalResourceId": "Pending", "PhysicalResourceId": null}
        ]}"#).unwrap();
        let dev = dir.path().join("dev.env");
        std::fs::write(&dev, "Env=dev\n").unwrap();
        let stack = vec![format!("prod={}", prod.display())];
        let files = vec![format!("dev={}", dev.display())];
        let envs = ["prod", "dev"];
        let cli = vec![("Tag".to_string(), "1".to_string())];
        let p = for_environment(Some("prod"), &envs, &stack, &files, &cli).unwrap();
        assert_eq!(p["TaskRole"], "shop-TaskRole-A1");
        assert!(!p.contains_key("Pending") && !p.contains_key("Env"));
        assert_eq!(p["Tag"], "1");
        let d = for_environment(Some("dev"), &envs, &stack, &files, &cli).unwrap();
        assert_eq!(d["Env"], "dev");
        assert!(!d.contains_key("TaskRole"));
    }

    #[test]
    fn a_bad_stack_resources_file_names_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.json");
        std::fs::write(
            &file,
            r#"{"StackResourceSummaries": [{"LogicalResourceId": 7, "PhysicalResourceId": "x"}]}"#,
        )
        .unwrap();
        let err = physical_ids(&file).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "bad.json: StackResourceSummaries[0].LogicalResourceId: expected a string"
            ),
            "{err}"
        );
    }
}
