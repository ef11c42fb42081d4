//! Packaging and publishing against real servers and both Helm versions: reproducible
//! archives, a static repository over loopback HTTP, concurrent and interrupted publishers,
//! OCI registries with and without authentication, and versions that follow content.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{cmd, helm, ok, root, tools};
use crate::publish_concurrency::{copy_dir, set_replicas};
use crate::servers;

pub(crate) fn run_ok(c: &mut Command) -> String {
    let output = c.output().unwrap();
    assert!(
        output.status.success(),
        "{:?} failed: {}",
        c,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Converts the examples into `work/charts` and returns the chart directories.
pub(crate) fn example_charts(work: &Path) -> Vec<PathBuf> {
    let mut c = cmd();
    for n in ["redis", "vault", "web-with-sidecar"] {
        c.arg(root().join(format!("examples/{n}.json")));
    }
    run_ok(c.arg("-q").arg("-o").arg(work.join("charts")));
    ["redis", "vault", "storefront-web"]
        .iter()
        .map(|n| work.join("charts").join(n))
        .collect()
}

pub(crate) fn package(charts: &[PathBuf], dest: &Path, extra: &[&str]) -> String {
    let mut c = cmd();
    c.arg("package")
        .args(charts)
        .arg("-d")
        .arg(dest)
        .args(extra);
    run_ok(&mut c)
}

pub(crate) fn archives(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .collect();
    v.sort();
    v
}

pub(crate) fn index(dir: &Path) -> Value {
    helm_ecs_import::yaml::from_str(&fs::read_to_string(dir.join("index.yaml")).unwrap()).unwrap()
}

#[test]
fn archives_are_reproducible_laid_out_like_helm_and_read_by_both_helms() {
    let Some(tools) = tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let charts = example_charts(work.path());
    fs::write(charts[0].join("scratch.bak"), "ignored by .helmignore").unwrap();
    fs::write(
        charts[0].join(".helmignore"),
        format!(
            "{}*.bak\n",
            fs::read_to_string(charts[0].join(".helmignore")).unwrap()
        ),
    )
    .unwrap();
    package(&charts, &work.path().join("a"), &[]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // Touching files changes nothing: mtimes never reach the archive.
    let now = fs::File::open(charts[0].join("values.yaml")).unwrap();
    now.set_modified(std::time::SystemTime::now()).unwrap();
    package(&charts, &work.path().join("b"), &[]);
    let a = archives(&work.path().join("a"));
    assert_eq!(a.len(), 3);
    for path in &a {
        let other = work.path().join("b").join(path.file_name().unwrap());
        assert_eq!(
            fs::read(path).unwrap(),
            fs::read(&other).unwrap(),
            "{} is not reproducible",
            path.display()
        );
    }
    // SOURCE_DATE_EPOCH sets every entry's mtime.
    let mut c = cmd();
    run_ok(
        c.arg("package")
            .arg(&charts[0])
            .arg("-d")
            .arg(work.path().join("c"))
            .env("SOURCE_DATE_EPOCH", "1700000000"),
    );

    let redis = &a[0];
    assert!(redis.ends_with("redis-0.1.0.tgz"), "{}", redis.display());
    let bytes = fs::read(redis).unwrap();
    assert_eq!(
        &bytes[..4],
        &[0x1f, 0x8b, 8, 0],
        "gzip without name or comment"
    );
    assert_eq!(&bytes[4..8], &[0, 0, 0, 0], "gzip header without a time");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    let names: Vec<(String, u32, u64)> = tar
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.path().unwrap().to_string_lossy().into_owned(),
                e.header().mode().unwrap(),
                e.header().mtime().unwrap(),
            )
        })
        .collect();
    assert_eq!(names[0].0, "redis/Chart.yaml");
    assert_eq!(names[1].0, "redis/values.yaml");
    assert_eq!(names[2].0, "redis/values.schema.json");
    assert!(names[3].0.starts_with("redis/templates/"));
    assert!(names
        .iter()
        .all(|(_, mode, mtime)| *mode == 0o644 && *mtime == 0));
    for left_out in [
        "redis/ecs-import-report.json",
        "redis/.ecs-import",
        "redis/scratch.bak",
    ] {
        assert!(
            !names.iter().any(|(n, _, _)| n == left_out),
            "{left_out} must be left out"
        );
    }
    let c_bytes = fs::read(work.path().join("c/redis-0.1.0.tgz")).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(c_bytes.as_slice()));
    assert!(tar
        .entries()
        .unwrap()
        .all(|e| e.unwrap().header().mtime().unwrap() == 1_700_000_000));

    let home = tempfile::tempdir().unwrap();
    for (label, bin) in &tools.helms {
        for archive in &a {
            let s = archive.to_str().unwrap();
            let shown = ok(
                &helm(bin, home.path(), &["show", "chart", s]),
                &format!("{label} show chart"),
            );
            assert!(shown.contains("apiVersion: v2"), "{shown}");
            ok(
                &helm(bin, home.path(), &["lint", "--strict", s]),
                &format!("{label} lint {s}"),
            );
            let rendered = ok(
                &helm(bin, home.path(), &["template", "rel", s]),
                &format!("{label} template {s}"),
            );
            assert!(
                rendered.contains("kind: StatefulSet") || rendered.contains("kind: Deployment")
            );
        }
    }
}

