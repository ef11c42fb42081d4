//! Chart.yaml as a type. Generated charts render it from this; charts read from disk are
//! parsed into it (checked as `helm lint` checks what packaging needs), and a new version is
//! set on the type, never by editing the text.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{ChartYamlProblem, Error, Refusal, Result};
use crate::yaml::{self, Node};

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartMeta {
    pub name: String,
    pub version: semver::Version,
    pub description: Option<String>,
    pub kind: Option<String>,
    pub app_version: Option<String>,
    pub kube_version: Option<String>,
    /// Every other key of a Chart.yaml read from disk (dependencies, keywords…), in order.
    pub extra: Map<String, Value>,
}

const KNOWN: &[&str] = &[
    "apiVersion",
    "name",
    "description",
    "type",
    "version",
    "appVersion",
    "kubeVersion",
];

impl ChartMeta {
    pub(crate) fn render(&self) -> String {
        let mut out = format!("apiVersion: v2\nname: {}\n", yaml::scalar(&self.name));
        if let Some(d) = &self.description {
            out.push_str(&format!("description: {}\n", yaml::quote(d)));
        }
        if let Some(k) = &self.kind {
            out.push_str(&format!("type: {}\n", yaml::scalar(k)));
        }
        // Always quoted: unquoted `1.10` is the number 1.1 to a YAML reader.
        out.push_str(&format!(
            "version: {}\n",
            yaml::quote(&self.version.to_string())
        ));
        if let Some(a) = &self.app_version {
            out.push_str(&format!("appVersion: {}\n", yaml::quote(a)));
        }
        if let Some(k) = &self.kube_version {
            out.push_str(&format!("kubeVersion: {}\n", yaml::quote(k)));
        }
        if !self.extra.is_empty() {
            out.push_str(&yaml::to_string(&Node::from_json(&Value::Object(
                self.extra.clone(),
            ))));
        }
        out
    }

    pub(crate) fn parse(chart_yaml: &[u8], origin: &Path) -> Result<ChartMeta> {
        Self::parse_text(chart_yaml).map_err(|problem| Error::Refused {
            path: origin.to_path_buf(),
            refusal: Refusal::ChartYaml(problem),
        })
    }

    /// Chart.yaml as Helm reads it, or what Helm would refuse in it.
    pub(crate) fn parse_text(
        chart_yaml: &[u8],
    ) -> std::result::Result<ChartMeta, ChartYamlProblem> {
        let text = std::str::from_utf8(chart_yaml).map_err(|_| ChartYamlProblem::NotUtf8)?;
        let value: Value = yaml::from_str(text).map_err(ChartYamlProblem::Syntax)?;
        let Value::Object(map) = value else {
            return Err(ChartYamlProblem::NotAMapping);
        };
        let text_of = |key: &str| map.get(key).and_then(scalar_text);
        let name = text_of("name").unwrap_or_default();
        if name.is_empty()
            || name.chars().any(char::is_control)
            || name.contains('/')
            || name.contains('\\')
            || name == "."
            || name == ".."
        {
            return Err(ChartYamlProblem::Name(name));
        }
        let version_text = text_of("version").unwrap_or_default();
        let version =
            semver::Version::parse(&version_text).map_err(|e| ChartYamlProblem::Version {
                reason: e.to_string(),
                version: version_text.clone(),
            })?;
        if map.get("apiVersion").and_then(Value::as_str) != Some("v2") {
            return Err(ChartYamlProblem::ApiVersion);
        }
        Ok(ChartMeta {
            name,
            version,
            description: text_of("description"),
            kind: text_of("type"),
            app_version: text_of("appVersion"),
            kube_version: text_of("kubeVersion"),
            extra: map
                .into_iter()
                .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
                .collect(),
        })
    }

    /// As data, for index entries and the OCI config blob.
    pub(crate) fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("apiVersion".into(), "v2".into());
        map.insert("name".into(), self.name.clone().into());
        let optional = [("description", &self.description), ("type", &self.kind)];
        for (key, value) in optional {
            if let Some(v) = value {
                map.insert(key.into(), v.clone().into());
            }
        }
        map.insert("version".into(), self.version.to_string().into());
        for (key, value) in [
            ("appVersion", &self.app_version),
            ("kubeVersion", &self.kube_version),
        ] {
            if let Some(v) = value {
                map.insert(key.into(), v.clone().into());
            }
        }
        map.extend(self.extra.clone());
        map
    }
}

/// A scalar as its text: a Chart.yaml may say `version: 1.0.0` or `appVersion: 2`.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_yaml_round_trips_with_a_new_version() {
        let text =
            b"apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: \"1.10\"\nkeywords: [a]\n";
        let mut meta = ChartMeta::parse(text, Path::new("Chart.yaml")).unwrap();
        assert_eq!(meta.app_version.as_deref(), Some("1.10"));
        meta.version = semver::Version::new(1, 2, 3);
        let again = ChartMeta::parse(meta.render().as_bytes(), Path::new("x")).unwrap();
        assert_eq!(again, meta);
        assert!(meta.render().contains("version: \"1.2.3\"\n"));
        assert!(
            ChartMeta::parse(b"apiVersion: v1\nname: x\nversion: 1.0.0\n", Path::new("x")).is_err()
        );
        assert!(ChartMeta::parse(
            b"apiVersion: v2\nname: ../x\nversion: 1.0.0\n",
            Path::new("x")
        )
        .is_err());
    }
}
