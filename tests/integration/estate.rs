//! The estate read whole, from a CDK output folder of three stacks (one per environment):
//! data volumes sized per environment from the EBS volumes the user-data mounts (XFS), spot
//! read from the Auto Scaling group behind a neutrally named provider, readiness from the
//! load balancers' health checks, Cloud Map clients rewritten, and one chart per service.
//! Rendered by both Helms and checked by the strict Kubernetes schemas.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{helm, render, root, tools, tree};
use crate::conversion::{only, pod, Conversion};

fn cdk_out() -> PathBuf {
    root().join("tests/fixtures-cdk-estate/cdk.out")
}

fn values(path: &Path) -> Value {
    helm_ecs_import::yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The values Helm sees for one environment: values.yaml (what they share) merged with the
/// environment's file, as Helm merges them (maps key by key, null removes).
fn env_values(chart: &Path, env: &str) -> Value {
    fn merge(base: &mut Value, over: Value) {
        match (base, over) {
            (Value::Object(b), Value::Object(o)) => {
                for (k, v) in o {
                    if v.is_null() {
                        b.remove(&k);
                    } else {
                        merge(b.entry(k).or_insert(Value::Null), v);
                    }
                }
            }
            (b, o) => *b = o,
        }
    }
    let mut all = values(&chart.join("values.yaml"));
    merge(&mut all, values(&chart.join(format!("values-{env}.yaml"))));
    all
}

/// `-f` and the path of the chart's dev values file.
fn dev_file(chart: &Path) -> String {
    chart.join("values-dev.yaml").display().to_string()
}

fn convert(out: &Path) -> String {
    let resources = root().join("tests/fixtures-cdk-estate/prod-stack-resources.json");
    Conversion::of(cdk_out())
        .arg("--stack-resources")
        .arg(format!("prod={}", resources.display()))
        .succeeds(out)
        .stderr
}

#[test]
fn a_cdk_output_folder_is_the_app_one_chart_per_service_a_values_file_per_stack() {
    let out = tempfile::tempdir().unwrap();
    convert(out.path());
    let mut charts: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && !crate::common::PLAN_FILES.contains(&n.as_str()))
        .collect();
    charts.sort();
    // No environment suffix; the worker's task definition gives its service and its schedule.
    assert_eq!(
        charts,
        [
            "api",
            "nightly-report",
            "rabbitmq",
            "redis",
            "vault",
            "web",
            "worker"
        ]
    );
    for chart in &charts {
        for env in ["dev", "staging", "prod"] {
            assert!(
                out.path()
                    .join(chart)
                    .join(format!("values-{env}.yaml"))
                    .is_file(),
                "{chart} {env}"
            );
        }
    }
    // The folder is the same as naming each stack with --env.
    let by_env = tempfile::tempdir().unwrap();
    let resources = root().join("tests/fixtures-cdk-estate/prod-stack-resources.json");
    let mut c = Conversion::of("--env");
    for (env, stack) in [
        ("dev", "EstateDev"),
        ("staging", "EstateStaging"),
        ("prod", "EstateProd"),
    ] {
        if env != "dev" {
            c = c.arg("--env");
        }
        c = c.arg(format!(
            "{env}={}",
            cdk_out().join(format!("{stack}.template.json")).display()
        ));
    }
    // The stacks' targets (account, region) are what the manifest adds to the templates.
    c.args(["--var", "AWS::Region=eu-west-1"])
        .arg("--stack-resources")
        .arg(format!("prod={}", resources.display()))
        .succeeds(by_env.path());
    let strip = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .filter(|(n, _)| !n.contains(".ecs-import"))
            .collect()
    };
    assert_eq!(strip(tree(out.path())), strip(tree(by_env.path())));
}

