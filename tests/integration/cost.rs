//! The bill in the plan: for the estate, per environment, ECS today and EKS tomorrow priced
//! from a `--prices` file (get-products output) whose figures are worked out here by hand;
//! totals that add up their lines; the bundled table named when no file is given; a type
//! nobody can price flagged, not counted as zero; bad price files refused with file and path.

use std::path::Path;

use serde_json::Value;

use crate::common::root;
use crate::conversion::Conversion;

const H: f64 = 730.0;

fn prices() -> std::path::PathBuf {
    root().join("tests/fixtures-prices/get-products-eu-west-1.json")
}

fn estate() -> Conversion {
    Conversion::of(root().join("tests/fixtures-cdk-estate/cdk.out"))
}

fn plan(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("migration-plan.json")).unwrap())
        .unwrap()
}

fn env<'a>(plan: &'a Value, name: &str) -> &'a Value {
    plan["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap()
}

/// The monthly figure of the one line whose item starts with `prefix`.
#[track_caller]
fn line(side: &Value, prefix: &str) -> f64 {
    let found: Vec<&Value> = side["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["item"].as_str().unwrap().starts_with(prefix))
        .collect();
    assert_eq!(found.len(), 1, "{prefix}: {side:#}");
    found[0]["monthly"].as_f64().unwrap()
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[track_caller]
fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 0.006, "{a} ≠ {b}");
}

