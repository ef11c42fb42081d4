//! Hostile and sloppy inputs: walks that cannot hang, inputs too big to read, standard input,
//! runs with nothing to convert, and leniency where the intent is clear.

use std::fs;
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::cmd;

const WEB: &str =
    r#"{"family":"web","containerDefinitions":[{"name":"web","image":"nginx:1.27","memory":256}]}"#;

#[cfg(unix)]
#[test]
fn a_directory_of_loops_fifos_and_devices_converts_what_it_can_within_seconds() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(input.join("a")).unwrap();
    fs::write(input.join("a/web.json"), WEB).unwrap();
    std::os::unix::fs::symlink(&input, input.join("a/loop")).unwrap();
    std::os::unix::fs::symlink(input.join("a"), input.join("again")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", input.join("zero.json")).unwrap();
    std::os::unix::fs::symlink(input.join("a/web.json"), input.join("link.json")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(input.join("pipe.json"))
        .status()
        .unwrap()
        .success());
    let started = Instant::now();
    let mut child = cmd()
        .arg(&input)
        .arg("-o")
        .arg(tmp.path().join("out"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("the walk hung");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    assert!(tmp.path().join("out/web/Chart.yaml").exists());
    assert_eq!(
        stderr.matches(": wrote ").count(),
        1,
        "the linked file is read once: {stderr}"
    );
    assert!(
        stderr.contains("pipe.json: skipped: not a regular file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("zero.json: skipped: not a regular file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped: a directory already walked"),
        "{stderr}"
    );
}

#[test]
fn an_input_over_the_size_cap_is_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.json");
    let mut f = fs::File::create(&big).unwrap();
    f.write_all(b"{\"family\":\"x\",\"pad\":\"").unwrap();
    f.write_all(&vec![b'a'; 11 * 1024 * 1024]).unwrap();
    f.write_all(b"\"}").unwrap();
    let output = cmd()
        .arg(&big)
        .arg("-o")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr.trim(),
        format!("Error: {}: is larger than 10 MiB; not read", big.display())
    );
    assert!(!tmp.path().join("out").join("x").exists());
}

#[test]
fn standard_input_is_read_for_a_dash() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = cmd()
        .args(["-", "--name", "from-stdin", "-o"])
        .arg(tmp.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(WEB.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let values = fs::read_to_string(tmp.path().join("from-stdin/values.yaml")).unwrap();
    assert!(values.contains("repository: nginx"), "{values}");
}

#[test]
fn a_run_with_nothing_to_convert_says_so_and_fails() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("package.json"), r#"{"name": "not-ecs"}"#).unwrap();
    let output = cmd()
        .arg(tmp.path())
        .arg("-o")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing to convert"), "{stderr}");
    assert!(
        stderr.contains("package.json: skipped: not a task definition"),
        "{stderr}"
    );
}

#[test]
fn clear_intent_converts_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("lenient.json");
    fs::write(
        &input,
        r#"{"family":"l","containerDefinitions":[{"name":"a","image":"x","memory":128,
            "repositoryCredentials":{"credentialsParameter":""},
            "dependsOn":[{"containerName":"ghost","condition":"START"}]}]}"#,
    )
    .unwrap();
    let output = cmd()
        .arg(&input)
        .arg("-o")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("ECSI-W-ORDER /containerDefinitions/0/dependsOn/0/containerName"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "ECSI-W-EMPTY /containerDefinitions/0/repositoryCredentials/credentialsParameter"
        ),
        "{stderr}"
    );
}

