//! Leftovers of a run killed while writing, told apart from the user's own entries: a staging
//! folder (`.NAME.tmp-…`) or a backup folder (`.NAME.old-…`) is this tool's only when it is a
//! real folder (never a link) holding the marker this tool writes into it first. A user's
//! `.notes.tmp-2024/`, a file `.env.tmp-local` or a link `.x.tmp-1 → elsewhere` is left alone.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::record::RECORD_DIR;

/// In a staging folder, under the record folder (so the chart's files never include it).
const STAGING_MARKER: &str = "staging";
/// In a backup folder, beside the parked chart.
const BACKUP_MARKER: &str = ".ecs-import-backup";

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

pub(super) fn mark_staging(staging: &Path) -> std::io::Result<()> {
    fs::create_dir_all(staging.join(RECORD_DIR))?;
    fs::write(staging.join(RECORD_DIR).join(STAGING_MARKER), b"")
}

/// The staging folder became the chart: its marker goes (a run killed just before leaves it
/// in the record folder, which the next write replaces).
pub(super) fn unmark_staging(chart: &Path) {
    let _ = fs::remove_file(chart.join(RECORD_DIR).join(STAGING_MARKER));
}

pub(super) fn mark_backup(backup: &Path) -> std::io::Result<()> {
    fs::write(backup.join(BACKUP_MARKER), b"")
}

fn is_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

fn is_real_dir(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// The chart name of a leftover of this tool at `path`, named `entry`.
fn ours(entry: &str, path: &Path) -> Option<String> {
    let rest = entry.strip_prefix('.')?;
    let (name, marked) = if let Some((name, _)) = rest.rsplit_once(".tmp-") {
        (name, is_file(&path.join(RECORD_DIR).join(STAGING_MARKER)))
    } else {
        let (name, _) = rest.rsplit_once(".old-")?;
        (name, is_file(&path.join(BACKUP_MARKER)))
    };
    (is_real_dir(path) && marked && !name.is_empty()).then(|| name.to_string())
}

/// Cleans up after a run that was killed while writing: a chart parked aside with nothing in
/// its place goes back, and this tool's leftover folders go. Runs once per output, under its
/// lock, so no live run owns them (one scan of the folder, however many charts it holds).
pub(crate) fn recover(out: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(out) else {
        return Ok(());
    };
    let mut leftovers: Vec<(String, PathBuf)> = entries
        .filter_map(std::result::Result::ok)
        .filter_map(|e| {
            let path = e.path();
            Some((ours(&e.file_name().to_string_lossy(), &path)?, path))
        })
        .collect();
    leftovers.sort();
    for (name, dir) in &leftovers {
        let target = out.join(name);
        let parked = dir.join("chart");
        if fs::symlink_metadata(&target).is_err() && is_real_dir(&parked) {
            fs::rename(&parked, &target).map_err(write_err(&target))?;
        }
        fs::remove_dir_all(dir).map_err(write_err(dir))?;
    }
    Ok(())
}
