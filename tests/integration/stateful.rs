//! Stateful services keep their data: host-path data becomes a claim template, node paths
//! stay hostPath, the ECS service's EBS settings reach the chart, and adoption, snapshot
//! restore and bad persistence values render (or are refused) as the API server expects.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::common::{cmd, helm, render, root, tools};
use crate::conversion::Conversion;

/// Converts `input` (a file or directory) and returns the one chart directory.
fn convert(input: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    Conversion::of(input)
        .arg("-q")
        .args(extra)
        .succeeds(out)
        .chart()
}

fn fixture(name: &str) -> PathBuf {
    root()
        .join("tests/fixtures")
        .join(name)
        .join("task-definition.json")
}

fn kinds<'a>(docs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["kind"] == kind).collect()
}

/// The volume a container mounts at `path`, and the pod spec it is declared in.
fn volume_at(workload: &Value, path: &str) -> String {
    let pod = &workload["spec"]["template"]["spec"];
    pod["containers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["volumeMounts"].as_array().cloned().unwrap_or_default())
        .find(|m| m["mountPath"] == path)
        .unwrap_or_else(|| panic!("nothing mounted at {path}: {pod}"))["name"]
        .as_str()
        .unwrap()
        .to_string()
}

fn claim_template<'a>(statefulset: &'a Value, name: &str) -> &'a Value {
    statefulset["spec"]["volumeClaimTemplates"]
        .as_array()
        .unwrap_or_else(|| panic!("no claim templates: {statefulset}"))
        .iter()
        .find(|t| t["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no claim template {name}"))
}

/// Writes the rendered objects to a file for kubernetes-validate, leaving out the snapshot
/// CRDs its schemas do not know (their structure is checked by the tests themselves).
fn validate(tools: &crate::common::Tools, docs: &[Value], dir: &Path) {
    let text: String = docs
        .iter()
        .filter(|d| {
            !d["apiVersion"]
                .as_str()
                .unwrap_or_default()
                .starts_with("snapshot.storage.k8s.io")
        })
        .map(|d| format!("---\n{}\n", serde_json::to_string(d).unwrap()))
        .collect();
    let file = dir.join("rendered.yaml");
    fs::write(&file, text).unwrap();
    tools.validate(&[file]);
}

#[test]
fn data_on_host_paths_and_ebs_moves_into_claim_templates() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    // (input, data path, claim size)
    let cases: [(PathBuf, &str, &str); 4] = [
        (fixture("vault-host-ebs"), "/vault/file", "10Gi"),
        (fixture("rabbitmq-host-path"), "/var/lib/rabbitmq", "10Gi"),
        (fixture("redis-rexray"), "/data", "20Gi"),
        (
            root().join("tests/fixtures-stateful/postgres"),
            "/var/lib/postgresql/data",
            "100Gi",
        ),
    ];
    for (input, data_path, size) in &cases {
        let out = tempfile::tempdir().unwrap();
        let chart = convert(input, out.path(), &[]);
        for (label, bin) in &tools.helms {
            let docs = render(bin, home.path(), &chart, &[]);
            let sts = kinds(&docs, "StatefulSet");
            assert_eq!(sts.len(), 1, "{label} {}: a StatefulSet", input.display());
            let volume = volume_at(sts[0], data_path);
            let pod_volumes = sts[0]["spec"]["template"]["spec"]["volumes"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(
                !pod_volumes.iter().any(|v| v["name"] == volume.as_str()),
                "{label}: {volume} comes from a claim template, not a pod volume: {pod_volumes:?}"
            );
            let template = claim_template(sts[0], &volume);
            assert_eq!(
                template["spec"]["resources"]["requests"]["storage"], *size,
                "{label} {volume}"
            );
            assert_eq!(template["spec"]["accessModes"], json!(["ReadWriteOnce"]));
            assert!(
                !serde_json::to_string(&docs).unwrap().contains("hostPath"),
                "{label}: no hostPath left"
            );
            validate(&tools, &docs, out.path());
        }
    }

    // The rexray options reach the values and, with the switch, a StorageClass.
    let out = tempfile::tempdir().unwrap();
    let chart = convert(&fixture("redis-rexray"), out.path(), &[]);
    for (label, bin) in &tools.helms {
        let docs = render(
            bin,
            home.path(),
            &chart,
            &[
                "--set",
                "persistence.redis-data.ebs.createStorageClass=true",
            ],
        );
        let class = kinds(&docs, "StorageClass");
        assert_eq!(class.len(), 1, "{label}");
        assert_eq!(class[0]["provisioner"], "ebs.csi.aws.com");
        assert_eq!(class[0]["volumeBindingMode"], "WaitForFirstConsumer");
        assert_eq!(class[0]["allowVolumeExpansion"], true);
        assert_eq!(class[0]["parameters"]["type"], "io1");
        assert_eq!(class[0]["parameters"]["iops"], "3000");
        let sts = kinds(&docs, "StatefulSet")[0];
        assert_eq!(
            claim_template(sts, "redis-data")["spec"]["storageClassName"],
            class[0]["metadata"]["name"]
        );
        validate(&tools, &docs, out.path());
    }
}

