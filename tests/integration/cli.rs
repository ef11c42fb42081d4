//! The command line end to end: exit codes, the exact error lines users see, and the promises
//! about the output directory (atomic, re-runnable, never clobbering the user's files).

use std::fs;
use std::path::Path;

use crate::common::{cmd, root, tree};

fn run(args: &[&str], dir: &Path) -> (i32, String, String) {
    let output = cmd().args(args).current_dir(dir).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn entries(dir: &Path) -> Vec<String> {
    match fs::read_dir(dir) {
        Ok(rd) => {
            let mut v: Vec<_> = rd
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !crate::common::PLAN_FILES.contains(&n.as_str()))
                .collect();
            v.sort();
            v
        }
        Err(_) => Vec::new(),
    }
}

#[test]
fn help_and_version_exit_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, _) = run(&["--help"], tmp.path());
    assert_eq!(code, 0);
    assert!(
        out.contains("Usage: helm-ecs-import [OPTIONS] [FILE]..."),
        "{out}"
    );
    for flag in [
        "--output",
        "--chart-version",
        "--app-version",
        "--workload",
        "--force",
        "--strict",
        "--quiet",
        "--name",
    ] {
        assert!(out.contains(flag), "help lacks {flag}");
    }
    let (code, out, _) = run(&["--version"], tmp.path());
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        format!("helm-ecs-import {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_two() {
    let tmp = tempfile::tempdir().unwrap();
    let redis = root().join("examples/redis.json");
    let redis = redis.to_str().unwrap();
    for args in [
        vec![],
        vec![redis, "--bogus"],
        vec![redis, "--chart-version", "1.0"],
        vec![redis, "--workload", "replicaset"],
        vec![redis, "--workload", "cronjob"],
        vec![redis, "--schedule", "rate(5 minutes)"],
        vec![redis, redis, "--name", "x"],
    ] {
        let (code, _, err) = run(&args, tmp.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.is_empty());
    }
    assert!(
        entries(tmp.path()).is_empty(),
        "usage errors must write nothing"
    );
}

#[test]
fn under_helm_usage_names_the_plugin_command() {
    let tmp = tempfile::tempdir().unwrap();
    let output = cmd()
        .arg("--help")
        .env("HELM_PLUGIN_NAME", "ecs-import")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout)
        .contains("Usage: helm ecs-import [OPTIONS] [FILE]..."));
}