#[test]
fn a_publisher_waits_a_bounded_time_on_a_held_lock_and_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("web.json");
    fs::write(&input, WEB).unwrap();
    let out = tmp.path().join("out");
    let ok = cmd()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--package")
        .arg("-q")
        .output()
        .unwrap();
    assert!(ok.status.success());
    let repo = tmp.path().join("repo");
    fs::create_dir_all(&repo).unwrap();
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(repo.join(".index.lock"))
        .unwrap();
    lock.lock().unwrap();
    fs::write(repo.join(".index.lock"), "4242").unwrap();
    let started = Instant::now();
    let output = cmd()
        .arg("publish")
        .arg(out.join("web-0.1.0.tgz"))
        .arg("--repo")
        .arg(&repo)
        .args(["--lock-timeout", "1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        stderr.contains(".index.lock") && stderr.contains("process 4242"),
        "{stderr}"
    );
    assert!(!repo.join("index.yaml").exists());
    drop(lock);
    let output = cmd()
        .arg("publish")
        .arg(out.join("web-0.1.0.tgz"))
        .arg("--repo")
        .arg(&repo)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_task_definition_at_the_ecs_size_limit_gives_a_chart_helm_accepts() {
    // ECS refuses task definitions over 64 KiB; this one is just under, in ten containers
    // with long environment values.
    let env = |j: usize| -> Vec<serde_json::Value> {
        (0..60)
            .map(|i| serde_json::json!({"name": format!("SETTING_{j}_{i:03}"), "value": "v".repeat(70)}))
            .collect()
    };
    let td = serde_json::json!({
        "family": "big",
        "containerDefinitions": (0..10).map(|j| serde_json::json!({
            "name": format!("c{j}"), "image": "busybox:1.36", "memory": 64, "environment": env(j)
        })).collect::<Vec<_>>()
    });
    let text = serde_json::to_string(&td).unwrap();
    assert!(
        text.len() > 60 * 1024 && text.len() <= 64 * 1024,
        "{}",
        text.len()
    );
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("big.json"), &text).unwrap();
    let out = cmd()
        .arg(tmp.path().join("big.json"))
        .arg("-o")
        .arg(tmp.path().join("out"))
        .arg("-q")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let chart = tmp.path().join("out/big");
    let readme = fs::metadata(chart.join("README.md")).unwrap().len();
    assert!(readme < 256 * 1024, "README is {readme} bytes");
    let Some(t) = crate::common::tools() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    for (label, helm) in &t.helms {
        crate::common::ok(
            &crate::common::helm(
                helm,
                home.path(),
                &["lint", "--strict", chart.to_str().unwrap()],
            ),
            label,
        );
        let docs = crate::common::render(helm, home.path(), &chart, &[]);
        let deploy = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
        let env = deploy["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array()
            .unwrap();
        assert_eq!(env.len(), 60, "{label}");
    }
}

#[test]
fn keys_written_twice_are_reported_and_the_last_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("twice.json");
    fs::write(
        &json,
        r#"{"family":"first","family":"twice","containerDefinitions":[{"name":"a","image":"x:1","image":"x:2","memory":128}]}"#,
    )
    .unwrap();
    let yaml = tmp.path().join("twice.yaml");
    fs::write(
        &yaml,
        "family: yfirst\nfamily: ytwice\ncontainerDefinitions:\n  - name: a\n    image: x:1\n    image: x:2\n    memory: 128\n",
    )
    .unwrap();
    for (input, chart) in [(&json, "twice"), (&yaml, "ytwice")] {
        let out = tmp.path().join(format!("out-{chart}"));
        let output = cmd().arg(input).arg("-o").arg(&out).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        for pointer in ["/family", "/containerDefinitions/0/image"] {
            assert!(
                stderr.contains(&format!("ECSI-W-DUPLICATE-KEY {pointer}:")),
                "{pointer}: {stderr}"
            );
        }
        let values = fs::read_to_string(out.join(chart).join("values.yaml")).unwrap();
        assert!(values.contains("tag: \"2\""), "the last one wins: {values}");
    }
}

#[test]
fn a_command_element_that_is_not_a_string_is_one_line_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("argv.json");
    fs::write(
        &input,
        r#"{"family":"argv","containerDefinitions":[{"name":"a","image":"x","memory":128,"command":["sleep",10]}]}"#,
    )
    .unwrap();
    let out = tmp.path().join("out");
    let output = cmd().arg(&input).arg("-o").arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("argv.json: containerDefinitions[0].command[1]: expected a string, got 10"),
        "{stderr}"
    );
    assert!(!out.join("argv").exists(), "no half-written chart");
}

