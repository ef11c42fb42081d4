//! Scheduled tasks from the inputs teams have (describe-rule + list-targets-by-rule,
//! get-schedule, CDK's ScheduledFargateTask, hand-written YAML CloudFormation) become CronJobs
//! with exactly translated schedules; YAML templates convert like their JSON twins.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{cmd, convert_all, render, root, tools, tree};

fn kinds(name: &str) -> PathBuf {
    root().join("tests/fixtures-kinds").join(name)
}

#[test]
fn scheduled_tasks_become_cronjobs_with_their_schedule() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    // (fixture, chart, cron, time zone, suspend, parallelism, command of the first container)
    let cases = [
        (
            "scheduled-rule",
            "nightly-report",
            "0 2 * * MON-FRI",
            "Etc/UTC",
            true,
            2,
            "python",
        ),
        (
            "scheduled-scheduler",
            "billing-export",
            "30 6 1 * *",
            "Europe/Paris",
            false,
            1,
            "",
        ),
        (
            "scheduled-cdk",
            "cleanup",
            "*/15 * * * *",
            "Etc/UTC",
            false,
            1,
            "sh",
        ),
    ];
    for (fixture, chart_name, cron, zone, suspend, parallelism, command) in cases {
        let out = tempfile::tempdir().unwrap();
        let (charts, stderr) = convert_all(&kinds(fixture), out.path());
        assert_eq!(charts.len(), 1, "{fixture}: {stderr}");
        let chart = &charts[0];
        assert!(chart.ends_with(chart_name), "{fixture}: {chart:?}");
        assert!(stderr.contains("(CronJob,"), "{fixture}: {stderr}");
        assert!(
            !stderr.contains("ECSI-W-SCHEDULE "),
            "{fixture}: exact: {stderr}"
        );
        for (label, bin) in &tools.helms {
            let docs = render(bin, home.path(), chart, &[]);
            let found: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "CronJob").collect();
            assert_eq!(found.len(), 1, "{label} {fixture}");
            assert!(
                docs.iter()
                    .all(|d| d["kind"] != "Deployment" && d["kind"] != "Service"),
                "{label} {fixture}: only the CronJob runs the task"
            );
            let spec = &found[0]["spec"];
            assert_eq!(spec["schedule"], cron, "{label} {fixture}");
            assert_eq!(spec["timeZone"], zone, "{label} {fixture}");
            assert_eq!(spec["suspend"], suspend, "{label} {fixture}");
            assert_eq!(spec["concurrencyPolicy"], "Forbid");
            let job = &spec["jobTemplate"]["spec"];
            assert_eq!(job["parallelism"], parallelism, "{label} {fixture}");
            if parallelism > 1 {
                // TaskCount independent runs: each its own completion, retried on its own.
                assert_eq!(job["completions"], parallelism, "{label} {fixture}");
                assert_eq!(job["completionMode"], "Indexed", "{label} {fixture}");
                assert_eq!(job["backoffLimitPerIndex"], 0, "{label} {fixture}");
                assert!(job["backoffLimit"].is_null(), "{label} {fixture}");
            } else {
                assert!(job["completions"].is_null(), "{label} {fixture}");
            }
            assert_eq!(job["template"]["spec"]["restartPolicy"], "Never");
            let container = &job["template"]["spec"]["containers"][0];
            assert_eq!(
                container["args"][0].as_str().unwrap_or(""),
                command,
                "{label} {fixture}: the task's own command"
            );
            tools.validate_docs(&docs, &out.path().join(format!("{label}.yaml")));
        }
        let report = fs::read_to_string(chart.join("ecs-import-report.json")).unwrap();
        // Every field of the rule or schedule is read or named: nothing unknown, nothing silent.
        assert!(
            !report.contains("ECSI-W-UNKNOWN-KEY"),
            "{fixture}: {report}"
        );
        assert!(
            fs::read_to_string(chart.join("README.md"))
                .unwrap()
                .contains("EventBridge schedule"),
            "{fixture}: the README says why it is a CronJob"
        );
    }
    // The rule's container overrides are not applied, and the report says so.
    let out = tempfile::tempdir().unwrap();
    let (charts, _) = convert_all(&kinds("scheduled-rule"), out.path());
    let report = fs::read_to_string(charts[0].join("ecs-import-report.json")).unwrap();
    for code in ["ECSI-W-SCHEDULE-INPUT", "ECSI-W-SCHEDULE-FIELD"] {
        assert!(report.contains(code), "{code}: {report}");
    }
}

#[test]
fn an_inexact_schedule_converts_with_a_warning_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        kinds("scheduled-rule/task-definition.json"),
        dir.path().join("task-definition.json"),
    )
    .unwrap();
    let mut rule: Value =
        serde_json::from_str(&fs::read_to_string(kinds("scheduled-rule/rule.json")).unwrap())
            .unwrap();
    rule["ScheduleExpression"] = "cron(0 12 L * ? *)".into();
    fs::write(dir.path().join("rule.json"), rule.to_string()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (charts, stderr) = convert_all(dir.path(), out.path());
    assert!(
        stderr.contains("ECSI-W-SCHEDULE ") && stderr.contains("cron(0 12 L * ? *)"),
        "{stderr}"
    );
    let values = fs::read_to_string(charts[0].join("values.yaml")).unwrap();
    assert!(values.contains("schedule: \"0 12 28 * *\""), "{values}");
}

