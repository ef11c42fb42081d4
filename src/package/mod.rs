//! Packaging charts into reproducible archives, and choosing versions that follow content.

pub(crate) mod archive;
pub(crate) mod helmignore;
pub(crate) mod inspect;

pub(crate) use inspect::read_archive;

use std::path::{Path, PathBuf};

use crate::digest::next_patch;

use crate::chart::ChartMeta;
use crate::error::{Error, Refusal, Result};

/// A packaged chart: where it is and what identifies it.
#[derive(Debug, Clone)]
pub(crate) struct Packaged {
    pub version: semver::Version,
    pub path: PathBuf,
    pub digest: String,
}

pub use crate::digest::sha256_hex;

/// A chart ready to archive: its metadata and its other files, `.helmignore` applied.
pub(crate) struct ChartSource {
    origin: PathBuf,
    meta: ChartMeta,
    /// In archive order, Chart.yaml left out (it is rendered from `meta`).
    files: Vec<(String, Vec<u8>)>,
}

impl ChartSource {
    /// A chart directory on disk.
    pub(crate) fn read(dir: &Path) -> Result<ChartSource> {
        let files = archive::chart_files(dir)?;
        Self::from_files(dir, files)
    }

    fn from_files(dir: &Path, mut files: Vec<(String, Vec<u8>)>) -> Result<ChartSource> {
        let Some(at) = files.iter().position(|(p, _)| p == "Chart.yaml") else {
            return Err(Error::Refused {
                path: dir.to_path_buf(),
                refusal: Refusal::NotAChart,
            });
        };
        let (_, chart_yaml) = files.remove(at);
        let meta = ChartMeta::parse(&chart_yaml, &dir.join("Chart.yaml"))?;
        Ok(ChartSource {
            origin: dir.to_path_buf(),
            meta,
            files,
        })
    }

    /// The archive, in memory, at `version` or the chart's own.
    pub(crate) fn build(&self, version: Option<&semver::Version>) -> Result<Built> {
        let mut meta = self.meta.clone();
        if let Some(v) = version {
            meta.version = v.clone();
        }
        let chart_yaml = ("Chart.yaml".to_string(), meta.render().into_bytes());
        let entries = std::iter::once(&chart_yaml)
            .chain(&self.files)
            .map(|(rel, bytes)| (rel.as_str(), bytes.as_slice()));
        let bytes =
            archive::tgz(&meta.name, entries, archive::mtime()).map_err(|source| Error::Write {
                path: self.origin.clone(),
                source,
            })?;
        Ok(Built {
            name: meta.name.clone(),
            version: meta.version.clone(),
            bytes,
        })
    }
}

/// The archive of a chart, in memory.
pub(crate) struct Built {
    pub name: String,
    pub version: semver::Version,
    pub bytes: Vec<u8>,
}

/// Writes an archive into `out` atomically as `<name>-<version>.tgz`.
pub(crate) fn write(built: &Built, out: &Path) -> Result<Packaged> {
    let write_err = |source| Error::Write {
        path: out.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(out).map_err(write_err)?;
    let path = out.join(format!("{}-{}.tgz", built.name, built.version));
    let packaged = Packaged {
        version: built.version.clone(),
        path: path.clone(),
        digest: sha256_hex(&built.bytes),
    };
    // The same archive already there stays as it is (a re-run that changes nothing writes nothing).
    if same_file_content(&path, &built.bytes) {
        return Ok(packaged);
    }
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
    Ok(packaged)
}

/// Whether the regular file at `path` holds exactly `bytes` (a link is never taken as ours).
fn same_file_content(path: &Path, bytes: &[u8]) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|on_disk| on_disk == bytes)
}

/// The version a chart should be published at, given the newest version already published and
/// that version's archive digest: unchanged content keeps the published version, changed
/// content gets the next patch (never lower than the chart's own version).
pub(crate) fn version_following_content(
    source: &ChartSource,
    own: &semver::Version,
    newest: Option<(&semver::Version, &str)>,
) -> Result<semver::Version> {
    let Some((published, digest)) = newest else {
        return Ok(own.clone());
    };
    let rebuilt = source.build(Some(published))?;
    if sha256_hex(&rebuilt.bytes) == digest {
        return Ok(published.clone());
    }
    let next = next_patch(published);
    Ok(if own > &next { own.clone() } else { next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_patch_drops_prerelease_and_build() {
        let v = semver::Version::parse("1.2.3-rc.1+b5").unwrap();
        assert_eq!(next_patch(&v).to_string(), "1.2.4");
    }
}
