//! Charts installed on a real Kubernetes control plane (etcd, kube-apiserver,
//! kube-controller-manager, kube-scheduler and one node from scripts/kube-up.sh --node):
//! server-side validation and admission,
//! Helm 4's server-side apply, the StatefulSet controller's claims, upgrades and uninstalls.
//!
//! The tests share one control plane: the one ECSI_KUBECONFIG names, or else one started for
//! this test process (and stopped when it exits). Without Go they fail, naming what sets it up.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{ok, root, tools};
use crate::conversion::golden_charts;

pub(crate) struct Cluster {
    pub kubeconfig: PathBuf,
    /// The node's containerd socket (scripts/kube-up.sh --node), for importing images.
    pub containerd: Option<PathBuf>,
    pub kubectl: PathBuf,
    /// A Helm home shared by the tests (no repositories are used).
    pub home: PathBuf,
}

fn start() -> Result<Cluster, String> {
    let kubectl = root().join(".tools/kubectl/kubectl");
    if !kubectl.exists() {
        return Err(format!(
            "missing {}; run scripts/fetch-tools.sh",
            kubectl.display()
        ));
    }
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cluster-helm-{}", std::process::id()));
    if let Some(kubeconfig) = std::env::var_os("ECSI_KUBECONFIG") {
        return Ok(Cluster {
            kubeconfig: kubeconfig.into(),
            containerd: std::env::var_os("ECSI_CONTAINERD").map(PathBuf::from),
            kubectl,
            home,
        });
    }
    if Command::new("go").arg("version").output().is_err() {
        return Err(
            "Go is not installed, so scripts/kube-up.sh cannot build the control plane".into(),
        );
    }
    let state = std::env::temp_dir().join(format!("ecsi-kube-{}", std::process::id()));
    let up = Command::new("bash")
        .arg(root().join("scripts/kube-up.sh"))
        .arg(&state)
        .arg("--node")
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&up.stdout);
    let containerd = stdout
        .lines()
        .find_map(|l| l.strip_prefix("CONTAINERD_ADDRESS="))
        .map(PathBuf::from);
    let Some(kubeconfig) = stdout
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("KUBECONFIG="))
    else {
        return Err(format!(
            "scripts/kube-up.sh failed:\n{}",
            String::from_utf8_lossy(&up.stderr)
        ));
    };
    // Stops the control plane when this test process ends, however it ends.
    let watchdog = format!(
        "while kill -0 {} 2>/dev/null; do sleep 1; done; bash {} {}",
        std::process::id(),
        root().join("scripts/kube-down.sh").display(),
        state.display()
    );
    Command::new("setsid")
        .args(["bash", "-c", &watchdog])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    Ok(Cluster {
        kubeconfig: kubeconfig.into(),
        containerd,
        kubectl,
        home,
    })
}

pub(crate) fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    match CLUSTER.get_or_init(start) {
        Ok(c) => Some(c),
        Err(reason) => crate::common::missing(&format!("no test cluster: {reason}")),
    }
}

impl Cluster {
    pub(crate) fn helm(&self, helm: &Path, args: &[&str]) -> Output {
        Command::new(helm)
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HELM_CACHE_HOME", self.home.join("cache"))
            .env("HELM_CONFIG_HOME", self.home.join("config"))
            .env("HELM_DATA_HOME", self.home.join("data"))
            .output()
            .unwrap()
    }

    pub(crate) fn kubectl(&self, args: &[&str]) -> Output {
        Command::new(&self.kubectl)
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .output()
            .unwrap()
    }

