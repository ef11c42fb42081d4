//! The migration plan written with the charts: for the estate, a move for every chart in every
//! environment, stateful ones with the ECS-side steps, the DeletionPolicy check and downtime
//! parts; the order from who calls whom; the same plan on a re-run, which writes nothing.

use std::path::Path;

use serde_json::Value;

use crate::common::root;
use crate::conversion::Conversion;

fn convert(out: &Path) -> String {
    let resources = root().join("tests/fixtures-cdk-estate/prod-stack-resources.json");
    Conversion::of(root().join("tests/fixtures-cdk-estate/cdk.out"))
        .arg("--stack-resources")
        .arg(format!("prod={}", resources.display()))
        .succeeds(out)
        .stderr
}

fn plan(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("migration-plan.json")).unwrap())
        .unwrap()
}

fn service<'a>(env: &'a Value, chart: &str) -> &'a Value {
    env["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["chart"] == chart)
        .unwrap()
}

fn commands(m: &Value) -> Vec<String> {
    m["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["command"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_estate_plan_moves_every_chart_in_every_environment() {
    let out = tempfile::tempdir().unwrap();
    convert(out.path());
    let p = plan(out.path());
    let envs = p["environments"].as_array().unwrap();
    let names: Vec<&str> = envs.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    for env in envs {
        assert_eq!(
            env["services"].as_array().unwrap().len(),
            7,
            "{}",
            env["name"]
        );
        // What others call moves first: the stores, then their clients.
        assert_eq!(
            env["waves"],
            serde_json::json!([
                ["api", "rabbitmq", "redis", "vault"],
                ["nightly-report", "web", "worker"]
            ])
        );
        assert_eq!(
            service(env, "web")["calls"],
            serde_json::json!(["rabbitmq", "redis", "vault"])
        );
    }
    let prod = &envs[2];
    let vault = service(prod, "vault");
    let m = &vault["move"];
    assert_eq!(m["strategy"], "adopt-volume");
    let parts: Vec<i64> = m["downtimeParts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["seconds"].as_i64().unwrap())
        .collect();
    // ECS's default stop timeout, detach, attach and mount, the health check's 30 s start
    // period plus one 10 s interval.
    assert_eq!(parts, [30, 10, 30, 40]);
    assert_eq!(m["downtimeSeconds"], 110);
    let steps = commands(m);
    let has = |needle: &str| steps.iter().any(|c| c.contains(needle));
    assert!(
        has("aws ecs update-service --cluster estate-prod --service vault --desired-count 0"),
        "{steps:#?}"
    );
    assert!(
        has("suspend-processes --auto-scaling-group-name StatefulAsg"),
        "{steps:#?}"
    );
    assert!(has("sudo umount /data/vault"), "{steps:#?}");
    assert!(
        has("aws ec2 detach-volume --volume-id vol-0a1b2c3d4e5f60718"),
        "{steps:#?}"
    );
    assert!(has("topology.kubernetes.io/zone=eu-west-1a"), "{steps:#?}");
    assert!(
        has("helm upgrade --install vault ./vault -f ./vault/values-prod.yaml"),
        "{steps:#?}"
    );
    assert!(
        vault["checks"].as_array().unwrap().is_empty(),
        "prod knows the volume IDs and Vault's volume is retained"
    );

    // The volume left with CloudFormation's default policies is named before anything moves.
    let rabbit = service(prod, "rabbitmq");
    let checks: Vec<&str> = rabbit["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["problem"].as_str().unwrap())
        .collect();
    assert!(
        checks
            .iter()
            .any(|c| c.starts_with("DeletionPolicy is Delete")),
        "{checks:?}"
    );
    assert!(
        checks
            .iter()
            .any(|c| c.starts_with("UpdateReplacePolicy is Delete")),
        "{checks:?}"
    );
    assert_eq!(rabbit["checks"][0]["resource"], "RabbitData5A6B7C8D");

    // Replication where it interrupts less, with adoption and a snapshot as alternatives.
    let redis = service(prod, "redis");
    assert_eq!(redis["move"]["strategy"], "replicate");
    assert!(
        redis["move"]["downtimeSeconds"].as_i64().unwrap()
            < redis["alternatives"][0]["downtimeSeconds"]
                .as_i64()
                .unwrap()
    );
    let alternatives: Vec<&str> = redis["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(alternatives, ["adopt-volume", "snapshot"]);
    assert!(commands(&redis["move"])
        .iter()
        .any(|c| c.contains("REPLICAOF")));

    let web = service(prod, "web");
    assert_eq!(web["move"]["strategy"], "cut-over");
    assert_eq!(web["move"]["downtimeSeconds"], 0);
    assert!(commands(&web["move"])
        .iter()
        .any(|c| c.contains("targetGroupBinding.enabled=true")));
    assert!(
        web["move"]["steps"][0]["text"]
            .as_str()
            .unwrap()
            .contains("NodePort"),
        "instance targets"
    );
    assert_eq!(
        service(prod, "nightly-report")["move"]["strategy"],
        "recreate"
    );
    assert!(commands(&service(prod, "nightly-report")["move"])
        .iter()
        .any(|c| c.contains("cronJob.suspend=true")));
    // Callers still on ECS keep Vault's name once it has moved.
    assert!(commands(m)
        .iter()
        .any(|c| c.contains("cloudMap.publish=true")));

    // Where each runs on EKS: stateful on on-demand nodes (Fargate mounts no EBS volume), the
    // web app on spot as ECS ran most of it, with the size Fargate would bill (512 MiB + 256).
    let compute = &rabbit["compute"];
    assert_eq!(compute["recommendation"], "on-demand");
    assert_eq!(compute["fargate"]["eligible"], false);
    assert!(compute["fargate"]["reasons"][0]
        .as_str()
        .unwrap()
        .contains("block-storage claim"));
    let compute = &web["compute"];
    assert_eq!(compute["recommendation"], "spot");
    assert_eq!(compute["memoryMib"], 512);
    assert_eq!(
        (
            compute["fargate"]["billedCpuMillicores"].clone(),
            compute["fargate"]["billedMemoryMib"].clone()
        ),
        (250.into(), 1024.into())
    );
    assert!(compute["fargate"]["assumed"][0]
        .as_str()
        .unwrap()
        .contains("no CPU request"));

    let markdown = std::fs::read_to_string(out.path().join("MIGRATION.md")).unwrap();
    assert!(markdown.contains("```mermaid\ngraph LR"), "{markdown}");
    assert!(markdown.contains("  web --> redis"), "{markdown}");
    assert!(markdown.contains("## Environment `prod`"), "{markdown}");
}

#[test]
fn an_unchanged_plan_is_not_written_again() {
    let out = tempfile::tempdir().unwrap();
    let first = convert(out.path());
    assert!(first.contains("Migration plan:"), "{first}");
    let json = out.path().join("migration-plan.json");
    let before = (
        std::fs::read(&json).unwrap(),
        std::fs::metadata(&json).unwrap().modified().unwrap(),
    );
    let again = convert(out.path());
    assert!(!again.contains("Migration plan:"), "{again}");
    let after = (
        std::fs::read(&json).unwrap(),
        std::fs::metadata(&json).unwrap().modified().unwrap(),
    );
    assert_eq!(before, after);
    // A second output folder from the same input holds the same bytes.
    let other = tempfile::tempdir().unwrap();
    convert(other.path());
    assert_eq!(
        std::fs::read(other.path().join("MIGRATION.md")).unwrap(),
        std::fs::read(out.path().join("MIGRATION.md")).unwrap()
    );
    // Readable by all, as the charts are (a temporary file is made 0600).
    use std::os::unix::fs::PermissionsExt;
    for name in ["MIGRATION.md", "migration-plan.json"] {
        let mode = std::fs::metadata(out.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{name}");
    }
    // A plan file edited or replaced by a link is written again, as a file.
    std::fs::write(&json, "{}").unwrap();
    let md = out.path().join("MIGRATION.md");
    std::fs::remove_file(&md).unwrap();
    std::os::unix::fs::symlink(other.path().join("MIGRATION.md"), &md).unwrap();
    let third = convert(out.path());
    assert!(third.contains("Migration plan:"), "{third}");
    assert_eq!(std::fs::read(&json).unwrap(), before.0);
    assert!(std::fs::symlink_metadata(&md).unwrap().is_file());
    assert_eq!(
        std::fs::read(&md).unwrap(),
        std::fs::read(other.path().join("MIGRATION.md")).unwrap()
    );
}

#[test]
fn a_single_task_definition_gets_a_plan_too() {
    let out = tempfile::tempdir().unwrap();
    Conversion::of(root().join("tests/fixtures-kinds/daemon")).succeeds(out.path());
    let p = plan(out.path());
    assert_eq!(p["environments"][0]["name"], "default");
    let services = p["environments"][0]["services"].as_array().unwrap();
    assert!(!services.is_empty());
    assert!(services.iter().all(|s| s["move"]["strategy"].is_string()));
    let reasons = services[0]["compute"]["fargate"]["reasons"]
        .as_array()
        .unwrap();
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("DaemonSet")),
        "{reasons:?}"
    );
}
