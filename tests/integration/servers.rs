//! Real servers on loopback for the publish tests: Python's http.server for a static chart
//! repository, Debian's docker-registry for OCI. Each binds 127.0.0.1 on a free port, is
//! waited for with a bounded loop, and is stopped when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub port: u16,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("{what} did not listen on 127.0.0.1:{port} within 20 s");
}

/// Serves `dir` over HTTP on loopback.
pub fn static_http(dir: &Path) -> Server {
    let port = free_port();
    let mut child = Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
            "--directory",
        ])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 runs http.server");
    wait_for(port, &mut child, "http.server");
    Server {
        child,
        port,
        _dir: None,
    }
}

/// The docker-registry binary, or None (a printed skip locally, a failure under CI).
pub fn registry_binary() -> Option<PathBuf> {
    let path = PathBuf::from(
        std::env::var_os("DOCKER_REGISTRY_BIN")
            .unwrap_or_else(|| "/usr/bin/docker-registry".into()),
    );
    if path.exists() {
        return Some(path);
    }
    crate::common::missing(&format!(
        "missing {}; scripts/fetch-tools.sh as root",
        path.display()
    ))
}

/// An OCI registry on loopback with storage in a temporary directory; with `htpasswd`
/// (user, password) it requires basic authentication.
pub fn registry(binary: &Path, htpasswd: Option<(&str, &str)>) -> Server {
    registry_with(binary, htpasswd, false)
}

/// A registry in read-only maintenance mode refuses every upload.
pub fn registry_with(binary: &Path, htpasswd: Option<(&str, &str)>, read_only: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut config = format!(
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n  maintenance:\n    readonly:\n      enabled: {read_only}\nhttp:\n  addr: 127.0.0.1:{port}\n",
        dir.path().join("data").display()
    );
    if let Some((user, password)) = htpasswd {
        let hash = bcrypt::hash(password, 5).unwrap();
        let file = dir.path().join("htpasswd");
        std::fs::write(&file, format!("{user}:{hash}\n")).unwrap();
        config.push_str(&format!(
            "auth:\n  htpasswd:\n    realm: test-registry\n    path: {}\n",
            file.display()
        ));
    }
    let config_path = dir.path().join("config.yml");
    std::fs::write(&config_path, config).unwrap();
    let mut child = Command::new(binary)
        .arg("serve")
        .arg(&config_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry starts");
    wait_for(port, &mut child, "docker-registry");
    Server {
        child,
        port,
        _dir: Some(dir),
    }
}