#[test]
fn data_volumes_spot_readiness_and_discovery_come_from_the_stacks() {
    let out = tempfile::tempdir().unwrap();
    let stderr = convert(out.path());
    let vault = out.path().join("vault");
    let base = env_values(&vault, "dev");
    let data = &base["persistence"]["data"];
    assert_eq!(data["size"], "5Gi", "dev's volume");
    assert_eq!(data["ebs"]["fsType"], "xfs", "mkfs.xfs in the user-data");
    assert_eq!(data["ebs"]["type"], "gp3");
    assert_eq!(data["ebs"]["iops"], 3000);
    assert_eq!(data["adoptVolumes"][0]["volumeId"], "${VaultData3F1A2B4C}");
    assert_eq!(data["adoptVolumes"][0]["zone"], "eu-west-1a");
    let staging = values(&vault.join("values-staging.yaml"));
    assert_eq!(staging["persistence"]["data"]["size"], "20Gi");
    let prod = values(&vault.join("values-prod.yaml"));
    assert_eq!(prod["persistence"]["data"]["size"], "100Gi");
    assert_eq!(
        prod["persistence"]["data"]["adoptVolumes"][0]["volumeId"],
        "vol-0a1b2c3d4e5f60718"
    );

    let web = env_values(&out.path().join("web"), "dev");
    let weight =
        &web["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0];
    assert_eq!(
        weight["weight"], 75,
        "burst-dev (100% spot by its group) carries 3 of 4"
    );
    // The ECS base (1 on the general, on-demand group) is kept by a second release on
    // on-demand nodes, not by a PodDisruptionBudget, which cannot choose nodes.
    let report = std::fs::read_to_string(out.path().join("web/ecs-import-report.json")).unwrap();
    assert!(report.contains("compute.target=on-demand"), "{report}");
    assert!(!report.contains("PodDisruptionBudget"), "{report}");
    let probe = &web["containers"]["web"]["readinessProbe"];
    assert_eq!(probe["httpGet"]["path"], "/healthz");
    assert_eq!(
        (
            probe["periodSeconds"].clone(),
            probe["successThreshold"].clone(),
            probe["failureThreshold"].clone()
        ),
        (15.into(), 2.into(), 3.into())
    );
    let env = &web["containers"]["web"]["env"];
    assert_eq!(env["REDIS_URL"], "redis://redis:6379/0");
    assert_eq!(env["VAULT_ADDR"], "http://vault:8200");
    assert_eq!(env["AMQP_HOST"], "rabbitmq");
    assert!(
        stderr.contains("REDIS_URL was \"redis://redis.prod.estate.internal:6379/0\""),
        "{stderr}"
    );
    let rabbit = env_values(&out.path().join("rabbitmq"), "dev");
    let probe = &rabbit["containers"]["rabbitmq"]["readinessProbe"];
    assert_eq!(
        (
            probe["httpGet"]["path"].clone(),
            probe["httpGet"]["port"].clone()
        ),
        ("/metrics".into(), 15692.into()),
        "the NLB's check"
    );
    assert!(
        stderr.contains("clients reached the service at vault.staging.estate.internal"),
        "{stderr}"
    );

    let kept = tempfile::tempdir().unwrap();
    Conversion::of(cdk_out())
        .arg("--keep-discovery-names")
        .succeeds(kept.path());
    let web = env_values(&kept.path().join("web"), "dev");
    assert_eq!(
        web["containers"]["web"]["env"]["AMQP_HOST"],
        "rabbitmq.dev.estate.internal"
    );
}

#[test]
fn the_estate_renders_per_environment_and_a_volume_placeholder_stops_an_install() {
    let Some(tools) = tools() else { return };
    let out = tempfile::tempdir().unwrap();
    convert(out.path());
    let home = tempfile::tempdir().unwrap();
    for (label, bin) in &tools.helms {
        let vault = out.path().join("vault");
        let lint = helm(
            bin,
            home.path(),
            &[
                "lint",
                "--strict",
                vault.to_str().unwrap(),
                "-f",
                &dev_file(&vault),
            ],
        );
        assert!(
            lint.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&lint.stdout)
        );
        let dev = helm(
            bin,
            home.path(),
            &[
                "template",
                "rel",
                vault.to_str().unwrap(),
                "-f",
                &dev_file(&vault),
            ],
        );
        let stderr = String::from_utf8_lossy(&dev.stderr);
        assert!(
            !dev.status.success()
                && stderr.contains("adoptVolumes[0] still holds ${VaultData3F1A2B4C}"),
            "{label}: {stderr}"
        );

        let prod_values = vault.join("values-prod.yaml");
        let docs = render(
            bin,
            home.path(),
            &vault,
            &["-f", prod_values.to_str().unwrap()],
        );
        tools.validate_docs(&docs, &home.path().join(format!("vault-prod-{label}.yaml")));
        let set = only(&docs, "StatefulSet");
        assert_eq!(
            set["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
            "100Gi",
            "{label}"
        );
        let pv = only(&docs, "PersistentVolume");
        assert_eq!(
            pv["spec"]["csi"]["volumeHandle"], "vol-0a1b2c3d4e5f60718",
            "{label}"
        );
        assert_eq!(pv["spec"]["csi"]["fsType"], "xfs", "{label}");
        assert_eq!(pv["spec"]["capacity"]["storage"], "100Gi", "{label}");

        let web = out.path().join("web");
        for env in ["dev", "staging", "prod"] {
            let file = web.join(format!("values-{env}.yaml"));
            let docs = render(bin, home.path(), &web, &["-f", file.to_str().unwrap()]);
            tools.validate_docs(&docs, &home.path().join(format!("web-{env}-{label}.yaml")));
            let container = &pod(only(&docs, "Deployment"))["containers"][0];
            assert_eq!(
                container["readinessProbe"]["httpGet"]["path"], "/healthz",
                "{label} {env}"
            );
            assert_eq!(
                container["readinessProbe"]["httpGet"]["port"], "port-8080",
                "{label} {env}"
            );
            let redis = container["env"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["name"] == "REDIS_URL")
                .unwrap();
            assert_eq!(redis["value"], "redis://redis:6379/0", "{label} {env}");
        }
    }
}

/// The cut-over binding matches the target group: the web app's group registers instances
/// (bridge mode), so the binding says instance and the Service becomes a NodePort; a placeholder
/// ARN stops the render with the way to find the ARN.
#[test]
fn the_binding_follows_the_target_group_type() {
    let Some(tools) = tools() else { return };
    let out = tempfile::tempdir().unwrap();
    convert(out.path());
    let home = tempfile::tempdir().unwrap();
    let web = out.path().join("web");
    let arn =
        "arn:aws:elasticloadbalancing:eu-west-1:333333333333:targetgroup/web/0123456789abcdef";
    for (label, bin) in &tools.helms {
        let unset = helm(
            bin,
            home.path(),
            &[
                "template",
                "rel",
                web.to_str().unwrap(),
                "-f",
                &dev_file(&web),
                "--set",
                "targetGroupBinding.enabled=true",
            ],
        );
        let stderr = String::from_utf8_lossy(&unset.stderr);
        assert!(
            !unset.status.success() && stderr.contains("targetGroupARN is still ${WebTg}"),
            "{label}: {stderr}"
        );
        let set_arn = format!("targetGroupBinding.targetGroupARN={arn}");
        let docs = render(
            bin,
            home.path(),
            &web,
            &[
                "-f",
                &dev_file(&web),
                "--set",
                "targetGroupBinding.enabled=true",
                "--set",
                &set_arn,
            ],
        );
        let binding = only(&docs, "TargetGroupBinding");
        assert_eq!(binding["spec"]["targetType"], "instance", "{label}");
        assert_eq!(binding["spec"]["targetGroupARN"], arn, "{label}");
        assert_eq!(
            only(&docs, "Service")["spec"]["type"],
            "NodePort",
            "{label}"
        );
        assert!(
            docs.iter().all(|d| d["kind"] != "Ingress"),
            "{label}: no second load balancer"
        );
        let container = &pod(only(&docs, "Deployment"))["containers"][0];
        assert_eq!(
            container["lifecycle"]["preStop"]["sleep"]["seconds"], 300,
            "{label}"
        );
        // The ip-target rendering stays a ClusterIP Service.
        let ip = render(
            bin,
            home.path(),
            &web,
            &[
                "-f",
                &dev_file(&web),
                "--set",
                "targetGroupBinding.enabled=true",
                "--set",
                &set_arn,
                "--set",
                "targetGroupBinding.targetType=ip",
            ],
        );
        assert_eq!(only(&ip, "Service")["spec"]["type"], "ClusterIP", "{label}");
    }
}

/// The web service's ALB is not in its stack's listeners: whether it faces the internet is not
/// known, so the Ingress scheme is a placeholder that both Helms refuse to render, until set.
#[test]
fn an_alb_the_stack_does_not_describe_has_no_guessed_scheme() {
    let Some(t) = tools() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    convert(out.path());
    let web = out.path().join("web");
    let base = env_values(&web, "dev");
    assert_eq!(
        base["ingress"]["annotations"]["alb.ingress.kubernetes.io/scheme"],
        "${ALB_SCHEME}"
    );
    let home = tempfile::tempdir().unwrap();
    for (label, bin) in &t.helms {
        let refused = helm(
            bin,
            home.path(),
            &[
                "template",
                "r",
                web.to_str().unwrap(),
                "-f",
                &dev_file(&web),
                "--set",
                "ingress.enabled=true",
            ],
        );
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(
            !refused.status.success() && stderr.contains("scheme is still ${ALB_SCHEME}"),
            "{label}: {stderr}"
        );
        let docs = render(
            bin,
            home.path(),
            &web,
            &[
                "-f",
                &dev_file(&web),
                "--set",
                "ingress.enabled=true",
                "--set",
                "ingress.annotations.alb\\.ingress\\.kubernetes\\.io/scheme=internet-facing",
            ],
        );
        let ingress = only(&docs, "Ingress");
        assert_eq!(
            ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/scheme"],
            "internet-facing",
            "{label}"
        );
    }
}

/// Placeholders are never silent: NOTES.txt names each value still holding one, and
/// failOnPlaceholders makes the render refuse them until they are set.
#[test]
fn placeholders_are_named_on_install_and_refused_on_demand() {
    let Some(t) = tools() else { return };
    let out = tempfile::tempdir().unwrap();
    convert(out.path());
    let web_dir = out.path().join("web");
    let dev = dev_file(&web_dir);
    let web = web_dir.to_str().unwrap();
    let home = tempfile::tempdir().unwrap();
    let set = [
        "--set",
        "ingress.annotations.alb\\.ingress\\.kubernetes\\.io/scheme=internal",
        "--set",
        "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::111111111111:role/web",
        "--set",
        "targetGroupBinding.targetGroupARN=arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/web/1",
    ];
    // Helm 3's install --dry-run asks a cluster for its version: the suite's answers.
    let Some(c) = crate::cluster::cluster() else {
        return;
    };
    let dry_run = |bin: &Path, extra: &[&str]| {
        let mut args = vec!["install", "r", web, "--dry-run=server", "-f", &dev];
        args.extend(extra);
        c.helm(bin, &args)
    };
    for (label, bin) in &t.helms {
        let dry = dry_run(bin, &[]);
        let notes = String::from_utf8_lossy(&dry.stdout);
        assert!(dry.status.success(), "{label}: {notes}");
        for line in [
            "ingress.annotations.alb.ingress.kubernetes.io/scheme = ${ALB_SCHEME}",
            "serviceAccount.annotations.eks.amazonaws.com/role-arn = ${TaskRoleA1B2C3D4.Arn}",
            "targetGroupBinding.targetGroupARN = ${WebTg}",
        ] {
            assert!(notes.contains(line), "{label}: {line} in {notes}");
        }
        let refused = helm(
            bin,
            home.path(),
            &[
                "template",
                "r",
                web,
                "-f",
                &dev,
                "--set",
                "failOnPlaceholders=true",
            ],
        );
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(
            !refused.status.success()
                && stderr.contains("targetGroupBinding.targetGroupARN = ${WebTg}"),
            "{label}: {stderr}"
        );
        let mut args = vec!["--set", "failOnPlaceholders=true"];
        args.extend(set);
        let filled = dry_run(bin, &args);
        let notes = String::from_utf8_lossy(&filled.stdout);
        assert!(
            filled.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&filled.stderr)
        );
        assert!(
            !notes.contains("still hold placeholders"),
            "{label}: {notes}"
        );
    }
}