#[test]
fn the_estate_is_priced_from_the_given_file_and_every_figure_adds_up() {
    let out = tempfile::tempdir().unwrap();
    estate().arg("--prices").arg(prices()).succeeds(out.path());
    let p = plan(out.path());
    let prod = &env(&p, "prod")["cost"];
    assert_eq!(prod["currency"], "USD");
    assert_eq!(prod["region"], "eu-west-1");
    let ecs = &prod["ecs"];
    let eks = &prod["eks"];
    // The file's prices (made up, unlike the bundled table's): m6i.large 0.11, m5a.large
    // 0.097, r6i.large 0.15, Fargate 0.05 per vCPU-hour and 0.005 per GB-hour, ALB 0.03,
    // NLB 0.028; spot at the default 60% discount.
    let by_hand_ecs = [
        ("BurstAsg: m6i.large spot", cents(2.0 * 0.11 * 0.4 * H)),
        ("GeneralAsg: m6i.large on demand", cents(2.0 * 0.11 * H)),
        ("StatefulAsg: r6i.large on demand", cents(0.15 * H)),
        // Three tasks of 0.5 vCPU / 1 GB.
        ("api: Fargate tasks, vCPU", cents(1.5 * 0.05 * H)),
        ("api: Fargate tasks, memory", cents(3.0 * 0.005 * H)),
        ("WebAlb", cents(0.03 * H)),
        ("RabbitNlb", cents(0.028 * H)),
    ];
    for (item, monthly) in by_hand_ecs {
        close(line(ecs, item), monthly);
    }
    let by_hand_eks = [
        ("EKS control plane", cents(0.10 * H)),
        // EKS Fargate adds 256 MiB: 0.5 vCPU / 1 GiB requested bills as 0.5 vCPU / 2 GB.
        ("api: Fargate pods, vCPU", cents(1.5 * 0.05 * H)),
        ("api: Fargate pods, memory", cents(6.0 * 0.005 * H)),
        // vault 1 GiB + redis 2 GiB + rabbitmq 2 GiB fit one r6i.large.
        ("on-demand nodes, stateful: r6i.large", cents(0.15 * H)),
        // web's on-demand replica and, on spot, three web and two worker pods: one node each,
        // on the cheapest type web ran on (m5a.large).
        ("on-demand nodes: m5a.large", cents(0.097 * H)),
        ("spot nodes: m5a.large", cents(0.097 * 0.4 * H)),
        ("WebAlb", cents(0.03 * H)),
        ("RabbitNlb", cents(0.028 * H)),
    ];
    for (item, monthly) in by_hand_eks {
        close(line(eks, item), monthly);
    }
    let sum = |items: &[(&str, f64)]| items.iter().map(|(_, m)| m).sum::<f64>();
    close(ecs["total"].as_f64().unwrap(), sum(&by_hand_ecs));
    close(eks["total"].as_f64().unwrap(), sum(&by_hand_eks));
    assert_eq!(ecs["lines"].as_array().unwrap().len(), by_hand_ecs.len());
    assert_eq!(eks["lines"].as_array().unwrap().len(), by_hand_eks.len());
    close(
        prod["difference"].as_f64().unwrap(),
        sum(&by_hand_eks) - sum(&by_hand_ecs),
    );
    // Both sides share the load balancers while the moves run.
    close(
        prod["duringCutOver"].as_f64().unwrap(),
        sum(&by_hand_ecs) + sum(&by_hand_eks) - cents(0.03 * H) - cents(0.028 * H),
    );
    let file = prices().display().to_string();
    for l in ecs["lines"].as_array().unwrap() {
        assert_eq!(l["priceSource"], file.as_str(), "{l}");
    }
    assert!(prod["warnings"][0]
        .as_str()
        .unwrap()
        .contains("extended support ($0.6"));
    // Every environment's totals are the sums of their lines.
    for e in p["environments"].as_array().unwrap() {
        for side in ["ecs", "eks"] {
            let s = &e["cost"][side];
            let lines: f64 = s["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["monthly"].as_f64().unwrap())
                .sum();
            close(s["total"].as_f64().unwrap(), lines);
            assert_eq!(s["complete"], true);
        }
    }
    let md = std::fs::read_to_string(out.path().join("MIGRATION.md")).unwrap();
    assert!(md.contains("### The bill, per month (730 h), USD in eu-west-1"));
    assert!(md.contains("| GeneralAsg: m6i.large on demand (DesiredCapacity 2) | 2 instances | $0.11/instance-h | $160.60 | 2 × $0.11 × 730 h = $160.60 |"), "{md}");
}

#[test]
fn without_a_price_file_the_bundled_table_is_named_and_auto_mode_adds_its_fee() {
    let out = tempfile::tempdir().unwrap();
    estate().arg("--auto-mode").succeeds(out.path());
    let p = plan(out.path());
    let cost = &env(&p, "dev")["cost"];
    let sources = cost["priceSources"].as_array().unwrap();
    assert_eq!(sources.len(), 1);
    assert!(sources[0]
        .as_str()
        .unwrap()
        .contains("as of 2025-06; not current"));
    let fees: Vec<&Value> = cost["eks"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["item"].as_str().unwrap().contains("Auto Mode fee"))
        .collect();
    assert_eq!(fees.len(), 3, "one per pool: {cost:#}");
    // Auto Mode runs the add-ons off the nodes: no DaemonSet reservation is assumed.
    assert!(cost["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a.as_str().unwrap().starts_with("Auto Mode runs the CNI")));
    let values = std::fs::read_to_string(out.path().join("web/values.yaml")).unwrap();
    assert!(values.contains("autoMode: true"), "{values}");
}

#[test]
fn an_instance_type_nobody_can_size_or_price_is_flagged_not_counted_as_zero() {
    let out = tempfile::tempdir().unwrap();
    estate()
        .args(["--instance-types", "x9z.huge"])
        .succeeds(out.path());
    let p = plan(out.path());
    let cost = &env(&p, "prod")["cost"];
    let eks = &cost["eks"];
    assert_eq!(eks["complete"], false);
    let unpriced: Vec<&Value> = eks["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["monthly"].is_null())
        .collect();
    assert_eq!(unpriced.len(), 3, "{eks:#}");
    let warnings = cost["warnings"].to_string();
    assert!(
        warnings.contains("no size known for x9z.huge"),
        "{warnings}"
    );
    assert!(warnings.contains("line without a price"), "{warnings}");
}

#[test]
fn a_bad_price_file_is_one_line_naming_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("prices.json");
    std::fs::write(&bad, r#"{"PriceList": ["{\"product\": {}}", 7]}"#).unwrap();
    let out = dir.path().join("out");
    let output = estate().arg("--prices").arg(&bad).run(&out);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("prices.json") && stderr.contains("PriceList[1]"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");
    std::fs::write(&bad, r#"{"PriceList": []}"#).unwrap();
    let output = estate().arg("--prices").arg(&bad).run(&out);
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds no price the bill uses"));
    // The bulk offer file shape is read as well.
    let offer = root().join("tests/fixtures-prices/offer-ec2-eu-west-1.json");
    estate().arg("--prices").arg(&offer).succeeds(&out);
    let p = plan(&out);
    let general = env(&p, "prod")["cost"]["ecs"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item"].as_str().unwrap().starts_with("GeneralAsg"))
        .unwrap()
        .clone();
    assert_eq!(general["unitPrice"], 0.11);
}
