//! Registries as they misbehave: credentials stay with the registry's origin (an upload location on another port, another
//! origin) gets the blob without the Authorization header. Two loopback servers play the
//! registry and the foreign host; both stop when the test ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::{cmd, root};

/// One HTTP/1.1 request: its request line and whether it carried an Authorization header.
fn read_request(stream: &mut std::net::TcpStream) -> Option<(String, bool)> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let (mut auth, mut length) = (false, 0usize);
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let lower = header.to_ascii_lowercase();
        auth |= lower.starts_with("authorization:");
        if let Some(n) = lower.strip_prefix("content-length:") {
            length = n.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((line.trim_end().to_string(), auth))
}

/// Serves `count` requests on `listener`, answering each with `respond(request line)`, and
/// reports (request line, had Authorization) for each.
fn serve(
    listener: TcpListener,
    count: usize,
    respond: impl Fn(&str) -> String + Send + 'static,
) -> mpsc::Receiver<(String, bool)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let Ok(mut stream) = stream else { return };
            let Some((line, auth)) = read_request(&mut stream) else {
                return;
            };
            let _ = stream.write_all(respond(&line).as_bytes());
            let _ = tx.send((line, auth));
        }
    });
    rx
}

#[test]
fn an_upload_location_on_another_origin_gets_no_credentials() {
    let registry = TcpListener::bind("127.0.0.1:0").unwrap();
    let foreign = TcpListener::bind("127.0.0.1:0").unwrap();
    let foreign_port = foreign.local_addr().unwrap().port();
    let registry_port = registry.local_addr().unwrap().port();
    let reply = |status: &str, extra: &str| {
        format!("HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")
    };
    let seen_registry = serve(registry, 10, move |line| {
        if line.starts_with("HEAD") || line.starts_with("GET") {
            reply("404 Not Found", "")
        } else if line.starts_with("POST") {
            let location = format!("Location: http://127.0.0.1:{foreign_port}/upload/1\r\n");
            reply("202 Accepted", &location)
        } else {
            reply("201 Created", "")
        }
    });
    let seen_foreign = serve(foreign, 2, move |_| reply("201 Created", ""));

    let work = tempfile::tempdir().unwrap();
    let chart = work.path().join("charts");
    let convert = cmd()
        .arg(root().join("examples/redis.json"))
        .args(["--package", "-q", "-o"])
        .arg(&chart)
        .output()
        .unwrap();
    assert!(
        convert.status.success(),
        "{}",
        String::from_utf8_lossy(&convert.stderr)
    );
    let archive = std::fs::read_dir(&chart)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "tgz"))
        .unwrap();
    let mut publish = cmd()
        .arg("publish")
        .arg(&archive)
        .arg("--repo")
        .arg(format!("oci://127.0.0.1:{registry_port}/charts"))
        .args(["--plain-http", "--username", "ci", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    publish
        .stdin
        .take()
        .unwrap()
        .write_all(b"s3cret\n")
        .unwrap();
    let output = publish.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let foreign: Vec<(String, bool)> = seen_foreign.try_iter().collect();
    assert!(!foreign.is_empty(), "the blob went to the upload location");
    assert!(
        foreign.iter().all(|(_, auth)| !auth),
        "credentials leaked to another origin: {foreign:?}"
    );
    let registry: Vec<(String, bool)> = seen_registry.try_iter().collect();
    assert!(
        registry
            .iter()
            .any(|(line, auth)| line.starts_with("PUT") && *auth),
        "the registry itself still gets them: {registry:?}"
    );
}

/// A registry that sends its headers and then fails to send the tag list it announced is an
/// error naming the registry, never read as "nothing published": `package --repo` would then
/// give the default version, which the registry may hold with other content.
#[test]
fn a_tag_list_cut_short_is_an_error_not_an_empty_registry() {
    let registry = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = registry.local_addr().unwrap().port();
    let seen = serve(registry, 5, |line| {
        if line.contains("/tags/list") {
            // 100 bytes announced, 9 sent, connection closed.
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"name\":\"".to_string()
        } else {
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
        }
    });
    let work = tempfile::tempdir().unwrap();
    let charts = work.path().join("charts");
    let convert = cmd()
        .arg(root().join("examples/redis.json"))
        .args(["-q", "-o"])
        .arg(&charts)
        .output()
        .unwrap();
    assert!(convert.status.success());
    let dist = work.path().join("dist");
    let started = std::time::Instant::now();
    let output = cmd()
        .arg("package")
        .arg(charts.join("redis"))
        .arg("-d")
        .arg(&dist)
        .arg("--repo")
        .arg(format!("oci://127.0.0.1:{port}/charts"))
        .arg("--plain-http")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("Error: ") && err.contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        !dist.exists() || std::fs::read_dir(&dist).unwrap().next().is_none(),
        "no archive"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    let requests: Vec<(String, bool)> = seen.try_iter().collect();
    assert!(
        requests.iter().any(|(l, _)| l.contains("/tags/list")),
        "{requests:?}"
    );
}
