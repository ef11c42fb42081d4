//! Byte budgets (#29): YAML aliases, CloudFormation functions and a repository's index that
//! would expand to gigabytes are refused with the file and the place, in bounded time and
//! memory; nesting no stage can hold is refused at reading, with line and column.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{cmd, memory_allowed, root, run_measured};

/// Runs the tool on `args`, expecting one error line that contains every part of `expect`,
/// within the memory the brief allows for `input_bytes`; nothing is left in `out`.
fn refused(args: &[&Path], extra: &[&str], out: &Path, input_bytes: u64, expect: &[&str]) {
    let started = Instant::now();
    let (output, peak) = run_measured(cmd().args(args).args(extra));
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    for part in expect {
        assert!(err.contains(part), "{part:?} not in {err}");
    }
    assert!(
        peak < memory_allowed(input_bytes),
        "peak {} MiB: {err}",
        peak >> 20
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(
        !out.join("a").exists() && !out.join("app").exists(),
        "nothing written"
    );
}

fn one_mib() -> String {
    "x".repeat(1 << 20)
}

#[test]
fn yaml_aliases_that_expand_to_gigabytes_are_refused_used_or_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let aliases = vec!["*big"; 3000].join(", ");
    for (name, line, body) in [
        (
            "used.yaml",
            6,
            format!("family: a\nx-big: &big {}\ncontainerDefinitions:\n  - name: a\n    image: busybox\n    command: [{aliases}]\n", one_mib()),
        ),
        (
            "ignored.yaml",
            3,
            format!("family: a\nx-big: &big {}\nx-ignored: [{aliases}]\ncontainerDefinitions:\n  - name: a\n    image: busybox\n", one_mib()),
        ),
    ] {
        let input = tmp.path().join(name);
        fs::write(&input, &body).unwrap();
        let at = format!("{}:{line}:", input.display());
        refused(&[&input], &["-o", out.to_str().unwrap()], &out, body.len() as u64, &[
            &at,
            "aliases expand the document beyond 32 MiB",
        ]);
    }
}

#[test]
fn cloudformation_functions_that_expand_to_gigabytes_are_refused_with_their_path() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sub = "${Big}".repeat(2000);
    let join: Vec<serde_json::Value> = (0..5000)
        .map(|_| serde_json::json!({"Ref": "Big"}))
        .collect();
    for (name, value) in [
        ("sub.json", serde_json::json!({"Fn::Sub": sub})),
        ("join.json", serde_json::json!({"Fn::Join": ["", join]})),
    ] {
        let template = serde_json::json!({
            "Parameters": {"Big": {"Type": "String", "Default": one_mib()}},
            "Resources": {"Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": "app",
                "ContainerDefinitions": [{"Name": "app", "Image": "busybox", "Memory": 64,
                    "Environment": [{"Name": "BIG", "Value": value}]}]}}}
        });
        let input = tmp.path().join(name);
        let bytes = serde_json::to_vec(&template).unwrap();
        fs::write(&input, &bytes).unwrap();
        refused(
            &[&input],
            &["-o", out.to_str().unwrap()],
            &out,
            bytes.len() as u64,
            &[
                &input.display().to_string(),
                "Resources.Task.Properties.ContainerDefinitions[0].Environment[0].Value",
                "expand beyond 32 MiB",
            ],
        );
    }
}

#[test]
fn an_index_whose_aliases_expand_to_gigabytes_is_refused_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("charts");
    let convert = cmd()
        .arg(root().join("examples/redis.json"))
        .arg("-o")
        .arg(&out)
        .arg("--package")
        .output()
        .unwrap();
    assert!(
        convert.status.success(),
        "{}",
        String::from_utf8_lossy(&convert.stderr)
    );
    let archive = crate::publish::archives(&out).pop().unwrap();
    let repo = tmp.path().join("repo");
    fs::create_dir(&repo).unwrap();
    let bomb = format!(
        "apiVersion: v1\nx-big: &big {}\nentries:\n  web:\n    - name: web\n      version: 1.0.0\n      description: [{}]\n",
        one_mib(),
        vec!["*big"; 3000].join(", ")
    );
    fs::write(repo.join("index.yaml"), &bomb).unwrap();
    let index = repo.join("index.yaml");
    refused(
        &[Path::new("publish"), &archive, Path::new("--repo"), &repo],
        &[],
        &repo,
        bomb.len() as u64,
        &[
            &index.display().to_string(),
            "aliases expand the document beyond 32 MiB",
        ],
    );
    assert_eq!(
        fs::read_to_string(&index).unwrap(),
        bomb,
        "the index is untouched"
    );
    assert!(!repo.join(archive.file_name().unwrap()).exists());
}

