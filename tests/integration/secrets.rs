//! Plain-text secrets in every place a task definition can hold them, by name and by token
//! format, are named (never shown); moved, no value is left in the chart or its archive, and
//! the process still gets exactly the command line ECS gave it.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::common::{cmd, kubernetes_expand, render, tools};

/// Secret values (each unique, so a leak is traced to its source) and where they stand.
const ENV: &[(&str, &str)] = &[
    ("DB_PASSWORD", "pw-env-1"),
    ("DB_PASS", "pw-env-2"),
    ("RABBITMQ_DEFAULT_PASS", "pw-env-3"),
    ("MYSQL_PWD", "pw-env-4"),
    ("JWT_SECRET", "pw-env-5"),
    ("GITHUB_TOKEN", "pw-env-6"),
    ("APP_KEY", "base64:cHctZW52LTdwdy1lbnYtN3B3LWVudi03"),
    ("PAYMENTS", "sk_live_pwenv8pwenv8pwenv8pw"),
    ("CI", "ghp_pwenv9pwenv9pwenv9pwenv9pwenv9pw"),
    ("CHAT", "xoxb-123456789012-pwenv10pwenv10"),
    (
        "SESSION",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwd2VudjExIn0.pwenv11pwenv11pwenv11pwenv11",
    ),
    ("DATABASE_URL", "postgres://app:pw-env-12@db:5432/app"),
    ("ACCESS", "AKIAPWENV13PWENV1300"),
];

/// Names about secrets that are not secrets.
const NOT_SECRETS: &[(&str, &str)] = &[
    ("LOG_LEVEL", "debug"),
    ("DB_PASSWORD_FILE", "/run/secrets/db"),
    ("PASSWORD_MIN_LENGTH", "12"),
    ("PARTITION_KEY", "tenantId"),
];

fn task_definition() -> Value {
    let env: Vec<Value> = ENV
        .iter()
        .chain(NOT_SECRETS)
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    json!({
        "family": "shop",
        "containerDefinitions": [{
            "name": "db", "image": "mysql:8", "memory": 512, "essential": true,
            "portMappings": [{"containerPort": 3306}],
            "environment": env,
            "command": ["mysqld", "--password=pw-cmd-1", "--port", "3306"],
            "healthCheck": {"command": ["CMD-SHELL", "mysqladmin -uroot -ppw-hc-1 ping"]},
            "dockerLabels": {"db.password": "pw-label-1", "team": "shop"}
        }, {
            "name": "cache", "image": "redis:7", "memory": 256, "essential": true,
            "entryPoint": ["sh", "-c"],
            "command": ["PGPASSWORD=pw-cmd-2 psql -c 'select 1'; redis-server --requirepass 'pw-cmd-3' --save $$(x)"],
            "healthCheck": {"command": ["CMD-SHELL", "redis-cli -a pw-hc-2 ping | grep PONG"]}
        }]
    })
}

fn all_values() -> Vec<&'static str> {
    let mut v: Vec<&str> = ENV.iter().map(|(_, v)| *v).collect();
    v.extend([
        "pw-cmd-1",
        "pw-cmd-2",
        "pw-cmd-3",
        "pw-hc-1",
        "pw-hc-2",
        "pw-label-1",
    ]);
    v
}

fn convert(dir: &Path, out: &str, extra: &[&str]) -> Value {
    let input = dir.join("shop.json");
    std::fs::write(&input, serde_json::to_vec(&task_definition()).unwrap()).unwrap();
    let o = cmd()
        .arg(&input)
        .arg("-o")
        .arg(dir.join(out))
        .args(extra)
        .arg("--package")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    for value in all_values() {
        assert!(!stderr.contains(value), "{value} printed: {stderr}");
    }
    let report = std::fs::read(dir.join(out).join("shop/ecs-import-report.json")).unwrap();
    serde_json::from_slice(&report).unwrap()
}

