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
    let mut files = Vec::new();
    let read = |path: PathBuf| move |source| Error::Read { path, source };
    for entry in crate::walk::files(dir, &mut keep).map_err(read(dir.to_path_buf()))? {
        let bytes = std::fs::read(&entry.path).map_err(read(entry.path.clone()))?;
        files.push((entry.rel, bytes));
    }
    in_archive_order(&mut files);
    Ok(files)
}

/// The files of a chart held in memory that `.helmignore` (among them) keeps, in archive order.
pub(crate) fn kept_files(
    files: impl IntoIterator<Item = (String, Vec<u8>)>,
) -> Result<Vec<(String, Vec<u8>)>, ArchiveProblem> {
    let files: Vec<(String, Vec<u8>)> = files.into_iter().collect();
    let text = files
        .iter()
        .find(|(rel, _)| rel == ".helmignore")
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .unwrap_or_default();
    let rules = Rules::parse(&text)?;
    let ignored = |rel: &str| {
        let mut dirs = rel.match_indices('/').map(|(i, _)| &rel[..i]);
        rules.ignored(rel, false) || dirs.any(|d| rules.ignored(d, true))
    };
    let mut kept: Vec<_> = files.into_iter().filter(|(rel, _)| !ignored(rel)).collect();
    in_archive_order(&mut kept);
    Ok(kept)
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
    files: impl IntoIterator<Item = &'a (String, Vec<u8>)>,
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
        tar.append_data(&mut header, format!("{name}/{rel}"), bytes.as_slice())?;
    }
    let tar = tar.into_inner()?;
    // Level 1: archives of generated charts are small either way (about 23 KiB against
    // Helm's 15 KiB at level 6), and packaging 2000 charts takes half the time.
    let mut gz = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::fast());
    gz.write_all(&tar)?;
    gz.finish()
}
