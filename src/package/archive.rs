//! Chart archives laid out as `helm package` lays them out (`<name>/Chart.yaml` first, then
//! values, schema, templates, other files), but byte-reproducible: sorted entries, fixed
//! modes and owners, a fixed mtime (`SOURCE_DATE_EPOCH`, else 0) and a gzip header without a
//! time. The same chart always gives the same digest.

use std::io::Write;
use std::path::Path;

use flate2::{Compression, GzBuilder};

use super::helmignore::Rules;

/// Files of a chart directory, relative with `/`, in Helm's archive order, ignored ones left out.
pub fn chart_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let rules = match std::fs::read_to_string(dir.join(".helmignore")) {
        Ok(text) => Rules::parse(&text).map_err(|e| format!(".helmignore: {e}"))?,
        Err(_) => Rules::parse("")?,
    };
    let mut files = Vec::new();
    walk(dir, "", &rules, &mut files).map_err(|e| e.to_string())?;
    files.sort_by(|(a, _), (b, _)| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    Ok(files)
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

fn walk(
    dir: &Path,
    prefix: &str,
    rules: &Rules,
    out: &mut Vec<(String, Vec<u8>)>,
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
        let is_dir = entry.file_type()?.is_dir() || entry.path().is_dir();
        if rules.ignored(&rel, is_dir) {
            continue;
        }
        if is_dir {
            walk(&entry.path(), &rel, rules, out)?;
        } else {
            out.push((rel, std::fs::read(entry.path())?));
        }
    }
    Ok(())
}

/// Seconds since the epoch for every entry: `SOURCE_DATE_EPOCH` when set, else 0.
pub fn mtime() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The `.tgz` bytes of a chart named `name` with these files.
pub fn tgz(name: &str, files: &[(String, Vec<u8>)], mtime: u64) -> std::io::Result<Vec<u8>> {
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
    let mut gz = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::best());
    gz.write_all(&tar)?;
    gz.finish()
}
