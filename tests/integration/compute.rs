//! Where the pods run, chosen in values: `compute.target` (fargate refuses a pod Fargate cannot
//! run and adds the profile's labels; spot and on-demand require the capacity type on the
//! labels of Karpenter, Auto Mode and managed node groups) and `eks.autoMode` (Auto Mode's
//! EBS driver and binding API), rendered by both Helms and checked by the strict schemas; and
//! the plan's Fargate eligibility and billed size for each kind of service.

use crate::common::{helm, render, root, tools};
use crate::conversion::{only, pod, Conversion};
use serde_json::Value;

#[test]
fn compute_target_and_auto_mode_render_as_chosen() {
    let Some(t) = tools() else { return };
    let out = tempfile::tempdir().unwrap();
    Conversion::of(root().join("tests/fixtures-cdk-estate/cdk.out")).succeeds(out.path());
    let home = tempfile::tempdir().unwrap();
    let vault = out.path().join("vault");
    let worker = out.path().join("worker");
    for (label, bin) in &t.helms {
        let refused = helm(
            bin,
            home.path(),
            &[
                "template",
                "r",
                vault.to_str().unwrap(),
                "-f",
                &dev(&vault),
                "--set",
                "compute.target=fargate",
            ],
        );
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(
            !refused.status.success()
                && stderr.contains(
                    "EKS Fargate cannot run this pod: persistence.data is a block-storage claim"
                ),
            "{label}: {stderr}"
        );

        let docs = render(
            bin,
            home.path(),
            &worker,
            &["-f", &dev(&worker), "--set", "compute.target=fargate"],
        );
        t.validate_docs(&docs, &home.path().join(format!("fargate-{label}.yaml")));
        let deployment = only(&docs, "Deployment");
        assert_eq!(
            deployment["spec"]["template"]["metadata"]["labels"]["compute"], "fargate",
            "{label}"
        );

        for (target, karpenter, node_group) in [
            ("spot", "spot", "SPOT"),
            ("on-demand", "on-demand", "ON_DEMAND"),
        ] {
            let set = format!("compute.target={target}");
            let docs = render(
                bin,
                home.path(),
                &worker,
                &["-f", &dev(&worker), "--set", &set],
            );
            t.validate_docs(&docs, &home.path().join(format!("{target}-{label}.yaml")));
            let node = &pod(only(&docs, "Deployment"))["affinity"]["nodeAffinity"];
            let terms = node["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
                .as_array()
                .unwrap();
            let pairs: Vec<(String, String)> = terms
                .iter()
                .map(|t| {
                    let e = &t["matchExpressions"][0];
                    (
                        e["key"].as_str().unwrap().to_string(),
                        e["values"][0].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            assert_eq!(
                pairs,
                [
                    (
                        "karpenter.sh/capacity-type".to_string(),
                        karpenter.to_string()
                    ),
                    (
                        "eks.amazonaws.com/capacityType".to_string(),
                        node_group.to_string()
                    )
                ],
                "{label} {target}"
            );
            assert!(
                node.get("preferredDuringSchedulingIgnoredDuringExecution")
                    .is_none(),
                "{label}: the preference is settled"
            );
        }

        let adopt = r#"persistence.data.adoptVolumes=[{"volumeId":"vol-0123456789abcdef0","zone":"eu-west-1a"}]"#;
        let docs = render(
            bin,
            home.path(),
            &vault,
            &[
                "-f",
                &dev(&vault),
                "--set",
                "eks.autoMode=true",
                "--set",
                "persistence.data.ebs.createStorageClass=true",
                "--set-json",
                adopt,
            ],
        );
        assert_eq!(
            only(&docs, "StorageClass")["provisioner"],
            "ebs.csi.eks.amazonaws.com",
            "{label}"
        );
        assert_eq!(
            only(&docs, "PersistentVolume")["spec"]["csi"]["driver"],
            "ebs.csi.eks.amazonaws.com",
            "{label}"
        );
        let web = out.path().join("web");
        let arn = "targetGroupBinding.targetGroupARN=arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/w/1";
        let docs = render(
            bin,
            home.path(),
            &web,
            &[
                "-f",
                &dev(&web),
                "--set",
                "eks.autoMode=true",
                "--set",
                "targetGroupBinding.enabled=true",
                "--set",
                arn,
            ],
        );
        assert_eq!(
            only(&docs, "TargetGroupBinding")["apiVersion"],
            "eks.amazonaws.com/v1",
            "{label}"
        );
        let docs = render(
            bin,
            home.path(),
            &web,
            &[
                "-f",
                &dev(&web),
                "--set",
                "targetGroupBinding.enabled=true",
                "--set",
                arn,
            ],
        );
        assert_eq!(
            only(&docs, "TargetGroupBinding")["apiVersion"],
            "elbv2.k8s.aws/v1beta1",
            "{label}"
        );
        auto_mode_ingress(&t, label, bin, home.path(), &web);
    }
}

/// `values-dev.yaml` of an estate chart: values.yaml alone is no environment.
fn dev(chart: &std::path::Path) -> String {
    chart.join("values-dev.yaml").display().to_string()
}

/// With Auto Mode the Ingress names its own IngressClass, whose IngressClassParams carry the
/// scheme and certificates the annotations held; the other annotations stay.
fn auto_mode_ingress(
    t: &crate::common::Tools,
    label: &str,
    bin: &std::path::Path,
    home: &std::path::Path,
    chart: &std::path::Path,
) {
    let ingress = r#"ingress={"enabled":true,"className":"alb","annotations":{"alb.ingress.kubernetes.io/scheme":"internet-facing","alb.ingress.kubernetes.io/certificate-arn":"arn:aws:acm:eu-west-1:1:certificate/a, arn:aws:acm:eu-west-1:1:certificate/b","alb.ingress.kubernetes.io/healthcheck-path":"/healthz"},"hosts":[{"host":"api.example.com","paths":[{"path":"/","pathType":"Prefix"}]}]}"#;
    let docs = render(
        bin,
        home,
        chart,
        &[
            "-f",
            &dev(chart),
            "--set-json",
            ingress,
            "--set",
            "eks.autoMode=true",
        ],
    );
    let params = only(&docs, "IngressClassParams");
    assert_eq!(params["apiVersion"], "eks.amazonaws.com/v1", "{label}");
    assert_eq!(params["spec"]["scheme"], "internet-facing", "{label}");
    assert_eq!(
        params["spec"]["certificateARNs"],
        serde_json::json!([
            "arn:aws:acm:eu-west-1:1:certificate/a",
            "arn:aws:acm:eu-west-1:1:certificate/b"
        ]),
        "{label}"
    );
    let class = only(&docs, "IngressClass");
    assert_eq!(
        class["spec"]["controller"], "eks.amazonaws.com/alb",
        "{label}"
    );
    assert_eq!(
        class["spec"]["parameters"]["name"],
        params["metadata"]["name"]
    );
    let ing = only(&docs, "Ingress");
    assert_eq!(
        ing["spec"]["ingressClassName"], class["metadata"]["name"],
        "{label}"
    );
    let annotations = ing["metadata"]["annotations"].as_object().unwrap();
    // The chart's own annotations (the ALB's settings) merge with the ones given; the scheme
    // and certificates moved into the IngressClassParams.
    for kept in [
        "alb.ingress.kubernetes.io/healthcheck-path",
        "alb.ingress.kubernetes.io/target-type",
    ] {
        assert!(annotations.contains_key(kept), "{label}: {kept}");
    }
    for moved in [
        "alb.ingress.kubernetes.io/scheme",
        "alb.ingress.kubernetes.io/certificate-arn",
    ] {
        assert!(!annotations.contains_key(moved), "{label}: {moved}");
    }
    let dir = tempfile::tempdir().unwrap();
    let core: Vec<serde_json::Value> = docs
        .iter()
        .filter(|d| d["kind"] != "IngressClassParams")
        .cloned()
        .collect();
    t.validate_docs(&core, &dir.path().join("auto-mode.yaml"));
    // Without Auto Mode: the class and annotations as given, no IngressClass of its own.
    let docs = render(
        bin,
        home,
        chart,
        &["-f", &dev(chart), "--set-json", ingress],
    );
    assert!(!docs.iter().any(|d| d["kind"] == "IngressClass"), "{label}");
    let ing = only(&docs, "Ingress");
    assert_eq!(ing["spec"]["ingressClassName"], "alb", "{label}");
    let annotations = ing["metadata"]["annotations"].as_object().unwrap();
    assert_eq!(
        annotations["alb.ingress.kubernetes.io/scheme"], "internet-facing",
        "{label}"
    );
    assert!(annotations.contains_key("alb.ingress.kubernetes.io/certificate-arn"));
}

/// What keeps a pod off EKS Fargate, per kind of service, and the size Fargate bills one it
/// can run: requests plus 256 MiB, rounded up to a valid combination.
#[test]
fn fargate_eligibility_and_size_for_each_kind_of_service() {
    // Fixture, reasons expected, billed size (millicores, MiB) when Fargate can run it.
    type Case<'a> = (&'a str, &'a [&'a str], Option<(i64, i64)>);
    let cases: [Case; 7] = [
        ("basic-web", &[], Some((250, 1024))),
        ("efs-volume", &[], Some((500, 2048))),
        ("host-network", &["host networking"], None),
        (
            "node-agent",
            &["is the node directory /var/log", "host networking"],
            None,
        ),
        (
            "placement",
            &[
                "block-storage claim",
                "unsafe sysctl vm.max_map_count",
                "requires node labels",
            ],
            None,
        ),
        ("pod-settings", &["requests a GPU or accelerator"], None),
        (
            "stateful-volumes",
            &["block-storage claim", "node directory /var/log/mongodb"],
            None,
        ),
    ];
    for (case, reasons, size) in cases {
        let out = tempfile::tempdir().unwrap();
        Conversion::of(
            root()
                .join("tests/fixtures")
                .join(case)
                .join("task-definition.json"),
        )
        .succeeds(out.path());
        let plan: Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join("migration-plan.json")).unwrap(),
        )
        .unwrap();
        let compute = &plan["environments"][0]["services"][0]["compute"];
        let fargate = &compute["fargate"];
        let found = fargate["reasons"].to_string();
        for r in reasons {
            assert!(found.contains(r), "{case}: {r} in {found}");
        }
        assert_eq!(fargate["eligible"], reasons.is_empty(), "{case}");
        let billed = size.map(|(c, m)| (serde_json::json!(c), serde_json::json!(m)));
        let got = fargate["billedCpuMillicores"]
            .as_i64()
            .map(|c| (serde_json::json!(c), fargate["billedMemoryMib"].clone()));
        assert_eq!(got, billed, "{case}: {compute}");
        if let Some((cpu, memory)) = size {
            // The requests fit the billed size with Fargate's 256 MiB on top.
            assert!(compute["cpuMillicores"].as_i64().unwrap() <= cpu);
            assert!(compute["memoryMib"].as_i64().unwrap() + 256 <= memory);
        } else {
            assert_eq!(compute["recommendation"], "on-demand", "{case}");
        }
    }
}