/// Each bad input gives exactly one line naming the file and the JSON path, exit 1, and no
/// output directory content.
#[test]
fn bad_input_is_one_clear_line_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, &[u8], &str)> = vec![
        ("notjson.json", b"{\n  \"family\": \"x\",\n  oops\n}", "notjson.json:3:3: not valid JSON: key must be a string"),
        ("empty.json", b"  \n", "empty.json: empty file, expected a task definition JSON object"),
        ("other.json", br#"{"hello": "world"}"#, "other.json: (top level): not an ECS task definition: expected `containerDefinitions` (register-task-definition input) or `taskDefinition` (describe-task-definition output)"),
        ("nocontainers.json", br#"{"family":"x","containerDefinitions":[]}"#, "nocontainers.json: containerDefinitions: expected at least one container definition"),
        ("noname.json", br#"{"family":"x","containerDefinitions":[{"image":"x"}]}"#, "noname.json: containerDefinitions[0].name: is required"),
        ("dup.json", br#"{"family":"x","containerDefinitions":[{"name":"a","image":"x"},{"name":"a","image":"y"}]}"#, "dup.json: containerDefinitions[1].name: duplicate container name \"a\""),
        ("port.json", br#"{"family":"x","containerDefinitions":[{"name":"a","image":"x"},{"name":"b","image":"x","portMappings":[{"containerPort":-1}]}]}"#, "port.json: containerDefinitions[1].portMappings[0].containerPort: expected an integer 0-65535, got -1"),
        ("bigport.json", br#"{"family":"x","containerDefinitions":[{"name":"a","image":"x","portMappings":[{"containerPort":70000}]}]}"#, "bigport.json: containerDefinitions[0].portMappings[0].containerPort: expected an integer 0-65535, got 70000"),
        ("cycle.json", br#"{"family":"x","containerDefinitions":[{"name":"a","image":"x","dependsOn":[{"containerName":"b","condition":"START"}]},{"name":"b","image":"x","dependsOn":[{"containerName":"a","condition":"HEALTHY"}]}]}"#, "cycle.json: containerDefinitions[1].dependsOn[0]: dependsOn forms a cycle: a -> b -> a"),
        ("vol.json", br#"{"family":"x","containerDefinitions":[{"name":"a","image":"x","mountPoints":[{"sourceVolume":"data","containerPath":"/d"}]}]}"#, "vol.json: containerDefinitions[0].mountPoints[0].sourceVolume: names volume \"data\", which is not declared in `volumes`"),
        ("memory.json", br#"{"family":"x","containerDefinitions":[{"name":"a","image":"x","memory":"lots"}]}"#, "memory.json: containerDefinitions[0].memory: expected an integer 0-16777216, got \"lots\""),
        ("utf8.json", b"{\"family\": \"\xc3\x28\"}", "utf8.json: not valid UTF-8 (first bad byte at offset 12)"),
        ("template.json", br#"{"family":"x","containerDefinitions":[{"name":"a","image":"x","portMappings":[{"containerPort": ${PORT}}]}]}"#, "template.json:1:97: not valid JSON: expected value (the file contains the placeholder `${PORT}`; give its value with --var NAME=VALUE or --var-file FILE)"),
    ];
    for (name, bytes, expected) in &cases {
        fs::write(tmp.path().join(name), bytes).unwrap();
        let out = tmp.path().join(format!("out-{name}"));
        let (code, stdout, stderr) = run(&[name, "--output", out.to_str().unwrap()], tmp.path());
        assert_eq!(code, 1, "{name}: {stderr}");
        assert_eq!(stdout, "");
        assert_eq!(stderr, format!("Error: {expected}\n"), "{name}");
        assert!(entries(&out).is_empty(), "{name} wrote {:?}", entries(&out));
    }
    let (code, _, stderr) = run(&["missing.json", "-o", "out"], tmp.path());
    assert_eq!(code, 1);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("Error: missing.json: cannot read: "),
        "{stderr}"
    );
}

#[test]
fn hostile_family_names_stay_inside_output() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("evil.json"),
        br#"{"family":"../../Escape_Me","containerDefinitions":[{"name":"a","image":"x"}]}"#,
    )
    .unwrap();
    fs::write(
        tmp.path().join("symbols.json"),
        br#"{"family":"%%%***","containerDefinitions":[{"name":"a","image":"x"}]}"#,
    )
    .unwrap();
    fs::write(
        tmp.path().join("###.json"),
        br#"{"family":"!!!","containerDefinitions":[{"name":"a","image":"x"}]}"#,
    )
    .unwrap();
    let (code, _, err) = run(
        &["evil.json", "symbols.json", "###.json", "-o", "out", "-q"],
        tmp.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        entries(&tmp.path().join("out")),
        ["ecs-service", "escape-me", "symbols"]
    );
    assert_eq!(
        entries(tmp.path()),
        ["###.json", "evil.json", "out", "symbols.json"]
    );
}

#[test]
fn same_input_gives_byte_identical_output_and_reruns_keep_user_files() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs: Vec<String> = ["redis", "vault", "web-with-sidecar"]
        .iter()
        .map(|n| {
            root()
                .join(format!("examples/{n}.json"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let convert = |out: &str| {
        let mut args: Vec<&str> = inputs.iter().map(String::as_str).collect();
        args.extend(["--output", out, "--quiet"]);
        let (code, _, err) = run(&args, tmp.path());
        assert_eq!(code, 0, "{err}");
    };
    convert("a");
    convert("b");
    assert_eq!(tree(&tmp.path().join("a")), tree(&tmp.path().join("b")));

    // The user adds an environment file, edits one generated file and deletes another; a
    // re-run of the same input keeps all three, and changes nothing else.
    let chart = tmp.path().join("a/redis");
    fs::write(chart.join("values-prod.yaml"), "replicaCount: 3\n").unwrap();
    fs::create_dir_all(chart.join("ci")).unwrap();
    fs::write(chart.join("ci/lint-values.yaml"), "{}\n").unwrap();
    fs::write(chart.join("values.yaml"), "edited\n").unwrap();
    fs::remove_file(chart.join("templates/NOTES.txt")).unwrap();
    convert("a");
    let after = tree(&tmp.path().join("a/redis"));
    let generated = tree(&tmp.path().join("b/redis"));
    let user: Vec<_> = after
        .iter()
        .filter(|(p, _)| !generated.iter().any(|(g, _)| g == p))
        .collect();
    assert_eq!(
        user.len(),
        2,
        "{:?}",
        user.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    assert_eq!(
        fs::read_to_string(chart.join("values-prod.yaml")).unwrap(),
        "replicaCount: 3\n"
    );
    assert_eq!(
        fs::read_to_string(chart.join("ci/lint-values.yaml")).unwrap(),
        "{}\n"
    );
    // The user's edit and deletion of generated files stand: the input did not change them.
    assert_eq!(
        fs::read_to_string(chart.join("values.yaml")).unwrap(),
        "edited\n"
    );
    assert!(!chart.join("templates/NOTES.txt").exists());
    for (path, bytes) in &generated {
        if path == "values.yaml" || path == "templates/NOTES.txt" {
            continue;
        }
        assert_eq!(
            after.iter().find(|(p, _)| p == path).map(|(_, b)| b),
            Some(bytes),
            "{path}"
        );
    }
    // No temporary directories are left beside the charts.
    assert_eq!(
        entries(&tmp.path().join("a")),
        ["redis", "storefront-web", "vault"]
    );
}

#[test]
fn refuses_directories_it_did_not_generate_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let redis = root().join("examples/redis.json");
    let mine = tmp.path().join("out/redis");
    fs::create_dir_all(&mine).unwrap();
    fs::write(mine.join("Chart.yaml"), "handwritten\n").unwrap();
    fs::write(mine.join("notes.md"), "mine\n").unwrap();
    let (code, _, err) = run(&[redis.to_str().unwrap(), "-o", "out"], tmp.path());
    assert_eq!(code, 1);
    assert_eq!(err, format!("Error: out/redis: exists and was not generated by helm ecs-import; use --force to write into it\n"));
    assert_eq!(
        fs::read_to_string(mine.join("Chart.yaml")).unwrap(),
        "handwritten\n"
    );

    let (code, _, err) = run(
        &[redis.to_str().unwrap(), "-o", "out", "--force", "-q"],
        tmp.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(fs::read_to_string(mine.join("Chart.yaml"))
        .unwrap()
        .starts_with("apiVersion: v2"));
    assert_eq!(fs::read_to_string(mine.join("notes.md")).unwrap(), "mine\n");
}

#[test]
fn strict_fails_on_warnings_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let web = root().join("examples/web-with-sidecar.json");
    let (code, _, err) = run(
        &[web.to_str().unwrap(), "-o", "out", "--strict"],
        tmp.path(),
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("Error: ")
            && err.contains("warning(s) in the conversion report and --strict is set"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    assert!(entries(&tmp.path().join("out")).is_empty());

    let clean = tmp.path().join("clean.json");
    fs::write(&clean, br#"{"family":"clean","containerDefinitions":[{"name":"a","image":"nginx:1","memory":128}]}"#).unwrap();
    let (code, _, err) = run(&["clean.json", "-o", "out", "--strict"], tmp.path());
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_bad_file_fails_alone() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("bad.json"), b"{").unwrap();
    let redis = root().join("examples/redis.json");
    let (code, _, err) = run(
        &["bad.json", redis.to_str().unwrap(), "-o", "out"],
        tmp.path(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("Error: bad.json:1:1: not valid JSON"), "{err}");
    assert!(err.contains("wrote out/redis (StatefulSet"), "{err}");
    assert_eq!(entries(&tmp.path().join("out")), ["redis"]);
}

#[test]
fn chart_flags_set_versions_name_and_workload() {
    let tmp = tempfile::tempdir().unwrap();
    let redis = root().join("examples/redis.json");
    let (code, _, err) = run(
        &[
            redis.to_str().unwrap(),
            "-o",
            "out",
            "--name",
            "Cache",
            "--chart-version",
            "2.3.4-rc.1",
            "--app-version",
            "1.10",
            "--workload",
            "deployment",
            "-q",
        ],
        tmp.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    let chart = fs::read_to_string(tmp.path().join("out/cache/Chart.yaml")).unwrap();
    assert!(chart.contains("\nname: cache\n"), "{chart}");
    assert!(chart.contains("\nversion: \"2.3.4-rc.1\"\n"), "{chart}");
    assert!(chart.contains("\nappVersion: \"1.10\"\n"), "{chart}");
    let values = fs::read_to_string(tmp.path().join("out/cache/values.yaml")).unwrap();
    assert!(values.contains("  kind: Deployment\n"));
}

#[test]
fn report_is_written_and_summarised() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = root().join("examples/vault.json");
    let (code, _, err) = run(&[vault.to_str().unwrap(), "-o", "out"], tmp.path());
    assert_eq!(code, 0);
    assert!(
        err.contains("warning ECSI-W-ULIMIT /taskDefinition/containerDefinitions/0/ulimits"),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_slice(
        &fs::read(tmp.path().join("out/vault/ecs-import-report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["source"], "vault.json");
    let findings = report["findings"].as_array().unwrap();
    assert!(findings
        .iter()
        .all(|f| f["code"].as_str().unwrap().starts_with("ECSI-")
            && f["pointer"].is_string()
            && f["action"].is_string()));
    assert_eq!(
        report["summary"]["warnings"].as_u64().unwrap() as usize,
        findings
            .iter()
            .filter(|f| f["severity"] == "warning")
            .count()
    );
    let readme = fs::read_to_string(tmp.path().join("out/vault/README.md")).unwrap();
    assert!(readme.contains("## Migration notes") && readme.contains("`ECSI-W-ULIMIT`"));
}

#[test]
fn placeholders_are_filled_from_vars_even_where_json_needs_them() {
    let tmp = tempfile::tempdir().unwrap();
    let text = r#"{"family": "api", "containerDefinitions": [{"name": "api", "image": "<IMAGE1_NAME>",
        "portMappings": [{"containerPort": ${PORT}}],
        "environment": [{"name": "MSG", "value": "{{ must_env `MSG` }}"}, {"name": "HOST", "value": "${DB_HOST}"}]}]}"#;
    fs::write(tmp.path().join("api.json.tpl"), text).unwrap();
    // Not JSON until filled in: one line with line and column that suggests --var.
    let (code, _, err) = run(&["api.json.tpl", "-o", "out"], tmp.path());
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1);
    assert!(
        err.starts_with("Error: api.json.tpl:2:")
            && err.contains("placeholder `${PORT}`; give its value with --var NAME=VALUE"),
        "{err}"
    );

    fs::write(
        tmp.path().join("prod.env"),
        "# prod\nexport MSG=say \"hi\"\nDB_HOST='db.internal'\n",
    )
    .unwrap();
    let (code, _, err) = run(
        &[
            "api.json.tpl",
            "-o",
            "out",
            "-q",
            "--var",
            "PORT=8080",
            "--var",
            "IMAGE1_NAME=registry.example.com/api:2.1",
            "--var-file",
            "prod.env",
        ],
        tmp.path(),
    );
    assert_eq!(code, 0, "{err}");
    let values: serde_json::Value = helm_ecs_import::yaml::from_str(
        &fs::read_to_string(tmp.path().join("out/api/values.yaml")).unwrap(),
    )
    .unwrap();
    let api = &values["containers"]["api"];
    assert_eq!(api["ports"][0]["containerPort"], 8080);
    assert_eq!(api["image"]["registry"], "registry.example.com");
    assert_eq!(api["image"]["tag"], "2.1");
    assert_eq!(api["env"]["MSG"], "say \"hi\"");
    assert_eq!(api["env"]["HOST"], "db.internal");
    let report = fs::read_to_string(tmp.path().join("out/api/ecs-import-report.json")).unwrap();
    assert!(!report.contains("ECSI-W-PLACEHOLDER"), "{report}");
}

#[test]
fn unfilled_placeholders_become_flagged_values() {
    let tmp = tempfile::tempdir().unwrap();
    let input = root().join("tests/fixtures/placeholders/task-definition.json");
    let (code, _, err) = run(&[input.to_str().unwrap(), "-o", "out"], tmp.path());
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(tmp.path().join("out/billing/values.yaml")).unwrap();
    let values: serde_json::Value = helm_ecs_import::yaml::from_str(&text).unwrap();
    assert_eq!(
        values["containers"]["billing"]["image"]["repository"],
        "<IMAGE1_NAME>"
    );
    assert_eq!(
        values["containers"]["billing"]["env"]["STAGE"],
        "{{ must_env `STAGE` }}"
    );
    assert_eq!(
        values["containers"]["agent"]["image"]["repository"],
        "REPLACE_ME"
    );
    assert!(
        text.contains("# -- Image repository. PLACEHOLDER from the input"),
        "{text}"
    );
    let report: serde_json::Value = serde_json::from_slice(
        &fs::read(tmp.path().join("out/billing/ecs-import-report.json")).unwrap(),
    )
    .unwrap();
    let flagged: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "ECSI-W-PLACEHOLDER")
        .map(|f| f["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        flagged,
        [
            "/containerDefinitions/0/environment/0/value",
            "/containerDefinitions/0/environment/1/value",
            "/containerDefinitions/0/image",
            "/taskRoleArn"
        ]
    );
    // A shell variable in a command and a .NET-style env name are not placeholders.
    assert!(!flagged
        .iter()
        .any(|p| p.contains("command") || p.contains("environment/2")));
}