fn flagged(report: &Value) -> Vec<String> {
    let mut paths: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "ECSI-W-PLAINTEXT-SECRET")
        .map(|f| f["pointer"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    paths
}

#[test]
fn every_secret_is_named_by_its_place_and_nothing_else_is() {
    let dir = tempfile::tempdir().unwrap();
    let report = convert(dir.path(), "kept", &[]);
    let mut expected: Vec<String> = (0..ENV.len())
        .map(|i| format!("/containerDefinitions/0/environment/{i}/value"))
        .collect();
    expected.extend(
        [
            "/containerDefinitions/0/command/1",
            "/containerDefinitions/0/healthCheck/command/1",
            "/containerDefinitions/0/dockerLabels/db.password",
            "/containerDefinitions/1/command/0",
            "/containerDefinitions/1/command/0",
            "/containerDefinitions/1/healthCheck/command/1",
        ]
        .map(String::from),
    );
    expected.sort();
    assert_eq!(flagged(&report), expected);
}

#[test]
fn moved_secrets_leave_no_value_in_the_chart_and_the_process_gets_its_command_line() {
    let dir = tempfile::tempdir().unwrap();
    convert(dir.path(), "moved", &["--move-plaintext-secrets"]);
    let out = dir.path().join("moved");
    let archive = crate::publish::archives(&out).pop().expect("an archive");
    let mut texts = vec![gunzip(&std::fs::read(&archive).unwrap())];
    for (name, bytes) in crate::common::tree(&out.join("shop")) {
        if !name.starts_with(".ecs-import") {
            texts.push(bytes);
        }
    }
    for value in all_values() {
        for text in &texts {
            let text = String::from_utf8_lossy(text);
            assert!(!text.contains(value), "{value} left in the chart");
        }
    }
    let Some(t) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    for (_, helm) in &t.helms {
        let docs = render(helm, home.path(), &out.join("shop"), &[]);
        let pod = docs
            .iter()
            .find(|d| d["kind"] == "StatefulSet" || d["kind"] == "Deployment")
            .map(|d| &d["spec"]["template"]["spec"])
            .unwrap();
        let containers = pod["containers"].as_array().unwrap();
        let by_name = |n: &str| containers.iter().find(|c| c["name"] == n).unwrap();
        // The Secret holds what ECS had; Kubernetes expands the references from it.
        let secret: BTreeMap<String, String> = [
            ("PASSWORD", "pw-cmd-1"),
            ("PGPASSWORD", "pw-cmd-2"),
            ("REQUIREPASS", "pw-cmd-3"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
        let argv = |c: &Value| -> Vec<String> {
            c["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| kubernetes_expand(a.as_str().unwrap(), &secret))
                .collect()
        };
        let db = by_name("db");
        assert_eq!(
            argv(db),
            ["mysqld", "--password=pw-cmd-1", "--port", "3306"]
        );
        let cache = by_name("cache");
        assert_eq!(
            argv(cache),
            ["PGPASSWORD=pw-cmd-2 psql -c 'select 1'; redis-server --requirepass 'pw-cmd-3' --save $$(x)"]
        );
        for (c, key) in [
            (db, "PASSWORD"),
            (db, "MYSQL_PWD"),
            (cache, "REDISCLI_AUTH"),
        ] {
            let env = c["env"].as_array().unwrap();
            let e = env
                .iter()
                .find(|e| e["name"] == key)
                .unwrap_or_else(|| panic!("{key}"));
            assert_eq!(e["valueFrom"]["secretKeyRef"]["key"], key);
        }
        let probe = &by_name("cache")["readinessProbe"]["exec"]["command"][2];
        assert_eq!(probe, "redis-cli -a \"${REDISCLI_AUTH}\" ping | grep PONG");
        let rendered = serde_json::to_string(&docs).unwrap();
        for value in all_values() {
            assert!(!rendered.contains(value), "{value} rendered");
        }
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}
