//! The plan's two files at the output root, written whole or not at all (a temporary file
//! renamed into place), and not rewritten when nothing changed.

use std::path::Path;

use super::model::MigrationPlan;
use crate::error::{Error, Result};

pub(crate) const MARKDOWN: &str = "MIGRATION.md";
pub(crate) const JSON: &str = "migration-plan.json";

/// The files' contents, deterministic for the same plan.
pub(crate) fn contents(plan: &MigrationPlan) -> [(&'static str, String); 2] {
    let mut json = serde_json::to_string_pretty(plan).expect("the plan serializes");
    json.push('\n');
    [(MARKDOWN, super::markdown::render(plan)), (JSON, json)]
}

/// Writes the files that differ; returns their names.
pub(crate) fn write(out: &Path, plan: &MigrationPlan) -> Result<Vec<&'static str>> {
    let mut written = Vec::new();
    for (name, text) in contents(plan) {
        let target = out.join(name);
        if std::fs::read(&target).is_ok_and(|old| old == text.as_bytes()) {
            continue;
        }
        let failed = |source| Error::Write {
            path: target.clone(),
            source,
        };
        let mut file = tempfile::NamedTempFile::new_in(out).map_err(failed)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(failed)?;
        file.persist(&target).map_err(|e| failed(e.error))?;
        written.push(name);
    }
    Ok(written)
}
