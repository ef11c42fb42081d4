//! The quiet re-run: a conversion that generates exactly what the recorded digests say it
//! generated last time, with no conflict open, leaves the chart folder as it is. Told from the
//! digests and the files on disk alone: no merge base is unpacked, nothing is written, and every
//! file keeps its inode and mtime.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use super::record::Record;

/// Whether the chart in `dir` is unchanged by this run; false when anything would change (or
/// a file went missing), so the full merge must run.
/// `known_match`: the caller already found `generated` equal to the recorded digests.
pub(super) fn unchanged(
    dir: &Path,
    generated: &BTreeMap<String, Vec<u8>>,
    known_match: bool,
) -> bool {
    if !known_match {
        let Some(digests) = Record::load_digests(dir) else {
            return false;
        };
        if digests.is_empty() || !super::reimport::digests_match(&digests, generated) {
            return false;
        }
    } else if super::record::conflict_open(dir) {
        return false;
    }
    // Generated as last time, so the three-way merge would keep every file on disk as it is,
    // edited or not: nothing needs reading.
    all_in_place(dir, generated.keys())
}

/// Whether every file named (relative to `dir`) is a regular file there; a link or folder
/// where a generated file was is for the full merge to judge.
fn all_in_place<'a>(dir: &Path, names: impl IntoIterator<Item = &'a String>) -> bool {
    let mut files = BTreeMap::new();
    names.into_iter().all(|rel| {
        let (folder, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        files
            .entry(folder)
            .or_insert_with(|| regular_files(&dir.join(folder)))
            .contains(name)
    })
}

/// The names of the regular files in `dir` (one listing instead of a lookup per file).
fn regular_files(dir: &Path) -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect()
}

/// The generated files of the chart in `dir`, when it was generated from `fingerprint` and
/// stands as written (no conflict open, every generated file in place): the run need not
/// generate it to know it is unchanged.
pub(crate) fn by_fingerprint(dir: &Path, fingerprint: &str) -> Option<Vec<String>> {
    if Record::load_fingerprint(dir)? != fingerprint {
        return None;
    }
    // None as well when a conflict is open.
    let digests = Record::load_digests(dir)?;
    all_in_place(dir, digests.keys()).then(|| digests.into_keys().collect())
}
