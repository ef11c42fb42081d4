//! Data follows the pod: a service that kept its data in an instance directory on ECS becomes a
//! StatefulSet whose claim binds a volume (a local PersistentVolume here, standing in for EBS);
//! what it writes survives the pod's deletion, a re-import and `helm upgrade`, and a volume
//! adopted the way the chart adopts an EBS volume brings its data. A wrong mount path loses
//! the data, and the test sees it.

use std::path::Path;

use serde_json::{json, Value};

use super::{convert, helms, image, merged, name, ready, Release};

fn task(env: &str) -> Value {
    json!({
        "family": "kv",
        "volumes": [{"name": "data", "host": {"sourcePath": "/mnt/ebs/kv"}}],
        "containerDefinitions": [{
            "name": "kv", "image": "registry.example.com/tools:1", "essential": true, "memory": 32,
            "entryPoint": ["/bin/sh", "-c"],
            "command": ["echo \"$(hostname) $RUN\" >> /data/log; exec sleep 2147483647"],
            "environment": [{"name": "RUN", "value": env}],
            "mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}]
        }]
    })
}

/// A local PersistentVolume on the node, in `class` (or pre-bound to `claim`), backed by `dir`.
fn local_volume(release: &Release, pv: &str, dir: &Path, class: &str, claim: Option<&str>) {
    std::fs::create_dir_all(dir).unwrap();
    let mut spec = json!({
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": "Retain", "storageClassName": class,
        "local": {"path": dir},
        "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": ["ecsi-node"]}]}]}}
    });
    if let Some(claim) = claim {
        spec["claimRef"] = json!({"namespace": release.namespace, "name": claim});
    }
    apply(
        release,
        &json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": pv}, "spec": spec}),
    );
}

fn apply(release: &Release, object: &Value) {
    let file = release.dir.join(format!(
        "{}.json",
        object["metadata"]["name"].as_str().unwrap()
    ));
    std::fs::write(&file, serde_json::to_vec(object).unwrap()).unwrap();
    crate::common::ok(
        &release.kubectl(&["apply", "-f", file.to_str().unwrap()]),
        "kubectl apply",
    );
}

fn storage_class(release: &Release, class: &str) {
    apply(
        release,
        &json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": class}, "provisioner": "kubernetes.io/no-provisioner",
        "volumeBindingMode": "WaitForFirstConsumer"}),
    );
}

/// A StorageClass of the test's own and one local volume in it, removed when dropped.
struct LocalStorage {
    class: String,
    volume: String,
    cluster: &'static crate::cluster::Cluster,
}

impl LocalStorage {
    fn new(release: &Release, disk: &Path) -> LocalStorage {
        let class = format!("ecsi-local-{}", release.namespace);
        let volume = format!("{}-pv", release.namespace);
        storage_class(release, &class);
        local_volume(release, &volume, disk, &class, None);
        LocalStorage {
            class,
            volume,
            cluster: release.cluster,
        }
    }
}

impl Drop for LocalStorage {
    fn drop(&mut self) {
        let _ = self
            .cluster
            .kubectl(&["delete", "pv", &self.volume, "--wait=false"]);
        let _ = self
            .cluster
            .kubectl(&["delete", "storageclass", &self.class, "--wait=false"]);
    }
}

