//! The chart README's commands for adopting EBS volumes on a release that is already installed
//! (its StatefulSet made an empty claim), followed one by one on the real control plane with
//! both Helms: the upgrade succeeds, the claim the StatefulSet uses binds to the adopted
//! volume, and nothing is left over. Then a claim size change, which the API server refuses as a
//! plain upgrade, goes through after the README's orphan delete.

use crate::cluster::{cluster, names, namespace};
use crate::common::{ok, root, tools};

const ADOPT: &str = r#"persistence.vault-file.adoptVolumes=[{"volumeId":"vol-0fedcba9876543210","zone":"eu-west-1a"}]"#;

#[test]
fn adopting_on_an_installed_release_follows_the_readme_commands() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let chart = root().join("tests/golden/vault-host-ebs/vault");
    let chart = chart.to_str().unwrap();
    let readme =
        std::fs::read_to_string(root().join("tests/golden/vault-host-ebs/vault/README.md"))
            .unwrap();
    // The commands run below are the ones the README prints.
    for line in [
        "kubectl scale statefulset vault --replicas=0",
        "kubectl delete statefulset vault --cascade=orphan",
        "kubectl delete pvc VOLUME-vault-0",
        "helm upgrade vault ./vault -f values-ENV.yaml",
    ] {
        assert!(readme.contains(line), "README lacks {line:?}");
    }
    for (label, helm) in &t.helms {
        let ns = namespace(&["adopt-installed", label]);
        ok(
            &c.helm(
                helm,
                &["install", "vault", chart, "-n", &ns, "--create-namespace"],
            ),
            "install without adoption",
        );
        c.wait_for(
            &["get", "pvc", "-n", &ns],
            "the StatefulSet's empty claim",
            |v| names(v) == ["vault-file-vault-0"],
        );
        // As it stands, the upgrade cannot take over the claim the controller created.
        let refused = c.helm(
            helm,
            &["upgrade", "vault", chart, "-n", &ns, "--set-json", ADOPT],
        );
        assert!(
            !refused.status.success(),
            "{label}: a plain upgrade should not succeed"
        );
        // The README's commands.
        ok(
            &c.kubectl(&["scale", "statefulset", "vault", "--replicas=0", "-n", &ns]),
            "scale to 0",
        );
        ok(
            &c.kubectl(&[
                "wait",
                "--for=delete",
                "pod",
                "-l",
                "app.kubernetes.io/instance=vault",
                "-n",
                &ns,
                "--timeout=120s",
            ]),
            "pods gone",
        );
        ok(
            &c.kubectl(&[
                "delete",
                "statefulset",
                "vault",
                "--cascade=orphan",
                "-n",
                &ns,
                "--ignore-not-found",
            ]),
            "orphan delete",
        );
        ok(
            &c.kubectl(&[
                "delete",
                "pvc",
                "vault-file-vault-0",
                "-n",
                &ns,
                "--wait=true",
            ]),
            "delete the empty claim",
        );
        ok(
            &c.helm(
                helm,
                &["upgrade", "vault", chart, "-n", &ns, "--set-json", ADOPT],
            ),
            "upgrade with adoption",
        );
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
        assert_eq!(
            names(&pvcs),
            ["vault-file-vault-0"],
            "{label}: one claim, no debris"
        );
        let pv = c.json(&[
            "get",
            "pv",
            pvcs["items"][0]["spec"]["volumeName"].as_str().unwrap(),
        ]);
        assert_eq!(
            pv["spec"]["csi"]["volumeHandle"], "vol-0fedcba9876543210",
            "{label}"
        );
        let sts = c.json(&["get", "statefulset", "vault", "-n", &ns]);
        assert_eq!(
            sts["spec"]["replicas"], 1,
            "{label}: the chart's replica count is back"
        );
        let status = ok(
            &c.helm(helm, &["status", "vault", "-n", &ns, "-o", "json"]),
            "status",
        );
        let status: serde_json::Value = serde_json::from_str(&status).unwrap();
        assert_eq!(status["info"]["status"], "deployed", "{label}");

        ok(
            &c.helm(helm, &["uninstall", "vault", "-n", &ns]),
            "uninstall",
        );
    }
}

