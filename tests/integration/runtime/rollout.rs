//! A rolling update behind the Service while a client sends a request through the ClusterIP
//! every 0.1 s: not one fails. The web server exits at once on SIGTERM, as nginx, Node and Go
//! servers do, so only the chart (readiness from the ECS health check, the pause before stop,
//! the grace period) keeps requests from reaching a stopped pod.

use serde_json::{json, Value};

use super::{convert, helms, image, merged, name, ready, Release};

fn task() -> Value {
    json!({
        "family": "web",
        "containerDefinitions": [{
            "name": "web", "image": "registry.example.com/web:1", "essential": true, "memory": 64,
            "portMappings": [{"containerPort": 8080, "name": "http", "appProtocol": "http"}],
            "healthCheck": {"command": ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/cgi-bin/ready"],
                            "interval": 5, "timeout": 2, "retries": 2}
        }]
    })
}

/// The client: one line per request, OK with the version that answered, or FAIL with when and
/// why (a refused or reset connection; 10 s without an answer). It starts counting once the
/// Service has answered: until kube-proxy has programmed a new ClusterIP, a connection to it
/// fails whatever the chart says, and that is not the rollout.
fn client(service: &str) -> Value {
    let url = format!("http://{service}:8080/cgi-bin/version");
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client"},
        "spec": {"containers": [{"name": "client", "image": "localhost/ecsi-tools:1", "imagePullPolicy": "Never",
            "command": ["/bin/sh", "-c", format!(
                "until timeout 2 wget -q -O /dev/null {url}; do sleep 0.2; done; \
                 while true; do if v=$(timeout 10 wget -q -O- {url} 2>&1); then echo \"OK $v\"; else echo \"FAIL $(date +%s) $v\"; fi; sleep 0.1; done")]}]}})
}

fn rollout_drops_nothing(label: &str) {
    let helm = helms().into_iter().find(|(l, _)| *l == label).unwrap().1;
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(tmp.path(), &task(), &[]);
    let release = Release::new("rollout", label, &helm, tmp.path());
    let values = |tag: &str| {
        merged(
            image("web", &format!("ecsi-web:{tag}")),
            json!({"replicaCount": 2}),
        )
    };
    release.install(&chart, &values("1"));
    // The ClusterIP itself, so what is measured is the Service, not name resolution.
    let service = release.json(&["get", "services", "-l", "app.kubernetes.io/instance=app"])
        ["items"][0]["spec"]["clusterIP"]
        .as_str()
        .unwrap()
        .to_string();
    let file = tmp.path().join("client.json");
    std::fs::write(&file, serde_json::to_vec(&client(&service)).unwrap()).unwrap();
    crate::common::ok(
        &release.kubectl(&["apply", "-f", file.to_str().unwrap()]),
        "client",
    );
    let log = || release.logs("client", "client");
    let count = |text: &str, what: &str| text.lines().filter(|l| l.starts_with(what)).count();
    let started = std::time::Instant::now();
    while count(&log(), "OK 1") < 20 {
        assert!(
            started.elapsed().as_secs() < 60,
            "the client never got 20 answers: {}\n{}",
            log(),
            release.describe()
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let upgrade = release.helm("upgrade", &chart, &values("2"), true);
    assert!(
        upgrade.status.success(),
        "{}",
        String::from_utf8_lossy(&upgrade.stderr)
    );
    // Until only version 2 runs and has answered for a while.
    release.wait_pods("only new pods", 120, |pods| {
        let web: Vec<&Value> = pods.iter().filter(|p| name(p) != "client").collect();
        web.len() == 2
            && web
                .iter()
                .all(|p| ready(p) && p["spec"]["containers"][0]["image"] == "localhost/ecsi-web:2")
    });
    let before = count(&log(), "OK 2");
    while count(&log(), "OK 2") < before + 20 {
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let text = log();
    let (ok, failed) = (count(&text, "OK"), count(&text, "FAIL"));
    eprintln!("rollout with {label}: {ok} requests answered, {failed} failed");
    assert_eq!(
        failed, 0,
        "requests failed during the rollout ({ok} answered):\n{text}"
    );
    assert!(
        count(&text, "OK 1") >= 20 && count(&text, "OK 2") >= 20,
        "{text}"
    );
    // The pause the chart renders is what makes this true.
    let pod = release
        .pods()
        .into_iter()
        .find(|p| name(p) != "client")
        .unwrap();
    assert_eq!(
        pod["spec"]["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"],
        5
    );
}

#[test]
fn a_rolling_update_behind_the_service_drops_no_request_helm_3() {
    rollout_drops_nothing("helm3");
}

#[test]
fn a_rolling_update_behind_the_service_drops_no_request_helm_4() {
    rollout_drops_nothing("helm4");
}