#[test]
fn the_service_volume_configuration_reaches_values_and_the_storage_class() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let chart = convert(
        &root().join("tests/fixtures-stateful/postgres"),
        out.path(),
        &[],
    );
    let values: Value =
        helm_ecs_import::yaml::from_str(&fs::read_to_string(chart.join("values.yaml")).unwrap())
            .unwrap();
    let pgdata = &values["persistence"]["pgdata"];
    assert_eq!(pgdata["size"], "100Gi");
    assert_eq!(pgdata["ebs"]["type"], "io2");
    assert_eq!(pgdata["ebs"]["iops"], 5000);
    assert_eq!(pgdata["ebs"]["fsType"], "xfs");
    assert_eq!(pgdata["ebs"]["tags"], json!({"team": "orders"}));
    let report = fs::read_to_string(chart.join("ecs-import-report.json")).unwrap();
    assert!(
        !report.contains("ECSI-W-VOLUME-SIZE"),
        "the service gave the size: {report}"
    );
    assert!(
        report.contains("/volumeConfigurations/0/managedEBSVolume/roleArn"),
        "roleArn is reported"
    );
    for (label, bin) in &tools.helms {
        let docs = render(
            bin,
            home.path(),
            &chart,
            &["--set", "persistence.pgdata.ebs.createStorageClass=true"],
        );
        let class = kinds(&docs, "StorageClass")[0];
        assert_eq!(class["parameters"]["type"], "io2", "{label}");
        assert_eq!(class["parameters"]["iops"], "5000");
        assert_eq!(class["parameters"]["encrypted"], "true");
        assert_eq!(class["parameters"]["csi.storage.k8s.io/fstype"], "xfs");
        assert!(class["parameters"]["kmsKeyId"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:kms:"));
        assert_eq!(class["parameters"]["tagSpecification_1"], "team=orders");
        validate(&tools, &docs, out.path());
    }

    // Without the service, the size is a flagged default, and --volume-size sets it.
    let alone = tempfile::tempdir().unwrap();
    let task = root().join("tests/fixtures-stateful/postgres/task-definition.json");
    let chart = convert(&task, alone.path(), &[]);
    let report = fs::read_to_string(chart.join("ecs-import-report.json")).unwrap();
    assert!(report.contains("ECSI-W-VOLUME-SIZE"), "{report}");
    assert!(fs::read_to_string(chart.join("values.yaml"))
        .unwrap()
        .contains("ECS knew no size"));
    let sized = tempfile::tempdir().unwrap();
    let chart = convert(&task, sized.path(), &["--volume-size", "pgdata=250Gi"]);
    assert!(fs::read_to_string(chart.join("values.yaml"))
        .unwrap()
        .contains("size: \"250Gi\""));
    let bad = cmd()
        .arg(&task)
        .args(["--volume-size", "pgdata=lots"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn node_paths_stay_host_paths_and_the_deployment_is_recreated() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let chart = convert(&fixture("node-agent"), out.path(), &[]);
    for (label, bin) in &tools.helms {
        let docs = render(bin, home.path(), &chart, &[]);
        let deploy = kinds(&docs, "Deployment")[0];
        let volumes = deploy["spec"]["template"]["spec"]["volumes"]
            .as_array()
            .unwrap();
        for (path, host) in [
            ("/var/log", "/var/log"),
            ("/var/run/docker.sock", "/var/run/docker.sock"),
            ("/host/proc", "/proc"),
            ("/fluent-bit/state", "/var/lib/ecs/data/fluent-bit"),
        ] {
            let name = volume_at(deploy, path);
            let v = volumes.iter().find(|v| v["name"] == name.as_str()).unwrap();
            assert_eq!(v["hostPath"]["path"], host, "{label} {path}");
        }
        assert_eq!(
            deploy["spec"]["strategy"]["type"], "Recreate",
            "{label}: host paths are not shared by a rollout"
        );
        validate(&tools, &docs, out.path());
    }

    // A data volume kept as a hostPath by choice, in a Deployment, is recreated too, and a
    // Deployment holding a ReadWriteOnce claim as well.
    let out = tempfile::tempdir().unwrap();
    let chart = convert(&fixture("vault-host-ebs"), out.path(), &[]);
    for (label, bin) in &tools.helms {
        let docs = render(
            bin,
            home.path(),
            &chart,
            &["--set", "persistence.vault-file.hostPath.enabled=true"],
        );
        let sts = kinds(&docs, "StatefulSet")[0];
        assert!(
            sts["spec"]["volumeClaimTemplates"].is_null(),
            "{label}: no claim for a kept hostPath"
        );
        let name = volume_at(sts, "/vault/file");
        let v = sts["spec"]["template"]["spec"]["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name.as_str())
            .unwrap()
            .clone();
        assert_eq!(
            v["hostPath"],
            // Docker on ECS created a missing directory: so does DirectoryOrCreate.
            json!({"path": "/mnt/ebs/vault", "type": "DirectoryOrCreate"}),
            "{label}"
        );
        let docs = render(
            bin,
            home.path(),
            &chart,
            &["--set", "workload.kind=Deployment"],
        );
        let deploy = kinds(&docs, "Deployment")[0];
        assert_eq!(deploy["spec"]["strategy"]["type"], "Recreate", "{label}");
        assert_eq!(kinds(&docs, "PersistentVolumeClaim").len(), 1);
        validate(&tools, &docs, out.path());
        let rolling = render(
            bin,
            home.path(),
            &chart,
            &[
                "--set",
                "workload.kind=Deployment",
                "--set",
                "deploymentStrategy.type=RollingUpdate",
            ],
        );
        assert_eq!(
            kinds(&rolling, "Deployment")[0]["spec"]["strategy"]["type"],
            "RollingUpdate",
            "{label}: still available"
        );
    }
}

#[test]
fn adoption_and_snapshot_restore_render_what_the_controllers_expect() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let chart = convert(&fixture("vault-host-ebs"), out.path(), &[]);
    let adopt = r#"persistence.vault-file.adoptVolumes=[{"volumeId":"vol-0123456789abcdef0","zone":"eu-west-1a"},{"volumeId":"vol-0fedcba9876543210","zone":"eu-west-1b"}]"#;
    for (label, bin) in &tools.helms {
        let docs = render(
            bin,
            home.path(),
            &chart,
            &[
                "--set-json",
                adopt,
                "--set",
                "replicaCount=2",
                "--set",
                "persistence.vault-file.size=40Gi",
            ],
        );
        let sts = kinds(&docs, "StatefulSet")[0];
        let statefulset = sts["metadata"]["name"].as_str().unwrap();
        let pvs = kinds(&docs, "PersistentVolume");
        let pvcs = kinds(&docs, "PersistentVolumeClaim");
        assert_eq!((pvs.len(), pvcs.len()), (2, 2), "{label}");
        for (i, (volume, zone)) in [
            ("vol-0123456789abcdef0", "eu-west-1a"),
            ("vol-0fedcba9876543210", "eu-west-1b"),
        ]
        .iter()
        .enumerate()
        {
            // The name the StatefulSet controller looks up for ordinal i.
            let claim = format!("vault-file-{statefulset}-{i}");
            let pvc = pvcs
                .iter()
                .find(|c| c["metadata"]["name"] == claim.as_str())
                .unwrap_or_else(|| panic!("{label}: no claim {claim}"));
            let pv = pvs
                .iter()
                .find(|p| p["spec"]["csi"]["volumeHandle"] == *volume)
                .unwrap();
            assert_eq!(
                pvc["spec"]["volumeName"], pv["metadata"]["name"],
                "{label}: pre-bound"
            );
            assert_eq!(pv["spec"]["claimRef"]["name"], claim.as_str());
            assert_eq!(pv["spec"]["csi"]["driver"], "ebs.csi.aws.com");
            assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
            assert_eq!(pv["spec"]["capacity"]["storage"], "40Gi");
            assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], "40Gi");
            assert_eq!(
                pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"]
                    [0],
                json!({"key": "topology.kubernetes.io/zone", "operator": "In", "values": [zone]})
            );
        }
        validate(&tools, &docs, out.path());

        let docs = render(
            bin,
            home.path(),
            &chart,
            &[
                "--set",
                "persistence.vault-file.fromSnapshot=snap-0123456789abcdef0",
            ],
        );
        let content = kinds(&docs, "VolumeSnapshotContent");
        let snapshot = kinds(&docs, "VolumeSnapshot");
        assert_eq!((content.len(), snapshot.len()), (1, 1), "{label}");
        assert_eq!(content[0]["apiVersion"], "snapshot.storage.k8s.io/v1");
        assert_eq!(
            content[0]["spec"]["source"]["snapshotHandle"],
            "snap-0123456789abcdef0"
        );
        assert_eq!(content[0]["spec"]["driver"], "ebs.csi.aws.com");
        assert_eq!(content[0]["spec"]["deletionPolicy"], "Retain");
        assert_eq!(
            content[0]["spec"]["volumeSnapshotRef"]["name"],
            snapshot[0]["metadata"]["name"]
        );
        assert_eq!(
            snapshot[0]["spec"]["source"]["volumeSnapshotContentName"],
            content[0]["metadata"]["name"]
        );
        let sts = kinds(&docs, "StatefulSet")[0];
        assert_eq!(
            claim_template(sts, "vault-file")["spec"]["dataSource"],
            json!({"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": snapshot[0]["metadata"]["name"]})
        );
        validate(&tools, &docs, out.path());

        // Any entry turned on renders a claim the API server accepts.
        let docs = render(
            bin,
            home.path(),
            &chart,
            &[
                "--set",
                "workload.kind=Deployment",
                "--set",
                "persistence.scratch.enabled=true",
            ],
        );
        assert_eq!(kinds(&docs, "PersistentVolumeClaim").len(), 2, "{label}");
        validate(&tools, &docs, out.path());
    }
}

#[test]
fn bad_persistence_values_are_refused_naming_the_key() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let chart = convert(&fixture("vault-host-ebs"), out.path(), &[]);
    let chart_s = chart.to_str().unwrap();
    let cases = [
        (
            "--set-json",
            r#"persistence.vault-file.adoptVolumes=[{"zone":"eu-west-1a"}]"#,
            "volumeId",
        ),
        (
            "--set-json",
            r#"persistence.vault-file.adoptVolumes=[{"volumeId":"vol-12","zone":"eu-west-1a"}]"#,
            "volumeId",
        ),
        (
            "--set",
            "persistence.vault-file.fromSnapshot=vol-0123456789abcdef0",
            "fromSnapshot",
        ),
        ("--set", "persistence.vault-file.size=lots", "size"),
        (
            "--set-json",
            "persistence.vault-file.accessModes=[]",
            "accessModes",
        ),
    ];
    for (label, bin) in &tools.helms {
        for (flag, value, key) in cases {
            let output = helm(bin, home.path(), &["template", "r", chart_s, flag, value]);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!output.status.success(), "{label}: {value} was accepted");
            assert!(stderr.contains(key), "{label}: {value}: {stderr}");
        }
    }
}