/// A new claim size on an installed release (claims the StatefulSet made): refused as a plain
/// upgrade, through after the README's orphan delete, on both Helms.
#[test]
fn a_new_claim_size_goes_through_after_the_readme_orphan_delete() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let chart = root().join("tests/golden/vault-host-ebs/vault");
    let chart = chart.to_str().unwrap();
    for (label, helm) in &t.helms {
        let ns = namespace(&["grow-claims", label]);
        ok(
            &c.helm(
                helm,
                &["install", "vault", chart, "-n", &ns, "--create-namespace"],
            ),
            "install",
        );
        c.wait_for(&["get", "pvc", "-n", &ns], "the claim", |v| {
            names(v) == ["vault-file-vault-0"]
        });
        let args = [
            "upgrade",
            "vault",
            chart,
            "-n",
            &ns,
            "--set",
            "persistence.vault-file.size=20Gi",
        ];
        assert!(
            !c.helm(helm, &args).status.success(),
            "{label}: claim templates cannot change in place"
        );
        ok(
            &c.kubectl(&[
                "delete",
                "statefulset",
                "vault",
                "--cascade=orphan",
                "-n",
                &ns,
            ]),
            "orphan delete",
        );
        ok(&c.helm(helm, &args), "upgrade after the orphan delete");
        let sts = c.json(&["get", "statefulset", "vault", "-n", &ns]);
        assert_eq!(
            sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
            "20Gi",
            "{label}"
        );
        let pvcs = c.json(&["get", "pvc", "-n", &ns]);
        assert_eq!(
            names(&pvcs),
            ["vault-file-vault-0"],
            "{label}: the claim and its data stay"
        );
        ok(
            &c.helm(helm, &["uninstall", "vault", "-n", &ns]),
            "uninstall",
        );
    }
}

/// The cut-over rendered for the estate's two target group types and installed on the real
/// control plane (with a TargetGroupBinding CRD written for the suite): the web app's instance
/// group gets an instance binding on a NodePort Service, RabbitMQ's ip group an ip binding on
/// a ClusterIP Service.
#[test]
fn cut_over_bindings_install_for_instance_and_ip_target_groups() {
    let Some(t) = tools() else { return };
    let Some(c) = cluster() else { return };
    let crd = root().join("tests/fixtures-crds/targetgroupbinding.yaml");
    ok(
        &c.kubectl(&["apply", "-f", crd.to_str().unwrap()]),
        "the TargetGroupBinding CRD",
    );
    ok(
        &c.kubectl(&[
            "wait",
            "--for=condition=Established",
            "crd/targetgroupbindings.elbv2.k8s.aws",
            "--timeout=60s",
        ]),
        "the CRD established",
    );
    let out = tempfile::tempdir().unwrap();
    let resources = root().join("tests/fixtures-cdk-estate/prod-stack-resources.json");
    crate::conversion::Conversion::of(root().join("tests/fixtures-cdk-estate/cdk.out"))
        .arg("--stack-resources")
        .arg(format!("prod={}", resources.display()))
        .succeeds(out.path());
    let arn =
        "arn:aws:elasticloadbalancing:eu-west-1:333333333333:targetgroup/estate/0123456789abcdef";
    for (chart, target_type, service_type) in [
        ("web", "instance", "NodePort"),
        ("rabbitmq", "ip", "ClusterIP"),
    ] {
        let dir = out.path().join(chart);
        let prod = dir.join("values-prod.yaml");
        for (label, helm) in &t.helms {
            let ns = namespace(&["cutover", chart, label]);
            let arn_value = format!("targetGroupBinding.targetGroupARN={arn}");
            let args = [
                "install",
                chart,
                dir.to_str().unwrap(),
                "-n",
                &ns,
                "--create-namespace",
                "-f",
                prod.to_str().unwrap(),
                "--set",
                "targetGroupBinding.enabled=true",
                "--set",
                &arn_value,
            ];
            ok(
                &c.helm(helm, &args),
                &format!("{label} install {chart} with the binding"),
            );
            let binding = c.json(&["get", "targetgroupbinding", chart, "-n", &ns]);
            assert_eq!(
                binding["spec"]["targetType"], target_type,
                "{label} {chart}"
            );
            assert_eq!(binding["spec"]["targetGroupARN"], arn, "{label} {chart}");
            let service = c.json(&["get", "service", chart, "-n", &ns]);
            assert_eq!(service["spec"]["type"], service_type, "{label} {chart}");
            if service_type == "NodePort" {
                assert!(
                    service["spec"]["ports"][0]["nodePort"]
                        .as_i64()
                        .is_some_and(|p| p >= 30000),
                    "{label}: {service:#}"
                );
            }
            assert!(
                c.json(&["get", "ingress", "-n", &ns])["items"]
                    .as_array()
                    .unwrap()
                    .is_empty(),
                "{label}: no second load balancer"
            );
            ok(&c.helm(helm, &["uninstall", chart, "-n", &ns]), "uninstall");
        }
    }
}
