//! The plan's files below the output folder (MIGRATION.md and migration-plan.json at the root,
//! platform/ beside the charts), each written whole or not at all (a temporary file renamed
//! into place), not rewritten when nothing changed; a platform file this run no longer
//! produces is removed, so the folder matches the plan.

use std::path::Path;

use super::model::MigrationPlan;
use super::platform;
use crate::error::{Error, Result};

pub(crate) const MARKDOWN: &str = "MIGRATION.md";
pub(crate) const JSON: &str = "migration-plan.json";

/// The files' contents by path below the output folder, deterministic for the same plan.
pub(crate) fn contents(plan: &MigrationPlan, auto_mode: bool) -> Vec<(String, String)> {
    let mut json = serde_json::to_string_pretty(plan).expect("the plan serializes");
    json.push('\n');
    let mut out = vec![
        (MARKDOWN.to_string(), super::markdown::render(plan)),
        (JSON.to_string(), json),
    ];
    out.extend(platform::files(plan, auto_mode));
    out
}

/// Writes the files that differ and removes stale platform files; returns what changed.
pub(crate) fn write(out: &Path, plan: &MigrationPlan, auto_mode: bool) -> Result<Vec<String>> {
    let files = contents(plan, auto_mode);
    // A link in place of platform/ would take the files elsewhere: it is not followed.
    let dir = out.join(platform::dir(plan));
    if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::Write {
            path: dir,
            source: std::io::Error::other("is a link; not followed"),
        });
    }
    let mut written = Vec::new();
    for (name, text) in &files {
        let target = out.join(name);
        if std::fs::read(&target).is_ok_and(|old| old == text.as_bytes()) {
            continue;
        }
        let failed = |source| Error::Write {
            path: target.clone(),
            source,
        };
        let dir = target.parent().unwrap_or(out);
        std::fs::create_dir_all(dir).map_err(failed)?;
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(failed)?;
        file.persist(&target).map_err(|e| failed(e.error))?;
        written.push(name.clone());
    }
    for stale in stale_platform_files(out, plan, &files) {
        let path = out.join(&stale);
        std::fs::remove_file(&path).map_err(|source| Error::Write { path, source })?;
        written.push(stale);
    }
    Ok(written)
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
