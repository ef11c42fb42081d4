//! Chart archives laid out as `helm package` lays them out (`<name>/Chart.yaml` first, then
//! values, schema, templates, other files), but byte-reproducible: sorted entries, fixed
//! modes and owners, a fixed mtime (`SOURCE_DATE_EPOCH`, else 0) and a gzip header without a
//! time. The same chart always gives the same digest.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};

use super::helmignore::Rules;
use crate::error::{ArchiveProblem, Error, Refusal};

/// Files of a chart directory, relative with `/`, in Helm's archive order, ignored ones left out.
pub(crate) fn chart_files(dir: &Path) -> crate::error::Result<Vec<(String, Vec<u8>)>> {
    let refused = |problem| Error::Refused {
        path: dir.to_path_buf(),
        refusal: Refusal::Archive(problem),
    };
    let rules = match std::fs::read_to_string(dir.join(".helmignore")) {
        Ok(text) => Rules::parse(&text).map_err(refused)?,
        Err(_) => Rules::parse("").map_err(refused)?,
    };
    let mut keep = |rel: &str, is_dir: bool| !rules.ignored(rel, is_dir);
    let read = |path: PathBuf| move |source| Error::Read { path, source };
    let walk = crate::walk::walk_all(dir, &mut keep).map_err(read(dir.to_path_buf()))?;
    // Helm would follow a link to a device or a FIFO and read it: refused, named.
    if let Some((path, _)) = walk.skipped.first() {
        let rel = path.strip_prefix(dir).unwrap_or(path).to_string_lossy();
        return Err(Error::Refused {
            path: path.clone(),
            refusal: Refusal::Archive(ArchiveProblem::NotAFile(rel.into_owned())),
        });
    }
    let mut files = Vec::new();
    let mut total = 0;
    for entry in walk.files {
        let bytes = read_within_limits(&entry.path, &entry.rel, &mut total)?;
        files.push((entry.rel, bytes));
    }
    in_archive_order(&mut files);
    Ok(files)
}

/// A file of a chart folder, read only when Helm would load it: a regular file (a link is
/// followed to one) within Helm's limit for one file and, with the files before it (`total`),
/// for the chart. Its size is checked before anything is read, and the read stops at it.
pub(crate) fn read_within_limits(
    path: &Path,
    rel: &str,
    total: &mut u64,
) -> crate::error::Result<Vec<u8>> {
    use std::io::Read;
    let refused = |problem| Error::Refused {
        path: path.to_path_buf(),
        refusal: Refusal::Archive(problem),
    };
    let read = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read)?;
    let meta = file.metadata().map_err(read)?;
    if !meta.is_file() {
        return Err(refused(ArchiveProblem::NotAFile(rel.to_string())));
    }
    let limit = super::inspect::MAX_FILE_BYTES;
    if meta.len() > limit {
        return Err(refused(ArchiveProblem::FileTooLarge {
            name: rel.to_string(),
            limit_mib: limit >> 20,
        }));
    }
    *total += meta.len();
    if *total > super::inspect::MAX_CHART_BYTES {
        return Err(refused(ArchiveProblem::ChartTooLarge(
            super::inspect::MAX_CHART_BYTES >> 20,
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file that grows while read is cut at the size it had: still within the limit.
    file.take(meta.len())
        .read_to_end(&mut bytes)
        .map_err(read)?;
    Ok(bytes)
}

fn in_archive_order(files: &mut [(String, Vec<u8>)]) {
    files.sort_by(|(a, _), (b, _)| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
}

fn rank(path: &str) -> u8 {
    match path {
        "Chart.yaml" => 0,
        "Chart.lock" => 1,
        "values.yaml" => 2,
        "values.schema.json" => 3,
        p if p.starts_with("templates/") => 4,
        _ => 5,
    }
}

/// Seconds since the epoch for every entry: `SOURCE_DATE_EPOCH` when set, else 0.
pub(crate) fn mtime() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The `.tgz` bytes of a chart named `name` with these files.
pub(crate) fn tgz<'a>(
    name: &str,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    mtime: u64,
) -> std::io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    tar.mode(tar::HeaderMode::Deterministic);
    for (rel, bytes) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, format!("{name}/{rel}"), bytes)?;
    }
    let tar = tar.into_inner()?;
    // Level 1: archives of generated charts are small either way (about 23 KiB against
    // Helm's 15 KiB at level 6), and packaging 2000 charts takes half the time. The tar goes
    // to the compressor in one piece: fed in pieces, zlib-rs makes other (valid) bytes, and
    // an archive's digest is what decides whether a published chart changed.
    let mut gz = GzBuilder::new()
        .mtime(0)
        .write(Vec::with_capacity(tar.len() / 3), Compression::fast());
    gz.write_all(&tar)?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A published chart keeps its version while its archive's digest stays the same, so the
    /// bytes for the same files must not change between releases of this tool: a change of
    /// compressor, level or the way the tar is fed to it fails here first.
    #[test]
    fn the_same_files_give_the_same_bytes_as_in_earlier_releases() {
        let values = "replicaCount: 2\n".repeat(2000);
        let files = [
            (
                "Chart.yaml",
                "apiVersion: v2\nname: web\nversion: 0.1.0\n".as_bytes(),
            ),
            ("values.yaml", values.as_bytes()),
            ("templates/a.yaml", b"kind: ConfigMap\n".as_slice()),
        ];
        let bytes = tgz("web", files, 0).unwrap();
        assert_eq!(
            crate::digest::sha256_hex(&bytes),
            "c84b5a6b6be9dda683b271954065276d98db118312082c15b07dfcb10ef645e3",
            "{} bytes",
            bytes.len()
        );
    }
}
