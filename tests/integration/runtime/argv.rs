//! Command, entry point and environment reach the process exactly as ECS gave them: the
//! process prints its argv and environment, and the test compares them with the task
//! definition (spaces, quotes, `$HOME`, `$(date)`, `$$`, tabs, empty strings, template
//! braces: nothing expanded, nothing re-typed).

use serde_json::{json, Value};

use super::{convert, helms, image, name, Release};

const ARGS: &[&str] = &[
    "plain",
    "two words",
    "$HOME",
    "$(date)",
    "$$",
    "tab\there",
    "quote\"s",
    "single'quote",
    "",
    "{{ .Values.x }}",
    "yes",
    "007",
];
const ENV: &[(&str, &str)] = &[
    ("SPACED", "x y"),
    ("PARENS", "$(HOME)"),
    ("DOLLARS", "$$"),
    ("ZEROS", "007"),
    ("YESNO", "yes"),
    ("BRACES", "{{ .Release.Name }}"),
];

fn task() -> Value {
    let mut env: Vec<Value> = ENV
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    env.push(json!({"name": "STAY", "value": "1"}));
    json!({
        "family": "argv",
        "containerDefinitions": [{
            "name": "app", "image": "registry.example.com/tools:1", "essential": true, "memory": 32,
            "entryPoint": ["/bin/argv"], "command": ARGS, "environment": env
        }]
    })
}

#[test]
fn command_entry_point_and_environment_reach_the_process_exactly() {
    let (label, helm) = helms().remove(0);
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(tmp.path(), &task(), &[]);
    let release = Release::new("argv", label, &helm, tmp.path());
    release.install(&chart, &image("app", "ecsi-tools:1"));
    let pod = name(&release.pods()[0]);
    let started = std::time::Instant::now();
    let mut log = release.logs(&pod, "app");
    while !log.contains("DONE") {
        assert!(
            started.elapsed().as_secs() < 60,
            "no output: {log}\n{}",
            release.describe()
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
        log = release.logs(&pod, "app");
    }
    let args: Vec<String> = log
        .split("ARG[")
        .skip(1)
        .map(|a| a.split_once("]\n").map_or(a, |(v, _)| v).to_string())
        .collect();
    assert_eq!(args, ARGS, "{log}");
    for (name, value) in ENV {
        assert!(
            log.contains(&format!("ENV[{name}={value}]\n")),
            "{name}={value} not in\n{log}"
        );
    }
}
