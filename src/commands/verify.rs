//! `--verify`: the real Helm checks each written chart, with its default values and with each
//! environment's values file, so a CI job can convert and check in one step.

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

/// Runs lint and template over `chart` with each of `values_files`; returns every failure.
pub(crate) fn verify_chart(helm: &Path, chart: &Path, values_files: &[String]) -> Vec<Error> {
    let mut errors = Vec::new();
    let mut variants: Vec<Option<&String>> = vec![None];
    variants.extend(values_files.iter().map(Some));
    for values in variants {
        for action in ["lint", "template"] {
            let mut cmd = Command::new(helm);
            match action {
                "lint" => cmd.args(["lint", "--strict"]).arg(chart),
                _ => cmd.args(["template", "verify"]).arg(chart),
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
                    check: format!("helm {action}"),
                    message: first_error_line(&output),
                }),
                Err(e) => {
                    errors.push(Error::Verify {
                        chart: chart.to_path_buf(),
                        values: file,
                        check: format!("helm {action}"),
                        message: format!("cannot run {}: {e}", helm.display()),
                    });
                    return errors;
                }
            }
        }
    }
    errors
}
