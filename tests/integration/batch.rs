//! Batches: a nested directory of mixed input shapes, CDK-synthesized CloudFormation, ECS
//! services, revisions, a bad file among good ones, determinism across thread counts, and
//! every produced chart through both Helm versions and the Kubernetes schemas.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{cmd, helm, ok, root, tools, tree};

fn batch(args: &[&Path], out: &Path, threads: Option<&str>) -> (i32, String) {
    let mut c = cmd();
    c.args(args).arg("--output").arg(out);
    if let Some(n) = threads {
        c.env("RAYON_NUM_THREADS", n);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

fn values(chart: &Path) -> Value {
    helm_ecs_import::yaml::from_str(&fs::read_to_string(chart.join("values.yaml")).unwrap())
        .unwrap()
}

fn fixtures() -> std::path::PathBuf {
    root().join("tests/fixtures-batch")
}

#[test]
fn nested_directory_of_mixed_shapes() {
    let out = tempfile::tempdir().unwrap();
    let (code, err) = batch(&[&fixtures()], out.path(), None);
    assert_eq!(code, 0, "{err}");
    let mut charts: Vec<String> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !crate::common::PLAN_FILES.contains(&n.as_str()))
        .collect();
    charts.sort();
    assert_eq!(
        charts,
        [
            "api-service",
            "cache",
            "orders",
            "shopstackreportstaskdef0c1d",
            "web",
            "worker"
        ]
    );
    // The highest revision of a family wins; the other is reported as skipped.
    assert_eq!(
        values(&out.path().join("web"))["containers"]["web"]["image"]["tag"],
        "1.25"
    );
    assert!(
        err.contains("nested/a/web-rev3.json: skipped: web:3 is superseded by revision 5"),
        "{err}"
    );
    // JSON that is neither a task definition, a template nor a service is listed, not failed.
    assert!(
        err.contains("nested/notes.json: skipped: not a task definition"),
        "{err}"
    );
    assert!(err.contains("cdk/manifest.json: skipped"), "{err}");
    assert!(
        !err.contains("hidden"),
        "hidden directories are not read: {err}"
    );
    assert!(err.contains("Summary: 6 converted"), "{err}");
    // .json.tpl and .json.template are task definitions too.
    assert!(
        out.path().join("worker/Chart.yaml").exists()
            && out.path().join("cache/Chart.yaml").exists()
    );
}

#[test]
fn cdk_template_with_two_task_definitions_and_a_service() {
    let out = tempfile::tempdir().unwrap();
    let (code, err) = batch(
        &[&fixtures().join("cdk/ShopStack.template.json")],
        out.path(),
        None,
    );
    assert_eq!(code, 0, "{err}");
    let orders = values(&out.path().join("orders"));
    assert_eq!(orders["replicaCount"], 2, "DesiredCount");
    assert_eq!(orders["autoscaling"]["enabled"], true);
    assert_eq!(orders["autoscaling"]["minReplicas"], 2);
    assert_eq!(orders["autoscaling"]["maxReplicas"], 10);
    assert_eq!(orders["autoscaling"]["targetCPUUtilizationPercentage"], 60);
    assert_eq!(
        orders["ingress"]["enabled"], false,
        "the ALB stays the one ECS used (the binding is the cut-over): no second one on install"
    );
    assert_eq!(
        orders["ingress"]["className"], "alb",
        "an HTTP target group means an ALB"
    );
    assert_eq!(orders["ingress"]["servicePort"], 8080);
    assert_eq!(
        orders["deploymentStrategy"]["rollingUpdate"]["maxSurge"],
        "50%"
    );
    assert_eq!(
        orders["deploymentStrategy"]["rollingUpdate"]["maxUnavailable"],
        "0%"
    );
    let image = &orders["containers"]["orders"]["image"];
    assert_eq!(
        image["registry"],
        "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com"
    );
    assert_eq!(image["tag"], "3.2.1", "Ref to a parameter with a default");
    assert_eq!(orders["containers"]["orders"]["env"]["STAGE"], "prod");
    // CloudFormation generates this role's name (no RoleName): the whole ARN is a placeholder,
    // never one built from the logical ID.
    assert_eq!(
        orders["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"],
        "${OrdersTaskRole1A2B.Arn}"
    );
    let text = fs::read_to_string(out.path().join("orders/values.yaml")).unwrap();
    assert!(
        text.contains("PLACEHOLDER from the input"),
        "placeholders are flagged in their comments"
    );
    let report: Value = serde_json::from_slice(
        &fs::read(out.path().join("orders/ecs-import-report.json")).unwrap(),
    )
    .unwrap();
    let unresolved: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "ECSI-W-CFN-UNRESOLVED")
        .collect();
    assert!(unresolved.iter().any(|f| f["pointer"]
        == "/Resources/OrdersTaskDef9F8E/Properties/ContainerDefinitions/0/Environment/0/Value"));
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["pointer"]
            == "/Resources/OrdersTaskDef9F8E/Properties/ContainerDefinitions/0/LogConfiguration"));
    let reports = values(&out.path().join("shopstackreportstaskdef0c1d"));
    assert_eq!(reports["workload"]["kind"], "StatefulSet");

    // What only the deployment knows can be given with --var; bad resources name their keys.
    let out2 = tempfile::tempdir().unwrap();
    let o = cmd()
        .arg(fixtures().join("cdk/ShopStack.template.json"))
        .args([
            "--var",
            "AWS::AccountId=123456789012",
            "--var",
            "AWS::Region=eu-west-1",
            "--var",
            "OrdersTaskRole1A2B.Arn=arn:aws:iam::123456789012:role/ShopStack-OrdersTaskRole-1X2Y3Z",
            "-q",
            "-o",
        ])
        .arg(out2.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    let orders = values(&out2.path().join("orders"));
    assert_eq!(
        orders["containers"]["orders"]["image"]["registry"],
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        orders["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"],
        "arn:aws:iam::123456789012:role/ShopStack-OrdersTaskRole-1X2Y3Z",
        "--var fills exactly the placeholder the warning names"
    );
    let bad = out2.path().join("bad.template.json");
    fs::write(&bad, r#"{"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Family": "t", "ContainerDefinitions": [{"Name": "a", "Image": "x", "PortMappings": [{"ContainerPort": 99999}]}]}}}}"#).unwrap();
    let o = cmd()
        .arg(&bad)
        .arg("-o")
        .arg(out2.path().join("x"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("Resources.T.Properties.ContainerDefinitions[0].PortMappings[0].ContainerPort: expected an integer 0-65535, got 99999"), "{err}");
}

#[test]
fn describe_services_name_and_scale_the_chart() {
    let out = tempfile::tempdir().unwrap();
    let (code, err) = batch(
        &[
            &fixtures().join("nested/api"),
            &fixtures().join("nested/services"),
        ],
        out.path(),
        None,
    );
    assert_eq!(code, 0, "{err}");
    let v = values(&out.path().join("api-service"));
    assert_eq!(v["replicaCount"], 3);
    assert_eq!(v["deploymentStrategy"]["rollingUpdate"]["maxSurge"], "100%");
    assert_eq!(
        v["deploymentStrategy"]["rollingUpdate"]["maxUnavailable"],
        "50%"
    );
    assert_eq!(
        v["service"]["headless"], true,
        "service discovery needs DNS per pod"
    );
    assert_eq!(
        v["topologySpreadConstraints"][0]["topologyKey"],
        "topology.kubernetes.io/zone"
    );
    assert_eq!(
        v["ingress"]["enabled"], false,
        "off while a target group exists"
    );
    assert!(err.contains("ECSI-W-PLACEMENT-STRATEGY"), "{err}");
    // FARGATE_SPOT becomes a preference for spot nodes, weighted by its share.
    let preferred =
        &v["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"];
    assert_eq!(
        preferred[0]["preference"]["matchExpressions"][0]["key"],
        "karpenter.sh/capacity-type"
    );
    assert!(preferred[0]["weight"]
        .as_i64()
        .is_some_and(|w| (1..=100).contains(&w)));
    // Without its task definition, a service is skipped with the reason, and a run that
    // converts nothing fails.
    let out2 = tempfile::tempdir().unwrap();
    let (code, err) = batch(&[&fixtures().join("nested/services")], out2.path(), None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nothing to convert"), "{err}");
    assert!(
        err.contains("skipped: service api-service runs api:9, which is not among the inputs"),
        "{err}"
    );
}

#[test]
fn a_bad_file_among_good_ones_fails_alone() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("in");
    copy(&fixtures().join("nested"), &input);
    fs::write(
        input.join("c/broken.json"),
        "{\"family\": \"broken\", \"containerDefinitions\": [{\"name\": \"x\", ",
    )
    .unwrap();
    fs::write(
        input.join("c/dup.json"),
        r#"{"family":"worker","containerDefinitions":[{"name":"other","image":"x"}]}"#,
    )
    .unwrap();
    let out = work.path().join("out");
    let (code, err) = batch(&[&input], &out, None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("c/broken.json:1:"), "{err}");
    assert!(
        err.contains("gives chart \"worker\", which")
            && err.contains("neither overwrites the other"),
        "{err}"
    );
    assert!(
        err.contains("Summary: 4 converted") && err.contains("2 failed"),
        "{err}"
    );
    for chart in ["api-service", "cache", "web", "worker"] {
        assert!(
            out.join(chart).join("Chart.yaml").exists(),
            "{chart} still written"
        );
    }
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let examples = root().join("examples");
    assert_eq!(batch(&[&fixtures(), &examples], a.path(), Some("1")).0, 0);
    assert_eq!(batch(&[&fixtures(), &examples], b.path(), Some("8")).0, 0);
    let ta = tree(a.path());
    assert!(ta.len() > 150, "{}", ta.len());
    assert_eq!(ta, tree(b.path()));
    // --package archives too.
    let c = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    for (dir, n) in [(&c, "1"), (&d, "6")] {
        let o = cmd()
            .arg(fixtures())
            .arg("--package")
            .arg("-q")
            .arg("-o")
            .arg(dir.path())
            .env("RAYON_NUM_THREADS", n)
            .output()
            .unwrap();
        assert!(o.status.success());
    }
    let tgz: Vec<_> = tree(c.path())
        .into_iter()
        .filter(|(p, _)| p.ends_with(".tgz"))
        .collect();
    assert_eq!(tgz.len(), 6);
    assert_eq!(
        tgz,
        tree(d.path())
            .into_iter()
            .filter(|(p, _)| p.ends_with(".tgz"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn every_batch_chart_passes_both_helms_and_the_schemas() {
    let Some(tools) = tools() else { return };
    let out = tempfile::tempdir().unwrap();
    assert_eq!(batch(&[&fixtures()], out.path(), None).0, 0);
    let home = tempfile::tempdir().unwrap();
    let rendered = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for entry in fs::read_dir(out.path()).unwrap() {
        let chart = entry.unwrap().path();
        if !chart.join("Chart.yaml").is_file() {
            continue;
        }
        let s = chart.to_str().unwrap();
        for (label, bin) in &tools.helms {
            ok(
                &helm(bin, home.path(), &["lint", "--strict", s]),
                &format!("{label} lint {s}"),
            );
            let text = ok(
                &helm(bin, home.path(), &["template", "rel", s]),
                &format!("{label} template {s}"),
            );
            let file = rendered.path().join(format!(
                "{}-{label}.yaml",
                chart.file_name().unwrap().to_string_lossy()
            ));
            fs::write(&file, text).unwrap();
            files.push(file);
        }
    }
    tools.validate(&files);
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// On a terminal a progress bar shows; piped, stderr carries only the report lines.
#[test]
fn progress_shows_on_a_terminal_only() {
    let out = tempfile::tempdir().unwrap();
    let log = out.path().join("typescript");
    let command = format!(
        "{} {} -o {}",
        crate::common::bin().display(),
        fixtures().display(),
        out.path().join("a").display()
    );
    let status = Command::new("script")
        .args(["-qec", &command])
        .arg(&log)
        .stdin(std::process::Stdio::null())
        .output();
    let Ok(status) = status else {
        crate::common::missing("script(1) is not available (Debian's bsdutils)");
    };
    assert!(status.status.success());
    let typed = fs::read_to_string(&log).unwrap();
    assert!(
        typed.contains("/6 charts"),
        "a progress bar on the terminal: {typed}"
    );
    let (code, err) = batch(&[&fixtures()], &out.path().join("b"), None);
    assert_eq!(code, 0);
    assert!(
        !err.contains("/6 charts") && !err.contains('\u{1b}'),
        "no bar when stderr is not a terminal"
    );
}

#[test]
fn a_cdk_asset_hash_is_not_an_app_version() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("asset.json");
    let hash = "8f2a9c1e0b7d4f6a3c5e9b1d7f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b0d2f4a";
    fs::write(
        &input,
        format!(r#"{{"family":"api","containerDefinitions":[{{"name":"api","image":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets-123456789012-eu-west-1:{hash}","memory":256}}]}}"#),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let output = cmd().arg(&input).arg("-o").arg(&out).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let chart = fs::read_to_string(out.join("api/Chart.yaml")).unwrap();
    assert!(chart.contains("appVersion: \"0.1.0\"\n"), "{chart}");
    let report = fs::read_to_string(out.join("api/ecs-import-report.json")).unwrap();
    assert!(report.contains("ECSI-I-APP-VERSION"), "{report}");
    // A changed input bumps the version, and the stand-in appVersion follows it.
    fs::write(
        &input,
        fs::read_to_string(&input).unwrap().replace("256", "512"),
    )
    .unwrap();
    let output = cmd().arg(&input).arg("-o").arg(&out).output().unwrap();
    assert!(output.status.success());
    let chart = fs::read_to_string(out.join("api/Chart.yaml")).unwrap();
    assert!(
        chart.contains("version: \"0.1.1\"\nappVersion: \"0.1.1\"\n"),
        "{chart}"
    );
}
