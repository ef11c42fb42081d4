//! Charts installed on a real Kubernetes control plane (etcd, kube-apiserver and
//! kube-controller-manager from scripts/kube-up.sh): server-side validation and admission,
//! Helm 4's server-side apply, the StatefulSet controller's claims, upgrades and uninstalls.
//!
//! The tests share one control plane: the one ECSI_KUBECONFIG names, or else one started for
//! this test process (and stopped when it exits). Without Go they are skipped, except in CI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{cmd, ok, root, tools, Tools};
use crate::conversion::{golden_charts, Conversion};

struct Cluster {
    kubeconfig: PathBuf,
    kubectl: PathBuf,
    /// A Helm home shared by the tests (no repositories are used).
    home: PathBuf,
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
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&up.stdout);
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
        kubectl,
        home,
    })
}

fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    match CLUSTER.get_or_init(start) {
        Ok(c) => Some(c),
        Err(reason) if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") => {
            panic!("CI must not skip the cluster tests: {reason}")
        }
        Err(reason) => {
            eprintln!("SKIPPED: {reason}");
            None
        }
    }
}

impl Cluster {
    fn helm(&self, helm: &Path, args: &[&str]) -> Output {
        Command::new(helm)
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HELM_CACHE_HOME", self.home.join("cache"))
            .env("HELM_CONFIG_HOME", self.home.join("config"))
            .env("HELM_DATA_HOME", self.home.join("data"))
            .output()
            .unwrap()
    }

    fn kubectl(&self, args: &[&str]) -> Output {
        Command::new(&self.kubectl)
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .output()
            .unwrap()
    }

