//! Packaging and publishing against real servers and both Helm versions: reproducible
//! archives, a static repository over loopback HTTP, concurrent and interrupted publishers,
//! OCI registries with and without authentication, and versions that follow content.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::{cmd, helm, ok, root, tools};
use crate::servers;

fn run_ok(c: &mut Command) -> String {
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
fn example_charts(work: &Path) -> Vec<PathBuf> {
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

fn package(charts: &[PathBuf], dest: &Path, extra: &[&str]) -> String {
    let mut c = cmd();
    c.arg("package")
        .args(charts)
        .arg("-d")
        .arg(dest)
        .args(extra);
    run_ok(&mut c)
}

fn archives(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .collect();
    v.sort();
    v
}

fn index(dir: &Path) -> Value {
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

fn index_created(index: &Value) -> std::collections::BTreeMap<String, String> {
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
fn entry_facts(index: &Value) -> Vec<(String, String, String, Value, Value, Value, Value)> {
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
fn set_replicas(chart: &Path, n: u32) {
    let values = chart.join("values.yaml");
    let text = fs::read_to_string(&values).unwrap();
    fs::write(
        &values,
        text.replace("replicaCount: 1", &format!("replicaCount: {n}")),
    )
    .unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Many small archives with distinct names, made by packaging one chart under new names.
fn many_archives(work: &Path, prefix: &str, count: usize) -> Vec<PathBuf> {
    let base = example_charts(&work.join(format!("{prefix}-src")))[0].clone();
    let out = work.join(format!("{prefix}-dist"));
    let mut dirs = Vec::new();
    for i in 0..count {
        let dir = work.join(format!("{prefix}-charts/{prefix}{i}"));
        copy_dir(&base, &dir);
        let chart = fs::read_to_string(dir.join("Chart.yaml"))
            .unwrap()
            .replace("name: redis", &format!("name: {prefix}{i}"));
        fs::write(dir.join("Chart.yaml"), chart).unwrap();
        dirs.push(dir);
    }
    package(&dirs, &out, &["-q"]);
    archives(&out)
}

#[test]
fn two_publishers_at_once_lose_nothing() {
    let work = tempfile::tempdir().unwrap();
    let a = many_archives(work.path(), "alpha", 30);
    let b = many_archives(work.path(), "beta", 30);
    let repo = work.path().join("repo");
    for _ in 0..3 {
        let _ = fs::remove_dir_all(&repo);
        let spawn = |set: &[PathBuf]| {
            let mut c = cmd();
            c.arg("publish")
                .args(set)
                .arg("--repo")
                .arg(&repo)
                .arg("-q")
                .spawn()
                .unwrap()
        };
        // Each archive is its own publisher run too, so the two processes interleave.
        let mut first = spawn(&a);
        let mut second = spawn(&b);
        assert!(first.wait().unwrap().success());
        assert!(second.wait().unwrap().success());
        let idx = index(&repo);
        assert_eq!(
            idx["entries"].as_object().unwrap().len(),
            60,
            "every chart of both publishers is listed"
        );
    }
}

#[test]
fn an_interrupted_publish_leaves_a_valid_index() {
    let work = tempfile::tempdir().unwrap();
    let initial = many_archives(work.path(), "keep", 3);
    let batch = many_archives(work.path(), "batch", 120);
    let repo = work.path().join("repo");
    let mut c = cmd();
    run_ok(c.arg("publish").args(&initial).arg("--repo").arg(&repo));
    for delay_ms in [5u64, 20, 40, 80, 160] {
        let mut child = cmd()
            .arg("publish")
            .args(&batch)
            .arg("--repo")
            .arg(&repo)
            .arg("-q")
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever moment it died, the index parses, keeps what was there, and every entry's
        // archive is present with the digest the index names.
        let idx = index(&repo);
        let entries = idx["entries"].as_object().unwrap();
        for name in ["keep0", "keep1", "keep2"] {
            assert!(
                entries.contains_key(name),
                "{name} lost after a kill at {delay_ms} ms"
            );
        }
        for (name, list) in entries {
            for e in list.as_array().unwrap() {
                let file = repo.join(format!("{name}-{}.tgz", e["version"].as_str().unwrap()));
                let bytes = fs::read(&file)
                    .unwrap_or_else(|_| panic!("{} listed but missing", file.display()));
                assert_eq!(
                    helm_ecs_import::package::sha256_hex(&bytes),
                    e["digest"].as_str().unwrap()
                );
            }
        }
    }
    // A later complete run finishes the job.
    let mut c = cmd();
    run_ok(
        c.arg("publish")
            .args(&batch)
            .arg("--repo")
            .arg(&repo)
            .arg("-q"),
    );
    assert_eq!(index(&repo)["entries"].as_object().unwrap().len(), 123);
}

#[test]
fn versions_follow_content() {
    let work = tempfile::tempdir().unwrap();
    let charts = example_charts(work.path());
    let repo = work.path().join("repo");
    let redis = &charts[0];
    let pack = |dest: &str| {
        let mut c = cmd();
        c.arg("package")
            .arg(redis)
            .arg("--repo")
            .arg(&repo)
            .arg("-d")
            .arg(work.path().join(dest));
        run_ok(&mut c);
        archives(&work.path().join(dest)).pop().unwrap()
    };
    let publish = |a: &Path| {
        let mut c = cmd();
        run_ok(c.arg("publish").arg(a).arg("--repo").arg(&repo).arg("-q"));
    };
    let first = pack("d1");
    assert!(first.ends_with("redis-0.1.0.tgz"));
    publish(&first);
    // Unchanged content: same version, same bytes; publishing it again is a no-op.
    let again = pack("d2");
    assert!(again.ends_with("redis-0.1.0.tgz"));
    assert_eq!(fs::read(&again).unwrap(), fs::read(&first).unwrap());
    let before = fs::read(repo.join("index.yaml")).unwrap();
    publish(&again);
    assert_eq!(fs::read(repo.join("index.yaml")).unwrap(), before);
    // Changed content: the next patch version.
    set_replicas(redis, 3);
    let changed = pack("d3");
    assert!(
        changed.ends_with("redis-0.1.1.tgz"),
        "{}",
        changed.display()
    );

    // On a conversion re-run, the chart's version follows its generated content too.
    let out = work.path().join("out");
    let convert = |extra: &[&str]| {
        let mut c = cmd();
        c.arg(root().join("examples/redis.json"))
            .arg("-q")
            .arg("-o")
            .arg(&out)
            .args(extra);
        run_ok(&mut c);
        fs::read_to_string(out.join("redis/Chart.yaml")).unwrap()
    };
    assert!(convert(&[]).contains("version: \"0.1.0\""));
    let values = out.join("redis/values.yaml");
    let edited =
        fs::read_to_string(&values).unwrap() + "\n# user edits do not count\nteam: cache\n";
    fs::write(&values, edited).unwrap();
    assert!(
        convert(&[]).contains("version: \"0.1.0\""),
        "unchanged generated content keeps the version"
    );
    assert!(convert(&["--workload", "deployment"]).contains("version: \"0.1.1\""));
    assert!(convert(&["--workload", "deployment"]).contains("version: \"0.1.1\""));
    assert!(convert(&["--chart-version", "3.0.0"]).contains("version: \"3.0.0\""));
    // Unchanged since the 3.0.0 run: the version stays; --package writes the archive beside
    // the chart folders.
    assert!(convert(&["--package"]).contains("version: \"3.0.0\""));
    assert!(out.join("redis-3.0.0.tgz").exists());
}

fn docker_config(dir: &Path, host: &str, user: &str, password: &str) -> PathBuf {
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let path = dir.join("registry-config.json");
    fs::write(
        &path,
        format!("{{\"auths\":{{\"{host}\":{{\"auth\":\"{auth}\"}}}}}}"),
    )
    .unwrap();
    path
}

#[test]
fn oci_registry_without_and_with_authentication() {
    let Some(tools) = tools() else { return };
    let Some(registry_bin) = servers::registry_binary() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let charts = example_charts(work.path());
    package(&charts, &work.path().join("dist"), &[]);
    let dist = archives(&work.path().join("dist"));
    let digest = helm_ecs_import::package::sha256_hex(&fs::read(&dist[0]).unwrap());

    // Without authentication.
    let open = servers::registry(&registry_bin, None);
    let target = format!("oci://127.0.0.1:{}/charts/team", open.port);
    let mut c = cmd();
    let out = run_ok(
        c.arg("publish")
            .args(&dist)
            .args(["--repo", &target, "--plain-http"])
            .env("HELM_REGISTRY_CONFIG", work.path().join("none.json")),
    );
    assert!(
        out.contains(&format!(
            "pushed 127.0.0.1:{}/charts/team/redis:0.1.0",
            open.port
        )),
        "{out}"
    );
    // Pushing again is harmless.
    let mut c = cmd();
    run_ok(
        c.arg("publish")
            .arg(&dist[0])
            .args(["--repo", &target, "--plain-http", "-q"]),
    );
    for (label, bin) in &tools.helms {
        let home = tempfile::tempdir().unwrap();
        let pulled = home.path().join("pulled");
        fs::create_dir_all(&pulled).unwrap();
        let reference = format!("oci://127.0.0.1:{}/charts/team/redis", open.port);
        ok(
            &helm(
                bin,
                home.path(),
                &[
                    "pull",
                    &reference,
                    "--version",
                    "0.1.0",
                    "--plain-http",
                    "-d",
                    pulled.to_str().unwrap(),
                ],
            ),
            &format!("{label} pull"),
        );
        let pulled_bytes = fs::read(pulled.join("redis-0.1.0.tgz")).unwrap();
        assert_eq!(
            helm_ecs_import::package::sha256_hex(&pulled_bytes),
            digest,
            "{label}: the layer is the archive itself"
        );
        let shown = ok(
            &helm(
                bin,
                home.path(),
                &[
                    "show",
                    "chart",
                    &reference,
                    "--version",
                    "0.1.0",
                    "--plain-http",
                ],
            ),
            &format!("{label} show chart"),
        );
        assert!(
            shown.contains("name: redis") && shown.contains("version: 0.1.0"),
            "{shown}"
        );
    }
    // A content check against the registry: unchanged keeps the version, changed bumps it.
    let mut c = cmd();
    let note = run_ok(
        c.arg("package")
            .arg(&charts[0])
            .args(["--repo", &target, "--plain-http", "-d"])
            .arg(work.path().join("again")),
    );
    assert!(
        note.contains("unchanged since it was published") && note.contains("redis-0.1.0.tgz"),
        "{note}"
    );
    drop(open);

    // With htpasswd basic authentication.
    let locked = servers::registry(&registry_bin, Some(("ci", "s3cret-pass")));
    let host = format!("127.0.0.1:{}", locked.port);
    let target = format!("oci://{host}/charts");
    let publish = |extra: &[&str], stdin: Option<&str>, config: Option<&Path>| {
        let mut c = cmd();
        c.arg("publish")
            .arg(&dist[0])
            .args(["--repo", &target, "--plain-http"])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c.env(
            "HELM_REGISTRY_CONFIG",
            config.map_or_else(|| work.path().join("none.json"), Path::to_path_buf),
        );
        let mut child = c.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.unwrap_or("").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = publish(&[], None, None);
    assert_eq!(code, Some(1));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("authentication failed (401)"), "{err}");
    let (code, err) = publish(
        &["--username", "ci", "--password-stdin"],
        Some("wrong\n"),
        None,
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("authentication failed (401)"), "{err}");
    let (code, err) = publish(
        &["--username", "ci", "--password-stdin"],
        Some("s3cret-pass\n"),
        None,
    );
    assert_eq!(code, Some(0), "{err}");
    let config = docker_config(work.path(), &host, "ci", "s3cret-pass");
    let (code, err) = publish(&[], None, Some(&config));
    assert_eq!(code, Some(0), "{err}");
    // Without HELM_REGISTRY_CONFIG, Helm's default path under HELM_CONFIG_HOME is read.
    let config_home = work.path().join("helm-config");
    fs::create_dir_all(config_home.join("registry")).unwrap();
    fs::copy(&config, config_home.join("registry/config.json")).unwrap();
    let default_path = cmd()
        .arg("publish")
        .arg(&dist[1])
        .args(["--repo", &target, "--plain-http"])
        .env_remove("HELM_REGISTRY_CONFIG")
        .env("HELM_CONFIG_HOME", &config_home)
        .output()
        .unwrap();
    assert!(
        default_path.status.success(),
        "{}",
        String::from_utf8_lossy(&default_path.stderr)
    );
    for (label, bin) in &tools.helms {
        let home = tempfile::tempdir().unwrap();
        let reference = format!("oci://{host}/charts/redis");
        let shown = Command::new(bin)
            .args([
                "show",
                "chart",
                &reference,
                "--version",
                "0.1.0",
                "--plain-http",
            ])
            .env("HELM_REGISTRY_CONFIG", &config)
            .env("HELM_CACHE_HOME", home.path().join("cache"))
            .env("HELM_CONFIG_HOME", home.path().join("config"))
            .env("HELM_DATA_HOME", home.path().join("data"))
            .output()
            .unwrap();
        let text = ok(&shown, &format!("{label} show chart with auth"));
        assert!(text.contains("name: redis"));
    }
    drop(locked);

    // A registry that refuses the upload is one clear line too.
    let read_only = servers::registry_with(&registry_bin, None, true);
    let mut c = cmd();
    let out = c
        .arg("publish")
        .arg(&dist[0])
        .args([
            "--repo",
            &format!("oci://127.0.0.1:{}/charts", read_only.port),
            "--plain-http",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the registry refused it (") && err.lines().count() == 1,
        "{err}"
    );
    drop(read_only);

    // An unreachable registry is one clear line.
    let port = servers::free_port();
    let mut c = cmd();
    let out = c
        .arg("publish")
        .arg(&dist[0])
        .args([
            "--repo",
            &format!("oci://127.0.0.1:{port}/charts"),
            "--plain-http",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot reach 127.0.0.1:{port}")) && err.lines().count() == 1,
        "{err}"
    );
}

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
