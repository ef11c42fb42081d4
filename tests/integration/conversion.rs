//! The one way the integration tests run a conversion and look at what it made: a builder for
//! the command line, the chart it wrote, the chart rendered by each real Helm (and checked by
//! the strict Kubernetes schemas), and the pod inside a rendered workload.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::{cmd, render, root, Tools};

/// A conversion to run: the inputs and flags, in order.
#[derive(Debug, Clone, Default)]
pub struct Conversion {
    args: Vec<OsString>,
}

impl Conversion {
    pub fn of(input: impl AsRef<OsStr>) -> Self {
        Conversion {
            args: vec![input.as_ref().to_owned()],
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Runs it into `out`, whatever the outcome.
    pub fn run(&self, out: &Path) -> Output {
        cmd()
            .args(&self.args)
            .arg("--output")
            .arg(out)
            .output()
            .unwrap()
    }

    /// Runs it into `out` and insists that it succeeds.
    #[track_caller]
    pub fn succeeds(&self, out: &Path) -> Converted {
        let output = self.run(out);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{:?}: {stderr}", self.args);
        Converted {
            out: out.to_path_buf(),
            stderr,
        }
    }
}

/// What a successful conversion left behind.
pub struct Converted {
    pub out: PathBuf,
    pub stderr: String,
}

impl Converted {
    /// The one chart folder written (a folder with a Chart.yaml: not the lock's, not platform/).
    #[track_caller]
    pub fn chart(&self) -> PathBuf {
        let charts: Vec<PathBuf> = std::fs::read_dir(&self.out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("Chart.yaml").is_file())
            .collect();
        assert_eq!(
            charts.len(),
            1,
            "one chart in {}: {charts:?}",
            self.out.display()
        );
        charts.into_iter().next().unwrap()
    }

    /// The chart rendered by each Helm (label, documents), every document checked by the
    /// strict Kubernetes schemas.
    pub fn rendered(
        &self,
        tools: &Tools,
        home: &Path,
        extra: &[&str],
    ) -> Vec<(String, Vec<Value>)> {
        let chart = self.chart();
        tools
            .helms
            .iter()
            .map(|(label, helm)| {
                let docs = render(helm, home, &chart, extra);
                tools.validate_docs(&docs, &home.join(format!("rendered-{label}.yaml")));
                (label.to_string(), docs)
            })
            .collect()
    }
}

/// The only document of a kind.
#[track_caller]
pub fn only<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    let found: Vec<&Value> = docs.iter().filter(|d| d["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "one {kind}: {docs:?}");
    found[0]
}

/// The pod spec of a rendered workload (Deployment, StatefulSet, DaemonSet, Job or CronJob).
pub fn pod(workload: &Value) -> &Value {
    match workload["kind"].as_str() {
        Some("CronJob") => &workload["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        _ => &workload["spec"]["template"]["spec"],
    }
}

/// Every golden chart: (case, chart folder), sorted.
pub fn golden_charts() -> Vec<(String, PathBuf)> {
    let mut charts = Vec::new();
    for case in std::fs::read_dir(root().join("tests/golden")).unwrap() {
        let case = case.unwrap().path();
        for chart in std::fs::read_dir(&case).unwrap() {
            let chart = chart.unwrap().path();
            if chart.join("Chart.yaml").is_file() {
                let name = case.file_name().unwrap().to_string_lossy().into_owned();
                charts.push((name, chart));
            }
        }
    }
    charts.sort();
    assert!(
        charts.len() >= 15,
        "expected the golden charts of every fixture and example"
    );
    charts
}
