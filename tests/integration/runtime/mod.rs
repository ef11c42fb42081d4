//! Charts proven by running them (#27): task definitions written for each test are converted
//! by the tool and installed with Helm on the suite's node (scripts/kube-up.sh --node), with
//! images pointed at locally built ones through values, as a user points at a mirror. The pods
//! really start: probes run, commands reach the process, claims mount, rollouts serve.

mod argv;
mod batch;
mod depends;
mod probes;
mod rollout;
mod stateful;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::cluster::{cluster, namespace, Cluster};
use crate::common::{cmd, tools};

/// The cluster with its node; a suite without one fails, naming what starts it.
pub(crate) fn node() -> &'static Cluster {
    let c = cluster().expect("a cluster");
    if c.containerd.is_none() {
        crate::common::missing(
            "the test cluster has no node (ECSI_CONTAINERD unset); run scripts/test.sh, which starts scripts/kube-up.sh --node",
        );
    }
    c
}

/// Helm 3 and Helm 4, by label.
pub(crate) fn helms() -> Vec<(&'static str, PathBuf)> {
    tools().expect("Helm").helms
}

/// A task definition converted by the tool: the chart's folder (in `dir`).
pub(crate) fn convert(dir: &Path, task: &Value, extra: &[&str]) -> PathBuf {
    let family = task["family"].as_str().unwrap();
    let input = dir.join(format!("{family}.json"));
    std::fs::write(&input, serde_json::to_vec_pretty(task).unwrap()).unwrap();
    let out = dir.join("charts");
    let o = cmd()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join(family)
}

/// Values that point a container at a locally built image (`ecsi-tools:1`), never pulled.
pub(crate) fn image(container: &str, image: &str) -> Value {
    let (repository, tag) = image.split_once(':').unwrap();
    json!({"containers": {container: {"image": {
        "registry": "localhost", "repository": repository, "tag": tag, "digest": "", "pullPolicy": "Never"
    }}}})
}

/// `b` merged into `a`, objects key by key.
pub(crate) fn merged(mut a: Value, b: Value) -> Value {
    fn merge(a: &mut Value, b: Value) {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                for (k, v) in b {
                    merge(a.entry(k).or_insert(Value::Null), v);
                }
            }
            (a, b) => *a = b,
        }
    }
    merge(&mut a, b);
    a
}

/// One release in a namespace of its own.
pub(crate) struct Release {
    pub cluster: &'static Cluster,
    pub helm: PathBuf,
    pub namespace: String,
    pub name: String,
    pub dir: PathBuf,
}

impl Release {
    pub(crate) fn new(test: &str, helm_label: &str, helm: &Path, dir: &Path) -> Release {
        let c = node();
        let ns = namespace(&["rt", test, helm_label]);
        // The suite's cluster schedules pods only where a namespace asks (scripts/kube-up.sh);
        // created with the annotation, so no pod is admitted before it.
        let manifest = dir.join(format!("{ns}.json"));
        let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns,
            "annotations": {"scheduler.alpha.kubernetes.io/node-selector": ""}}});
        std::fs::write(&manifest, serde_json::to_vec(&namespace).unwrap()).unwrap();
        crate::common::ok(
            &c.kubectl(&["create", "-f", manifest.to_str().unwrap()]),
            "create namespace",
        );
        Release {
            cluster: c,
            helm: helm.to_path_buf(),
            namespace: ns,
            name: "app".into(),
            dir: dir.to_path_buf(),
        }
    }

    /// `helm install` or `upgrade` with these values, waiting for readiness when asked.
    pub(crate) fn helm(&self, verb: &str, chart: &Path, values: &Value, wait: bool) -> Output {
        let file = self.dir.join(format!("values-{}.json", self.namespace));
        std::fs::write(&file, serde_json::to_vec(values).unwrap()).unwrap();
        let mut args = vec![
            verb,
            &self.name,
            chart.to_str().unwrap(),
            "-n",
            &self.namespace,
            "-f",
            file.to_str().unwrap(),
            "--timeout",
            "150s",
        ];
        if wait {
            args.push("--wait");
        }
        self.cluster.helm(&self.helm, &args)
    }

    pub(crate) fn install(&self, chart: &Path, values: &Value) {
        let o = self.helm("install", chart, values, true);
        assert!(
            o.status.success(),
            "helm install: {}\n{}",
            String::from_utf8_lossy(&o.stderr),
            self.describe()
        );
    }

    pub(crate) fn kubectl(&self, args: &[&str]) -> Output {
        let mut all = vec!["-n", self.namespace.as_str()];
        all.extend_from_slice(args);
        self.cluster.kubectl(&all)
    }

    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let o = self.kubectl(&all);
        assert!(
            o.status.success(),
            "kubectl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    }

    /// The release's pods, newest last.
    pub(crate) fn pods(&self) -> Vec<Value> {
        let selector = format!("app.kubernetes.io/instance={}", self.name);
        let list = self.json(&["get", "pods", "-l", &selector]);
        let mut pods = list["items"].as_array().cloned().unwrap_or_default();
        pods.sort_by_key(|p| {
            p["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or("")
                .to_string()
        });
        pods
    }

    /// Waits up to `seconds` for `check` to hold of the release's pods.
    pub(crate) fn wait_pods(
        &self,
        what: &str,
        seconds: u64,
        check: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let pods = self.pods();
            if check(&pods) {
                return pods;
            }
            assert!(
                started.elapsed() < Duration::from_secs(seconds),
                "timed out after {seconds} s waiting for {what}\n{}",
                self.describe()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Runs `command` in the main container of pod `pod`.
    pub(crate) fn exec(&self, pod: &str, container: &str, command: &[&str]) -> Output {
        let mut args = vec!["exec", pod, "-c", container, "--"];
        args.extend_from_slice(command);
        self.kubectl(&args)
    }

    pub(crate) fn logs(&self, pod: &str, container: &str) -> String {
        let o = self.kubectl(&["logs", pod, "-c", container]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// What kubectl says about the namespace, for a failure message.
    pub(crate) fn describe(&self) -> String {
        let o = self.kubectl(&["describe", "pods"]);
        let events = self.kubectl(&["get", "events", "--sort-by=.lastTimestamp"]);
        format!(
            "{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&events.stdout)
        )
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        let _ = self
            .cluster
            .kubectl(&["delete", "namespace", &self.namespace, "--wait=false"]);
    }
}

pub(crate) fn ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

pub(crate) fn name(pod: &Value) -> String {
    pod["metadata"]["name"].as_str().unwrap().to_string()
}

pub(crate) fn restarts(pod: &Value, container: &str) -> i64 {
    pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            pod["status"]["initContainerStatuses"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .find(|s| s["name"] == container)
        .and_then(|s| s["restartCount"].as_i64())
        .unwrap_or(0)
}
