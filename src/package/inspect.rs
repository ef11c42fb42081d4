//! Reading an archive before it is published, with the checks Helm's chart loader makes when
//! a user pulls it: an archive Helm would refuse is never indexed. Memory stays bounded: only
//! Chart.yaml is kept, every other entry is counted and dropped.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use crate::chart::ChartMeta;
use crate::error::{ArchiveProblem, Error, Refusal, Result};

/// Helm's loader limits: the whole chart, decompressed, and any one file in it.
pub(crate) const MAX_CHART_BYTES: u64 = 100 * 1024 * 1024;
pub(crate) const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// The compressed archive itself; anything larger is not a chart a repository should serve.
const MAX_ARCHIVE_BYTES: u64 = 100 * 1024 * 1024;

/// The archive's bytes and its Chart.yaml as JSON, or one line saying what Helm would refuse.
pub(crate) fn read_archive(path: &Path) -> Result<(Vec<u8>, Map<String, Value>)> {
    let bad = |problem: ArchiveProblem| Error::Refused {
        path: path.to_path_buf(),
        refusal: Refusal::Archive(problem),
    };
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = crate::bounded::bytes(file, MAX_ARCHIVE_BYTES).map_err(|unread| match unread {
        crate::bounded::Unread::Io(source) => Error::Read {
            path: path.to_path_buf(),
            source,
        },
        crate::bounded::Unread::TooLarge => bad(ArchiveProblem::TooLarge(MAX_ARCHIVE_BYTES >> 20)),
    })?;
    let metadata = check_entries(&bytes).map_err(bad)?;
    Ok((bytes, metadata))
}

/// Walks every entry as Helm's loader does and returns the Chart.yaml found at the top.
fn check_entries(bytes: &[u8]) -> std::result::Result<Map<String, Value>, ArchiveProblem> {
    let not_chart = |e: std::io::Error| ArchiveProblem::NotAnArchive(e.to_string());
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
            return Err(ArchiveProblem::Link(raw));
        }
        if !kind.is_file() {
            return Err(ArchiveProblem::NotAFile(raw));
        }
        let (dir, rel) = entry_name(&raw)?;
        match &top {
            None => top = Some(dir.clone()),
            Some(t) if *t != dir => return Err(ArchiveProblem::TwoTopDirectories(t.clone(), dir)),
            Some(_) => {}
        }
        let size = entry.header().size().map_err(not_chart)?;
        if size > MAX_FILE_BYTES {
            return Err(ArchiveProblem::FileTooLarge {
                name: raw,
                limit_mib: MAX_FILE_BYTES >> 20,
            });
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
        return Err(ArchiveProblem::NoChartYaml);
    };
    let meta = ChartMeta::parse_text(&text).map_err(ArchiveProblem::ChartYaml)?;
    if meta.name != top {
        return Err(ArchiveProblem::NameMismatch {
            name: meta.name,
            top,
        });
    }
    Ok(meta.to_json())
}

fn too_big() -> ArchiveProblem {
    ArchiveProblem::ChartTooLarge(MAX_CHART_BYTES >> 20)
}

/// `<dir>/<path>` split as Helm's loader splits it, refusing what it refuses: absolute paths,
/// `..`, drive letters, a Chart.yaml outside the chart's directory, control characters.
fn entry_name(raw: &str) -> std::result::Result<(String, String), ArchiveProblem> {
    if raw.chars().any(char::is_control) {
        return Err(ArchiveProblem::ControlCharacter(raw.to_string()));
    }
    let normal = raw.replace('\\', "/");
    let (dir, rest) = normal.split_once('/').unwrap_or((&normal, ""));
    if dir == "Chart.yaml" {
        return Err(ArchiveProblem::ChartYamlOutside);
    }
    if rest.starts_with('/') || dir.is_empty() {
        return Err(ArchiveProblem::Absolute(raw.to_string()));
    }
    let mut parts = Vec::new();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(ArchiveProblem::ParentDirectory(raw.to_string())),
            p => parts.push(p),
        }
    }
    let rel = parts.join("/");
    if rel.is_empty() {
        return Err(ArchiveProblem::Outside(raw.to_string()));
    }
    let drive = rel.as_bytes();
    if drive.len() >= 2 && drive[0].is_ascii_alphabetic() && drive[1] == b':' {
        return Err(ArchiveProblem::DrivePath(raw.to_string()));
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
