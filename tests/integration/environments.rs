//! One chart per service for every environment (`--env`), and `--verify`.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{cmd, render, root, tools, tree};

const ENVS: [&str; 3] = ["dev", "staging", "prod"];

fn convert_envs(envs: &[&str], out: &Path) -> String {
    let mut c = cmd();
    for env in envs {
        c.arg("--env").arg(format!(
            "{env}={}",
            root().join("tests/fixtures-env").join(env).display()
        ));
    }
    let output = c.arg("--output").arg(out).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).unwrap()
}

/// Objects keyed by kind and name, without the one label that may differ (the chart version).
fn normalized(mut docs: Vec<Value>) -> Vec<Value> {
    for doc in &mut docs {
        strip_chart_label(doc);
    }
    docs.sort_by_key(|d| format!("{}/{}", d["kind"], d["metadata"]["name"]));
    docs
}

fn strip_chart_label(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("helm.sh/chart");
            map.values_mut().for_each(strip_chart_label);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_chart_label),
        _ => {}
    }
}

#[test]
fn each_environment_renders_as_if_converted_alone() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let all = tempfile::tempdir().unwrap();
    convert_envs(&ENVS, all.path());
    let charts: Vec<String> = ["db", "web", "worker"]
        .iter()
        .map(|s| s.to_string())
        .collect();

    // The differences the fixtures carry really show up in the environment files.
    let web_prod = fs::read_to_string(all.path().join("web/values-prod.yaml")).unwrap();
    for needle in [
        "tag: \"1.9.4\"",
        "memory: \"2Gi\"",
        "LOG_LEVEL: warn",
        "secretsmanager",
        "role/web-prod",
    ] {
        assert!(
            web_prod.contains(needle),
            "values-prod.yaml lacks {needle}:\n{web_prod}"
        );
    }
    let db_prod = fs::read_to_string(all.path().join("db/values-prod.yaml")).unwrap();
    assert!(
        db_prod.contains("size: \"100Gi\"") && db_prod.contains("wal:"),
        "{db_prod}"
    );
    // values.yaml is no environment: it holds what they share, each file what is its own.
    let web_dev = fs::read_to_string(all.path().join("web/values-dev.yaml")).unwrap();
    let web_base = fs::read_to_string(all.path().join("web/values.yaml")).unwrap();
    for (file, text) in [
        ("values-dev.yaml", &web_dev),
        ("values-prod.yaml", &web_prod),
    ] {
        let env = &file["values-".len()..file.len() - ".yaml".len()];
        assert!(text.contains(&format!("environment: {env}")), "{text}");
        assert!(text.contains("tag: "), "{file} names its own image tag");
    }
    assert!(web_dev.contains("DEBUG_TOOLBAR"), "{web_dev}");
    assert!(!web_prod.contains("DEBUG_TOOLBAR"), "{web_prod}");
    for own in [
        "DEBUG_TOOLBAR",
        "1.9.4",
        "role/web-prod",
        "role/web-dev",
        "environment: ",
    ] {
        assert!(
            !web_base.contains(own),
            "values.yaml holds {own}:\n{web_base}"
        );
    }
    assert!(web_base.contains("LOG_LEVEL") || web_base.contains("containers:"));
    for (label, helm) in &tools.helms {
        let bare = crate::common::helm(
            helm,
            home.path(),
            &["template", "r", all.path().join("web").to_str().unwrap()],
        );
        let err = String::from_utf8_lossy(&bare.stderr);
        assert!(
            !bare.status.success()
                && err.contains("this chart serves the environments dev, staging, prod"),
            "{label}: a render without an environment file: {err}"
        );
    }

    for env in ENVS {
        let alone = tempfile::tempdir().unwrap();
        convert_envs(&[env], alone.path());
        for chart in &charts {
            let values = format!("values-{env}.yaml");
            let values_path = all.path().join(chart).join(&values);
            for (label, helm) in &tools.helms {
                let merged = render(
                    helm,
                    home.path(),
                    &all.path().join(chart),
                    &["-f", values_path.to_str().unwrap()],
                );
                let single = render(helm, home.path(), &alone.path().join(chart), &[]);
                assert!(!single.is_empty());
                assert_eq!(
                    normalized(merged),
                    normalized(single),
                    "{label}: {chart} with {values} differs from {env} converted alone"
                );
            }
        }
    }
}

#[test]
fn a_service_missing_from_an_environment_is_reported_and_still_served() {
    let out = tempfile::tempdir().unwrap();
    let stderr = convert_envs(&ENVS, out.path());
    assert!(
        stderr.contains("warning [prod] ECSI-W-ENV-MISSING"),
        "{stderr}"
    );
    let chart = out.path().join("debug-tools");
    assert!(chart.join("values-dev.yaml").exists());
    assert!(!chart.join("values-prod.yaml").exists());
    let report: Value =
        serde_json::from_slice(&fs::read(chart.join("ecs-import-report.json")).unwrap()).unwrap();
    let missing: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "ECSI-W-ENV-MISSING")
        .collect();
    assert_eq!(missing.len(), 2);
    assert!(missing.iter().any(|f| f["environment"] == "prod"));
    // Findings from each environment are labelled with it.
    let web: Value =
        serde_json::from_slice(&fs::read(out.path().join("web/ecs-import-report.json")).unwrap())
            .unwrap();
    for env in ENVS {
        assert!(
            web["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["environment"] == env),
            "{env}"
        );
    }
}

#[test]
fn environment_conversion_is_byte_identical_on_rerun() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    convert_envs(&ENVS, a.path());
    convert_envs(&ENVS, b.path());
    convert_envs(&ENVS, b.path());
    assert_eq!(tree(a.path()), tree(b.path()));
}

