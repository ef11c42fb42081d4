//! The conversion report: one finding per ECS field that was not carried over exactly.
//!
//! Findings are data, never log lines: the rules add them, and the caller decides whether they
//! become a stderr summary, `ecs-import-report.json`, the chart README's migration notes, or a
//! `--strict` failure.

mod code;
mod severity;

pub(crate) use code::Code;
pub(crate) use severity::Severity;

use serde::Serialize;

use crate::json_path::JsonPath;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Finding {
    /// Stable code, e.g. `ECSI-W-EXEC-ROLE`; documented in the README.
    pub code: Code,
    pub severity: Severity,
    /// JSON pointer into the input document (`/containerDefinitions/0/ulimits`).
    pub pointer: String,
    /// What was found.
    pub message: String,
    /// What the converter did about it.
    pub action: String,
    /// The input value, for keys the converter does not know, so nothing is lost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// The environment whose input this came from, when converting several (`--env`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    /// A finding with the code's own severity.
    pub(crate) fn add(
        &mut self,
        code: Code,
        path: &JsonPath,
        message: impl Into<String>,
        action: impl Into<String>,
    ) {
        self.findings.push(Finding {
            code,
            severity: code.severity(),
            pointer: path.pointer(),
            message: message.into(),
            action: action.into(),
            value: None,
            environment: None,
        });
    }

    pub(crate) fn warn(
        &mut self,
        code: Code,
        path: &JsonPath,
        message: impl Into<String>,
        action: impl Into<String>,
    ) {
        debug_assert_eq!(code.severity(), Severity::Warning, "{code}");
        self.add(code, path, message, action);
    }

    pub(crate) fn info(
        &mut self,
        code: Code,
        path: &JsonPath,
        message: impl Into<String>,
        action: impl Into<String>,
    ) {
        debug_assert_eq!(code.severity(), Severity::Info, "{code}");
        self.add(code, path, message, action);
    }

    pub(crate) fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub(crate) fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }

    /// Stable order for output: by pointer, then code, so reports diff cleanly in review.
    pub(crate) fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (
                &a.environment,
                a.pointer.as_str(),
                a.code.as_str(),
                a.message.as_str(),
            )
                .cmp(&(
                    &b.environment,
                    b.pointer.as_str(),
                    b.code.as_str(),
                    b.message.as_str(),
                ))
        });
        self.findings.dedup();
    }
}
