//! A CDK stack with an Application Load Balancer (target group health check, host and path
//! listener rules, certificates, an HTTP-to-HTTPS redirect) and target-tracking scaling with
//! cooldowns: the rendered Ingress carries the same health check, listeners, certificates and
//! routes, and the HPA the cooldowns as stabilization windows, on both Helms.

use std::fs;

use serde_json::Value;

use crate::common::{convert_all, render, root, tools};

fn resource<'a>(stack: &'a Value, id: &str) -> &'a Value {
    &stack["Resources"][id]["Properties"]
}

#[test]
fn alb_and_scaling_settings_reach_the_ingress_and_hpa() {
    let Some(t) = tools() else { return };
    let input = root().join("tests/fixtures-kinds/alb-cdk");
    let stack: Value =
        serde_json::from_str(&fs::read_to_string(input.join("stack.template.json")).unwrap())
            .unwrap();
    let out = tempfile::tempdir().unwrap();
    convert_all(&input, out.path());
    let chart = out.path().join("storefront");
    let report = fs::read_to_string(chart.join("ecs-import-report.json")).unwrap();
    // The CloudFormation service is read whole: its grace period and security groups too.
    for code in [
        "ECSI-I-GRACE-PERIOD",
        "ECSI-I-SECURITY-GROUPS",
        "ECSI-W-STEP-SCALING",
        "ECSI-W-ALB-CONDITION",
        "ECSI-I-SCALING-COOLDOWN",
        "ECSI-I-ALB-ROUTE",
    ] {
        assert!(report.contains(code), "{code} missing from the report");
    }

    let tg = resource(&stack, "StorefrontTargetGroup9C8D");
    let https = resource(&stack, "StorefrontHttpsListenerE5F6");
    let extra = resource(&stack, "StorefrontExtraCertificate3C4D");
    let lb = resource(&stack, "StorefrontLB0A1B");
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let expected = [
        ("healthcheck-path", text(&tg["HealthCheckPath"])),
        ("healthcheck-port", text(&tg["HealthCheckPort"])),
        ("healthcheck-protocol", text(&tg["HealthCheckProtocol"])),
        (
            "healthcheck-interval-seconds",
            text(&tg["HealthCheckIntervalSeconds"]),
        ),
        (
            "healthcheck-timeout-seconds",
            text(&tg["HealthCheckTimeoutSeconds"]),
        ),
        (
            "healthy-threshold-count",
            text(&tg["HealthyThresholdCount"]),
        ),
        (
            "unhealthy-threshold-count",
            text(&tg["UnhealthyThresholdCount"]),
        ),
        ("success-codes", text(&tg["Matcher"]["HttpCode"])),
        ("backend-protocol", text(&tg["Protocol"])),
        ("target-type", text(&tg["TargetType"])),
        (
            "target-group-attributes",
            "deregistration_delay.timeout_seconds=30,stickiness.enabled=false".into(),
        ),
        ("scheme", text(&lb["Scheme"])),
        ("ip-address-type", text(&lb["IpAddressType"])),
        (
            "load-balancer-attributes",
            "idle_timeout.timeout_seconds=120,deletion_protection.enabled=true".into(),
        ),
        ("ssl-policy", text(&https["SslPolicy"])),
        ("ssl-redirect", "443".into()),
        (
            "certificate-arn",
            format!(
                "{},{}",
                text(&https["Certificates"][0]["CertificateArn"]),
                text(&extra["Certificates"][0]["CertificateArn"])
            ),
        ),
        ("group.name", "storefrontlb0a1b".into()),
    ];

    let home = tempfile::tempdir().unwrap();
    for (label, helm) in &t.helms {
        let docs = render(
            helm,
            home.path(),
            &chart,
            &["--set", "ingress.enabled=true"],
        );
        t.validate_docs(&docs, &out.path().join(format!("{label}.yaml")));
        let kind = |k: &str| {
            docs.iter()
                .find(|d| d["kind"] == k)
                .cloned()
                .unwrap_or(Value::Null)
        };
        let ingress = kind("Ingress");
        let annotations = &ingress["metadata"]["annotations"];
        for (key, want) in &expected {
            let got = &annotations[format!("alb.ingress.kubernetes.io/{key}")];
            assert_eq!(
                got,
                &Value::String(want.clone()),
                "{label}: annotation {key}"
            );
        }
        let ports: Value = serde_json::from_str(
            annotations["alb.ingress.kubernetes.io/listen-ports"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            ports,
            serde_json::json!([{"HTTPS": 443}, {"HTTP": 80}]),
            "{label}"
        );

        // (host, path, pathType), in the order the ALB evaluated the rules (priority 5, 10, 20).
        let rules: Vec<(String, String, String)> = ingress["spec"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| {
                let host = r["host"].as_str().unwrap_or("").to_string();
                r["http"]["paths"].as_array().unwrap().iter().map(move |p| {
                    assert_eq!(p["backend"]["service"]["port"]["number"], 8080);
                    (host.clone(), text(&p["path"]), text(&p["pathType"]))
                })
            })
            .collect();
        let want: Vec<(String, String, String)> = [
            ("api.example.com", "/", "Prefix"),
            ("shop.example.com", "/cart", "Prefix"),
            ("shop.example.com", "/checkout", "Exact"),
            ("www.example.com", "/cart", "Prefix"),
            ("www.example.com", "/checkout", "Exact"),
            ("", "/beta", "Prefix"),
        ]
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
        assert_eq!(rules, want, "{label}");

        let hpa = kind("HorizontalPodAutoscaler");
        let behavior = &hpa["spec"]["behavior"];
        // Two policies: the longer cooldown of each direction (600 in, 120 out).
        assert_eq!(
            behavior["scaleDown"]["stabilizationWindowSeconds"], 600,
            "{label}"
        );
        assert_eq!(
            behavior["scaleUp"]["stabilizationWindowSeconds"], 120,
            "{label}"
        );
        assert_eq!(hpa["spec"]["minReplicas"], 3);
        assert_eq!(hpa["spec"]["maxReplicas"], 12);
        let metrics: Vec<(String, i64)> = hpa["spec"]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    text(&m["resource"]["name"]),
                    m["resource"]["target"]["averageUtilization"]
                        .as_i64()
                        .unwrap(),
                )
            })
            .collect();
        assert_eq!(
            metrics,
            [("cpu".to_string(), 55), ("memory".to_string(), 70)]
        );
    }
}

