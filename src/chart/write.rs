//! Writes a chart directory so that nothing is ever half-written or lost. Each generated file is
//! merged with the user's edits (see `merge`); the chart is assembled in a folder beside the
//! target, with every file, folder and symlink the user added, and swapped into place in one
//! step.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Refusal, Result};
use crate::report::Finding;

use super::merge::{self, Outcome, Side};
use super::record::{Record, NEW_DIR, RECORD_DIR};
use super::Chart;

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// How a chart is written.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WriteOptions {
    /// Write into a folder this tool did not generate.
    pub force: bool,
    /// Which side wins a conflict; None: the user's, and the conflict stays open.
    pub side: Option<Side>,
    /// Work out what would change, and write nothing (--check, --diff).
    pub dry_run: bool,
}

/// A file a run changes on disk: its content before and after (None: absent).
pub(crate) struct Change {
    pub rel: String,
    pub before: Option<Vec<u8>>,
    pub after: Option<Vec<u8>>,
}

/// A chart written to disk (or, on a dry run, worked out).
pub(crate) struct WrittenChart {
    pub dir: PathBuf,
    /// Generated files not written as generated: kept, merged or in conflict.
    pub merges: Vec<(String, Outcome)>,
    /// Files whose content on disk changes.
    pub changes: Vec<Change>,
    /// What the re-import found, as written into the chart's report.
    pub findings: Vec<Finding>,
    /// The run generated what the last one did: nothing on disk was touched.
    pub unchanged: bool,
}

impl WrittenChart {
    fn untouched(dir: PathBuf) -> WrittenChart {
        WrittenChart {
            dir,
            merges: Vec::new(),
            changes: Vec::new(),
            findings: Vec::new(),
            unchanged: true,
        }
    }

    pub(crate) fn conflicts(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.merges.iter().filter_map(|(rel, o)| match o {
            Outcome::Conflict(at) => Some((rel.as_str(), at.as_slice())),
            _ => None,
        })
    }
}

/// The files a run ends with, before they are written.
#[derive(Default)]
struct Assembly {
    files: BTreeMap<String, Vec<u8>>,
    /// Generated last time, not now, and not edited: they go.
    removed: BTreeSet<String>,
    base: BTreeMap<String, Vec<u8>>,
    new_versions: Vec<(String, Vec<u8>)>,
    merges: Vec<(String, Outcome)>,
    changes: Vec<Change>,
    findings: Vec<Finding>,
}

/// The report as written: the conversion's findings and this re-import's, or the report on disk
/// when the chart is generated as it was (see `reimport::findings`).
fn report_reimport(
    chart: &Chart,
    target: &Path,
    record: Option<&Record>,
    a: &mut Assembly,
    options: WriteOptions,
) -> Result<()> {
    let rel = super::REPORT_FILE;
    let Some(findings) =
        super::reimport::findings(chart, record, &a.merges, options.side.is_some())
    else {
        if let Some(on_disk) = read_existing(&target.join(rel))? {
            a.files.insert(rel.to_string(), on_disk);
            a.changes.retain(|c| c.rel != rel);
        }
        return Ok(());
    };
    if findings.is_empty() {
        return Ok(());
    }
    let amended = chart.report_with(&findings);
    if options.dry_run {
        match a.changes.iter().position(|c| c.rel == rel) {
            Some(i) => a.changes[i].after = Some(amended.clone()),
            None => a.changes.push(Change {
                rel: rel.to_string(),
                before: a.files.get(rel).cloned(),
                after: Some(amended.clone()),
            }),
        }
        a.changes.retain(|c| c.before != c.after);
    }
    a.files.insert(rel.to_string(), amended);
    a.findings = findings;
    Ok(())
}

