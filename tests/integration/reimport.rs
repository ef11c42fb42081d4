//! Re-importing keeps every edit: three-way merges of values, templates and README, drift
//! checks, conflicts, forbidden StatefulSet updates and recovery from a killed run.

use std::fs;
use std::path::Path;

use serde_json::{json, Value};

use crate::common::{cmd, ok, render, tools};
use crate::conversion::Conversion;

fn task(tag: &str, extra_env: bool) -> Value {
    let mut env = vec![json!({"name": "LOG_LEVEL", "value": "info"})];
    if extra_env {
        env.push(json!({"name": "FEATURE_X", "value": "on"}));
    }
    json!({
        "family": "shop",
        "containerDefinitions": [{
            "name": "shop",
            "image": format!("registry.example.com/shop:{tag}"),
            "essential": true,
            "memory": 512,
            "portMappings": [{"containerPort": 8080, "name": "http", "appProtocol": "http"}],
            "environment": env
        }]
    })
}

fn run(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    Conversion::of(input).args(extra).run(out)
}

fn write_task(path: &Path, tag: &str, extra_env: bool) {
    fs::write(
        path,
        serde_json::to_vec_pretty(&task(tag, extra_env)).unwrap(),
    )
    .unwrap();
}

fn replace_once(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    crate::common::tree(dir)
}

