//! What a re-import finds about itself: whether the conversion generated what it generated last
//! time, and the findings (StatefulSet fields needing a migration, merged edits, open conflicts)
//! that go into the written report.

use std::collections::BTreeMap;

use super::merge::Outcome;
use super::record::{Record, NEW_DIR, RECORD_DIR};
use super::Chart;
use crate::json_path::JsonPath;
use crate::report::{Code, Finding, Report};

/// Whether the conversion generated exactly what it generated last time.
pub(crate) fn generated_unchanged(record: &Record, files: &BTreeMap<String, Vec<u8>>) -> bool {
    digests_match(&record.digests, files)
}

/// Whether `files` are exactly the files `digests` recorded.
pub(crate) fn digests_match(
    digests: &BTreeMap<String, String>,
    files: &BTreeMap<String, Vec<u8>>,
) -> bool {
    digests.len() == files.len()
        && digests.iter().all(|(rel, digest)| {
            files
                .get(rel)
                .is_some_and(|bytes| crate::digest::sha256_hex(bytes) == *digest)
        })
}

/// The re-import's own findings, for the written report (the record keeps the report as
/// converted): StatefulSet fields that need a migration step, edits merged with a new
/// conversion, conflicts left open. They describe the last run that changed the chart, so
/// `None` when this run generates what the last one did: the report on disk then stays, like
/// every other file. An edit merely kept is no news and only printed, so an edit alone never
/// makes a chart drift.
pub(super) fn findings(
    chart: &Chart,
    record: Option<&Record>,
    merges: &[(String, Outcome)],
    side_chosen: bool,
) -> Option<Vec<Finding>> {
    if record.is_some_and(|r| !r.digests.is_empty() && generated_unchanged(r, &chart.files)) {
        return None;
    }
    let mut report = Report {
        findings: chart.reimport.clone(),
    };
    for (rel, outcome) in merges {
        let at = JsonPath::root().key(rel);
        match outcome {
            Outcome::Generated | Outcome::Kept => {}
            Outcome::Conflict(_) if side_chosen => {}
            Outcome::Merged => report.info(
                Code::EditMerged,
                &at,
                format!("your edit of {rel} is merged with the new conversion"),
                "both changes are in; review them with git diff",
            ),
            Outcome::Conflict(places) => report.warn(
                Code::MergeConflict,
                &at,
                format!("your edit and the new conversion differ at {}", places.join(", ")),
                format!("yours is kept; the new version is {RECORD_DIR}/{NEW_DIR}/{rel}; settle it by hand and delete that copy, or re-run with --ours or --theirs"),
            ),
        }
    }
    Some(report.findings)
}
