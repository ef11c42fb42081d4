//! Every string the input controls reaches the cluster as that exact string: names that YAML
//! would read as booleans, numbers or null, and dollars that Kubernetes would expand.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{convert, kubernetes_expand, render, root, tools, Case};

fn case() -> Case {
    Case {
        name: "yaml-typed-names".into(),
        input: root().join("tests/fixtures/yaml-typed-names/task-definition.json"),
        args: Vec::new(),
    }
}

fn strings(list: &Value, key: &str) -> Vec<Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|i| i[key].clone())
        .collect()
}

#[test]
fn yaml_typed_names_and_dollars_stay_exact_strings() {
    let Some(t) = tools() else { return };
    let out = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    convert(&case(), out.path());
    let chart = out.path().join("yes");
    let td: Value = serde_json::from_slice(&std::fs::read(&case().input).unwrap()).unwrap();
    let s = |v: &str| Value::String(v.to_string());
    for (label, helm) in &t.helms {
        let docs = render(helm, home.path(), &chart, &[]);
        let deploy = docs
            .iter()
            .find(|d| d["kind"] == "Deployment")
            .expect("a Deployment");
        assert_eq!(
            deploy["metadata"]["labels"]["app.kubernetes.io/name"],
            s("yes"),
            "{label}"
        );
        let pod = &deploy["spec"]["template"]["spec"];
        let containers = pod["containers"].as_array().unwrap();
        let mut names = strings(&pod["containers"], "name");
        names.sort_by_key(|v| v.to_string());
        assert_eq!(names, [s("8080"), s("true")], "{label}: container names");
        let main = containers.iter().find(|c| c["name"] == "8080").unwrap();
        assert_eq!(
            strings(&main["ports"], "name"),
            [s("no"), s("0x1f"), s("1e3")],
            "{label}"
        );
        assert_eq!(
            strings(&main["volumeMounts"], "name"),
            [s("on"), s("null")],
            "{label}"
        );
        let mut volumes = strings(&pod["volumes"], "name");
        volumes.sort_by_key(|v| v.to_string());
        assert_eq!(volumes, [s("null"), s("on")], "{label}");
        let service = docs
            .iter()
            .find(|d| d["kind"] == "Service")
            .expect("a Service");
        assert_eq!(
            strings(&service["spec"]["ports"], "name"),
            [s("no"), s("0x1f"), s("1e3")]
        );
        let side = containers.iter().find(|c| c["name"] == "true").unwrap();
        assert_eq!(side["args"], serde_json::json!(["sleep", "1e3"]));

        // Kubernetes' expansion over the rendered env (each variable sees the ones defined
        // before it) and command gives back the ECS strings.
        let mut defined = BTreeMap::new();
        let ecs_env = &td["containerDefinitions"][0]["environment"];
        for (rendered, ecs) in main["env"]
            .as_array()
            .unwrap()
            .iter()
            .zip(ecs_env.as_array().unwrap())
        {
            assert_eq!(rendered["name"], ecs["name"], "{label}");
            let value = kubernetes_expand(rendered["value"].as_str().unwrap(), &defined);
            assert_eq!(
                value,
                ecs["value"].as_str().unwrap(),
                "{label}: env {}",
                ecs["name"]
            );
            defined.insert(ecs["name"].as_str().unwrap().to_string(), value);
        }
        let rendered_cmd: Vec<String> = main["command"]
            .as_array()
            .or(main["args"].as_array())
            .unwrap()
            .iter()
            .map(|a| kubernetes_expand(a.as_str().unwrap(), &defined))
            .collect();
        let ecs_cmd: Vec<&str> = td["containerDefinitions"][0]["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(rendered_cmd, ecs_cmd, "{label}: command");

        let file = out.path().join(format!("{label}.yaml"));
        let text: Vec<String> = docs
            .iter()
            .map(|d| serde_json::to_string(d).unwrap())
            .collect();
        std::fs::write(&file, text.join("\n---\n")).unwrap();
        t.validate(&[file]);
    }
}

#[test]
fn plaintext_secrets_are_named_and_can_be_kept_out_of_the_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("api.json");
    let value = "correct-horse-battery-staple";
    std::fs::write(
        &input,
        serde_json::to_vec(&serde_json::json!({
            "family": "api",
            "containerDefinitions": [{
                "name": "api", "image": "api:1.0", "memory": 256,
                "environment": [{"name": "DB_PASSWORD", "value": value}, {"name": "MODE", "value": "live"}],
                "command": ["serve", format!("--token={value}")]
            }]
        }))
        .unwrap(),
    )
    .unwrap();
    let run = |out: &str, extra: &[&str]| {
        let o = crate::common::cmd()
            .arg(&input)
            .arg("-o")
            .arg(tmp.path().join(out))
            .args(extra)
            .arg("--package")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let stderr = run("kept", &[]);
    assert!(
        stderr.contains("ECSI-W-PLAINTEXT-SECRET") && stderr.contains("DB_PASSWORD"),
        "{stderr}"
    );
    assert!(stderr.contains("command line"), "{stderr}");
    assert!(!stderr.contains(value), "the value itself is never printed");
    let values = std::fs::read_to_string(tmp.path().join("kept/api/values.yaml")).unwrap();
    assert!(values.contains(value), "kept as ECS had it by default");

    run("moved", &["--move-plaintext-secrets"]);
    let chart = tmp.path().join("moved/api");
    for file in ["values.yaml", "README.md", "ecs-import-report.json"] {
        let text = std::fs::read_to_string(chart.join(file)).unwrap();
        assert!(
            !text.contains(&format!("\"{value}\"")) && !text.contains(&format!(": {value}")),
            "{file} holds the value"
        );
    }
    let Some(t) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    for (_, helm) in &t.helms {
        let docs = render(helm, home.path(), &chart, &[]);
        let deploy = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
        let env = deploy["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array()
            .unwrap();
        let db = env.iter().find(|e| e["name"] == "DB_PASSWORD").unwrap();
        assert!(db["value"].is_null());
        assert_eq!(db["valueFrom"]["secretKeyRef"]["key"], "DB_PASSWORD");
    }
}

/// Control characters are written escaped, so both Helms load the chart and the pod gets the
/// exact string; the characters Helm 3 refuses even escaped (DEL, C1 but NEL, U+FFFE, U+FFFF)
/// stop the conversion with the field's path, and nothing is written.
#[test]
fn control_characters_come_back_exact_and_the_ones_helm_refuses_are_named() {
    let Some(t) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, value: &str| {
        let input = dir.path().join(format!("{name}.json"));
        let td = serde_json::json!({
            "family": name,
            "containerDefinitions": [{"name": "app", "image": "app:1", "memory": 64,
                "environment": [{"name": "ODD", "value": value}],
                "dockerLabels": {"odd.label": value}}]
        });
        std::fs::write(&input, serde_json::to_vec(&td).unwrap()).unwrap();
        input
    };
    let kept = "a\u{1}b\u{85}c\u{2028}d\u{1b}[0m";
    let out = dir.path().join("out");
    let chart = crate::conversion::Conversion::of(write("odd", kept))
        .succeeds(&out)
        .chart();
    let home = tempfile::tempdir().unwrap();
    for (label, helm) in &t.helms {
        let lint = crate::common::helm(
            helm,
            home.path(),
            &["lint", "--strict", chart.to_str().unwrap()],
        );
        assert!(
            lint.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&lint.stdout)
        );
        let docs = render(helm, home.path(), &chart, &[]);
        let deploy = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
        let env = &deploy["spec"]["template"]["spec"]["containers"][0]["env"];
        let odd = env
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "ODD")
            .unwrap();
        assert_eq!(odd["value"], kept, "{label}");
    }
    for refused in ["a\u{90}b", "a\u{7f}b", "a\u{fffe}b"] {
        let refused_out = dir.path().join("refused");
        let output = crate::conversion::Conversion::of(write("bad", refused)).run(&refused_out);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("containerDefinitions[0].environment[0].value: holds U+")
                && stderr.contains("Helm 3 refuses"),
            "{stderr}"
        );
        assert!(!refused_out.join("bad").exists(), "nothing written");
    }
}
