//! The ECS health check runs as ECS ran it: a CMD-SHELL string with quotes and `$$` goes to the
//! shell untouched, the pod is Ready only once the check passes, and a check that starts failing
//! takes the pod out of the Service and restarts the container after `retries` failures. A
//! probe broken on purpose keeps the pod unready: the test sees what the kubelet sees.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{convert, helms, image, merged, name, ready, restarts, Release};

const BECOMES_HEALTHY_AFTER: u64 = 6;

fn task() -> Value {
    json!({
        "family": "probe",
        "containerDefinitions": [{
            "name": "app", "image": "registry.example.com/tools:1", "essential": true, "memory": 32,
            "entryPoint": ["/bin/sh", "-c"],
            "command": [format!("sleep {BECOMES_HEALTHY_AFTER}; echo ok > /tmp/state; exec sleep 2147483647")],
            "healthCheck": {
                "command": ["CMD-SHELL", "[ \"$(cat /tmp/state 2>/dev/null)\" = 'ok' ] && echo $$ > /tmp/hc-pid"],
                "interval": 5, "timeout": 2, "retries": 2, "startPeriod": 10
            }
        }]
    })
}

#[test]
fn a_health_check_gates_readiness_and_restarts_the_container_as_ecs_did() {
    let (label, helm) = helms().remove(1);
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(tmp.path(), &task(), &[]);
    let release = Release::new("probe", label, &helm, tmp.path());
    let o = release.helm("install", &chart, &image("app", "ecsi-tools:1"), false);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let started = Instant::now();
    let pods = release.wait_pods("a running pod", 60, |p| {
        p.len() == 1 && p[0]["status"]["phase"] == "Running"
    });
    // Not ready while the check fails (the state file comes after a few seconds).
    assert!(
        !ready(&pods[0]) || started.elapsed().as_secs() >= BECOMES_HEALTHY_AFTER,
        "ready before the check could pass"
    );
    let pods = release.wait_pods("readiness", 60, |p| p.len() == 1 && ready(&p[0]));
    let ready_after = started.elapsed();
    assert!(
        ready_after >= Duration::from_secs(BECOMES_HEALTHY_AFTER),
        "ready after {ready_after:?}"
    );
    let pod = name(&pods[0]);
    // `$$` reached the shell as `$$`: one process ID, not two run together.
    let out = release.exec(&pod, "app", &["cat", "/tmp/hc-pid"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let pid: u64 = text.trim().parse().unwrap_or_else(|_| {
        panic!(
            "not a process ID: {text:?} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let max: u64 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(pid > 0 && pid <= max, "{pid}");
    // The check starts failing: out of the Service, then restarted after two failures.
    crate::common::ok(&release.exec(&pod, "app", &["rm", "/tmp/state"]), "rm");
    let broke = Instant::now();
    release.wait_pods("unready", 30, |p| p.len() == 1 && !ready(&p[0]));
    release.wait_pods("a restart", 60, |p| {
        p.len() == 1 && restarts(&p[0], "app") >= 1
    });
    let restarted_after = broke.elapsed();
    // ECS: unhealthy after `retries` failed checks, then SIGTERM and its 30 s stop timeout (the
    // shell here ignores SIGTERM); the chart's probe and grace period give the same.
    assert!(
        restarted_after >= Duration::from_secs(5) && restarted_after <= Duration::from_secs(58),
        "restarted {restarted_after:?} after the check broke"
    );
    eprintln!(
        "probe: ready after {ready_after:?}, restarted {restarted_after:?} after the check broke"
    );
}

#[test]
fn a_probe_broken_on_purpose_keeps_the_pod_unready() {
    let (label, helm) = helms().remove(0);
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(tmp.path(), &task(), &[]);
    let release = Release::new("badprobe", label, &helm, tmp.path());
    let broken = json!({"containers": {"app": {
        "readinessProbe": {"exec": {"command": ["test", "-e", "/tmp/never"]}},
        "livenessProbe": {"enabled": false}, "startupProbe": {"enabled": false}
    }}});
    let o = release.helm(
        "install",
        &chart,
        &merged(image("app", "ecsi-tools:1"), broken),
        false,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    release.wait_pods("a running pod", 60, |p| {
        p.len() == 1 && p[0]["status"]["phase"] == "Running"
    });
    std::thread::sleep(Duration::from_secs(BECOMES_HEALTHY_AFTER + 12));
    let pods = release.pods();
    assert!(
        !ready(&pods[0]),
        "a pod whose probe can never pass is Ready: the checks see nothing"
    );
}
