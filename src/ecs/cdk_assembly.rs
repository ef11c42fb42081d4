//! A CDK output folder (`cdk.out/`) read as the app it is: `manifest.json` names the stacks
//! (`aws:cloudformation:stack` artifacts), their templates, their target environment
//! (`aws://ACCOUNT/REGION`) and tags; a stage's stacks sit in a nested assembly
//! (`cdk:cloud-assembly`). One app synthesized as a stack per environment is one environment per
//! stack, named from the stack's `environment` tag, else from its name without what all the
//! stack names share.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::FieldError;
use crate::json_path::JsonPath;

/// How deep nested assemblies (stages within stages) are followed.
const MAX_NESTING: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CdkStack {
    /// The artifact ID (the stack's construct path, flattened).
    pub id: String,
    pub display_name: String,
    pub template: PathBuf,
    /// `aws://ACCOUNT/REGION`, as synthesized (`unknown-account` when the app left it open).
    pub target: Option<String>,
    pub environment_tag: Option<String>,
}

/// A problem reading a manifest: the file and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManifestError {
    pub file: PathBuf,
    pub error: FieldError,
}

/// The stacks of the app in `dir`, or None when `dir` holds no `manifest.json`.
pub(crate) fn stacks(dir: &Path) -> Result<Option<Vec<CdkStack>>, ManifestError> {
    let manifest = dir.join("manifest.json");
    if !manifest.is_file() {
        return Ok(None);
    }
    let mut out = Vec::new();
    read_assembly(dir, 0, &mut out)?;
    Ok(Some(out))
}