/// Writes `chart` to `out/<chart name>`.
pub(crate) fn write_chart(
    chart: &Chart,
    out: &Path,
    options: WriteOptions,
) -> Result<WrittenChart> {
    let target = out.join(&chart.name);
    if super::unchanged::unchanged(&target, &chart.files, chart.matches_record) {
        return Ok(WrittenChart::untouched(target));
    }
    if !options.dry_run {
        fs::create_dir_all(out).map_err(write_err(out))?;
    }
    let record = previous_record(&target, options.force)?;
    let assembly = assemble(chart, &target, record.as_ref(), options)?;
    if options.dry_run {
        return Ok(WrittenChart {
            dir: target,
            merges: assembly.merges,
            changes: assembly.changes,
            findings: assembly.findings,
            unchanged: false,
        });
    }
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{}.tmp-", chart.name))
        .tempdir_in(out)
        .map_err(write_err(out))?;
    // tempfile creates 0700 directories; a chart directory is as readable as any other.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(staging.path(), fs::Permissions::from_mode(0o755))
            .map_err(write_err(staging.path()))?;
    }
    super::recover::mark_staging(staging.path()).map_err(write_err(staging.path()))?;
    let record_files = Record::files(&chart.files, &assembly.base, chart.fingerprint.as_deref())
        .map_err(write_err(staging.path()))?;
    let new_versions = assembly
        .new_versions
        .iter()
        .map(|(rel, bytes)| (format!("{RECORD_DIR}/{NEW_DIR}/{rel}"), bytes));
    let everything = assembly
        .files
        .iter()
        .chain(record_files.iter().map(|(k, v)| (k, v)))
        .map(|(k, v)| (k.clone(), v))
        .chain(new_versions);
    let mut made = BTreeSet::new();
    for (rel, bytes) in everything {
        let path = staging.path().join(&rel);
        if let Some(parent) = path.parent().filter(|p| made.insert(p.to_path_buf())) {
            fs::create_dir_all(parent).map_err(write_err(parent))?;
        }
        fs::write(&path, bytes).map_err(write_err(&path))?;
    }
    if record.is_some() {
        let skip: BTreeSet<&str> = chart
            .files
            .keys()
            .chain(assembly.removed.iter())
            .map(String::as_str)
            .collect();
        carry_user_entries(&target, staging.path(), "", &skip)?;
    }
    swap_into_place(staging, &target)?;
    super::recover::unmark_staging(&target);
    Ok(WrittenChart {
        dir: target,
        merges: assembly.merges,
        changes: assembly.changes,
        findings: assembly.findings,
        unchanged: false,
    })
}

/// The record of the chart already at `target`: None when there is none; an error when the
/// folder is not the tool's (unless forced).
fn previous_record(target: &Path, force: bool) -> Result<Option<Record>> {
    if !target.exists() {
        return Ok(None);
    }
    if !target.is_dir() {
        return Err(Error::Refused {
            path: target.to_path_buf(),
            refusal: Refusal::NotADirectory,
        });
    }
    match Record::load(target)? {
        Some(r) => Ok(Some(r)),
        None if force => Ok(Some(Record::default())),
        None => Err(Error::Refused {
            path: target.to_path_buf(),
            refusal: Refusal::NotOurs,
        }),
    }
}

/// Generated files are far smaller (Helm loads 5 MiB per file); a bigger one is not ours.
const GENERATED_FILE_LIMIT: u64 = 16 << 20;

/// A generated file as it is on disk, to merge with: never through a link, never beyond
/// `GENERATED_FILE_LIMIT`.
fn read_existing(path: &Path) -> Result<Option<Vec<u8>>> {
    let not_ours = |what| {
        Err(Error::Refused {
            path: path.to_path_buf(),
            refusal: Refusal::NotAGeneratedFile(what, GENERATED_FILE_LIMIT >> 20),
        })
    };
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => return not_ours("is a link"),
        Ok(meta) if meta.is_file() && meta.len() > GENERATED_FILE_LIMIT => {
            return not_ours("is too large")
        }
        Ok(meta) if !meta.is_file() && !meta.is_dir() => return not_ours("is not a regular file"),
        _ => {}
    }
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if path.is_dir() => Err(Error::Refused {
            path: path.to_path_buf(),
            refusal: Refusal::FolderInTheWay(e.to_string()),
        }),
        Err(e) => Err(write_err(path)(e)),
    }
}

/// --ours or --theirs settles a conflict in this run: nothing is left open, no new version
/// kept aside, so the next run finds the chart as this one left it.
fn settled(
    mut m: merge::FileMerge,
    side: Option<merge::Side>,
    ours: Option<&[u8]>,
    theirs: &[u8],
) -> merge::FileMerge {
    if let (Outcome::Conflict(_), Some(_)) = (&m.outcome, side) {
        m.outcome = match m.bytes.as_deref() {
            b if b == ours => Outcome::Kept,
            Some(b) if b == theirs => Outcome::Generated,
            _ => Outcome::Merged,
        };
    }
    m
}

/// Merges every generated file with what is on disk and decides what goes.
fn assemble(
    chart: &Chart,
    target: &Path,
    record: Option<&Record>,
    options: WriteOptions,
) -> Result<Assembly> {
    let mut a = Assembly::default();
    // --force into a folder the tool never wrote: its files of the chart's names are replaced.
    let takeover = record.is_some_and(|r| r.digests.is_empty());
    for (rel, theirs) in &chart.files {
        let ours = match record {
            Some(_) if !takeover => read_existing(&target.join(rel))?,
            _ => None,
        };
        assemble_file(rel, theirs, ours, record, options, &mut a);
    }
    if let Some(followed) = super::follow_image::follow(&chart.files, &mut a.files, target) {
        // The merge base is the tool's own Chart.yaml for these values, so the next import
        // does not take the followed appVersion for the user's edit (unless an open conflict
        // on Chart.yaml keeps the old base). The digests stay the conversion's: they decide
        // the chart's version and the quiet re-run.
        if a.base.get("Chart.yaml") == chart.files.get("Chart.yaml") {
            a.base.insert("Chart.yaml".into(), followed);
        }
    }
    report_reimport(chart, target, record, &mut a, options)?;
    let Some(record) = record else {
        return Ok(a);
    };
    for rel in record
        .digests
        .keys()
        .filter(|r| !chart.files.contains_key(*r))
    {
        let Some(ours) = read_existing(&target.join(rel))? else {
            continue;
        };
        if record.base_of(rel, Some(&ours)) == Some(ours.as_slice()) {
            a.removed.insert(rel.clone());
            if options.dry_run {
                a.changes.push(Change {
                    rel: rel.clone(),
                    before: Some(ours),
                    after: None,
                });
            }
        } else {
            // Edited by the user: it is theirs now, and stays.
            a.merges.push((rel.clone(), Outcome::Kept));
        }
    }
    Ok(a)
}

