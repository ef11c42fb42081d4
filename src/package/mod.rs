//! Packaging charts into reproducible archives, and choosing versions that follow content.

pub mod archive;
pub mod helmignore;

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A packaged chart: where it is and what identifies it.
#[derive(Debug, Clone)]
pub struct Packaged {
    pub name: String,
    pub version: semver::Version,
    pub path: PathBuf,
    pub digest: String,
    /// Chart.yaml as data, for index entries and the OCI config blob.
    pub metadata: serde_json::Map<String, Value>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Chart.yaml as data, checked the way `helm lint` checks what packaging needs.
pub fn read_metadata(chart_yaml: &[u8], origin: &Path) -> Result<serde_json::Map<String, Value>> {
    let bad = |message: String| Error::Output {
        path: origin.to_path_buf(),
        message,
    };
    let text =
        std::str::from_utf8(chart_yaml).map_err(|_| bad("Chart.yaml is not UTF-8".into()))?;
    let value: Value =
        crate::yaml::from_str(text).map_err(|e| bad(format!("Chart.yaml does not parse: {e}")))?;
    let Value::Object(map) = value else {
        return Err(bad("Chart.yaml is not a mapping".into()));
    };
    let name = map.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.is_empty() || name.contains('/') || name.contains('\\') || name == "." || name == ".." {
        return Err(bad(format!(
            "Chart.yaml: name {name:?} is not a valid chart name"
        )));
    }
    let version = map
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    semver::Version::parse(version).map_err(|e| {
        bad(format!(
            "Chart.yaml: version {version:?} is not SemVer: {e}"
        ))
    })?;
    if map.get("apiVersion").and_then(Value::as_str) != Some("v2") {
        return Err(bad("Chart.yaml: apiVersion must be v2".into()));
    }
    Ok(map)
}

/// Chart.yaml text with its top-level `version:` line set to `version`.
pub fn with_version(chart_yaml: &[u8], version: &semver::Version) -> Vec<u8> {
    let text = String::from_utf8_lossy(chart_yaml);
    let mut out = String::with_capacity(text.len());
    let mut replaced = false;
    for line in text.split_inclusive('\n') {
        if !replaced && line.starts_with("version:") {
            out.push_str(&format!("version: \"{version}\"\n"));
            replaced = true;
        } else {
            out.push_str(line);
        }
    }
    out.into_bytes()
}

/// The archive of a chart directory, in memory, optionally at another version.
pub struct Built {
    pub name: String,
    pub version: semver::Version,
    pub bytes: Vec<u8>,
    pub metadata: serde_json::Map<String, Value>,
}

pub fn build(dir: &Path, version: Option<&semver::Version>) -> Result<Built> {
    let mut files = archive::chart_files(dir).map_err(|message| Error::Output {
        path: dir.to_path_buf(),
        message,
    })?;
    let Some(chart_yaml) = files.iter_mut().find(|(p, _)| p == "Chart.yaml") else {
        return Err(Error::Output {
            path: dir.to_path_buf(),
            message: "no Chart.yaml: not a chart directory".into(),
        });
    };
    if let Some(v) = version {
        chart_yaml.1 = with_version(&chart_yaml.1, v);
    }
    let metadata = read_metadata(&chart_yaml.1, &dir.join("Chart.yaml"))?;
    let name = metadata["name"]
        .as_str()
        .expect("checked by read_metadata")
        .to_string();
    let version =
        semver::Version::parse(metadata["version"].as_str().expect("checked")).expect("checked");
    let bytes = archive::tgz(&name, &files, archive::mtime()).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(Built {
        name,
        version,
        bytes,
        metadata,
    })
}

/// Writes an archive into `out` atomically as `<name>-<version>.tgz`.
pub fn write(built: &Built, out: &Path) -> Result<Packaged> {
    let write_err = |source| Error::Write {
        path: out.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(out).map_err(write_err)?;
    let path = out.join(format!("{}-{}.tgz", built.name, built.version));
    let mut tmp = tempfile::NamedTempFile::new_in(out).map_err(write_err)?;
    std::io::Write::write_all(&mut tmp, &built.bytes).map_err(write_err)?;
    tmp.persist(&path).map_err(|e| Error::Write {
        path: path.clone(),
        source: e.error,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).map_err(
            |source| Error::Write {
                path: path.clone(),
                source,
            },
        )?;
    }
    Ok(Packaged {
        name: built.name.clone(),
        version: built.version.clone(),
        path,
        digest: sha256_hex(&built.bytes),
        metadata: built.metadata.clone(),
    })
}

/// The version a chart should be published at, given the newest version already published and
/// that version's archive digest: unchanged content keeps the published version, changed
/// content gets the next patch (never lower than the chart's own version).
pub fn version_following_content(
    dir: &Path,
    own: &semver::Version,
    newest: Option<(&semver::Version, &str)>,
) -> Result<semver::Version> {
    let Some((published, digest)) = newest else {
        return Ok(own.clone());
    };
    let rebuilt = build(dir, Some(published))?;
    if sha256_hex(&rebuilt.bytes) == digest {
        return Ok(published.clone());
    }
    let mut next = published.clone();
    next.patch += 1;
    next.pre = semver::Prerelease::EMPTY;
    next.build = semver::BuildMetadata::EMPTY;
    Ok(if own > &next { own.clone() } else { next })
}

/// An archive on disk: its bytes and the metadata of its `<name>/Chart.yaml`.
pub fn read_archive(path: &Path) -> Result<(Vec<u8>, serde_json::Map<String, Value>)> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |message: String| Error::Output {
        path: path.to_path_buf(),
        message,
    };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    let entries = archive
        .entries()
        .map_err(|e| bad(format!("not a chart archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(format!("not a chart archive: {e}")))?;
        let entry_path = entry
            .path()
            .map_err(|e| bad(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        let mut parts = entry_path.split('/');
        if let (Some(_), Some("Chart.yaml"), None) = (parts.next(), parts.next(), parts.next()) {
            let mut text = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut text).map_err(|e| bad(e.to_string()))?;
            let metadata = read_metadata(&text, path)?;
            return Ok((bytes, metadata));
        }
    }
    Err(bad(
        "not a chart archive: no <name>/Chart.yaml inside".into()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_line_is_replaced_once() {
        let text = b"apiVersion: v2\nname: x\nversion: \"0.1.0\"\nappVersion: \"1\"\n";
        let out = with_version(text, &semver::Version::new(1, 2, 3));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "apiVersion: v2\nname: x\nversion: \"1.2.3\"\nappVersion: \"1\"\n"
        );
    }
}