fn read_assembly(dir: &Path, depth: usize, out: &mut Vec<CdkStack>) -> Result<(), ManifestError> {
    let file = dir.join("manifest.json");
    let fail = |path: &JsonPath, message: &str| ManifestError {
        file: file.clone(),
        error: FieldError::new(path, message),
    };
    let text = read_bounded(&file).map_err(|e| fail(&JsonPath::root(), &e))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        fail(
            &JsonPath::root(),
            &format!("not valid JSON (line {}): {e}", e.line()),
        )
    })?;
    let artifacts_path = JsonPath::root().key("artifacts");
    let Some(artifacts) = value.get("artifacts") else {
        return Ok(());
    };
    let artifacts = artifacts
        .as_object()
        .ok_or_else(|| fail(&artifacts_path, "expected an object"))?;
    for (id, artifact) in artifacts {
        let at = artifacts_path.verbatim(id);
        let text_at = |key: &str| -> Result<Option<String>, ManifestError> {
            match artifact.pointer(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(fail(&at.below(key), "expected a string")),
            }
        };
        match text_at("/type")?.as_deref() {
            Some("aws:cloudformation:stack") => {
                let template = text_at("/properties/templateFile")?.ok_or_else(|| {
                    fail(&at.key("properties").key("templateFile"), "is required")
                })?;
                out.push(CdkStack {
                    id: id.clone(),
                    display_name: text_at("/displayName")?.unwrap_or_else(|| id.clone()),
                    template: inside(dir, &template).ok_or_else(|| {
                        fail(
                            &at.key("properties").key("templateFile"),
                            "must name a file inside the assembly folder",
                        )
                    })?,
                    target: text_at("/environment")?,
                    environment_tag: environment_tag(artifact),
                });
            }
            Some("cdk:cloud-assembly") if depth < MAX_NESTING => {
                let nested = text_at("/properties/directoryName")?.ok_or_else(|| {
                    fail(&at.key("properties").key("directoryName"), "is required")
                })?;
                let nested = inside(dir, &nested).ok_or_else(|| {
                    fail(
                        &at.key("properties").key("directoryName"),
                        "must name a folder inside the assembly folder",
                    )
                })?;
                read_assembly(&nested, depth + 1, out)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The `environment` tag, however CDK wrote the tags (a map, or a list of Key/Value pairs).
fn environment_tag(artifact: &Value) -> Option<String> {
    let tags = artifact.pointer("/properties/tags")?;
    let is_env = |k: &str| k.eq_ignore_ascii_case("environment");
    match tags {
        Value::Object(map) => map
            .iter()
            .find(|(k, _)| is_env(k))?
            .1
            .as_str()
            .map(str::to_string),
        Value::Array(list) => list
            .iter()
            .find(|t| t.get("Key").and_then(Value::as_str).is_some_and(is_env))?
            .get("Value")?
            .as_str()
            .map(str::to_string),
        _ => None,
    }
}

/// A relative name inside `dir`, never a way out of it.
fn inside(dir: &Path, name: &str) -> Option<PathBuf> {
    let relative = Path::new(name);
    let plain = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    (plain && !name.is_empty()).then(|| dir.join(relative))
}

fn read_bounded(file: &Path) -> Result<String, String> {
    let limit = crate::ecs::MAX_INPUT_BYTES;
    crate::bounded::text(file, limit).map_err(|unread| match unread {
        crate::bounded::Unread::Io(e) => format!("cannot read: {e}"),
        crate::bounded::Unread::TooLarge => {
            format!("is larger than {} MiB; not read", limit >> 20)
        }
    })
}

/// Environment names for the stacks: each stack's `environment` tag where every stack has one,
/// else the display names without the prefix and suffix they all share (`EstateDev`,
/// `EstateProd` → `dev`, `prod`), lowercased.
pub(crate) fn environment_names(stacks: &[CdkStack]) -> Vec<String> {
    if stacks.iter().all(|s| s.environment_tag.is_some()) {
        return stacks
            .iter()
            .map(|s| s.environment_tag.clone().unwrap_or_default())
            .collect();
    }
    let names: Vec<&str> = stacks.iter().map(|s| s.display_name.as_str()).collect();
    let prefix = common_len(&names, |n| n.chars().collect());
    let suffix = common_len(&names, |n| n.chars().rev().collect());
    names
        .iter()
        .map(|n| {
            let chars: Vec<char> = n.chars().collect();
            let end = chars.len().saturating_sub(suffix).max(prefix);
            let middle: String = chars[prefix.min(end)..end].iter().collect();
            let trimmed = middle.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let chosen = if trimmed.is_empty() { *n } else { trimmed };
            chosen.to_ascii_lowercase()
        })
        .collect()
}

fn common_len(names: &[&str], chars: impl Fn(&str) -> Vec<char>) -> usize {
    if names.len() < 2 {
        return 0;
    }
    let all: Vec<Vec<char>> = names.iter().map(|n| chars(n)).collect();
    let shortest = all.iter().map(Vec::len).min().unwrap_or(0);
    (0..shortest)
        .take_while(|&i| all.iter().all(|n| n[i] == all[0][i]))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(name: &str, tag: Option<&str>) -> CdkStack {
        CdkStack {
            id: name.into(),
            display_name: name.into(),
            template: PathBuf::from(format!("{name}.template.json")),
            target: None,
            environment_tag: tag.map(str::to_string),
        }
    }

    #[test]
    fn environments_are_named_by_tag_else_by_what_differs() {
        let tagged = [stack("A", Some("dev")), stack("B", Some("prod"))];
        assert_eq!(environment_names(&tagged), ["dev", "prod"]);
        let untagged = [
            stack("EstateDev", None),
            stack("EstateStaging", None),
            stack("EstateProd", None),
        ];
        assert_eq!(environment_names(&untagged), ["dev", "staging", "prod"]);
        let suffixed = [stack("dev-estate", None), stack("prod-estate", None)];
        assert_eq!(environment_names(&suffixed), ["dev", "prod"]);
        // One tag missing: names come from the stacks, never half from tags.
        let mixed = [stack("AppDev", Some("development")), stack("AppProd", None)];
        assert_eq!(environment_names(&mixed), ["dev", "prod"]);
    }

    #[test]
    fn a_manifest_cannot_point_outside_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("manifest.json"),
            r#"{"artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "../x.json"}}}}"#,
        )
        .unwrap();
        let e = stacks(dir.path()).unwrap_err();
        assert_eq!(e.error.path.dotted(), "artifacts.S.properties.templateFile");
        assert!(stacks(&dir.path().join("none")).unwrap().is_none());
    }

    #[test]
    fn nested_assemblies_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("assembly-Prod")).unwrap();
        std::fs::write(
            dir.path().join("manifest.json"),
            r#"{"artifacts": {"Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}}}}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("assembly-Prod/manifest.json"),
            r#"{"artifacts": {"ProdApp": {"type": "aws:cloudformation:stack", "environment": "aws://1/eu-west-1",
                "properties": {"templateFile": "ProdApp.template.json", "tags": [{"Key": "Environment", "Value": "prod"}]}}}}"#,
        )
        .unwrap();
        let found = stacks(dir.path()).unwrap().unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].environment_tag.as_deref(), Some("prod"));
        assert!(found[0]
            .template
            .ends_with("assembly-Prod/ProdApp.template.json"));
    }
}
