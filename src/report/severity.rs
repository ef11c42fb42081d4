//! How much a finding matters: `--strict` fails on warnings.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// Carried over, but worth a reviewer's look (a default filled in, a read-only field dropped).
    Info,
    /// Not carried over exactly: behaviour on EKS may differ. `--strict` fails on these.
    Warning,
}