#[test]
fn static_repository_over_http_with_both_helms() {
    let Some(tools) = tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let charts = example_charts(work.path());
    package(&charts, &work.path().join("dist"), &[]);
    let repo = work.path().join("repo");
    fs::create_dir_all(&repo).unwrap();
    let server = servers::static_http(&repo);
    let url = format!("http://127.0.0.1:{}", server.port);
    let publish = |archives: &[PathBuf], extra: &[&str]| {
        let mut c = cmd();
        c.arg("publish")
            .args(archives)
            .arg("--repo")
            .arg(&repo)
            .args(["--url", &url])
            .args(extra)
            .env_remove("SOURCE_DATE_EPOCH");
        c.output().unwrap()
    };
    let dist = archives(&work.path().join("dist"));
    let out = publish(&dist, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = fs::read(repo.join("index.yaml")).unwrap();

    // The same archives again: nothing changes, not even `generated`.
    assert!(publish(&dist, &[]).status.success());
    assert_eq!(fs::read(repo.join("index.yaml")).unwrap(), first);

    // A new version of one chart keeps the created stamps of the others.
    let mut c = cmd();
    run_ok(
        c.arg("package")
            .arg(&charts[0])
            .arg("--version")
            .arg("0.2.0")
            .arg("-d")
            .arg(work.path().join("dist2")),
    );
    let v2 = archives(&work.path().join("dist2"));
    assert!(publish(&v2, &[]).status.success());
    let before = index_created(
        &serde_json::from_str(
            &serde_json::to_string(
                &helm_ecs_import::yaml::from_str::<Value>(std::str::from_utf8(&first).unwrap())
                    .unwrap(),
            )
            .unwrap(),
        )
        .unwrap(),
    );
    let after = index(&repo);
    for (key, created) in &before {
        assert_eq!(
            index_created(&after).get(key),
            Some(created),
            "created of {key} kept"
        );
    }
    let redis: Vec<&str> = after["entries"]["redis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["version"].as_str().unwrap())
        .collect();
    assert_eq!(redis, ["0.2.0", "0.1.0"], "newest first");

    // Different content under an existing name and version is refused, and nothing changes.
    let edited = work.path().join("edited");
    copy_dir(&charts[0], &edited);
    set_replicas(&edited, 2);
    let mut c = cmd();
    run_ok(
        c.arg("package")
            .arg(&edited)
            .arg("-d")
            .arg(work.path().join("dist3")),
    );
    let conflicting = archives(&work.path().join("dist3"));
    let snapshot = fs::read(repo.join("index.yaml")).unwrap();
    let refused = publish(&conflicting, &[]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("redis 0.1.0 is already in") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    assert_eq!(fs::read(repo.join("index.yaml")).unwrap(), snapshot);
    assert!(publish(&conflicting, &["--force"]).status.success());
    assert_ne!(fs::read(repo.join("index.yaml")).unwrap(), snapshot);

    // Versions follow what the served repository holds: the original content is 0.2.0 there.
    let mut c = cmd();
    let note = run_ok(
        c.arg("package")
            .arg(&charts[0])
            .args(["--repo", &url, "-d"])
            .arg(work.path().join("dist4")),
    );
    assert!(
        note.contains("redis-0.2.0.tgz") && note.contains("unchanged since it was published"),
        "{note}"
    );

    // The index lists the entries and digests `helm repo index` gives for the same archives.
    let theirs = work.path().join("theirs");
    fs::create_dir_all(&theirs).unwrap();
    for a in archives(&repo) {
        fs::copy(&a, theirs.join(a.file_name().unwrap())).unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    ok(
        &helm(
            &tools.helms[1].1,
            home.path(),
            &["repo", "index", theirs.to_str().unwrap(), "--url", &url],
        ),
        "helm repo index",
    );
    let (ours, helms) = (index(&repo), index(&theirs));
    assert_eq!(entry_facts(&ours), entry_facts(&helms));

    for (label, bin) in &tools.helms {
        let home = tempfile::tempdir().unwrap();
        let h = |args: &[&str]| ok(&helm(bin, home.path(), args), &format!("{label} {args:?}"));
        h(&["repo", "add", "ecs", &url]);
        let search = h(&["search", "repo", "ecs/", "--versions"]);
        assert!(
            search.contains("ecs/redis")
                && search.contains("0.2.0")
                && search.contains("ecs/vault"),
            "{search}"
        );
        let pulled = home.path().join("pulled");
        fs::create_dir_all(&pulled).unwrap();
        h(&[
            "pull",
            "ecs/redis",
            "--version",
            "0.1.0",
            "-d",
            pulled.to_str().unwrap(),
        ]);
        let archive = pulled.join("redis-0.1.0.tgz");
        assert_eq!(
            fs::read(&archive).unwrap(),
            fs::read(repo.join("redis-0.1.0.tgz")).unwrap()
        );
        let rendered = h(&["template", "rel", archive.to_str().unwrap()]);
        assert!(
            rendered.contains("replicas: 2"),
            "the forced replacement is what is served"
        );
    }

    // A broken index is reported and never overwritten.
    fs::write(repo.join("index.yaml"), "apiVersion: v1\nentries: [oops\n").unwrap();
    let out = publish(&dist, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("index.yaml: does not parse, so it is left as it is"));
    assert_eq!(
        fs::read_to_string(repo.join("index.yaml")).unwrap(),
        "apiVersion: v1\nentries: [oops\n"
    );
    drop(server);
}

pub(crate) fn index_created(index: &Value) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for (name, list) in index["entries"].as_object().unwrap() {
        for e in list.as_array().unwrap() {
            out.insert(
                format!("{name}-{}", e["version"].as_str().unwrap()),
                e["created"].as_str().unwrap().to_string(),
            );
        }
    }
    out
}

/// What must agree with `helm repo index`: names, versions, digests, urls and chart metadata.
pub(crate) fn entry_facts(
    index: &Value,
) -> Vec<(String, String, String, Value, Value, Value, Value)> {
    let mut out = Vec::new();
    for (name, list) in index["entries"].as_object().unwrap() {
        for e in list.as_array().unwrap() {
            out.push((
                name.clone(),
                e["version"].as_str().unwrap().to_string(),
                e["digest"].as_str().unwrap().to_string(),
                e["urls"].clone(),
                e["appVersion"].clone(),
                e["description"].clone(),
                e["apiVersion"].clone(),
            ));
        }
    }
    out
}

/// Changes a chart's content: its default replica count.
#[test]
fn two_different_archives_of_one_version_in_one_call_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let charts = example_charts(work.path());
    let redis = &charts[0];
    package(
        std::slice::from_ref(redis),
        &work.path().join("a"),
        &["--version", "1.0.0"],
    );
    set_replicas(redis, 5);
    package(
        std::slice::from_ref(redis),
        &work.path().join("b"),
        &["--version", "1.0.0"],
    );
    let (a, b) = (
        archives(&work.path().join("a")),
        archives(&work.path().join("b")),
    );
    let repo = work.path().join("repo");
    let output = cmd()
        .arg("publish")
        .args(&a)
        .args(&b)
        .arg("--repo")
        .arg(&repo)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("redis 1.0.0 is also"), "{stderr}");
    assert!(!repo.join("index.yaml").exists(), "nothing was published");
    run_ok(
        cmd()
            .arg("publish")
            .args(&a)
            .args(&b)
            .arg("--repo")
            .arg(&repo)
            .arg("--force"),
    );
    let published = fs::read(repo.join("redis-1.0.0.tgz")).unwrap();
    assert_eq!(
        published,
        fs::read(&b[0]).unwrap(),
        "with --force the last one wins"
    );
}