/// One generated file merged with the user's (`ours`, None when there is none or it is not
/// read) on the record's base, into the assembly.
fn assemble_file(
    rel: &str,
    theirs: &[u8],
    ours: Option<Vec<u8>>,
    record: Option<&Record>,
    options: WriteOptions,
    a: &mut Assembly,
) {
    let side = options.side;
    let base = record.and_then(|r| r.base_of(rel, ours.as_deref()));
    let m = settled(
        merge::merge_file(rel, base, ours.as_deref(), theirs, side.unwrap_or_default()),
        side,
        ours.as_deref(),
        theirs,
    );
    // An open conflict keeps the old base, so the next run finds it again until the user
    // settles it (or says --ours / --theirs).
    let merge_base = match (&m.outcome, side, base) {
        (Outcome::Conflict(_), None, Some(b)) => Some(b.to_vec()),
        (Outcome::Conflict(_), None, None) => None,
        _ => Some(theirs.to_vec()),
    };
    if let Some(b) = merge_base {
        a.base.insert(rel.to_string(), b);
    }
    if matches!(m.outcome, Outcome::Conflict(_)) {
        a.new_versions.push((rel.to_string(), theirs.to_vec()));
        // The base once the user settles it (see `record::settle`).
        a.base.insert(super::record::pending(rel), theirs.to_vec());
    }
    if m.outcome != Outcome::Generated {
        a.merges.push((rel.to_string(), m.outcome));
    }
    // Only a dry run reports changes: a big batch does not hold every chart's bytes.
    if options.dry_run && m.bytes != ours {
        a.changes.push(Change {
            rel: rel.to_string(),
            before: ours,
            after: m.bytes.clone(),
        });
    }
    if let Some(bytes) = m.bytes {
        a.files.insert(rel.to_string(), bytes);
    }
}

/// Copies into `to` every folder, symlink and file of `from` that the tool does not own.
/// Nothing is read: a file is linked or copied by the file system, a link is made again as a
/// link, never followed.
fn carry_user_entries(from: &Path, to: &Path, prefix: &str, skip: &BTreeSet<&str>) -> Result<()> {
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(from)
        .map_err(write_err(from))?
        .filter_map(std::result::Result::ok)
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        if rel == RECORD_DIR || skip.contains(rel.as_str()) {
            continue;
        }
        let path = entry.path();
        let dest = to.join(&name);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            let link = fs::read_link(&path).map_err(write_err(&path))?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(&link, &dest).map_err(write_err(&dest))?;
        } else if meta.is_dir() {
            fs::create_dir_all(&dest).map_err(write_err(&dest))?;
            carry_user_entries(&path, &dest, &format!("{rel}/"), skip)?;
        } else if meta.is_file() && fs::hard_link(&path, &dest).is_err() {
            fs::copy(&path, &dest).map_err(write_err(&dest))?;
        }
    }
    Ok(())
}

/// Puts the assembled chart at `target` in one step: an atomic exchange where the file system
/// offers one, so no moment exists with the chart missing.
fn swap_into_place(staging: tempfile::TempDir, target: &Path) -> Result<()> {
    if !target.exists() {
        fs::rename(staging.path(), target).map_err(write_err(target))?;
        let _ = staging.keep();
        return Ok(());
    }
    if exchange(staging.path(), target).is_ok() {
        // The staging folder now holds the previous chart, which TempDir removes.
        return Ok(());
    }
    let out = target.parent().unwrap_or(Path::new("."));
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let backup = tempfile::Builder::new()
        .prefix(&format!(".{name}.old-"))
        .tempdir_in(out)
        .map_err(write_err(out))?;
    super::recover::mark_backup(backup.path()).map_err(write_err(backup.path()))?;
    let parked = backup.path().join("chart");
    fs::rename(target, &parked).map_err(write_err(target))?;
    if let Err(source) = fs::rename(staging.path(), target) {
        let _ = fs::rename(&parked, target);
        return Err(Error::Write {
            path: target.to_path_buf(),
            source,
        });
    }
    let _ = staging.keep();
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}