#[test]
fn a_plain_task_definition_keeps_the_default_ingress_and_no_behavior() {
    let Some(t) = tools() else { return };
    let out = tempfile::tempdir().unwrap();
    let input = root().join("tests/fixtures-batch/cdk/ShopStack.template.json");
    let (charts, _) = convert_all(&input, out.path());
    let chart = charts
        .into_iter()
        .find(|p| p.to_string_lossy().contains("orders"))
        .expect("an orders chart");
    let home = tempfile::tempdir().unwrap();
    let docs = render(
        &t.helms[1].1,
        home.path(),
        &chart,
        &[
            "--set",
            "ingress.enabled=true",
            "--set",
            "ingress.annotations.alb\\.ingress\\.kubernetes\\.io/scheme=internal",
        ],
    );
    let hpa = docs
        .iter()
        .find(|d| d["kind"] == "HorizontalPodAutoscaler")
        .unwrap();
    assert!(hpa["spec"].get("behavior").is_none(), "{hpa:#}");
    let ingress = docs.iter().find(|d| d["kind"] == "Ingress").unwrap();
    let annotations = &ingress["metadata"]["annotations"];
    // Without the listener and load balancer in the stack the scheme is not known: the values
    // hold a placeholder (the render refuses it), here set by hand.
    let values = std::fs::read_to_string(chart.join("values.yaml")).unwrap();
    assert!(
        values.contains("alb.ingress.kubernetes.io/scheme: \"${ALB_SCHEME}\""),
        "{values}"
    );
    assert_eq!(annotations["alb.ingress.kubernetes.io/scheme"], "internal");
    assert_eq!(ingress["spec"]["rules"][0]["http"]["paths"][0]["path"], "/");
}
