//! Reading an archive before it is published, with the checks Helm's chart loader makes when
//! a user pulls it: an archive Helm would refuse is never indexed. Memory stays bounded: only
//! Chart.yaml is kept, every other entry is counted and dropped.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use crate::chart::ChartMeta;
use crate::error::{Error, Result};

/// Helm's loader limits: the whole chart, decompressed, and any one file in it.
const MAX_CHART_BYTES: u64 = 100 * 1024 * 1024;
const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// The compressed archive itself; anything larger is not a chart a repository should serve.
const MAX_ARCHIVE_BYTES: u64 = 100 * 1024 * 1024;

/// The archive's bytes and its Chart.yaml as JSON, or one line saying what Helm would refuse.
pub(crate) fn read_archive(path: &Path) -> Result<(Vec<u8>, Map<String, Value>)> {
    let bad = |message: String| Error::Output {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_ARCHIVE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > MAX_ARCHIVE_BYTES {
        return Err(bad(format!(
            "is larger than {} MiB; not a chart archive",
            MAX_ARCHIVE_BYTES >> 20
        )));
    }
    let metadata = check_entries(&bytes, path).map_err(bad)?;
    Ok((bytes, metadata))
}

/// Walks every entry as Helm's loader does and returns the Chart.yaml found at the top.
fn check_entries(bytes: &[u8], path: &Path) -> std::result::Result<Map<String, Value>, String> {
    let not_chart = |e: std::io::Error| format!("not a chart archive: {e}");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut remaining = MAX_CHART_BYTES;
    let mut top: Option<String> = None;
    let mut chart_yaml: Option<Vec<u8>> = None;
    for entry in archive.entries().map_err(not_chart)? {
        let mut entry = entry.map_err(not_chart)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(format!("{raw:?} is a link; Helm refuses charts with links"));
        }
        if !kind.is_file() {
            return Err(format!("{raw:?} is not a regular file"));
        }
        let (dir, rel) = entry_name(&raw)?;
        match &top {
            None => top = Some(dir.clone()),
            Some(t) if *t != dir => {
                return Err(format!(
                    "entries under both {t:?} and {dir:?}: a chart archive has one top directory"
                ))
            }
            Some(_) => {}
        }
        let size = entry.header().size().map_err(not_chart)?;
        if size > MAX_FILE_BYTES {
            return Err(format!(
                "{raw:?} is larger than Helm's {} MiB limit for one file",
                MAX_FILE_BYTES >> 20
            ));
        }
        if size > remaining {
            return Err(too_big());
        }
        // The header may lie about the size: the read itself is bounded too.
        let mut limited = (&mut entry).take(remaining.min(MAX_FILE_BYTES) + 1);
        let read = if rel == "Chart.yaml" {
            let mut text = Vec::new();
            limited.read_to_end(&mut text).map_err(not_chart)?;
            let n = text.len() as u64;
            chart_yaml = Some(text);
            n
        } else {
            std::io::copy(&mut limited, &mut std::io::sink()).map_err(not_chart)?
        };
        if read > MAX_FILE_BYTES || read > remaining {
            return Err(too_big());
        }
        remaining -= read;
    }
    let (Some(top), Some(text)) = (top, chart_yaml) else {
        return Err("not a chart archive: no <name>/Chart.yaml inside".into());
    };
    let meta = ChartMeta::parse(&text, path).map_err(|e| match e {
        Error::Output { message, .. } => message,
        other => other.to_string(),
    })?;
    if meta.name != top {
        return Err(format!(
            "Chart.yaml names the chart {:?}, but the archive's directory is {top:?}",
            meta.name
        ));
    }
    Ok(meta.to_json())
}

fn too_big() -> String {
    format!(
        "decompresses to more than Helm's {} MiB limit for a chart",
        MAX_CHART_BYTES >> 20
    )
}

/// `<dir>/<path>` split as Helm's loader splits it, refusing what it refuses: absolute paths,
/// `..`, drive letters, a Chart.yaml outside the chart's directory, control characters.
fn entry_name(raw: &str) -> std::result::Result<(String, String), String> {
    if raw.chars().any(char::is_control) {
        return Err(format!("{raw:?} has a control character in its name"));
    }
    let normal = raw.replace('\\', "/");
    let (dir, rest) = normal.split_once('/').unwrap_or((&normal, ""));
    if dir == "Chart.yaml" {
        return Err("Chart.yaml is not inside the chart's directory".into());
    }
    if rest.starts_with('/') || dir.is_empty() {
        return Err(format!("{raw:?} is an absolute path"));
    }
    let mut parts = Vec::new();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(format!("{raw:?} reaches outside the chart's directory")),
            p => parts.push(p),
        }
    }
    let rel = parts.join("/");
    if rel.is_empty() {
        return Err(format!("{raw:?} is outside the chart's directory"));
    }
    let drive = rel.as_bytes();
    if drive.len() >= 2 && drive[0].is_ascii_alphabetic() && drive[1] == b':' {
        return Err(format!("{raw:?} is named like a drive path"));
    }
    Ok((dir.to_string(), rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_helm_refuses_are_refused() {
        assert_eq!(
            entry_name("web/templates/a.yaml").unwrap(),
            ("web".into(), "templates/a.yaml".into())
        );
        assert_eq!(entry_name("web\\Chart.yaml").unwrap().1, "Chart.yaml");
        for bad in [
            "web/../etc/passwd",
            "web/templates/../../x",
            "/abs/Chart.yaml",
            "Chart.yaml",
            "web/a\nb",
            "web/c:/x",
            "web/",
        ] {
            assert!(entry_name(bad).is_err(), "{bad:?}");
        }
    }
}