#[test]
fn edits_survive_a_reimport_and_check_sees_drift() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("shop.json");
    let out = tmp.path().join("charts");
    write_task(&input, "1.0.0", false);
    let first = run(&input, &out, &["--quiet"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let chart = out.join("shop");

    // The team's edits: a changed value with a comment, a new key, a template line, README,
    // a hand-written values-prod.yaml, an extra folder, a symlink and an empty folder.
    let values = chart.join("values.yaml");
    replace_once(
        &values,
        "replicaCount: 1\n",
        "# three for the launch\nreplicaCount: 3\n",
    );
    replace_once(
        &values,
        "podLabels: {}\n",
        "podLabels:\n  # ours\n  team: payments\n",
    );
    let deployment = chart.join("templates/deployment.yaml");
    replace_once(
        &deployment,
        "kind: Deployment\n",
        "kind: Deployment\n# reviewed by the platform team\n",
    );
    let readme = chart.join("README.md");
    let text = fs::read_to_string(&readme).unwrap();
    fs::write(
        &readme,
        format!("{text}\n## Runbook\n\nPage the payments team.\n"),
    )
    .unwrap();
    fs::write(chart.join("values-prod.yaml"), "replicaCount: 6\n").unwrap();
    fs::create_dir_all(chart.join("ci")).unwrap();
    fs::write(chart.join("ci/lint-values.yaml"), "replicaCount: 2\n").unwrap();
    fs::create_dir_all(chart.join("empty")).unwrap();
    std::os::unix::fs::symlink("values-prod.yaml", chart.join("values-live.yaml")).unwrap();

    // No input change yet: nothing drifts, and a re-run changes nothing.
    let check = run(&input, &out, &["--check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // The task definition changes: a new image tag and a new variable.
    write_task(&input, "1.1.0", true);
    let check = run(&input, &out, &["--check"]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(stderr.contains("values.yaml: would change"), "{stderr}");
    let diff = run(&input, &out, &["--diff"]);
    let patch = String::from_utf8_lossy(&diff.stdout);
    assert!(
        patch.contains("-      tag: \"1.0.0\"\n+      tag: \"1.1.0\"\n"),
        "{patch}"
    );
    assert!(
        fs::read_to_string(&values).unwrap().contains("1.0.0"),
        "--check and --diff write nothing"
    );

    let before_rerun = snapshot(&chart);
    let rerun = run(&input, &out, &[]);
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert!(rerun.status.success(), "{stderr}");
    assert!(
        stderr.contains("merged your edits of values.yaml"),
        "{stderr}"
    );
    assert!(
        reimport_findings(&out.join("shop"))
            .contains(&("ECSI-I-EDIT-MERGED".to_string(), "/values.yaml".to_string())),
        "{stderr}"
    );
    let values_text = fs::read_to_string(&values).unwrap();
    assert!(
        values_text.contains("# three for the launch\nreplicaCount: 3\n"),
        "{values_text}"
    );
    assert!(
        values_text.contains("podLabels:\n  # ours\n  team: payments\n"),
        "{values_text}"
    );
    assert!(values_text.contains("\"1.1.0\""), "{values_text}");
    assert!(values_text.contains("FEATURE_X"), "{values_text}");
    assert!(fs::read_to_string(&deployment)
        .unwrap()
        .contains("# reviewed by the platform team\n"));
    assert!(fs::read_to_string(&readme)
        .unwrap()
        .contains("Page the payments team."));
    assert_eq!(
        fs::read_to_string(chart.join("values-prod.yaml")).unwrap(),
        "replicaCount: 6\n"
    );
    assert_eq!(
        fs::read_to_string(chart.join("ci/lint-values.yaml")).unwrap(),
        "replicaCount: 2\n"
    );
    assert!(chart.join("empty").is_dir());
    assert_eq!(
        fs::read_link(chart.join("values-live.yaml")).unwrap(),
        Path::new("values-prod.yaml")
    );
    assert_ne!(before_rerun, snapshot(&chart));

    // Right after the re-run there is no drift; the same run again writes the same bytes.
    let check = run(&input, &out, &["--check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let settled = snapshot(&chart);
    assert!(run(&input, &out, &["--quiet"]).status.success());
    assert_eq!(settled, snapshot(&chart));

    // The merged chart is still one Helm renders, with the user's and the input's values
    // (without the symlink, which Helm renders with a warning).
    fs::remove_file(chart.join("values-live.yaml")).unwrap();
    if let Some(t) = tools() {
        for (_, helm) in &t.helms {
            let docs = render(
                helm,
                tmp.path(),
                &chart,
                &["-f", chart.join("values-prod.yaml").to_str().unwrap()],
            );
            let deploy = docs
                .iter()
                .find(|d| d["kind"] == "Deployment")
                .expect("a Deployment");
            assert_eq!(deploy["spec"]["replicas"], 6);
            assert_eq!(
                deploy["spec"]["template"]["metadata"]["labels"]["team"],
                "payments"
            );
            let container = &deploy["spec"]["template"]["spec"]["containers"][0];
            assert_eq!(container["image"], "registry.example.com/shop:1.1.0");
            assert!(container["env"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["name"] == "FEATURE_X"));
        }
    }
}

#[test]
fn a_conflicting_edit_is_kept_named_and_fails_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("shop.json");
    let out = tmp.path().join("charts");
    write_task(&input, "1.0.0", false);
    assert!(run(&input, &out, &["--quiet"]).status.success());
    let values = out.join("shop/values.yaml");
    replace_once(&values, "tag: \"1.0.0\"", "tag: \"1.0.0-patched\"");
    write_task(&input, "2.0.0", false);

    let rerun = run(&input, &out, &[]);
    assert_eq!(rerun.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert!(
        stderr.contains(
            "conflict ECSI-W-CONFLICT values.yaml: containers.shop.image.tag: kept yours"
        ),
        "{stderr}"
    );
    assert_eq!(
        reimport_findings(&out.join("shop")),
        [("ECSI-W-CONFLICT".to_string(), "/values.yaml".to_string())]
    );
    let text = fs::read_to_string(&values).unwrap();
    assert!(
        text.contains("1.0.0-patched") && !text.contains("2.0.0"),
        "{text}"
    );
    let theirs = fs::read_to_string(out.join("shop/.ecs-import/new/values.yaml")).unwrap();
    assert!(theirs.contains("\"2.0.0\""));
    // The chart the user keeps still lints.
    if let Some(t) = tools() {
        for (_, helm) in &t.helms {
            ok(
                &crate::common::helm(
                    helm,
                    tmp.path(),
                    &["lint", "--strict", out.join("shop").to_str().unwrap()],
                ),
                "lint",
            );
        }
    }
    // The conflict stays open until a side is chosen.
    assert_eq!(run(&input, &out, &["--quiet"]).status.code(), Some(1));
    assert_eq!(run(&input, &out, &["--check"]).status.code(), Some(1));
    let theirs_wins = run(&input, &out, &["--theirs", "--quiet"]);
    assert!(theirs_wins.status.success());
    assert!(fs::read_to_string(&values).unwrap().contains("\"2.0.0\""));
    assert!(run(&input, &out, &["--check"]).status.success());
}

/// A README conflict settled with --ours stays settled: the very next run changes nothing and
/// keeps nothing aside.
#[test]
fn a_conflict_settled_with_a_side_is_settled_in_that_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("shop.json");
    let out = tmp.path().join("charts");
    write_task(&input, "1.0.0", false);
    assert!(run(&input, &out, &["--quiet"]).status.success());
    let readme = out.join("shop/README.md");
    replace_once(&readme, "`\"1.0.0\"` |", "`\"1.0.0\"` (pinned by ops) |");
    write_task(&input, "2.0.0", false);
    assert_eq!(run(&input, &out, &["--quiet"]).status.code(), Some(1));
    let settled = run(&input, &out, &["--ours"]);
    let stderr = String::from_utf8_lossy(&settled.stderr);
    assert!(settled.status.success(), "{stderr}");
    assert!(
        stderr.contains("kept your edit of README.md") && !stderr.contains("conflict"),
        "{stderr}"
    );
    assert!(!out.join("shop/.ecs-import/new").exists());
    let before = snapshot(&out.join("shop"));
    let next = run(&input, &out, &[]);
    let stderr = String::from_utf8_lossy(&next.stderr);
    assert!(stderr.contains("unchanged"), "{stderr}");
    assert_eq!(snapshot(&out.join("shop")), before);
    assert!(fs::read_to_string(&readme)
        .unwrap()
        .contains("(pinned by ops)"));
}

/// A note at the end of a line whose value the input changes moves with the new value.
#[test]
fn an_end_of_line_comment_on_a_changed_value_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("shop.json");
    let out = tmp.path().join("charts");
    write_task(&input, "1.0.0", false);
    assert!(run(&input, &out, &["--quiet"]).status.success());
    let values = out.join("shop/values.yaml");
    replace_once(&values, "tag: \"1.0.0\"", "tag: \"1.0.0\" # bumped by CI");
    write_task(&input, "2.0.0", false);
    let rerun = run(&input, &out, &[]);
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert!(rerun.status.success(), "{stderr}");
    assert!(fs::read_to_string(&values)
        .unwrap()
        .contains("tag: \"2.0.0\" # bumped by CI"));
}

#[test]
fn a_killed_run_is_recovered_and_leftovers_cleaned() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("shop.json");
    let out = tmp.path().join("charts");
    write_task(&input, "1.0.0", false);
    assert!(run(&input, &out, &["--quiet"]).status.success());
    fs::write(out.join("shop/values-prod.yaml"), "replicaCount: 6\n").unwrap();
    // A run killed between parking the old chart and moving the new one in: the chart is
    // missing, the user's files sit in the parked copy, and a half-built staging folder remains.
    // (The tool marks its own leftovers: a backup holds .ecs-import-backup, a staging folder
    // .ecs-import/staging.)
    let parked = out.join(".shop.old-KILLED");
    fs::create_dir_all(&parked).unwrap();
    fs::write(parked.join(".ecs-import-backup"), "").unwrap();
    fs::rename(out.join("shop"), parked.join("chart")).unwrap();
    fs::create_dir_all(out.join(".shop.tmp-KILLED/templates")).unwrap();
    fs::create_dir_all(out.join(".shop.tmp-KILLED/.ecs-import")).unwrap();
    fs::write(out.join(".shop.tmp-KILLED/.ecs-import/staging"), "").unwrap();
    // Entries of the user's that only look like leftovers are never touched: a folder, a
    // file, and a link whose target would otherwise be moved into the output.
    fs::create_dir_all(out.join(".notes.tmp-2024")).unwrap();
    fs::write(out.join(".notes.tmp-2024/todo.txt"), "mine").unwrap();
    fs::write(out.join(".env.tmp-local"), "SECRET=1").unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir_all(elsewhere.join("chart")).unwrap();
    fs::write(elsewhere.join(".ecs-import-backup"), "").unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join(".stolen.old-1")).unwrap();

    assert!(run(&input, &out, &["--quiet"]).status.success());
    assert_eq!(
        fs::read_to_string(out.join(".notes.tmp-2024/todo.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        fs::read_to_string(out.join(".env.tmp-local")).unwrap(),
        "SECRET=1"
    );
    assert!(
        elsewhere.join("chart").is_dir(),
        "a link's target is never moved"
    );
    assert!(!out.join("stolen").exists());
    assert!(fs::symlink_metadata(out.join(".stolen.old-1")).is_ok());
    assert_eq!(
        fs::read_to_string(out.join("shop/values-prod.yaml")).unwrap(),
        "replicaCount: 6\n"
    );
    let left: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".shop."))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_changed_claim_template_is_reported_and_raises_the_minor_version() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("db.json");
    let out = tmp.path().join("charts");
    let db = || {
        json!({
            "family": "db",
            "containerDefinitions": [{
                "name": "db", "image": "postgres:16.4", "essential": true, "memory": 1024,
                "mountPoints": [{"sourceVolume": "data", "containerPath": "/var/lib/postgresql/data"}]
            }],
            "volumes": [{"name": "data", "host": {"sourcePath": "/mnt/ebs/db"}}]
        })
    };
    fs::write(&input, serde_json::to_vec(&db()).unwrap()).unwrap();
    let first = run(&input, &out, &["--quiet", "--volume-size", "data=20Gi"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let rerun = run(&input, &out, &["--volume-size", "data=50Gi"]);
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert!(
        stderr.contains("ECSI-W-STATEFULSET-UPDATE /values.yaml/persistence/data:"),
        "{stderr}"
    );
    assert!(stderr.contains("--cascade=orphan"), "{stderr}");
    let chart_yaml = fs::read_to_string(out.join("db/Chart.yaml")).unwrap();
    assert!(chart_yaml.contains("version: \"0.2.0\""), "{chart_yaml}");
    // The outcome is a finding like every other, in the report.
    let report = reimport_findings(&out.join("db"));
    assert_eq!(
        report,
        [(
            "ECSI-W-STATEFULSET-UPDATE".to_string(),
            "/values.yaml/persistence/data".to_string()
        )]
    );
}

#[test]
fn strict_refuses_a_reimport_that_needs_a_statefulset_migration() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("pg.json");
    let out = tmp.path().join("charts");
    let example =
        fs::read_to_string(crate::common::root().join("examples/postgresql.json")).unwrap();
    fs::write(&input, &example).unwrap();
    let first = run(&input, &out, &["--quiet", "--strict"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    fs::write(
        &input,
        example.replace("\"size\": \"50\"", "\"size\": \"80\""),
    )
    .unwrap();
    let strict = run(&input, &out, &["--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(
        stderr.contains("1 warning(s) in the conversion report and --strict is set (first: ECSI-W-STATEFULSET-UPDATE at /values.yaml/persistence/pgdata)"),
        "{stderr}"
    );
    let chart_yaml = fs::read_to_string(out.join("orders-postgres/Chart.yaml")).unwrap();
    assert!(
        chart_yaml.contains("version: \"0.1.0\""),
        "--strict wrote the chart: {chart_yaml}"
    );
    // Without --strict the same re-import is written, and says so in its report.
    assert!(run(&input, &out, &["--quiet"]).status.success());
    assert_eq!(
        reimport_findings(&out.join("orders-postgres")),
        [(
            "ECSI-W-STATEFULSET-UPDATE".to_string(),
            "/values.yaml/persistence/pgdata".to_string()
        )]
    );
    // A re-run that generates the same chart leaves the report (and its finding) as it is.
    let report = out.join("orders-postgres/ecs-import-report.json");
    let before = fs::read(&report).unwrap();
    assert!(run(&input, &out, &["--check"]).status.success());
    assert!(run(&input, &out, &["--quiet"]).status.success());
    assert_eq!(fs::read(&report).unwrap(), before);
}

/// The findings of ecs-import-report.json whose pointer is a chart file: the re-import's own.
fn reimport_findings(chart: &std::path::Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(chart.join("ecs-import-report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let pointer = f["pointer"].as_str().unwrap();
            ["/values.yaml", "/Chart.yaml", "/templates", "/README.md"]
                .iter()
                .any(|p| pointer.starts_with(p))
        })
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["pointer"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn two_conversions_into_one_output_take_turns() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("shop.json");
    let out = tmp.path().join("charts");
    write_task(&input, "1.0.0", false);
    let runs: Vec<_> = (0..4)
        .map(|_| {
            cmd()
                .arg(&input)
                .arg("--output")
                .arg(&out)
                .arg("--quiet")
                .spawn()
                .unwrap()
        })
        .collect();
    for mut r in runs {
        assert!(r.wait().unwrap().success());
    }
    assert!(out.join("shop/Chart.yaml").is_file());
}