#[test]
fn a_container_hostname_becomes_the_pods_where_it_can() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let chart = convert(&fixture("rabbitmq-host-path"), out.path(), &[]);
    let report = fs::read_to_string(chart.join("ecs-import-report.json")).unwrap();
    assert!(
        report.contains("rabbitmq-0"),
        "the report names the new hostname: {report}"
    );
    let out = tempfile::tempdir().unwrap();
    let chart = convert(
        &fixture("rabbitmq-host-path"),
        out.path(),
        &["--workload", "deployment"],
    );
    for (label, bin) in &tools.helms {
        let docs = render(bin, home.path(), &chart, &[]);
        assert_eq!(
            kinds(&docs, "Deployment")[0]["spec"]["template"]["spec"]["hostname"],
            "rabbitmq-node1",
            "{label}"
        );
        let bad = helm(
            bin,
            home.path(),
            &[
                "template",
                "r",
                chart.to_str().unwrap(),
                "--set",
                "hostname=Not_A_Name",
            ],
        );
        assert!(!bad.status.success(), "{label}");
    }
}

#[test]
fn unsafe_sysctls_wait_for_a_switch() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let chart = convert(&fixture("placement"), out.path(), &[]);
    let report = fs::read_to_string(chart.join("ecs-import-report.json")).unwrap();
    assert!(
        report.contains("--allowed-unsafe-sysctls=vm.max_map_count"),
        "{report}"
    );
    for (label, bin) in &tools.helms {
        let sysctls = |extra: &[&str]| {
            let docs = render(bin, home.path(), &chart, extra);
            let workload = docs
                .iter()
                .find(|d| d["kind"] == "StatefulSet" || d["kind"] == "Deployment")
                .unwrap()
                .clone();
            workload["spec"]["template"]["spec"]["securityContext"]["sysctls"].clone()
        };
        assert!(sysctls(&[]).is_null(), "{label}: off by default");
        assert_eq!(
            sysctls(&["--set", "unsafeSysctls.enabled=true"]),
            json!([{"name": "vm.max_map_count", "value": "262144"}]),
            "{label}"
        );
    }
}

#[test]
fn efs_takes_an_access_point_in_the_volume_handle_form() {
    let Some(tools) = tools() else { return };
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let chart = convert(&fixture("efs-volume"), out.path(), &[]);
    for (label, bin) in &tools.helms {
        let handle = |extra: &[&str]| {
            let docs = render(bin, home.path(), &chart, extra);
            kinds(&docs, "PersistentVolume")[0]["spec"]["csi"]["volumeHandle"].clone()
        };
        assert_eq!(handle(&[]), "fs-0abc::fsap-0def", "{label}");
        assert_eq!(
            handle(&[
                "--set",
                "persistence.content.efs.fileSystemId=fs-0123::fsap-0456"
            ]),
            "fs-0123::fsap-0456",
            "{label}"
        );
        let bad = helm(
            bin,
            home.path(),
            &[
                "template",
                "r",
                chart.to_str().unwrap(),
                "--set",
                "persistence.content.efs.fileSystemId=fs-1:fsap",
            ],
        );
        assert!(!bad.status.success(), "{label}");
    }
}
