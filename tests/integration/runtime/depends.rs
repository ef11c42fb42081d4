//! `dependsOn` as ECS ordered it: SUCCESS and COMPLETE containers run to the end first (a
//! COMPLETE one may fail), a START container is running and a HEALTHY one has passed its
//! check before the container that depends on them starts. Every container appends to a
//! shared file, so the order is read from what really happened.

use serde_json::{json, Value};

use super::{convert, helms, image, merged, name, ready, Release};

fn container(name: &str, script: &str) -> Value {
    json!({"name": name, "image": "registry.example.com/tools:1", "essential": false, "memory": 16,
           "entryPoint": ["/bin/sh", "-c"], "command": [script],
           "mountPoints": [{"sourceVolume": "shared", "containerPath": "/shared"}]})
}

fn task() -> Value {
    let forever = "exec sleep 2147483647";
    let mut helper = container(
        "helper",
        &format!("echo helper-start >> /shared/log; sleep 4; touch /tmp/healthy; echo helper-healthy >> /shared/log; {forever}"),
    );
    helper["healthCheck"] = json!({"command": ["CMD-SHELL", "test -e /tmp/healthy"], "interval": 5, "retries": 3, "startPeriod": 30});
    let mut app = container("app", &format!("echo app-start >> /shared/log; {forever}"));
    app["essential"] = json!(true);
    app["dependsOn"] = json!([
        {"containerName": "setup", "condition": "SUCCESS"},
        {"containerName": "migrate", "condition": "COMPLETE"},
        {"containerName": "logger", "condition": "START"},
        {"containerName": "helper", "condition": "HEALTHY"}
    ]);
    json!({
        "family": "order",
        "volumes": [{"name": "shared"}],
        "containerDefinitions": [
            container("setup", "echo setup >> /shared/log"),
            container("migrate", "echo migrate >> /shared/log; exit 3"),
            container("logger", &format!("echo logger-start >> /shared/log; {forever}")),
            helper,
            app
        ]
    })
}

#[test]
fn depends_on_start_complete_success_and_healthy_order_the_containers() {
    let (label, helm) = helms().remove(1);
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(tmp.path(), &task(), &[]);
    let release = Release::new("order", label, &helm, tmp.path());
    // As the report says for a COMPLETE container: ignoreFailure, since the image has a shell.
    let report = std::fs::read_to_string(chart.join("ecs-import-report.json")).unwrap();
    assert!(
        report.contains("containers.NAME.ignoreFailure: true"),
        "{report}"
    );
    let values = ["setup", "migrate", "logger", "helper", "app"].iter().fold(
        json!({"containers": {"migrate": {"ignoreFailure": true}}}),
        |v, c| merged(v, image(c, "ecsi-tools:1")),
    );
    let o = release.helm("install", &chart, &values, false);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pods = release.wait_pods("the app running", 90, |p| p.len() == 1 && ready(&p[0]));
    let pod = name(&pods[0]);
    let log = release.exec(&pod, "app", &["cat", "/shared/log"]);
    let log = String::from_utf8_lossy(&log.stdout).into_owned();
    let at = |line: &str| {
        log.lines()
            .position(|l| l == line)
            .unwrap_or_else(|| panic!("{line} never ran:\n{log}\n{}", release.describe()))
    };
    let app = at("app-start");
    for before in [
        "setup",
        "migrate",
        "logger-start",
        "helper-start",
        "helper-healthy",
    ] {
        assert!(at(before) < app, "{before} after app-start:\n{log}");
    }
    assert!(at("helper-start") < at("helper-healthy"));
    // START and HEALTHY targets run on as native sidecars: init containers that stay.
    let init = pods[0]["spec"]["initContainers"].as_array().unwrap();
    for sidecar in ["logger", "helper"] {
        let c = init.iter().find(|c| c["name"] == sidecar).unwrap();
        assert_eq!(c["restartPolicy"], "Always", "{sidecar}");
    }
    assert_eq!(
        log.lines().filter(|l| *l == "app-start").count(),
        1,
        "{log}"
    );
}
