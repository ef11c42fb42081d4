//! `--verify`: the real Helm checks each written chart, with its default values or, for a chart
//! converted for several environments, with each environment's values file, so a CI job can
//! convert and check in one step.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Error;

/// Helm runs plugins with HELM_BIN set to itself; otherwise `helm` from the PATH.
pub(crate) fn helm_binary() -> PathBuf {
    std::env::var_os("HELM_BIN")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("helm"), PathBuf::from)
}

fn first_error_line(output: &std::process::Output) -> String {
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("Error") || l.starts_with("[ERROR]") || l.starts_with("[WARNING]"))
        .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("no output")
        .to_string()
}

/// How the chart's objects are checked after lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DryRun {
    /// `helm template`: rendered, checked by Helm alone.
    Client,
    /// `helm install --dry-run=server`: the cluster's API server validates and admits every
    /// object without creating it.
    Server,
}

impl DryRun {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DryRun::Client => "helm template",
            DryRun::Server => "helm install --dry-run=server",
        }
    }
}

/// Server when Helm reaches a cluster (its kubeconfig answers within a few seconds).
pub(crate) fn dry_run_mode(helm: &Path) -> DryRun {
    let Ok(mut child) = Command::new(helm)
        .args(["list", "--short", "--max", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    else {
        return DryRun::Client;
    };
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(10) {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return DryRun::Server,
            Ok(Some(_)) | Err(_) => return DryRun::Client,
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    DryRun::Client
}

/// Runs lint and a dry run over `chart` with each of `values_files`; returns every failure.
pub(crate) fn verify_chart(
    helm: &Path,
    chart: &Path,
    values_files: &[String],
    dry_run: DryRun,
) -> Vec<Error> {
    let mut errors = Vec::new();
    // A chart converted for several environments renders only with one of their files.
    let mut variants: Vec<Option<&String>> = Vec::new();
    if values_files.is_empty() {
        variants.push(None);
    }
    variants.extend(values_files.iter().map(Some));
    for values in variants {
        for action in ["lint", dry_run.as_str()] {
            let mut cmd = Command::new(helm);
            match (action, dry_run) {
                ("lint", _) => cmd.args(["lint", "--strict"]).arg(chart),
                (_, DryRun::Client) => cmd.args(["template", "verify"]).arg(chart),
                (_, DryRun::Server) => cmd
                    .args(["install", "--dry-run=server", "--generate-name"])
                    .arg(chart),
            };
            if let Some(v) = values {
                cmd.arg("-f").arg(chart.join(v));
            }
            let file = values.map_or("values.yaml", String::as_str).to_string();
            match cmd.output() {
                Ok(output) if output.status.success() => {}
                Ok(output) => errors.push(Error::Verify {
                    chart: chart.to_path_buf(),
                    values: file,
                    check: if action == "lint" {
                        "helm lint".into()
                    } else {
                        action.to_string()
                    },
                    message: first_error_line(&output),
                }),
                Err(e) => {
                    errors.push(Error::Verify {
                        chart: chart.to_path_buf(),
                        values: file,
                        check: if action == "lint" {
                            "helm lint".into()
                        } else {
                            action.to_string()
                        },
                        message: format!("cannot run {}: {e}", helm.display()),
                    });
                    return errors;
                }
            }
        }
    }
    errors
}