#[test]
fn nesting_no_stage_can_hold_is_refused_at_reading_with_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for depth in [120, 250] {
        let input = tmp.path().join(format!("deep-{depth}.yaml"));
        let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        fs::write(&input, format!("family: a\nx-deep: {deep}\ncontainerDefinitions:\n  - name: a\n    image: busybox\n")).unwrap();
        let at = format!("{}:2:108: not valid YAML", input.display());
        refused(
            &[&input],
            &["-o", out.to_str().unwrap()],
            &out,
            1000,
            &[&at, "nested deeper than 100 levels"],
        );
    }
    // Nesting every stage holds converts (the unknown key reported, nothing lost).
    let input = tmp.path().join("deep-ok.yaml");
    let deep = format!("{}1{}", "[".repeat(90), "]".repeat(90));
    fs::write(
        &input,
        format!(
            "family: a\nx-deep: {deep}\ncontainerDefinitions:\n  - name: a\n    image: busybox\n"
        ),
    )
    .unwrap();
    let ok = cmd().arg(&input).arg("-o").arg(&out).output().unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // JSON nested just under serde_json's own limit converts too, without a panic.
    let input = tmp.path().join("deep.json");
    let deep = format!("{}1{}", "[".repeat(120), "]".repeat(120));
    fs::write(&input, format!("{{\"family\":\"j\",\"x-deep\":{deep},\"containerDefinitions\":[{{\"name\":\"a\",\"image\":\"busybox\"}}]}}")).unwrap();
    let run = cmd().arg(&input).arg("-o").arg(&out).output().unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        run.status.code() == Some(0) || err.trim().lines().count() == 1,
        "{err}"
    );
}

/// The brief's bound for every run: conversion, packaging, publishing and re-import of the
/// CDK estate stay under 256 MiB plus twice the size of their inputs.
#[test]
fn conversion_publish_and_reimport_stay_within_the_memory_bound() {
    let tmp = tempfile::tempdir().unwrap();
    let estate = root().join("tests/fixtures-cdk-estate/cdk.out");
    let input_bytes: u64 = crate::common::tree(&estate)
        .iter()
        .map(|(_, b)| b.len() as u64)
        .sum();
    let out = tmp.path().join("charts");
    let measured = |what: &str, command: &mut std::process::Command, inputs: u64| {
        let (output, peak) = run_measured(command);
        assert!(
            output.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            peak < memory_allowed(inputs),
            "{what}: peak {} MiB",
            peak >> 20
        );
        assert!(peak > 1 << 20, "{what}: the measure is real ({peak} bytes)");
    };
    measured(
        "convert",
        cmd().arg(&estate).arg("-o").arg(&out),
        input_bytes,
    );
    // A re-import with an edit to merge, and packaging.
    let values = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path().join("values.yaml"))
        .find(|p| p.exists())
        .unwrap();
    let text = fs::read_to_string(&values).unwrap();
    fs::write(&values, format!("{text}\n# reviewed\n")).unwrap();
    measured(
        "re-import and package",
        cmd().arg(&estate).arg("-o").arg(&out).arg("--package"),
        input_bytes,
    );
    let archives = crate::publish::archives(&out);
    assert!(!archives.is_empty());
    let archive_bytes: u64 = archives
        .iter()
        .map(|a| fs::metadata(a).unwrap().len())
        .sum();
    let repo = tmp.path().join("repo");
    measured(
        "publish",
        cmd()
            .arg("publish")
            .args(&archives)
            .arg("--repo")
            .arg(&repo),
        archive_bytes,
    );
}
