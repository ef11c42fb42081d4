//! Charts over time on the real API server: re-imports upgraded in place, a claim template change
//! caught before Helm fails, adopted volumes bound, --verify's server dry run, every kind.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::cluster::{cluster, names, namespace};
use crate::common::{cmd, ok, root, tools, Tools};
use crate::conversion::Conversion;

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
