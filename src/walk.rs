//! The one directory walker: inputs, chart directories and archives are all read through it,
//! so every walk has the same order (byte order of names) and the same rules. It cannot hang
//! or loop: only regular files are returned, symlinks are followed but each real file and
//! directory is visited once (by device and inode), and FIFOs, sockets and devices are set
//! aside with the reason.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A file found by a walk.
pub(crate) struct Entry {
    /// Relative to the walked directory, with `/` separators.
    pub rel: String,
    pub path: PathBuf,
}

/// What a walk found: regular files, and entries it would not read.
#[derive(Default)]
pub(crate) struct Walk {
    pub files: Vec<Entry>,
    pub skipped: Vec<(PathBuf, String)>,
}

/// Files under `dir`, recursively, in byte order of names. `keep(rel, is_dir)` decides whether
/// an entry is kept; a directory that is not kept is not entered.
/// What was set aside is listed beside them.
pub(crate) fn walk_all(
    dir: &Path,
    keep: &mut dyn FnMut(&str, bool) -> bool,
) -> std::io::Result<Walk> {
    let mut out = Walk::default();
    let mut seen = BTreeSet::new();
    if let Some(id) = identity(&std::fs::metadata(dir)?) {
        seen.insert(id);
    }
    walk(dir, "", keep, &mut seen, &mut out)?;
    Ok(out)
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

fn walk(
    dir: &Path,
    prefix: &str,
    keep: &mut dyn FnMut(&str, bool) -> bool,
    seen: &mut BTreeSet<(u64, u64)>,
    out: &mut Walk,
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
        // Follows symlinks; a dangling one is set aside, not an error for the whole walk.
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                if keep(&rel, false) {
                    out.skipped.push((path, format!("cannot be read: {e}")));
                }
                continue;
            }
        };
        let is_dir = meta.is_dir();
        if !keep(&rel, is_dir) {
            continue;
        }
        if let Some(id) = identity(&meta) {
            if !seen.insert(id) {
                if is_dir {
                    out.skipped.push((
                        path,
                        "a directory already walked (a symlink loop or a second link)".into(),
                    ));
                }
                // A second link to a file already read: read once.
                continue;
            }
        }
        if is_dir {
            walk(&path, &rel, keep, seen, out)?;
        } else if meta.is_file() {
            out.files.push(Entry { rel, path });
        } else {
            out.skipped
                .push((path, "not a regular file (a FIFO, socket or device)".into()));
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn loops_fifos_and_devices_are_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("a")).unwrap();
        std::fs::write(d.join("a/x.json"), "{}").unwrap();
        std::os::unix::fs::symlink(d, d.join("a/loop")).unwrap();
        std::os::unix::fs::symlink(d.join("a"), d.join("b")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", d.join("zero.json")).unwrap();
        std::os::unix::fs::symlink(d.join("a/x.json"), d.join("y.json")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(d.join("pipe.json"))
            .status()
            .unwrap();
        assert!(status.success());
        let walk = walk_all(d, &mut |_, _| true).unwrap();
        let files: Vec<&str> = walk.files.iter().map(|e| e.rel.as_str()).collect();
        assert_eq!(files, ["a/x.json"], "each real file once");
        let reasons: Vec<String> = walk
            .skipped
            .iter()
            .map(|(p, r)| format!("{} {r}", p.display()))
            .collect();
        assert_eq!(walk.skipped.len(), 4, "{reasons:?}");
        assert!(reasons
            .iter()
            .any(|r| r.contains("pipe.json") && r.contains("FIFO")));
        assert!(reasons
            .iter()
            .any(|r| r.contains("zero.json") && r.contains("device")));
    }
}