/// values.yaml is no environment: an edit there reaches every environment, because no
/// environment file sets a key values.yaml holds; and what differs is only in the files.
#[test]
fn the_base_values_hold_only_what_every_environment_shares() {
    fn leaves(v: &Value, at: String, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, v) in m {
                    let k = k.replace('~', "~0").replace('/', "~1");
                    leaves(v, format!("{at}/{k}"), out);
                }
            }
            other => out.push((at, other.clone())),
        }
    }
    let out = tempfile::tempdir().unwrap();
    convert(out.path());
    let mut charts = 0;
    for entry in std::fs::read_dir(out.path()).unwrap() {
        let chart = entry.unwrap().path();
        if !chart.join("values-prod.yaml").is_file() || !chart.join("values-dev.yaml").is_file() {
            continue;
        }
        charts += 1;
        let mut base = Vec::new();
        leaves(
            &values(&chart.join("values.yaml")),
            String::new(),
            &mut base,
        );
        let dev = env_values(&chart, "dev");
        let prod = env_values(&chart, "prod");
        for (at, value) in &base {
            for env in ["dev", "staging", "prod"] {
                let file = values(&chart.join(format!("values-{env}.yaml")));
                let shadowed = file.pointer(at).is_some_and(|v| !v.is_object());
                assert!(
                    !shadowed,
                    "{}: values-{env}.yaml sets {at}",
                    chart.display()
                );
            }
            assert_eq!(dev.pointer(at), Some(value), "{}: {at}", chart.display());
            assert_eq!(prod.pointer(at), Some(value), "{}: {at}", chart.display());
        }
        let text = std::fs::read_to_string(chart.join("values.yaml")).unwrap();
        for own in [
            "environment:",
            "111111111111",
            "333333333333",
            "-dev",
            "-prod",
        ] {
            assert!(
                !text.contains(own),
                "{}: values.yaml holds {own}",
                chart.display()
            );
        }
    }
    assert!(
        charts >= 4,
        "the estate's charts of several environments: {charts}"
    );
}
