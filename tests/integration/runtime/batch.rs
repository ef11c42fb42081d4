//! The other kinds run as they should: a scheduled task's CronJob fires and its pod succeeds, a
//! one-off task's Job completes, a DAEMON service's DaemonSet runs its pod on the node, the
//! chart's own `helm test` passes, and the opt-in hostPath on a directory that does not exist
//! yet starts (Docker on ECS created it; so does the chart).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{convert, helms, image, merged, name, ready, Release};

fn tools(family: &str, script: &str) -> Value {
    json!({
        "family": family,
        "containerDefinitions": [{
            "name": "app", "image": "registry.example.com/tools:1", "essential": true, "memory": 16,
            "entryPoint": ["/bin/sh", "-c"], "command": [script]
        }]
    })
}

fn succeeded(pods: &[Value]) -> bool {
    pods.iter().any(|p| p["status"]["phase"] == "Succeeded")
}

#[test]
fn a_scheduled_task_fires_as_a_cronjob() {
    let (label, helm) = helms().remove(0);
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(
        tmp.path(),
        &tools("tick", "echo tick"),
        &["--workload", "cronjob", "--schedule", "rate(1 minute)"],
    );
    let release = Release::new("tick", label, &helm, tmp.path());
    let o = release.helm("install", &chart, &image("app", "ecsi-tools:1"), false);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cronjob = release.json(&["get", "cronjobs"]);
    assert_eq!(cronjob["items"][0]["spec"]["schedule"], "* * * * *");
    // The next minute starts it; the controller looks every 10 s.
    let pods = release.wait_pods("a scheduled run that succeeded", 140, succeeded);
    let pod = pods
        .iter()
        .find(|p| p["status"]["phase"] == "Succeeded")
        .unwrap();
    assert_eq!(release.logs(&name(pod), "app").trim(), "tick");
}

#[test]
fn a_one_off_task_completes_as_a_job() {
    let (label, helm) = helms().remove(1);
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(
        tmp.path(),
        &tools("once", "echo migrated; exit 0"),
        &["--workload", "job"],
    );
    let release = Release::new("once", label, &helm, tmp.path());
    let o = release.helm("install", &chart, &image("app", "ecsi-tools:1"), false);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let started = Instant::now();
    loop {
        let jobs = release.json(&["get", "jobs"]);
        if jobs["items"][0]["status"]["succeeded"].as_i64() == Some(1) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{jobs:#}\n{}",
            release.describe()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let pods = release.pods();
    assert_eq!(release.logs(&name(&pods[0]), "app").trim(), "migrated");
}

#[test]
fn a_daemon_runs_its_pod_on_the_node() {
    let (label, helm) = helms().remove(0);
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(
        tmp.path(),
        &tools("agent", "exec sleep 2147483647"),
        &["--workload", "daemonset"],
    );
    let release = Release::new("agent", label, &helm, tmp.path());
    release.install(&chart, &image("app", "ecsi-tools:1"));
    let pods = release.wait_pods("the daemon's pod", 60, |p| p.len() == 1 && ready(&p[0]));
    assert_eq!(pods[0]["spec"]["nodeName"], "ecsi-node");
    assert_eq!(
        pods[0]["metadata"]["ownerReferences"][0]["kind"],
        "DaemonSet"
    );
}

#[test]
fn the_charts_own_helm_test_passes() {
    for (label, helm) in helms() {
        let tmp = tempfile::tempdir().unwrap();
        let mut task = tools("served", "exec web");
        task["containerDefinitions"][0]["entryPoint"] = json!(["/bin/sh", "-c"]);
        task["containerDefinitions"][0]["portMappings"] =
            json!([{"containerPort": 8080, "name": "http"}]);
        let chart = convert(tmp.path(), &task, &[]);
        let release = Release::new("served", label, &helm, tmp.path());
        let values = merged(
            image("app", "ecsi-tools:1"),
            json!({"tests": {"image": {"repository": "localhost/ecsi-tools", "tag": "1", "pullPolicy": "Never"}}}),
        );
        release.install(&chart, &values);
        let test = release.cluster.helm(
            &helm,
            &["test", "app", "-n", &release.namespace, "--timeout", "90s"],
        );
        assert!(
            test.status.success(),
            "helm test with {label}: {}{}\n{}",
            String::from_utf8_lossy(&test.stdout),
            String::from_utf8_lossy(&test.stderr),
            release.describe()
        );
    }
}

#[test]
fn the_opt_in_host_path_on_a_missing_directory_starts_as_on_ecs() {
    let (label, helm) = helms().remove(1);
    let tmp = tempfile::tempdir().unwrap();
    let mut task = tools("hosted", "echo kept > /data/file; exec sleep 2147483647");
    task["volumes"] = json!([{"name": "data", "host": {"sourcePath": "/mnt/ebs/hosted"}}]);
    task["containerDefinitions"][0]["mountPoints"] =
        json!([{"sourceVolume": "data", "containerPath": "/data"}]);
    let chart = convert(tmp.path(), &task, &[]);
    let release = Release::new("hosted", label, &helm, tmp.path());
    let missing = tmp.path().join("not/yet/there");
    let values = merged(
        image("app", "ecsi-tools:1"),
        json!({"persistence": {"data": {"hostPath": {"enabled": true, "path": missing}}}}),
    );
    release.install(&chart, &values);
    release.wait_pods("the pod on the host path", 60, |p| {
        p.len() == 1 && ready(&p[0])
    });
    let started = Instant::now();
    while !missing.join("file").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nothing written to {}",
            missing.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        std::fs::read_to_string(missing.join("file")).unwrap(),
        "kept\n"
    );
}
