//! The classic chart repository index (`index.yaml`, apiVersion v1): entries per chart, newest
//! SemVer first, each with the chart's metadata, `digest`, `urls` and `created`. Unlike
//! `helm repo index --merge`, merging keeps the `created` stamp of every unchanged entry.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, IndexProblem, Refusal, RegistryProblem, Result};
use crate::yaml::{self, Node};

#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub entries: BTreeMap<String, Vec<Map<String, Value>>>,
    /// Top-level keys other than apiVersion, entries and generated (serverInfo, annotations…).
    pub other: Map<String, Value>,
    pub generated: Option<String>,
}

/// What adding an archive did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Unchanged,
    Added,
    Replaced,
}

fn version_of(entry: &Map<String, Value>) -> Option<semver::Version> {
    entry
        .get("version")
        .and_then(Value::as_str)
        .and_then(|v| semver::Version::parse(v).ok())
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Index {
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Index> {
        let bad = |problem: IndexProblem| Error::Refused {
            path: path.to_path_buf(),
            refusal: Refusal::Index(problem),
        };
        // Helm reads these fields as strings: a digest of digits or a version such as 1.10
        // must come back exactly as written. The node budget grows with the file, as Helm
        // reads any index it can hold.
        const TEXT: &[&str] = &[
            "created",
            "digest",
            "version",
            "appVersion",
            "generated",
            "kubeVersion",
            "name",
            "description",
        ];
        let value = crate::yaml_to_json::parse_keeping_text(text, TEXT)
            .map_err(|e| {
                bad(IndexProblem::Syntax {
                    line: e.line,
                    column: e.column,
                    reason: e.message,
                })
            })?
            .ok_or_else(|| bad(IndexProblem::SeveralDocuments))?;
        let Value::Object(mut map) = value else {
            return Err(bad(IndexProblem::NotAMapping));
        };
        if map.get("apiVersion").and_then(Value::as_str) != Some("v1") {
            return Err(bad(IndexProblem::ApiVersion));
        }
        map.remove("apiVersion");
        let generated = map.remove("generated").map(|v| text_of(&v));
        let mut entries = BTreeMap::new();
        match map.remove("entries") {
            None | Some(Value::Null) => {}
            Some(Value::Object(charts)) => {
                for (name, versions) in charts {
                    let Value::Array(versions) = versions else {
                        return Err(bad(IndexProblem::VersionsNotAList(name)));
                    };
                    let mut list = Vec::new();
                    for v in versions {
                        let Value::Object(mut entry) = v else {
                            return Err(bad(IndexProblem::EntryNotAMapping(name)));
                        };
                        // Timestamps and digests stay strings, however the YAML typed them.
                        for key in ["created", "digest", "version", "appVersion"] {
                            if let Some(v) =
                                entry.get(key).filter(|v| !v.is_string() && !v.is_null())
                            {
                                let s = text_of(v);
                                entry.insert(key.into(), Value::String(s));
                            }
                        }
                        list.push(entry);
                    }
                    entries.insert(name, list);
                }
            }
            Some(_) => return Err(bad(IndexProblem::EntriesNotAMapping)),
        }
        Ok(Index {
            entries,
            other: map,
            generated,
        })
    }

    /// The newest version of `name` and its digest.
    pub(crate) fn newest(&self, name: &str) -> Option<(semver::Version, String)> {
        self.entries
            .get(name)?
            .iter()
            .filter_map(|e| {
                Some((
                    version_of(e)?,
                    e.get("digest").map(text_of).unwrap_or_default(),
                ))
            })
            .max_by(|a, b| a.0.cmp(&b.0))
    }

    /// Looks up name+version: its digest, if listed.
    pub(crate) fn digest_of(&self, name: &str, version: &semver::Version) -> Option<String> {
        self.entries
            .get(name)?
            .iter()
            .find(|e| version_of(e).as_ref() == Some(version))
            .map(|e| e.get("digest").map(text_of).unwrap_or_default())
    }

    /// Adds or replaces the entry for an archive. An existing name+version with another digest
    /// is only replaced when `force`; the caller checks that first.
    pub(crate) fn add(
        &mut self,
        metadata: &Map<String, Value>,
        digest: &str,
        url: &str,
        now: &str,
    ) -> Change {
        let name = metadata["name"].as_str().unwrap_or_default().to_string();
        let version = version_of(metadata);
        let list = self.entries.entry(name).or_default();
        let existing = list.iter().position(|e| version_of(e) == version);
        if let Some(i) = existing {
            if list[i].get("digest").map(text_of).as_deref() == Some(digest) {
                return Change::Unchanged;
            }
            list.remove(i);
        }
        let mut fields: BTreeMap<String, Value> = metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        fields.insert("created".into(), Value::String(now.to_string()));
        fields.insert("digest".into(), Value::String(digest.to_string()));
        fields.insert(
            "urls".into(),
            Value::Array(vec![Value::String(url.to_string())]),
        );
        list.push(fields.into_iter().collect());
        // Newest first, as `helm repo index` sorts them.
        list.sort_by_key(|e| std::cmp::Reverse(version_of(e)));
        if existing.is_some() {
            Change::Replaced
        } else {
            Change::Added
        }
    }

    pub(crate) fn to_yaml(&self) -> String {
        let entries: Map<String, Value> = self
            .entries
            .iter()
            .map(|(name, list)| {
                (
                    name.clone(),
                    Value::Array(list.iter().cloned().map(Value::Object).collect()),
                )
            })
            .collect();
        let mut node = Node::map().with("apiVersion", None, Node::str("v1")).with(
            "entries",
            None,
            Node::from_json(&Value::Object(entries)),
        );
        if let Some(g) = &self.generated {
            node = node.with("generated", None, Node::str(g));
        }
        for (k, v) in &self.other {
            node = node.with(k, None, Node::from_json(v));
        }
        yaml::to_string(&node)
    }
}

/// The index of a static repository served over HTTP(S), as `helm repo add` reads it.
pub(crate) fn fetch(base_url: &str) -> Result<Index> {
    let url = format!("{}/index.yaml", base_url.trim_end_matches('/'));
    let unreachable = |problem: RegistryProblem| Error::Registry {
        reference: url.clone(),
        problem,
    };
    let agent = super::http::agent();
    let mut response = agent
        .get(&url)
        .call()
        .map_err(|e| unreachable(RegistryProblem::Fetch(e.to_string())))?;
    let status = response.status().as_u16();
    if status == 404 {
        return Ok(Index::default());
    }
    if status != 200 {
        return Err(unreachable(RegistryProblem::Status(status)));
    }
    let text = response
        .body_mut()
        .with_config()
        .limit(512 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| unreachable(RegistryProblem::ReadBody(e.to_string())))?;
    Index::parse(&text, Path::new(&url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta(name: &str, version: &str) -> Map<String, Value> {
        json!({"apiVersion": "v2", "name": name, "version": version, "appVersion": "1.0"})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn merge_keeps_created_and_sorts_by_semver() {
        let mut index = Index::default();
        assert_eq!(
            index.add(&meta("web", "0.2.0"), "aa", "http://r/web-0.2.0.tgz", "T1"),
            Change::Added
        );
        assert_eq!(
            index.add(
                &meta("web", "0.10.0"),
                "bb",
                "http://r/web-0.10.0.tgz",
                "T2"
            ),
            Change::Added
        );
        assert_eq!(
            index.add(&meta("web", "1.0.0-rc.1"), "cc", "u", "T3"),
            Change::Added
        );
        assert_eq!(
            index.add(&meta("web", "0.2.0"), "aa", "http://r/web-0.2.0.tgz", "T9"),
            Change::Unchanged
        );
        let versions: Vec<_> = index.entries["web"]
            .iter()
            .map(|e| e["version"].as_str().unwrap())
            .collect();
        assert_eq!(versions, ["1.0.0-rc.1", "0.10.0", "0.2.0"]);
        assert_eq!(index.entries["web"][2]["created"], "T1");
        assert_eq!(index.newest("web").unwrap().0.to_string(), "1.0.0-rc.1");

        let text = index.to_yaml();
        let back = Index::parse(&text, Path::new("index.yaml")).unwrap();
        assert_eq!(back.entries, index.entries);
        assert!(text.contains("appVersion: \"1.0\""), "{text}");
    }

    #[test]
    fn broken_indexes_are_refused() {
        for text in [
            "entries: [",
            "apiVersion: v2\n",
            "- a\n",
            "apiVersion: v1\nentries: 3\n",
        ] {
            assert!(
                Index::parse(text, Path::new("index.yaml")).is_err(),
                "{text}"
            );
        }
    }
}