fn data_log(release: &Release) -> String {
    let pods = release.wait_pods("the pod ready", 90, |p| p.len() == 1 && ready(&p[0]));
    let pod = name(&pods[0]);
    // The line is written as the container starts; wait for it.
    for _ in 0..50 {
        let out = release.exec(&pod, "kv", &["cat", "/data/log"]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if !text.is_empty() {
            return text;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("nothing in /data/log\n{}", release.describe());
}

fn replace_pod(release: &Release) {
    let old = name(&release.pods()[0]);
    crate::common::ok(
        &release.kubectl(&["delete", "pod", &old, "--wait=true", "--timeout=90s"]),
        "delete pod",
    );
    release.wait_pods("a new pod", 90, |p| {
        p.len() == 1 && p[0]["metadata"]["uid"] != Value::Null && ready(&p[0]) && name(&p[0]) == old
    });
}

fn values(class: &str, extra: Value) -> Value {
    merged(
        merged(
            image("kv", "ecsi-tools:1"),
            json!({"persistence": {"data": {"storageClass": class, "size": "1Gi"}}}),
        ),
        extra,
    )
}

#[test]
fn data_survives_pod_deletion_reimport_and_upgrade() {
    let (label, helm) = helms().remove(0);
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(tmp.path(), &task("first"), &[]);
    let release = Release::new("kv", label, &helm, tmp.path());
    let storage = LocalStorage::new(&release, &tmp.path().join("disk"));
    let class = storage.class.clone();
    release.install(&chart, &values(&class, json!({})));
    assert_eq!(data_log(&release).lines().count(), 1);
    replace_pod(&release);
    let log = data_log(&release);
    assert_eq!(
        log.lines().count(),
        2,
        "the new pod reads the old data:\n{log}"
    );
    // A re-import that changes the task, then helm upgrade: a new pod, the same data.
    let chart = convert(tmp.path(), &task("second"), &[]);
    let up = release.helm("upgrade", &chart, &values(&class, json!({})), true);
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    release.wait_pods("the upgraded pod", 90, |p| {
        p.len() == 1
            && ready(&p[0])
            && p[0]["spec"]["containers"][0]["env"]
                .to_string()
                .contains("second")
    });
    let log = data_log(&release);
    assert!(
        log.lines().count() == 3 && log.lines().last().unwrap().ends_with(" second"),
        "{log}"
    );
}

#[test]
fn a_wrong_mount_path_loses_the_data_and_the_test_sees_it() {
    let (label, helm) = helms().remove(1);
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(tmp.path(), &task("first"), &[]);
    let release = Release::new("kvbad", label, &helm, tmp.path());
    let storage = LocalStorage::new(&release, &tmp.path().join("disk"));
    let class = storage.class.clone();
    let wrong = json!({"containers": {"kv": {"volumeMounts": [{"name": "data", "mountPath": "/elsewhere", "readOnly": false}]}}});
    release.install(&chart, &values(&class, wrong));
    assert_eq!(data_log(&release).lines().count(), 1);
    replace_pod(&release);
    assert_eq!(
        data_log(&release).lines().count(),
        1,
        "with the mount elsewhere, the data is gone"
    );
}

#[test]
fn an_adopted_volume_brings_its_data() {
    let (label, helm) = helms().remove(1);
    let tmp = tempfile::tempdir().unwrap();
    let chart = convert(tmp.path(), &task("adopted"), &[]);
    let release = Release::new("kvadopt", label, &helm, tmp.path());
    // What the chart renders to adopt an EBS volume: a retained volume pre-bound to the claim
    // the StatefulSet will look for. Here its source is a local directory with the old data.
    let adopt = json!({"persistence": {"data": {"adoptVolumes": [{"volumeId": "vol-0123456789abcdef0", "zone": "eu-west-1a"}]}}});
    let file = tmp.path().join("adopt.json");
    std::fs::write(&file, serde_json::to_vec(&values("", adopt)).unwrap()).unwrap();
    let rendered = release.cluster.helm(
        &helm,
        &[
            "template",
            "app",
            chart.to_str().unwrap(),
            "-n",
            &release.namespace,
            "-f",
            file.to_str().unwrap(),
        ],
    );
    let docs = crate::common::documents(&crate::common::ok(&rendered, "helm template"));
    let pv = docs
        .iter()
        .find(|d| d["kind"] == "PersistentVolume")
        .expect("the adoption volume")
        .clone();
    let claim = pv["spec"]["claimRef"]["name"].as_str().unwrap().to_string();
    assert_eq!(
        pv["spec"]["claimRef"]["namespace"],
        release.namespace.as_str()
    );
    assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
    let disk = tmp.path().join("ebs");
    std::fs::create_dir_all(&disk).unwrap();
    std::fs::write(disk.join("log"), "from the EBS volume\n").unwrap();
    let pv_name = format!("{}-adopted", release.namespace);
    local_volume(
        &release,
        &pv_name,
        &disk,
        pv["spec"]["storageClassName"].as_str().unwrap_or(""),
        Some(&claim),
    );
    release.install(&chart, &values("", json!({})));
    let log = data_log(&release);
    assert!(
        log.starts_with("from the EBS volume\n") && log.lines().count() == 2,
        "{log}"
    );
    let bound = release.json(&["get", "pvc", &claim]);
    assert_eq!(bound["spec"]["volumeName"], pv_name.as_str());
    let _ = release
        .cluster
        .kubectl(&["delete", "pv", &pv_name, "--wait=false"]);
}