    /// A namespace that enforces a Pod Security level.
    pub(crate) fn enforcing_namespace(&self, ns: &str, level: &str) {
        ok(
            &self.kubectl(&["create", "namespace", ns]),
            "create namespace",
        );
        let label = format!("pod-security.kubernetes.io/enforce={level}");
        ok(
            &self.kubectl(&["label", "namespace", ns, &label]),
            "label namespace",
        );
    }

    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&ok(&self.kubectl(&all), &format!("kubectl {args:?}"))).unwrap()
    }

    /// Waits (bounded) until `check` holds for `kubectl get …` output.
    pub(crate) fn wait_for(
        &self,
        args: &[&str],
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let started = Instant::now();
        loop {
            let v = self.json(args);
            if check(&v) {
                return v;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "timed out waiting for {what}: {v:#}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// A namespace of its own for each install, unique to this test process, so a shared
/// control plane can serve runs one after another.
pub(crate) fn namespace(parts: &[&str]) -> String {
    let id = std::process::id().to_string();
    let name: String = parts
        .iter()
        .copied()
        .chain(std::iter::once(id.as_str()))
        .collect::<Vec<_>>()
        .join("-")
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let keep = 63 - id.len() - 1;
    let head: String = name[..name.len() - id.len() - 1]
        .chars()
        .take(keep)
        .collect();
    format!("{}-{id}", head.trim_end_matches('-'))
}

/// The Pod Security level a chart's Chart.yaml says its pods meet with default values.
fn pod_security_level(chart: &Path) -> String {
    let meta: Value = helm_ecs_import::yaml::from_str(
        &std::fs::read_to_string(chart.join("Chart.yaml")).unwrap(),
    )
    .unwrap();
    meta["annotations"]["ecs-import/pod-security"]
        .as_str()
        .expect("a Pod Security level")
        .to_string()
}

pub(crate) fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

/// The claims a StatefulSet's controller creates for its first pod, as Kubernetes names them.
pub(crate) fn expected_claims(sts: &Value) -> Vec<String> {
    let name = sts["metadata"]["name"].as_str().unwrap();
    sts["spec"]["volumeClaimTemplates"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|c| format!("{}-{name}-0", c["metadata"]["name"].as_str().unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_golden_chart_installs_with_both_helms() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let mut installed = Vec::new();
    for (case, chart) in golden_charts() {
        for (label, helm) in &t.helms {
            let ns = namespace(&["golden", &case, label]);
            let release = chart.file_name().unwrap().to_str().unwrap();
            let out = c.helm(
                helm,
                &[
                    "install",
                    release,
                    chart.to_str().unwrap(),
                    "-n",
                    &ns,
                    "--create-namespace",
                ],
            );
            ok(&out, &format!("{label} install {}", chart.display()));
            installed.push((ns, case.clone()));
        }
    }
    // Every StatefulSet gets its claims from the real controller, named as adoption expects
    // (<volume>-<release fullname>-<ordinal>).
    let mut claims = 0;
    for (ns, case) in &installed {
        let sets = c.json(&["get", "statefulsets", "-n", ns]);
        for sts in sets["items"].as_array().unwrap() {
            let want = expected_claims(sts);
            let got = c.wait_for(
                &["get", "pvc", "-n", ns],
                &format!("the claims of {case}"),
                |v| want.iter().all(|w| names(v).contains(w)),
            );
            claims += want.len();
            assert!(want.iter().all(|w| names(&got).contains(w)));
        }
    }
    assert!(claims > 0, "no golden chart is a StatefulSet with claims");
    // Pods that the controllers create pass the namespace's Pod Security admission.
    let mut pods = 0;
    for (ns, case) in &installed {
        let workloads = c.json(&["get", "deployments,statefulsets,jobs", "-n", ns]);
        if workloads["items"].as_array().unwrap().is_empty() {
            continue;
        }
        c.wait_for(
            &["get", "pods", "-n", ns],
            &format!("the pods of {case} to be admitted"),
            |v| !v["items"].as_array().unwrap().is_empty(),
        );
        pods += 1;
    }
    assert!(pods > 0);
    eprintln!(
        "installed {} releases, {claims} claims created by the StatefulSet controller",
        installed.len()
    );
}

#[test]
fn restricted_mode_is_admitted_by_a_restricted_namespace() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let mut tried = 0;
    for (case, chart) in golden_charts() {
        if pod_security_level(&chart) != "baseline" {
            continue;
        }
        let (label, helm) = &t.helms[tried % 2];
        tried += 1;
        let ns = namespace(&["restricted", &case]);
        c.enforcing_namespace(&ns, "restricted");
        let args = [
            "install",
            "rel",
            chart.to_str().unwrap(),
            "-n",
            &ns,
            "--set",
            "podSecurity=restricted",
            "--set",
            "networkPolicy.enabled=true",
        ];
        ok(
            &c.helm(helm, &args),
            &format!("{label} install {case} restricted"),
        );
        let workloads = c.json(&["get", "deployments,statefulsets,jobs", "-n", &ns]);
        if !workloads["items"].as_array().unwrap().is_empty() {
            c.wait_for(
                &["get", "pods", "-n", &ns],
                &format!("{case}: restricted pods admitted"),
                |v| !v["items"].as_array().unwrap().is_empty(),
            );
        }
        let policies = c.json(&["get", "networkpolicies", "-n", &ns]);
        let has_service = !c.json(&["get", "services", "-n", &ns])["items"]
            .as_array()
            .unwrap()
            .is_empty();
        assert_eq!(
            policies["items"].as_array().unwrap().len(),
            1,
            "{case}: a NetworkPolicy (service: {has_service})"
        );
    }
    assert!(tried > 3, "only {tried} baseline charts");

    // Admission really enforces: a chart that needs privileged (Vault adds IPC_LOCK) gets no
    // pod in a baseline namespace, and the StatefulSet says why.
    let vault = root().join("tests/golden/example-vault/vault");
    assert_eq!(pod_security_level(&vault), "privileged");
    let ns = namespace(&["baseline", "vault"]);
    c.enforcing_namespace(&ns, "baseline");
    ok(
        &c.helm(
            &t.helms[1].1,
            &["install", "vault", vault.to_str().unwrap(), "-n", &ns],
        ),
        "install vault",
    );
    let events = c.wait_for(
        &["get", "events", "-n", &ns],
        "the admission refusal",
        |v| {
            v["items"].as_array().unwrap().iter().any(|e| {
                e["reason"] == "FailedCreate"
                    && e["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("PodSecurity"))
            })
        },
    );
    assert!(
        c.json(&["get", "pods", "-n", &ns])["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{events:#}"
    );
}

#[test]
fn optional_objects_install_when_enabled() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let values = root().join("tests/fixtures-values/everything-on.yaml");
    for case in [
        "example-vault/vault",
        "example-web-with-sidecar/storefront-web",
    ] {
        let chart = root().join("tests/golden").join(case);
        for (label, helm) in &t.helms {
            let ns = namespace(&["optional", case.split('/').next().unwrap(), label]);
            let args = [
                "install",
                "rel",
                chart.to_str().unwrap(),
                "-n",
                &ns,
                "--create-namespace",
                "-f",
                values.to_str().unwrap(),
            ];
            ok(
                &c.helm(helm, &args),
                &format!("{label} install {case} with everything on"),
            );
            for kind in ["ingress", "horizontalpodautoscaler", "poddisruptionbudget"] {
                let list = c.json(&["get", kind, "-n", &ns]);
                assert_eq!(
                    list["items"].as_array().unwrap().len(),
                    1,
                    "{case}: one {kind}"
                );
            }
        }
    }
}

/// EKS admits privileged pods where the namespace allows them, and so does the suite's control
/// plane: a task definition with a privileged container becomes a chart whose pod is created.
#[test]
fn a_privileged_task_installs_where_the_namespace_allows_it() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("agent.json");
    std::fs::write(
        &input,
        r#"{"family":"privileged-agent","containerDefinitions":[{"name":"agent","image":"busybox:1.36","memory":64,"privileged":true}]}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    crate::conversion::Conversion::of(&input).succeeds(&out);
    let chart = out.join("privileged-agent");
    let ns = namespace(&["privileged", "agent"]);
    c.enforcing_namespace(&ns, "privileged");
    ok(
        &c.helm(
            &t.helms[1].1,
            &["install", "agent", chart.to_str().unwrap(), "-n", &ns],
        ),
        "install the privileged chart",
    );
    let pods = c.wait_for(&["get", "pods", "-n", &ns], "the pod", |v| {
        !v["items"].as_array().unwrap().is_empty()
    });
    let container = &pods["items"][0]["spec"]["containers"][0];
    assert_eq!(container["securityContext"]["privileged"], true, "{pods:#}");
}
