//! Everything the user sees on the terminal: the progress bar, one line per chart, warning
//! details, skipped inputs, error lines and the summary. Commands hand over data; the wording
//! lives here.

use std::path::{Path, PathBuf};

use crate::chart::merge::Outcome;
use crate::chart::write::{Change, WrittenChart};
use crate::error::Error;
use crate::report::{Code, Report};
use crate::workload::WorkloadKind;

/// Details for a handful of charts; a big batch points to the reports instead.
const DETAIL_LIMIT: usize = 10;

pub(crate) fn error(e: &Error) {
    eprintln!("Error: {e}");
}

pub(crate) fn progress(quiet: bool, len: usize) -> indicatif::ProgressBar {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} charts {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// What happened to one written chart, kept small so a big batch does not hold every chart.
pub(crate) struct Written {
    /// The inputs, as the user reads them (every environment's, with --env).
    pub sources: String,
    pub dir: PathBuf,
    pub kind: WorkloadKind,
    pub warnings: Vec<String>,
    pub notes: usize,
    pub values_files: Vec<String>,
    /// One line per generated file kept, merged or in conflict with the user's edits.
    pub merges: Vec<String>,
    pub conflicts: usize,
    /// What the run changes (or, with --check, would change) on disk.
    pub changes: Vec<Change>,
    /// Generated as last time: nothing was written.
    pub unchanged: bool,
}

/// One line per warning: `[env] CODE pointer: message; action`.
pub(crate) fn warning_lines(report: &Report) -> Vec<String> {
    report
        .warnings()
        .map(|f| {
            let env = f
                .environment
                .as_deref()
                .map(|e| format!("[{e}] "))
                .unwrap_or_default();
            format!("{env}{} {}: {}; {}", f.code, f.pointer, f.message, f.action)
        })
        .collect()
}

/// The lines of a conversion run: each chart, each failure, each skipped input, a summary.
/// Where the migration plan is, when it was written (an unchanged plan is not).
pub(crate) fn migration_plan(out: &Path, written: &[String], quiet: bool) {
    if quiet || written.is_empty() {
        return;
    }
    eprintln!(
        "Migration plan: {} ({})",
        out.join(crate::migration::write::MARKDOWN).display(),
        written.join(", ")
    );
}

pub(crate) fn conversion(
    outcomes: &[Result<Written, Error>],
    skipped: &[(PathBuf, String)],
    quiet: bool,
    check: bool,
) {
    let charts: Vec<&Written> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    let detail = charts.len() <= DETAIL_LIMIT;
    for outcome in outcomes {
        match outcome {
            Ok(w) => chart_lines(w, quiet || check, detail),
            Err(e) => error(e),
        }
    }
    // --check speaks only of drift and conflicts; its last line is the drift's.
    if quiet || check {
        return;
    }
    for (path, reason) in skipped {
        eprintln!("{}: skipped: {reason}", path.display());
    }
    if outcomes.len() + skipped.len() > 1 {
        summary(
            &charts,
            outcomes.len() - charts.len(),
            skipped.len(),
            detail,
        );
    }
}

/// The lines of one chart: what happened to it, its warnings (for a handful of charts) and
/// its merges; only its conflicts when `terse`, since a conflict needs the user regardless.
fn chart_lines(w: &Written, terse: bool, detail: bool) {
    if terse {
        for line in w.merges.iter().filter(|l| l.starts_with("conflict")) {
            eprintln!("{}: {line}", w.dir.display());
        }
        return;
    }
    let what = if w.unchanged { "unchanged" } else { "wrote" };
    eprintln!(
        "{}: {what} {} ({}, {} warning(s), {} note(s))",
        w.sources,
        w.dir.display(),
        w.kind.as_str(),
        w.warnings.len(),
        w.notes
    );
    // Warnings were shown when the chart was written, and stay in its report.
    if detail && !w.unchanged {
        for line in &w.warnings {
            eprintln!("  warning {line}");
        }
    }
    for line in &w.merges {
        eprintln!("  {line}");
    }
}

fn summary(charts: &[&Written], failures: usize, skipped: usize, detail: bool) {
    let with_warnings = charts.iter().filter(|w| !w.warnings.is_empty()).count();
    let unchanged = charts.iter().filter(|w| w.unchanged).count();
    let conflicted = charts.iter().filter(|w| w.conflicts > 0).count();
    let mut parts = Vec::new();
    if unchanged > 0 {
        parts.push(format!("{unchanged} unchanged"));
    }
    parts.push(format!("{with_warnings} with warnings"));
    if conflicted > 0 {
        parts.push(format!("{conflicted} with open conflicts"));
    }
    let pointer = if detail || with_warnings == 0 {
        String::new()
    } else {
        format!(
            "; warnings are in each chart's {}",
            crate::chart::REPORT_FILE
        )
    };
    eprintln!(
        "Summary: {} converted ({}), {skipped} skipped, {failures} failed{pointer}",
        charts.len(),
        parts.join(", "),
    );
}

/// A run that found nothing to convert: say so, and why each input was passed over.
pub(crate) fn nothing_converted(skipped: &[(PathBuf, String)]) {
    eprintln!("Error: nothing to convert: no task definition among the inputs");
    for (path, reason) in skipped {
        eprintln!("{}: skipped: {reason}", path.display());
    }
}

pub(crate) fn verified(dir: &Path, helm: &Path, dry_run: &str) {
    eprintln!(
        "{}: verified with {} (lint --strict, {dry_run})",
        dir.display(),
        helm.display()
    );
}

pub(crate) fn packaged(dir: &Path, path: &Path, digest: &str, note: &str) {
    eprintln!(
        "{}: packaged {} sha256:{digest}{note}",
        dir.display(),
        path.display()
    );
}

pub(crate) fn pushed(archive: &Path, what: &str) {
    eprintln!("{}: pushed {what}", archive.display());
}

pub(crate) fn published(repo: &str, what: &str, chart: &str) {
    eprintln!("{repo}: {what} {chart}");
}

/// One line per generated file the re-run did not simply replace.
pub(crate) fn merge_lines(written: &WrittenChart) -> Vec<String> {
    written
        .merges
        .iter()
        .map(|(rel, outcome)| match outcome {
            Outcome::Generated => format!("generated {rel}"),
            Outcome::Kept => format!("kept your edit of {rel}"),
            Outcome::Merged => format!("merged your edits of {rel} with the new conversion"),
            Outcome::Conflict(at) => format!(
                "conflict {} {rel}: {}: kept yours; the new version is {}/{}/{rel}",
                Code::MergeConflict.as_str(),
                at.join(", "),
                crate::chart::record::RECORD_DIR,
                crate::chart::record::NEW_DIR
            ),
        })
        .collect()
}

/// --check and --diff: lists (or shows) every change a re-run would make, and says whether
/// conflicts are open (never "No drift" then). True when a change is found.
pub(crate) fn drift<'a>(written: impl Iterator<Item = &'a Written>, diff: bool) -> bool {
    let mut drifted = false;
    let mut conflicts = 0;
    for w in written {
        conflicts += w.conflicts;
        for change in &w.changes {
            drifted = true;
            let path = w.dir.join(&change.rel);
            let what = match (&change.before, &change.after) {
                (None, _) => "would be created",
                (_, None) => "would be removed",
                _ => "would change",
            };
            eprintln!("{}: {what}", path.display());
            if diff {
                let text = |b: &Option<Vec<u8>>| {
                    String::from_utf8_lossy(b.as_deref().unwrap_or_default()).into_owned()
                };
                let (before, after) = (text(&change.before), text(&change.after));
                let patch = diffy::create_patch(&before, &after);
                let label = path.display().to_string();
                let body = patch.to_string();
                // diffy labels the sides "original" and "modified"; name the file instead.
                let body = body
                    .replacen("--- original", &format!("--- {label}"), 1)
                    .replacen("+++ modified", &format!("+++ {label}"), 1);
                print!("{body}");
            }
        }
    }
    if conflicts > 0 {
        eprintln!("{conflicts} conflict(s) open: your side is kept until you settle them by hand or re-run with --ours or --theirs.");
    } else if !drifted {
        eprintln!("No drift: a re-run would change nothing.");
    }
    drifted
}