#[test]
fn an_event_rule_and_half_a_rule_are_skipped_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        kinds("scheduled-rule/task-definition.json"),
        dir.path().join("task-definition.json"),
    )
    .unwrap();
    let rule: Value =
        serde_json::from_str(&fs::read_to_string(kinds("scheduled-rule/rule.json")).unwrap())
            .unwrap();
    let mut described = rule.clone();
    described.as_object_mut().unwrap().remove("Targets");
    fs::write(dir.path().join("described.json"), described.to_string()).unwrap();
    let targets = serde_json::json!({"Targets": rule["Targets"]});
    fs::write(dir.path().join("targets.json"), targets.to_string()).unwrap();
    let output = cmd()
        .arg(dir.path())
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "described.json: skipped: a scheduled rule not converted: a schedule without targets"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "targets.json: skipped: a scheduled rule not converted: targets without a schedule"
        ),
        "{stderr}"
    );
    // The task definition alone still converts, as a Deployment.
    assert!(stderr.contains("(Deployment,"), "{stderr}");
}

#[test]
fn a_yaml_template_converts_to_the_same_charts_as_its_json_twin() {
    let (yaml_out, json_out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (yaml_charts, stderr) = convert_all(&kinds("cfn-yaml"), yaml_out.path());
    let (json_charts, _) = convert_all(&kinds("cfn-json"), json_out.path());
    let names = |c: &[PathBuf]| -> Vec<String> {
        c.iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into())
            .collect()
    };
    assert_eq!(names(&yaml_charts), ["orders", "orders-compact"]);
    assert_eq!(names(&yaml_charts), names(&json_charts));
    for (y, j) in yaml_charts.iter().zip(&json_charts) {
        let files = |dir: &Path| -> Vec<(String, Vec<u8>)> {
            tree(dir)
                .into_iter()
                .filter(|(p, _)| !p.starts_with(".ecs-import"))
                .map(|(p, bytes)| {
                    let text = String::from_utf8_lossy(&bytes).replace("stack.json", "stack.yaml");
                    (p, text.into_bytes())
                })
                .collect()
        };
        let (a, b) = (files(y), files(j));
        assert_eq!(a.len(), b.len());
        for ((path, ya), (_, ja)) in a.iter().zip(&b) {
            assert_eq!(
                String::from_utf8_lossy(ya),
                String::from_utf8_lossy(ja),
                "{path} differs between the YAML template and its JSON twin"
            );
        }
    }
    // What is not a template is skipped and listed: a multi-document manifest, a CI config.
    assert!(
        stderr.contains("manifests.yaml: skipped: several YAML documents"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ci.yml: skipped: not a task definition"),
        "{stderr}"
    );
    // The short forms were resolved, not carried as text.
    let values = fs::read_to_string(yaml_charts[0].join("values.yaml")).unwrap();
    assert!(
        values.contains("ENV: staging") && !values.contains("!Ref"),
        "{values}"
    );
    assert!(values.contains("replicaCount: 3"), "{values}");
}

#[test]
fn a_broken_yaml_template_named_on_the_command_line_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stack.yaml");
    fs::write(
        &file,
        "Resources:\n  Task:\n    Type: [AWS::ECS::TaskDefinition\n",
    )
    .unwrap();
    let output = cmd()
        .arg(&file)
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("stack.yaml"))
        .unwrap_or_default();
    assert!(line.contains("not valid YAML"), "{stderr}");
    assert!(!dir.path().join("out").exists(), "nothing written");
}

#[test]
fn a_yaml_task_definition_converts_like_its_json_twin() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "family: yaml-web\ncontainerDefinitions:\n  - name: web\n    image: nginx:1.27\n    essential: true\n    memory: 256\n    portMappings:\n      - containerPort: 80\n    environment:\n      - {name: MODE, value: \"on\"}\n      - {name: PORT, value: \"80\"}\n";
    let json = r#"{"family": "yaml-web", "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": true, "memory": 256, "portMappings": [{"containerPort": 80}], "environment": [{"name": "MODE", "value": "on"}, {"name": "PORT", "value": "80"}]}]}"#;
    fs::write(dir.path().join("td.yaml"), yaml).unwrap();
    fs::write(dir.path().join("td.json"), json).unwrap();
    let mut values = Vec::new();
    for name in ["td.yaml", "td.json"] {
        let out = dir.path().join(format!("out-{name}"));
        let (charts, _) = convert_all(&dir.path().join(name), &out);
        values.push(fs::read_to_string(charts[0].join("values.yaml")).unwrap());
    }
    assert_eq!(values[0], values[1]);
    assert!(values[0].contains("MODE: \"on\""), "{}", values[0]);
}
