//! Publishing to a real OCI registry (Debian's docker-registry on loopback), without and with
//! authentication, read back by both Helms.

use std::fs;
use std::path::{Path, PathBuf};

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{cmd, helm, ok, tools};
use crate::publish::{archives, example_charts, package, run_ok};
use crate::servers;
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
fn oci_refuses_a_version_it_has_with_other_content_unless_forced() {
    let Some(registry_bin) = servers::registry_binary() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let charts = example_charts(work.path());
    let redis = charts
        .iter()
        .find(|c| c.file_name().is_some_and(|n| n == "redis"))
        .unwrap()
        .clone();
    package(
        std::slice::from_ref(&redis),
        &work.path().join("first"),
        &[],
    );
    let first = archives(&work.path().join("first"));
    // The same name and version, other content.
    crate::publish_concurrency::set_replicas(&redis, 3);
    package(
        std::slice::from_ref(&redis),
        &work.path().join("second"),
        &[],
    );
    let second = archives(&work.path().join("second"));
    let registry = servers::registry(&registry_bin, None);
    let target = format!("oci://127.0.0.1:{}/charts", registry.port);
    let publish = |archive: &Path, extra: &[&str]| {
        cmd()
            .arg("publish")
            .arg(archive)
            .args(["--repo", &target, "--plain-http", "-q"])
            .args(extra)
            .env("HELM_REGISTRY_CONFIG", work.path().join("none.json"))
            .output()
            .unwrap()
    };
    assert!(publish(&first[0], &[]).status.success());
    assert!(
        publish(&first[0], &[]).status.success(),
        "the same content again is harmless"
    );
    let refused = publish(&second[0], &[]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("redis 0.1.0 is already in the registry with different content")
            && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(publish(&second[0], &["--force"]).status.success());
}
