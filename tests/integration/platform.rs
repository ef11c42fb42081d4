//! platform/ beside the charts: for the estate, per environment, the default StorageClass, a
//! Karpenter NodePool per capacity tier the bill packed (with its EC2NodeClass) or, with
//! --auto-mode, Auto Mode's, and an eksctl Fargate profile for the charts the plan sends to
//! Fargate. The Kubernetes objects are admitted by the real API server with Karpenter's own
//! CRDs (scripts/fetch-crds.sh); stale files go when the plan no longer makes them.

use std::path::Path;

use serde_json::Value;

use crate::cluster::cluster;
use crate::common::{ok, root};
use crate::conversion::Conversion;

fn estate() -> Conversion {
    Conversion::of(root().join("tests/fixtures-cdk-estate/cdk.out"))
}

fn docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.starts_with("# "), "says what it is for: {text}");
    text.split("\n---\n")
        .skip(1)
        .map(|d| helm_ecs_import::yaml::from_str::<Value>(d).unwrap())
        .collect()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

/// The requirement on `key` of a NodePool.
fn requirement<'a>(pool: &'a Value, key: &str) -> Option<&'a Value> {
    pool["spec"]["template"]["spec"]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .map(|r| &r["values"])
}

#[test]
fn the_estate_gets_a_storage_class_node_pools_per_tier_and_a_fargate_profile() {
    let out = tempfile::tempdir().unwrap();
    estate().succeeds(out.path());
    for env in ["dev", "staging", "prod"] {
        let dir = out.path().join("platform").join(env);
        let class = &docs(&dir.join("storageclass.yaml"))[0];
        assert_eq!(class["provisioner"], "ebs.csi.aws.com");
        assert_eq!(class["volumeBindingMode"], "WaitForFirstConsumer");
        assert_eq!(class["parameters"]["encrypted"], "true");
        let pools = docs(&dir.join("nodepools.yaml"));
        let names: Vec<&str> = pools
            .iter()
            .map(|p| p["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["stateful", "on-demand", "spot", "default"], "{env}");
        let stateful = &pools[0];
        assert_eq!(
            strings(requirement(stateful, "karpenter.sh/capacity-type").unwrap()),
            ["on-demand"]
        );
        // The stateful tier runs where its volumes are, on the type ECS gave it.
        assert_eq!(
            strings(requirement(stateful, "topology.kubernetes.io/zone").unwrap()),
            ["eu-west-1a"]
        );
        assert_eq!(
            strings(requirement(stateful, "node.kubernetes.io/instance-type").unwrap()),
            ["r6i.large"]
        );
        assert_eq!(
            stateful["spec"]["disruption"]["consolidationPolicy"],
            "WhenEmpty"
        );
        let spot = &pools[2];
        assert_eq!(
            strings(requirement(spot, "karpenter.sh/capacity-type").unwrap()),
            ["spot"]
        );
        assert_eq!(
            strings(requirement(spot, "node.kubernetes.io/instance-type").unwrap()),
            ["m6i.large", "m5.large", "m5a.large"]
        );
        assert!(requirement(spot, "topology.kubernetes.io/zone").is_none());
        assert_eq!(pools[3]["kind"], "EC2NodeClass");
        let fargate = &docs(&dir.join("fargate-profile.yaml"))[0];
        assert_eq!(fargate["kind"], "ClusterConfig");
        assert_eq!(fargate["metadata"]["region"], "eu-west-1");
        assert_eq!(
            fargate["fargateProfiles"][0]["selectors"][0]["labels"]["compute"], "fargate",
            "the label compute.target=fargate adds (compute.fargateLabels)"
        );
        let text = std::fs::read_to_string(dir.join("fargate-profile.yaml")).unwrap();
        assert!(
            text.contains("--set compute.target=fargate: api."),
            "{text}"
        );
    }
    let api_values = std::fs::read_to_string(out.path().join("api/values.yaml")).unwrap();
    assert!(api_values.contains("compute: fargate"), "{api_values}");
    // Auto Mode: its own provisioner and node class; the Karpenter files go.
    estate().arg("--auto-mode").succeeds(out.path());
    let dir = out.path().join("platform/prod");
    assert!(!dir.join("nodepools.yaml").exists(), "stale file removed");
    assert_eq!(
        docs(&dir.join("storageclass.yaml"))[0]["provisioner"],
        "ebs.csi.eks.amazonaws.com"
    );
    let pools = docs(&dir.join("nodepools-auto-mode.yaml"));
    assert_eq!(pools.len(), 3);
    for p in &pools {
        assert_eq!(
            p["spec"]["template"]["spec"]["nodeClassRef"]["group"],
            "eks.amazonaws.com"
        );
        assert_eq!(
            p["spec"]["template"]["spec"]["nodeClassRef"]["kind"],
            "NodeClass"
        );
    }
    // A file of the user's in platform/ is left alone.
    std::fs::write(dir.join("notes.md"), "mine").unwrap();
    estate().succeeds(out.path());
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.md")).unwrap(),
        "mine"
    );
}

#[test]
fn a_link_in_place_of_platform_is_not_followed() {
    let out = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), out.path().join("platform")).unwrap();
    let output = estate().run(out.path());
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("platform") && stderr.contains("link"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

/// Karpenter's own CRDs admit the node pools and node class, and the API server the
/// StorageClass, for both the Karpenter and the Auto Mode files.
#[test]
fn the_api_server_admits_the_platform_files_with_karpenters_crds() {
    let Some(c) = cluster() else { return };
    let crds = root().join(".tools/crds");
    if !crds.join("karpenter.sh_nodepools.yaml").exists() {
        crate::common::missing("Karpenter's CRDs are missing; scripts/fetch-crds.sh");
    }
    ok(
        &c.kubectl(&["apply", "-f", crds.to_str().unwrap()]),
        "Karpenter's CRDs",
    );
    for crd in [
        "crd/nodepools.karpenter.sh",
        "crd/ec2nodeclasses.karpenter.k8s.aws",
    ] {
        ok(
            &c.kubectl(&["wait", "--for=condition=Established", crd, "--timeout=60s"]),
            crd,
        );
    }
    for auto_mode in [false, true] {
        let out = tempfile::tempdir().unwrap();
        let mut run = estate();
        if auto_mode {
            run = run.arg("--auto-mode");
        }
        run.succeeds(out.path());
        let dir = out.path().join("platform/prod");
        let pools = if auto_mode {
            "nodepools-auto-mode.yaml"
        } else {
            "nodepools.yaml"
        };
        for file in ["storageclass.yaml", pools] {
            let path = dir.join(file);
            let applied = ok(
                &c.kubectl(&["apply", "--dry-run=server", "-f", path.to_str().unwrap()]),
                &format!("{file} (auto mode {auto_mode})"),
            );
            assert!(applied.contains("created (server dry run)"), "{applied}");
        }
    }
}

#[test]
fn a_chart_named_platform_keeps_its_folder_and_the_platform_files_step_aside() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("platform.json");
    std::fs::write(
        &input,
        r#"{"family":"platform","containerDefinitions":[{"name":"a","image":"nginx:1","memory":256}]}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    Conversion::of(&input).succeeds(&out);
    assert!(out.join("platform/Chart.yaml").is_file());
    assert!(!out.join("platform/storageclass.yaml").exists());
    assert!(out.join("_platform/storageclass.yaml").is_file());
    // Again: the chart is re-imported, nothing of the platform files lands in it.
    Conversion::of(&input).succeeds(&out);
    assert!(!out.join("platform/storageclass.yaml").exists());
}