#[test]
fn env_usage_errors_exit_two() {
    for args in [
        vec!["--env", "prod"],
        vec!["--env", "../x=dir"],
        vec!["--env", "a=x", "--env", "a=y"],
        vec!["--env", "a=x", "file.json"],
    ] {
        let output = cmd().args(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn verify_runs_real_helm_and_reports_failures_with_chart_and_file() {
    let Some(tools) = tools() else { return };
    for (label, helm) in &tools.helms {
        let home = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let run = |out: &Path| {
            let mut c = cmd();
            for env in ENVS {
                c.arg("--env").arg(format!(
                    "{env}={}",
                    root().join("tests/fixtures-env").join(env).display()
                ));
            }
            c.arg("--output")
                .arg(out)
                .arg("--verify")
                .env("HELM_BIN", helm)
                .env("HELM_CACHE_HOME", home.path().join("cache"))
                .env("HELM_CONFIG_HOME", home.path().join("config"))
                .env("HELM_DATA_HOME", home.path().join("data"))
                .output()
                .unwrap()
        };
        let ok = run(out.path());
        let stderr = String::from_utf8_lossy(&ok.stderr);
        assert!(ok.status.success(), "{label}: {stderr}");
        assert_eq!(
            stderr.matches(": verified with ").count(),
            4,
            "{label}: {stderr}"
        );

        // A template the user added and broke is kept on re-run, and --verify catches it.
        fs::write(
            out.path().join("web/templates/extra.yaml"),
            "kind: ConfigMap\nmetadata:\n  name: {{ .Values.nope.deeper }}\n",
        )
        .unwrap();
        let bad = run(out.path());
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert_eq!(bad.status.code(), Some(1), "{label}: {stderr}");
        let web = out.path().join("web").display().to_string();
        // A chart of several environments renders only with one of their files.
        assert!(
            !stderr.contains("with values.yaml failed"),
            "{label}: {stderr}"
        );
        for values in ["values-dev.yaml", "values-staging.yaml", "values-prod.yaml"] {
            assert!(
                stderr.contains(&format!("Error: {web}: helm lint with {values} failed: ")),
                "{label} {values}: {stderr}"
            );
            assert!(
                stderr.contains(&format!(
                    "Error: {web}: helm template with {values} failed: "
                )),
                "{label} {values}: {stderr}"
            );
        }
        assert!(
            !stderr.contains("/db: helm"),
            "only the broken chart fails: {stderr}"
        );
    }
    // Without HELM_BIN, helm comes from the PATH: a missing helm is a clear error, not a panic.
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(crate::common::bin())
        .args([
            root().join("examples/redis.json").to_str().unwrap(),
            "--verify",
            "-q",
            "-o",
        ])
        .arg(out.path())
        .env_remove("HELM_BIN")
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("helm lint with values.yaml failed: cannot run helm"));
}

/// Charts and their rendered objects, for a set of `--env` inputs or one plain batch.
fn convert_paths(args: &[String], out: &Path) -> String {
    let (first, rest) = args.split_first().unwrap();
    crate::conversion::Conversion::of(first)
        .args(rest)
        .succeeds(out)
        .stderr
}

fn chart_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && !crate::common::PLAN_FILES.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

#[test]
fn cdk_stacks_and_services_per_environment_make_the_same_charts_as_a_batch() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let estate = root().join("tests/fixtures-estate");
    let all = tempfile::tempdir().unwrap();
    let env_args: Vec<String> = ENVS
        .iter()
        .flat_map(|e| {
            [
                "--env".to_string(),
                format!("{e}={}", estate.join(e).display()),
            ]
        })
        .collect();
    let stderr = convert_paths(&env_args, all.path());
    assert!(!stderr.contains("Error"), "{stderr}");
    assert!(
        stderr.contains("superseded"),
        "older revisions are skipped: {stderr}"
    );
    let charts = chart_names(all.path());
    assert_eq!(
        charts,
        ["api-service", "orders", "shopstackreportstaskdef0c1d"],
        "{stderr}"
    );

    // The service's desiredCount, per environment, reaches each environment's values.
    for (env, orders, api) in [("staging", 2, 2), ("prod", 4, 6)] {
        let orders_values =
            fs::read_to_string(all.path().join(format!("orders/values-{env}.yaml"))).unwrap();
        assert!(
            orders_values.contains(&format!("replicaCount: {orders}\n")),
            "{orders_values}"
        );
        let api_values =
            fs::read_to_string(all.path().join(format!("api-service/values-{env}.yaml"))).unwrap();
        assert!(
            api_values.contains(&format!("replicaCount: {api}\n")),
            "{api_values}"
        );
    }

    for env in ENVS {
        let alone = tempfile::tempdir().unwrap();
        convert_paths(&[estate.join(env).display().to_string()], alone.path());
        assert_eq!(
            chart_names(alone.path()),
            charts,
            "{env} alone names the same charts"
        );
        for chart in &charts {
            let values = all.path().join(chart).join(format!("values-{env}.yaml"));
            for (label, helm) in &tools.helms {
                let merged = render(
                    helm,
                    home.path(),
                    &all.path().join(chart),
                    &["-f", values.to_str().unwrap()],
                );
                let single = render(helm, home.path(), &alone.path().join(chart), &[]);
                assert!(!single.is_empty());
                assert_eq!(
                    normalized(merged),
                    normalized(single),
                    "{label}: {chart} with values-{env}.yaml differs from {env} converted alone"
                );
            }
        }
    }
}