#[test]
fn a_broken_registry_config_is_an_error_not_an_anonymous_push() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("web.json");
    fs::write(&input, WEB).unwrap();
    let out = tmp.path().join("out");
    let ok = cmd()
        .arg(&input)
        .args(["-q", "--package", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(ok.status.success());
    let config = tmp.path().join("config.json");
    for (text, expected) in [
        ("{\"auths\": ", "not valid JSON"),
        ("{\"auths\": []}", "auths: expected an object"),
        (
            "{\"auths\": {\"127.0.0.1:9\": {\"auth\": \"not base64!\"}}}",
            "auths.127.0.0.1:9.auth: expected base64",
        ),
    ] {
        fs::write(&config, text).unwrap();
        let output = cmd()
            .arg("publish")
            .arg(out.join("web-0.1.0.tgz"))
            .args(["--repo", "oci://127.0.0.1:9/charts", "--plain-http"])
            .env("HELM_REGISTRY_CONFIG", &config)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_ne!(output.status.code(), Some(0), "{stderr}");
        assert!(
            stderr.contains(&config.display().to_string()) && stderr.contains(expected),
            "{expected}: {stderr}"
        );
    }
}

/// ECS bridge mode gave each container its own network namespace; a pod has one. Two
/// containers on one port convert, the second off behind a switch, never a failed run.
#[test]
fn bridge_containers_sharing_a_port_convert_with_the_second_off() {
    let Some(tools) = crate::common::tools() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("bridge.json");
    fs::write(
        &input,
        r#"{"family":"bridge-pair","networkMode":"bridge","containerDefinitions":[
            {"name":"web","image":"nginx:1.27","memory":128,"portMappings":[{"containerPort":80,"hostPort":8080}]},
            {"name":"admin","image":"nginx:1.27","memory":128,"portMappings":[{"containerPort":80,"hostPort":8081}]}]}"#,
    )
    .unwrap();
    let out = tmp.path().join("out");
    let output = cmd().arg(&input).arg("-o").arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("ECSI-W-PORT-CLASH /containerDefinitions/1/portMappings/0/containerPort"),
        "{stderr}"
    );
    let chart = out.join("bridge-pair");
    let home = tempfile::tempdir().unwrap();
    for (label, bin) in &tools.helms {
        let names = |extra: &[&str]| -> Vec<String> {
            let docs = crate::common::render(bin, home.path(), &chart, extra);
            let pod = docs
                .iter()
                .find(|d| d["kind"] == "Deployment")
                .map(|d| d["spec"]["template"]["spec"].clone())
                .unwrap();
            pod["containers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&[]), ["web"], "{label}");
        assert_eq!(
            names(&["--set", "containers.admin.enabled=true"]),
            ["admin", "web"],
            "{label}"
        );
        let lint = std::process::Command::new(bin)
            .args(["lint", "--strict"])
            .arg(&chart)
            .output()
            .unwrap();
        assert!(
            lint.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&lint.stdout)
        );
    }
}

/// Task definitions kept as templates hold placeholders where IDs go; the chart's own schema
/// must accept the flagged placeholder, and still refuse a value that is neither.
#[test]
fn a_placeholder_default_passes_the_charts_own_schema() {
    let Some(tools) = crate::common::tools() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("efs.json");
    fs::write(
        &input,
        r#"{"family":"efs-ph","containerDefinitions":[{"name":"a","image":"x:1","memory":128,"mountPoints":[{"sourceVolume":"d","containerPath":"/d"}]}],
            "volumes":[{"name":"d","efsVolumeConfiguration":{"fileSystemId":"${EFS_ID}","transitEncryption":"ENABLED"}}]}"#,
    )
    .unwrap();
    let out = tmp.path().join("out");
    let output = cmd().arg(&input).arg("-o").arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("ECSI-W-PLACEHOLDER /volumes/0/efsVolumeConfiguration/fileSystemId"),
        "{stderr}"
    );
    let chart = out.join("efs-ph");
    for (label, bin) in &tools.helms {
        let lint = |extra: &[&str]| {
            std::process::Command::new(bin)
                .args(["lint", "--strict"])
                .arg(&chart)
                .args(extra)
                .output()
                .unwrap()
        };
        let ok = lint(&[]);
        assert!(
            ok.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&ok.stdout)
        );
        let bad = lint(&["--set", "persistence.d.efs.fileSystemId=bogus"]);
        assert!(
            !bad.status.success(),
            "{label}: a value that is neither an ID nor a placeholder"
        );
    }
}
