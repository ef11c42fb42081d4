//! Every kind of ECS workload: a DAEMON service becomes a DaemonSet, a task run once a Job,
//! a scheduled task a CronJob with its schedule translated; all share the pod template.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::common::{cmd, render, root, tools};
use crate::conversion::{only, pod, Conversion};

fn convert(input: &Path, out: &Path, extra: &[&str]) -> (PathBuf, String) {
    let converted = Conversion::of(input).args(extra).succeeds(out);
    (converted.chart(), converted.stderr)
}

fn validate(tools: &crate::common::Tools, docs: &[Value], dir: &Path) {
    tools.validate_docs(docs, &dir.join("rendered.yaml"));
}

#[test]
fn a_daemon_service_becomes_a_daemonset() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let converted = Conversion::of(root().join("tests/fixtures-kinds/daemon")).succeeds(out.path());
    assert!(
        converted.stderr.contains("(DaemonSet,"),
        "{}",
        converted.stderr
    );
    let chart = converted.chart();
    for (label, docs) in converted.rendered(&tools, home.path(), &[]) {
        let ds = only(&docs, "DaemonSet");
        assert!(
            docs.iter()
                .all(|d| d["kind"] != "Deployment" && d["kind"] != "Service"),
            "{label}: no Deployment, no Service without ports"
        );
        assert_eq!(
            ds["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "50%", "maxSurge": "0%"}}),
            "{label}"
        );
        let pod = pod(ds);
        assert!(
            pod["tolerations"]
                .as_array()
                .unwrap()
                .contains(&json!({"operator": "Exists"})),
            "{label}"
        );
        assert_eq!(pod["hostNetwork"], true);
        assert!(ds["spec"]["replicas"].is_null());
    }
    let report = fs::read_to_string(chart.join("ecs-import-report.json")).unwrap();
    assert!(
        report.contains("ECSI-I-DAEMON") && report.contains("hostNetwork"),
        "{report}"
    );
    assert!(fs::read_to_string(chart.join("README.md"))
        .unwrap()
        .contains("**DaemonSet**"));

    // The same from a task definition alone.
    let out = tempfile::tempdir().unwrap();
    let (chart, _) = convert(
        &root().join("tests/fixtures/node-agent/task-definition.json"),
        out.path(),
        &["--workload", "daemonset"],
    );
    for (label, bin) in &tools.helms {
        let docs = render(bin, home.path(), &chart, &[]);
        assert!(
            only(&docs, "DaemonSet")["spec"]["updateStrategy"].is_null(),
            "{label}: Kubernetes' default"
        );
    }
}

#[test]
fn a_task_run_once_is_a_job_and_a_scheduled_one_a_cronjob() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let input = root().join("examples/web-with-sidecar.json");
    let out = tempfile::tempdir().unwrap();
    let (chart, _) = convert(&input, out.path(), &["--workload", "job"]);
    for (label, bin) in &tools.helms {
        let docs = render(bin, home.path(), &chart, &[]);
        let job = only(&docs, "Job");
        assert_eq!(
            job["spec"]["template"]["spec"]["restartPolicy"], "Never",
            "{label}"
        );
        assert_eq!(job["spec"]["backoffLimit"], 0);
        assert_eq!(job["spec"]["ttlSecondsAfterFinished"], 86400);
        assert!(
            docs.iter()
                .all(|d| d["kind"] != "Service" && d["kind"] != "Deployment"),
            "{label}"
        );
        validate(&tools, &docs, out.path());
        let retried = render(
            bin,
            home.path(),
            &chart,
            &[
                "--set",
                "job.restartPolicy=OnFailure",
                "--set",
                "job.backoffLimit=3",
            ],
        );
        let job = only(&retried, "Job");
        assert_eq!(
            job["spec"]["template"]["spec"]["restartPolicy"],
            "OnFailure"
        );
        assert_eq!(job["spec"]["backoffLimit"], 3);
    }

    // (expression, time zone flag, expected cron, expected zone, exact)
    let schedules = [
        ("cron(0 3 ? * 2-6 *)", None, "0 3 * * 1-5", "Etc/UTC", true),
        ("rate(15 minutes)", None, "*/15 * * * *", "Etc/UTC", true),
        (
            "cron(30 6 1 * ? *)",
            Some("Europe/Paris"),
            "30 6 1 * *",
            "Europe/Paris",
            true,
        ),
        ("cron(0 12 L * ? *)", None, "0 12 28 * *", "Etc/UTC", false),
    ];
    for (expr, zone, cron, want_zone, exact) in schedules {
        let out = tempfile::tempdir().unwrap();
        let mut args = vec!["--workload", "cronjob", "--schedule", expr];
        if let Some(z) = zone {
            args.extend(["--time-zone", z]);
        }
        let (chart, stderr) = convert(&input, out.path(), &args);
        assert_eq!(
            !stderr.contains("ECSI-W-SCHEDULE"),
            exact,
            "{expr}: {stderr}"
        );
        if !exact {
            assert!(
                stderr.contains(expr),
                "the warning names the expression: {stderr}"
            );
        }
        for (label, bin) in &tools.helms {
            let docs = render(bin, home.path(), &chart, &[]);
            let cj = only(&docs, "CronJob");
            assert_eq!(cj["spec"]["schedule"], cron, "{label} {expr}");
            assert_eq!(cj["spec"]["timeZone"], want_zone);
            assert_eq!(cj["spec"]["suspend"], false);
            assert_eq!(cj["spec"]["concurrencyPolicy"], "Forbid");
            let job = &cj["spec"]["jobTemplate"]["spec"];
            assert_eq!(job["parallelism"], 1);
            assert_eq!(job["template"]["spec"]["restartPolicy"], "Never");
            assert!(
                job["ttlSecondsAfterFinished"].is_null(),
                "history limits govern a CronJob's jobs"
            );
            validate(&tools, &docs, out.path());
        }
    }
    let bad = cmd()
        .arg(&input)
        .args(["--workload", "cronjob"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let bad = cmd()
        .arg(&input)
        .args(["--workload", "cronjob", "--schedule", "cron(0 9 * *)"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("six"));
}