    /// A namespace that enforces a Pod Security level.
    fn enforcing_namespace(&self, ns: &str, level: &str) {
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

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&ok(&self.kubectl(&all), &format!("kubectl {args:?}"))).unwrap()
    }

    /// Waits (bounded) until `check` holds for `kubectl get …` output.
    fn wait_for(&self, args: &[&str], what: &str, check: impl Fn(&Value) -> bool) -> Value {
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
fn namespace(parts: &[&str]) -> String {
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

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

/// The claims a StatefulSet's controller creates for its first pod, as Kubernetes names them.
fn expected_claims(sts: &Value) -> Vec<String> {
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

fn convert(input: &Path, out: &Path, extra: &[&str]) -> Output {
    Conversion::of(input).args(extra).run(out)
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

fn web_task(tag: &str) -> Value {
    serde_json::json!({
        "family": "shop",
        "containerDefinitions": [{
            "name": "shop", "image": format!("registry.example.com/shop:{tag}"), "essential": true,
            "memory": 256, "portMappings": [{"containerPort": 8080, "name": "http"}],
            "environment": [{"name": "MODE", "value": "live"}]
        }]
    })
}

#[test]
fn a_reimport_upgrades_in_place_with_helm_4() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let helm4 = &t.helms.iter().find(|(l, _)| *l == "helm4").unwrap().1;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("shop.json");
    let out = tmp.path().join("charts");
    write_json(&input, &web_task("1.0.0"));
    assert!(convert(&input, &out, &["-q"]).status.success());
    let chart = out.join("shop");
    let ns = namespace(&["upgrade", "helm4"]);
    ok(
        &c.helm(
            helm4,
            &[
                "install",
                "shop",
                chart.to_str().unwrap(),
                "-n",
                &ns,
                "--create-namespace",
            ],
        ),
        "install",
    );
    write_json(&input, &web_task("1.1.0"));
    assert!(convert(&input, &out, &["-q"]).status.success());
    ok(
        &c.helm(
            helm4,
            &["upgrade", "shop", chart.to_str().unwrap(), "-n", &ns],
        ),
        "upgrade",
    );
    let deploy = c.json(&["get", "deployment", "shop", "-n", &ns]);
    assert_eq!(
        deploy["spec"]["template"]["spec"]["containers"][0]["image"],
        "registry.example.com/shop:1.1.0"
    );
    assert_eq!(deploy["metadata"]["labels"]["helm.sh/chart"], "shop-0.1.1");
}

fn db_task() -> Value {
    serde_json::json!({
        "family": "ledger",
        "containerDefinitions": [{
            "name": "ledger", "image": "postgres:16.4", "essential": true, "memory": 512,
            "mountPoints": [{"sourceVolume": "data", "containerPath": "/var/lib/postgresql/data"}]
        }],
        "volumes": [{"name": "data", "host": {"sourcePath": "/mnt/ebs/ledger"}}]
    })
}

#[test]
fn a_changed_claim_template_is_caught_before_helm_upgrade_fails_and_uninstall_keeps_claims() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let helm4 = &t.helms.iter().find(|(l, _)| *l == "helm4").unwrap().1;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("ledger.json");
    let out = tmp.path().join("charts");
    write_json(&input, &db_task());
    assert!(convert(&input, &out, &["-q", "--volume-size", "data=20Gi"])
        .status
        .success());
    let chart = out.join("ledger");
    let ns = namespace(&["claims", "helm4"]);
    ok(
        &c.helm(
            helm4,
            &[
                "install",
                "ledger",
                chart.to_str().unwrap(),
                "-n",
                &ns,
                "--create-namespace",
            ],
        ),
        "install",
    );
    c.wait_for(&["get", "pvc", "-n", &ns], "the ledger claim", |v| {
        names(v) == ["data-ledger-0"]
    });

    let rerun = convert(&input, &out, &["--volume-size", "data=50Gi"]);
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert!(
        stderr.contains("ECSI-W-STATEFULSET-UPDATE /values.yaml/persistence/data:"),
        "{stderr}"
    );
    // The warning is right: the API server refuses the upgrade as it stands.
    let refused = c.helm(
        helm4,
        &["upgrade", "ledger", chart.to_str().unwrap(), "-n", &ns],
    );
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(
        why.contains("Forbidden") || why.contains("forbidden"),
        "{why}"
    );
    // The migration step the warning names makes it go through.
    ok(
        &c.kubectl(&[
            "delete",
            "statefulset",
            "ledger",
            "-n",
            &ns,
            "--cascade=orphan",
        ]),
        "orphan delete",
    );
    ok(
        &c.helm(
            helm4,
            &["upgrade", "ledger", chart.to_str().unwrap(), "-n", &ns],
        ),
        "upgrade after the step",
    );
    let sts = c.json(&["get", "statefulset", "ledger", "-n", &ns]);
    assert_eq!(
        sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
        "50Gi"
    );

    // Uninstall leaves nothing of the release but the retained claim.
    ok(
        &c.helm(helm4, &["uninstall", "ledger", "-n", &ns, "--wait"]),
        "uninstall",
    );
    let left = c.wait_for(
        &[
            "get",
            "all,configmaps,secrets,serviceaccounts,pvc,ingresses,poddisruptionbudgets",
            "-n",
            &ns,
        ],
        "the release's objects to go",
        |v| {
            v["items"].as_array().unwrap().iter().all(|i| {
                let name = i["metadata"]["name"].as_str().unwrap_or_default();
                let kind = i["kind"].as_str().unwrap_or_default();
                kind == "PersistentVolumeClaim"
                    || (kind == "ConfigMap" && name == "kube-root-ca.crt")
                    || (kind == "ServiceAccount" && name == "default")
            })
        },
    );
    let claims: Vec<&Value> = left["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "PersistentVolumeClaim")
        .collect();
    assert_eq!(claims.len(), 1, "{left:#}");
}

#[test]
fn adopted_volumes_bind_to_the_claims_the_statefulset_uses() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let helm4 = &t.helms.iter().find(|(l, _)| *l == "helm4").unwrap().1;
    let chart = root().join("tests/golden/vault-host-ebs/vault");
    let ns = namespace(&["adopt", "helm4"]);
    let adopt = r#"persistence.vault-file.adoptVolumes=[{"volumeId":"vol-0123456789abcdef0","zone":"eu-west-1a"}]"#;
    ok(
        &c.helm(
            helm4,
            &[
                "install",
                "vault",
                chart.to_str().unwrap(),
                "-n",
                &ns,
                "--create-namespace",
                "--set-json",
                adopt,
            ],
        ),
        "install with an adopted volume",
    );
    // The pre-bound claim has the name the StatefulSet controller looks for, so it uses it
    // instead of creating one, and the PV controller binds it to the adopted EBS volume.
    let pvcs = c.wait_for(
        &["get", "pvc", "-n", &ns],
        "the adopted claim to bind",
        |v| {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["status"]["phase"] == "Bound")
        },
    );
    assert_eq!(names(&pvcs), ["vault-file-vault-0"]);
    let pv_name = pvcs["items"][0]["spec"]["volumeName"]
        .as_str()
        .unwrap()
        .to_string();
    let pv = c.json(&["get", "pv", &pv_name]);
    assert_eq!(pv["spec"]["csi"]["volumeHandle"], "vol-0123456789abcdef0");
    ok(
        &c.helm(helm4, &["uninstall", "vault", "-n", &ns]),
        "uninstall",
    );
}

#[test]
fn verify_uses_a_server_dry_run_when_a_cluster_answers() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let Tools { helms, .. } = &t;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("shop.json");
    write_json(&input, &web_task("1.0.0"));
    for (_, helm) in helms {
        let out = cmd()
            .arg(&input)
            .arg("-o")
            .arg(tmp.path().join("charts"))
            .arg("--verify")
            .env("HELM_BIN", helm)
            .env("KUBECONFIG", &c.kubeconfig)
            .env("HELM_CACHE_HOME", c.home.join("cache"))
            .env("HELM_CONFIG_HOME", c.home.join("config"))
            .env("HELM_DATA_HOME", c.home.join("data"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("helm install --dry-run=server"), "{stderr}");
    }
}

/// Every workload kind the scheduled and daemon inputs give is accepted by the API server
/// (cron syntax, time zones and DaemonSet update strategies are checked server-side).
#[test]
fn every_workload_kind_installs() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let kinds = root().join("tests/fixtures-kinds");
    let out = tempfile::tempdir().unwrap();
    for (fixture, kind) in [
        ("scheduled-rule", "cronjob"),
        ("scheduled-scheduler", "cronjob"),
        ("scheduled-cdk", "cronjob"),
        ("cfn-yaml", "cronjob"),
        ("daemon", "daemonset"),
    ] {
        let dir = out.path().join(fixture);
        let output = convert(&kinds.join(fixture), &dir, &[]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let (label, helm) = &t.helms[t.helms.len() - 1];
        for chart in std::fs::read_dir(&dir).unwrap() {
            let chart = chart.unwrap().path();
            if !chart.join("Chart.yaml").is_file() {
                continue;
            }
            let name = chart.file_name().unwrap().to_string_lossy().into_owned();
            let ns = namespace(&["kind", &name, label]);
            let args = [
                "install",
                "rel",
                chart.to_str().unwrap(),
                "-n",
                &ns,
                "--create-namespace",
            ];
            ok(
                &c.helm(helm, &args),
                &format!("{label} install {fixture}/{name}"),
            );
            let want = if name == "orders" { "deployment" } else { kind };
            let list = c.json(&["get", want, "-n", &ns]);
            assert_eq!(
                list["items"].as_array().unwrap().len(),
                1,
                "{fixture}/{name}: one {want}"
            );
        }
    }
}
