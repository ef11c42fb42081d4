//! Publishing to a static chart repository: a directory with archives and an `index.yaml`,
//! served by any web server. Publishers serialize on a lock file, so two at once lose nothing;
//! archives are copied before the index is replaced by rename, so a crash at any moment leaves
//! the previous index intact.

use std::fs;
use std::path::{Path, PathBuf};

use super::index::{Change, Index};
use super::time;
use crate::error::{Error, Refusal, Result};
use crate::package::{read_archive, sha256_hex};

pub(crate) const LOCK_FILE: &str = ".index.lock";

#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub added: Vec<String>,
    pub replaced: Vec<String>,
    pub unchanged: Vec<String>,
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// The publishers' record of their temporary files, kept under the lock: a publish killed
/// mid-copy leaves its file named here, and the next publish removes exactly what is named,
/// never a user's file that merely looks alike.
const UPLOADS_FILE: &str = ".index.uploads";

/// Copies `from` into `to` through a temporary file in the same directory, named in the
/// uploads record while it exists.
fn copy_atomically(from: &[u8], to: &Path, dir: &Path) -> Result<()> {
    let tmp = tempfile::Builder::new()
        .prefix(".upload-")
        .tempfile_in(dir)
        .map_err(write_err(dir))?;
    let name = tmp
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let record = dir.join(UPLOADS_FILE);
    append_line(&record, &name)?;
    let mut tmp = tmp;
    std::io::Write::write_all(&mut tmp, from).map_err(write_err(to))?;
    tmp.as_file().sync_all().map_err(write_err(to))?;
    tmp.persist(to).map_err(|e| Error::Write {
        path: to.to_path_buf(),
        source: e.error,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(to, fs::Permissions::from_mode(0o644)).map_err(write_err(to))?;
    }
    fs::remove_file(&record).map_err(write_err(&record))?;
    Ok(())
}

fn append_line(path: &Path, line: &str) -> Result<()> {
    use std::io::Write;
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(write_err(path))?;
    writeln!(file, "{line}")
        .and_then(|()| file.sync_all())
        .map_err(write_err(path))
}

/// Removes the temporary files a killed publish left, as its record names them: plain files
/// directly in the repository with a name this tool makes; a link or a folder is left alone.
fn remove_leftover_uploads(dir: &Path) -> Result<()> {
    let record = dir.join(UPLOADS_FILE);
    let text = match fs::read_to_string(&record) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::Read {
                path: record,
                source,
            })
        }
    };
    for name in text.lines() {
        let ours = name.starts_with(".upload-") && !name.contains(['/', '\\']);
        let path = dir.join(name);
        let plain = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
        if ours && plain {
            fs::remove_file(&path).map_err(write_err(&path))?;
        }
    }
    fs::remove_file(&record).map_err(write_err(&record))
}

/// Reads the repository's index, if it has one.
pub(crate) fn read_index(dir: &Path) -> Result<Option<Index>> {
    let path = dir.join("index.yaml");
    match fs::read_to_string(&path) {
        Ok(text) => Index::parse(&text, &path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Read { path, source }),
    }
}

/// An archive checked for publishing. Only the metadata is kept: the bytes are read again
/// when copied, so a big publish holds one archive at a time.
struct Checked {
    path: PathBuf,
    metadata: serde_json::Map<String, serde_json::Value>,
    digest: String,
    name: String,
    version: semver::Version,
}

/// Every archive read as Helm's loader reads it, and refused when it would replace a version
/// already published with other content, or clash with another archive of this call.
fn check_archives(
    archives: &[PathBuf],
    index: &Index,
    dir: &Path,
    force: bool,
) -> Result<Vec<Checked>> {
    use rayon::prelude::*;
    // Reading and digesting is most of the work and each archive is on its own; the checks
    // below stay in the order the archives were given, so the first refusal named is too.
    let read: Vec<Result<(serde_json::Map<String, serde_json::Value>, String)>> = archives
        .par_iter()
        .map(|path| {
            let (bytes, metadata) = read_archive(path)?;
            Ok((metadata, sha256_hex(&bytes)))
        })
        .collect();
    let mut loaded: Vec<Checked> = Vec::new();
    let mut seen: std::collections::HashMap<(String, semver::Version), usize> =
        std::collections::HashMap::new();
    for (path, read) in archives.iter().zip(read) {
        let (metadata, digest) = read?;
        let name = metadata["name"].as_str().unwrap_or_default().to_string();
        let version = semver::Version::parse(metadata["version"].as_str().unwrap_or_default())
            .expect("read_archive checked the version");
        if let Some(existing) = index.digest_of(&name, &version) {
            if existing != digest && !force {
                return Err(Error::Refused {
                    path: path.clone(),
                    refusal: Refusal::VersionTaken {
                        name,
                        version: version.to_string(),
                        index: dir.join("index.yaml").display().to_string(),
                        existing: existing.to_string(),
                    },
                });
            }
        }
        // Two different archives under one name and version in one call: neither wins
        // silently.
        let key = (name.clone(), version.clone());
        let twin = seen
            .get(&key)
            .map(|&at| &loaded[at])
            .filter(|c| c.digest != digest);
        if let (Some(Checked { path: other, .. }), false) = (twin, force) {
            return Err(Error::Refused {
                path: path.clone(),
                refusal: Refusal::SameVersionTwice {
                    name,
                    version: version.to_string(),
                    other: other.display().to_string(),
                },
            });
        }
        seen.entry(key).or_insert(loaded.len());
        loaded.push(Checked {
            path: path.clone(),
            metadata,
            digest,
            name,
            version,
        });
    }
    Ok(loaded)
}

pub(crate) fn publish(
    archives: &[PathBuf],
    dir: &Path,
    base_url: Option<&str>,
    force: bool,
    lock_timeout: std::time::Duration,
) -> Result<Outcome> {
    fs::create_dir_all(dir).map_err(write_err(dir))?;
    let lock_path = dir.join(LOCK_FILE);
    let lock = crate::lock::take(&lock_path, lock_timeout, "publisher")?;
    remove_leftover_uploads(dir)?;

    let mut index = read_index(dir)?.unwrap_or_default();
    // Check every archive before changing anything.
    let loaded = check_archives(archives, &index, dir, force)?;
    let now = time::now();
    let mut outcome = Outcome::default();
    for Checked {
        path,
        metadata,
        digest,
        name,
        version,
    } in &loaded
    {
        let file = format!("{name}-{version}.tgz");
        let target = dir.join(&file);
        let present = fs::read(&target).is_ok_and(|b| sha256_hex(&b) == *digest);
        if !present {
            let bytes = fs::read(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            if sha256_hex(&bytes) != *digest {
                return Err(Error::Refused {
                    path: path.clone(),
                    refusal: Refusal::ChangedWhilePublishing,
                });
            }
            copy_atomically(&bytes, &target, dir)?;
        }
        let url = match base_url {
            Some(base) => format!("{}/{file}", base.trim_end_matches('/')),
            None => file.clone(),
        };
        let label = format!("{name} {version}");
        match index.add(metadata, digest, &url, &now) {
            Change::Added => outcome.added.push(label),
            Change::Replaced => outcome.replaced.push(label),
            Change::Unchanged => outcome.unchanged.push(label),
        }
    }
    if !outcome.added.is_empty() || !outcome.replaced.is_empty() || !dir.join("index.yaml").exists()
    {
        index.generated = Some(now);
        let path = dir.join("index.yaml");
        copy_atomically(index.to_yaml().as_bytes(), &path, dir)?;
    }
    drop(lock);
    Ok(outcome)
}
