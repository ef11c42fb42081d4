//! What a chart is generated from, as one digest: this program's own build (its executable, so
//! any rebuild counts, whatever changed in the code or its templates) and every input the chart stage reads (the
//! mapped workloads, their findings, sources and environments, the chart options). Recorded
//! with each written chart, so a re-run or a drift check whose fingerprint matches knows the
//! chart is unchanged without generating it again. A false mismatch only costs time: the
//! chart is then generated and compared by content.

use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::pipeline::map_unit::Mapped;
use crate::settings::Settings;

/// This build: the version and the executable's identity on disk (size, modification time,
/// inode), which any rebuild changes; read once per run. None when the executable cannot be
/// found, and then nothing is taken as unchanged by fingerprint.
fn build_id() -> Option<&'static str> {
    static ID: OnceLock<Option<String>> = OnceLock::new();
    ID.get_or_init(|| {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
        Some(format!(
            "{} {} {}.{} {}:{}",
            env!("CARGO_PKG_VERSION"),
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.dev(),
            meta.ino()
        ))
    })
    .as_deref()
}

/// The fingerprint of a chart made from `members` (one per environment, in order); `envs`
/// names every environment of the run.
pub(crate) fn of(members: &[&Mapped], envs: &[String], settings: &Settings) -> Option<String> {
    let mut text = String::new();
    let _ = write!(
        text,
        "{}\n{:?}\n{:?}\n{envs:?}\n",
        build_id()?,
        settings.chart,
        settings.name
    );
    for m in members {
        let _ = write!(
            text,
            "{:?}\n{:?}\n{:?}\n{:?}\n",
            m.source, m.env, m.workload, m.report
        );
    }
    Some(crate::digest::sha256_hex(text.as_bytes()))
}
