//! The plan's files below the output folder (MIGRATION.md and migration-plan.json at the root,
//! platform/ beside the charts), each written whole or not at all (a temporary file renamed
//! into place), not rewritten when nothing changed; a platform file this run no longer
//! produces is removed, so the folder matches the plan.

use std::io::Write;
use std::path::Path;

use super::model::MigrationPlan;
use super::platform;
use crate::error::{Error, Result};

pub(crate) const MARKDOWN: &str = "MIGRATION.md";
pub(crate) const JSON: &str = "migration-plan.json";

/// Writes the files that differ and removes stale platform files; returns what changed. One
/// file at a time, streamed to its temporary file: a plan for 20,000 services is tens of MiB of
/// JSON, and neither it nor the file it replaces is held whole in memory.
pub(crate) fn write(out: &Path, plan: &MigrationPlan, auto_mode: bool) -> Result<Vec<String>> {
    // A link in place of platform/ would take the files elsewhere: it is not followed.
    let dir = out.join(platform::dir(plan));
    if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::Write {
            path: dir,
            source: std::io::Error::other("is a link; not followed"),
        });
    }
    let mut written = Vec::new();
    let mut changed = |name: &str, produce: &dyn Fn(&mut dyn Write) -> std::io::Result<()>| {
        if replace_if_changed(&out.join(name), produce)? {
            written.push(name.to_string());
        }
        Ok::<(), Error>(())
    };
    {
        // Rendered once: a changed file is produced twice (digested, then written).
        let markdown = super::markdown::render(plan);
        changed(MARKDOWN, &|w| w.write_all(markdown.as_bytes()))?;
    }
    changed(JSON, &|w| {
        serde_json::to_writer_pretty(&mut *w, plan).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })?;
    let files = platform::files(plan, auto_mode);
    for (name, text) in &files {
        changed(name, &|w| w.write_all(text.as_bytes()))?;
    }
    for stale in stale_platform_files(out, plan, &files) {
        let path = out.join(&stale);
        std::fs::remove_file(&path).map_err(|source| Error::Write { path, source })?;
        written.push(stale);
    }
    Ok(written)
}

/// Streams `produce` into a temporary file beside `target` and renames it into place, unless
/// `target` is a regular file with the same bytes already; whether it wrote. The content is
/// digested first, without a file, so that an unchanged plan leaves even the folders' times
/// as they were. The file is readable by all, as the charts are.
fn replace_if_changed(
    target: &Path,
    produce: &dyn Fn(&mut dyn Write) -> std::io::Result<()>,
) -> Result<bool> {
    let failed = |source| Error::Write {
        path: target.to_path_buf(),
        source,
    };
    let mut digest = Digesting::new(std::io::sink());
    produce(&mut digest).map_err(failed)?;
    let (len, sha) = digest.finish().map_err(failed)?;
    if same_file(target, len, &sha) {
        return Ok(false);
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(failed)?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    {
        let mut writer = std::io::BufWriter::new(file.as_file_mut());
        produce(&mut writer).map_err(failed)?;
        writer.flush().map_err(failed)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(failed)?;
    }
    file.persist(target).map_err(|e| failed(e.error))?;
    Ok(true)
}

/// Whether `path` is a regular file (a link is never taken for ours) of `len` bytes with this
/// digest, read in pieces.
fn same_file(path: &Path, len: u64, sha: &[u8]) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.is_file() || meta.len() != len {
        return false;
    }
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut on_disk = Digesting::new(std::io::sink());
    std::io::copy(&mut file, &mut on_disk).is_ok()
        && on_disk
            .finish()
            .is_ok_and(|(n, digest)| n == len && digest == sha)
}

/// A writer that counts and digests what passes through it.
struct Digesting<W: Write> {
    inner: W,
    hasher: sha2::Sha256,
    len: u64,
}

impl<W: Write> Digesting<W> {
    fn new(inner: W) -> Self {
        use sha2::Digest;
        Digesting {
            inner,
            hasher: sha2::Sha256::new(),
            len: 0,
        }
    }

    fn finish(mut self) -> std::io::Result<(u64, Vec<u8>)> {
        use sha2::Digest;
        self.inner.flush()?;
        Ok((self.len, self.hasher.finalize().to_vec()))
    }
}

impl<W: Write> Write for Digesting<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Platform files of the names this stage writes, in folders it writes, that this run did not
/// produce. Nothing else in platform/ is touched.
fn stale_platform_files(
    out: &Path,
    plan: &MigrationPlan,
    files: &[(String, String)],
) -> Vec<String> {
    let root = platform::dir(plan);
    let mut dirs = vec![root.to_string()];
    dirs.extend(
        plan.environments
            .iter()
            .map(|e| format!("{root}/{}", e.name)),
    );
    let mut stale = Vec::new();
    for dir in dirs {
        for name in platform::FILES {
            let path = format!("{dir}/{name}");
            let ours = files.iter().any(|(p, _)| *p == path);
            let present = std::fs::symlink_metadata(out.join(&path)).is_ok_and(|m| m.is_file());
            if !ours && present {
                stale.push(path);
            }
        }
    }
    stale
}
