//! The one directory walker: inputs, chart directories and archives are all read through it,
//! so every walk has the same order (byte order of names) and the same rules.

use std::path::{Path, PathBuf};

/// A file found by a walk.
pub(crate) struct Entry {
    /// Relative to the walked directory, with `/` separators.
    pub rel: String,
    pub path: PathBuf,
}

/// Files under `dir`, recursively, in byte order of names. `keep(rel, is_dir)` decides whether
/// an entry is kept; a directory that is not kept is not entered.
pub(crate) fn files(
    dir: &Path,
    keep: &mut dyn FnMut(&str, bool) -> bool,
) -> std::io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    walk(dir, "", keep, &mut out)?;
    Ok(out)
}

fn walk(
    dir: &Path,
    prefix: &str,
    keep: &mut dyn FnMut(&str, bool) -> bool,
    out: &mut Vec<Entry>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        let is_dir = entry.file_type()?.is_dir() || path.is_dir();
        if !keep(&rel, is_dir) {
            continue;
        }
        if is_dir {
            walk(&path, &rel, keep, out)?;
        } else {
            out.push(Entry { rel, path });
        }
    }
    Ok(())
}
