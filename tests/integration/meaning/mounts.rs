//! A container's mounts against its mount points, linux parameters and volumesFrom, and the
//! volumes behind them.

use super::case::persistent;
use super::container::Container;
use super::{find, mebibytes, number};

/// Mount points backed as the volume's life asks: a claim, an EFS volume, a host path or an
/// emptyDir; /dev/shm, tmpfs and volumesFrom mounts too, and nothing else.
pub(super) fn check(k: &Container) {
    let Container {
        def, c, ctx, case, ..
    } = k;
    let (docs, pod, workload, volumes, defs) = (
        case.docs,
        case.pod,
        case.workload,
        &case.volumes,
        &case.defs,
    );
    let mounts = c["volumeMounts"].as_array().cloned().unwrap_or_default();
    for mp in def["mountPoints"].as_array().into_iter().flatten() {
        let path = mp["containerPath"].as_str().unwrap();
        let mount = mounts
            .iter()
            .find(|m| m["mountPath"] == path)
            .unwrap_or_else(|| panic!("{ctx}: no mount at {path}"));
        assert_eq!(
            mount["readOnly"].as_bool().unwrap_or(false),
            mp["readOnly"].as_bool().unwrap_or(false),
            "{ctx}: readOnly {path}"
        );
        let source = mp["sourceVolume"].as_str().unwrap();
        let vdef = volumes.iter().find(|v| v["name"] == source).unwrap();
        let vname = mount["name"].as_str().unwrap();
        let pod_volume = pod["volumes"]
            .as_array()
            .and_then(|vs| vs.iter().find(|v| v["name"] == vname));
        if let Some(fs) = vdef["efsVolumeConfiguration"]["fileSystemId"].as_str() {
            // EFS stays shared by every replica: one claim bound to a PV on the same file system.
            let claim = pod_volume.unwrap_or_else(|| panic!("{ctx}: EFS volume"))
                ["persistentVolumeClaim"]["claimName"]
                .as_str()
                .unwrap();
            let pv = find(docs, "PersistentVolume")
                .into_iter()
                .find(|pv| pv["spec"]["claimRef"]["name"] == claim)
                .unwrap_or_else(|| panic!("{ctx}: PV for {claim}"));
            assert!(
                pv["spec"]["csi"]["volumeHandle"]
                    .as_str()
                    .unwrap()
                    .starts_with(fs),
                "{ctx}: volumeHandle"
            );
            assert_eq!(pv["spec"]["csi"]["driver"], "efs.csi.aws.com");
            assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
        } else if persistent(vdef) {
            let claims = workload["spec"]["volumeClaimTemplates"]
                .as_array()
                .unwrap_or_else(|| panic!("{ctx}: no claim templates"));
            assert!(
                claims.iter().any(|t| t["metadata"]["name"] == vname),
                "{ctx}: {path} must be backed by a volume claim template"
            );
            assert!(
                pod_volume.is_none(),
                "{ctx}: {path} must not be an emptyDir or other pod volume"
            );
        } else if let Some(host) = vdef["host"]["sourcePath"].as_str() {
            assert_eq!(
                pod_volume.unwrap()["hostPath"]["path"],
                host,
                "{ctx}: hostPath"
            );
        } else {
            let v = pod_volume.unwrap_or_else(|| panic!("{ctx}: no pod volume {vname}"));
            assert!(
                v["emptyDir"].is_object(),
                "{ctx}: scratch volume {vname} is an emptyDir"
            );
        }
    }
    // linuxParameters: /dev/shm and tmpfs become memory emptyDirs of the same size.
    let memory_dir = |path: &str, mib: i64| {
        let mount = mounts
            .iter()
            .find(|m| m["mountPath"] == path)
            .unwrap_or_else(|| panic!("{ctx}: no mount at {path}"));
        let volume = pod["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == mount["name"])
            .unwrap();
        assert_eq!(volume["emptyDir"]["medium"], "Memory", "{ctx}: {path}");
        let limit = volume["emptyDir"]["sizeLimit"].as_str().unwrap();
        assert_eq!(mebibytes(limit), mib, "{ctx}: {path} size");
    };
    let lp = &def["linuxParameters"];
    let mut expected_mounts = def["mountPoints"].as_array().map_or(0, Vec::len);
    if let Some(shm) = number(&lp["sharedMemorySize"]) {
        memory_dir("/dev/shm", shm);
        expected_mounts += 1;
    }
    for t in lp["tmpfs"].as_array().into_iter().flatten() {
        memory_dir(
            t["containerPath"].as_str().unwrap(),
            number(&t["size"]).unwrap(),
        );
        expected_mounts += 1;
    }
    // volumesFrom: the source's mount points, read-only when asked.
    for vf in def["volumesFrom"].as_array().into_iter().flatten() {
        let source = defs
            .iter()
            .find(|d| d["name"] == vf["sourceContainer"])
            .unwrap();
        for mp in source["mountPoints"].as_array().into_iter().flatten() {
            let mount = mounts
                .iter()
                .find(|m| m["mountPath"] == mp["containerPath"])
                .unwrap_or_else(|| panic!("{ctx}: volumesFrom mount"));
            if vf["readOnly"] == true {
                assert_eq!(mount["readOnly"], true, "{ctx}: volumesFrom readOnly");
            }
            expected_mounts += 1;
        }
    }
    assert_eq!(mounts.len(), expected_mounts, "{ctx}: no extra mounts");
}
