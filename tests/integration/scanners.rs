//! Checkov and Trivy on every golden chart, rendered with its default values. A finding passes
//! only when the chart's own ECS input forces it: each rule below names the input field and
//! checks that this chart's task definition really has it. Whatever no rule explains fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{cases, helm, ok, root, tools};

/// Checks the issue allows every chart to fail, as Bitnami's charts do: the namespace is the
/// installer's choice, digests, pull policy and UIDs above 10000 are the image's.
const NOT_COUNTED: &[&str] = &[
    "CKV_K8S_21",
    "CKV_K8S_43",
    "CKV_K8S_15",
    "CKV_K8S_40",
    "KSV-0110",
    "KSV-0020",
    "KSV-0021",
];

/// A finding some ECS input forces: the checks, the input field, and whether a chart's task
/// definition has it.
struct Forced {
    checks: &'static [&'static str],
    field: &'static str,
    applies: fn(&Value) -> bool,
}

fn containers(td: &Value) -> Vec<&Value> {
    td["containerDefinitions"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn any_container(td: &Value, f: impl Fn(&Value) -> bool) -> bool {
    containers(td).iter().any(|c| f(c))
}

fn drops_all(c: &Value) -> bool {
    c["linuxParameters"]["capabilities"]["drop"]
        .as_array()
        .is_some_and(|d| {
            d.iter()
                .any(|x| x.as_str().is_some_and(|s| s.eq_ignore_ascii_case("ALL")))
        })
}

fn host_path(td: &Value, part: &str) -> bool {
    td["volumes"].as_array().into_iter().flatten().any(|v| {
        v["host"]["sourcePath"]
            .as_str()
            .is_some_and(|p| p.contains(part))
    })
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

const FORCED: &[Forced] = &[
    Forced {
        checks: &["CKV_K8S_11", "KSV-0011"],
        field: "containerDefinitions[].cpu / cpu: CPU units are a relative share on ECS, never a cap, so no CPU limit is set",
        applies: |_| true,
    },
    Forced {
        checks: &["CKV_K8S_10", "KSV-0015"],
        field: "containerDefinitions[].cpu absent (and no task cpu to share out)",
        applies: |td| number(&td["cpu"]).is_none() && any_container(td, |c| number(&c["cpu"]).is_none_or(|n| n == 0.0)),
    },
    Forced {
        checks: &["KSV-0016", "KSV-0018"],
        field: "containerDefinitions[].memory / memoryReservation absent",
        applies: |td| number(&td["memory"]).is_none() && any_container(td, |c| number(&c["memory"]).is_none()),
    },
    Forced {
        checks: &["CKV_K8S_22", "KSV-0014"],
        field: "containerDefinitions[].readonlyRootFilesystem not true",
        applies: |td| any_container(td, |c| c["readonlyRootFilesystem"] != true),
    },
    Forced {
        checks: &["CKV_K8S_23", "KSV-0012"],
        field: "containerDefinitions[].user absent or not a non-root UID (the image's USER applies)",
        applies: |td| {
            any_container(td, |c| {
                c["user"].as_str().and_then(|u| u.split(':').next()?.parse::<i64>().ok()).is_none_or(|uid| uid == 0)
            })
        },
    },
    Forced {
        checks: &["CKV_K8S_37", "CKV_K8S_28", "KSV-0003", "KSV-0004", "KSV-0106"],
        field: "linuxParameters.capabilities.drop without ALL: the container had Docker's default capabilities on ECS",
        applies: |td| any_container(td, |c| !drops_all(c)),
    },
    Forced {
        checks: &["CKV_K8S_25", "KSV-0022", "KSV-0106"],
        field: "linuxParameters.capabilities.add",
        applies: |td| any_container(td, |c| c["linuxParameters"]["capabilities"]["add"].as_array().is_some_and(|a| !a.is_empty())),
    },
    Forced {
        checks: &["CKV_K8S_8", "CKV_K8S_9"],
        field: "containerDefinitions[].healthCheck absent: no probe to carry",
        applies: |td| any_container(td, |c| c["healthCheck"].is_null()),
    },
    Forced {
        checks: &["CKV2_K8S_6"],
        field: "the service's networkConfiguration.awsvpcConfiguration.securityGroups are not in a task definition: networkPolicy is off until someone says who may connect",
        applies: |_| true,
    },
    Forced {
        checks: &["CKV_K8S_38"],
        field: "taskRoleArn: the pods need a ServiceAccount token for IRSA",
        applies: |td| td["taskRoleArn"].as_str().is_some_and(|r| !r.is_empty()),
    },
    Forced {
        checks: &["CKV_K8S_35"],
        field: "containerDefinitions[].secrets: ECS injects secrets as environment variables",
        applies: |td| any_container(td, |c| c["secrets"].as_array().is_some_and(|s| !s.is_empty())),
    },
    Forced {
        checks: &["CKV_K8S_19", "KSV-0009"],
        field: "networkMode host",
        applies: |td| td["networkMode"] == "host",
    },
    Forced {
        checks: &["KSV-0010"],
        field: "pidMode host",
        applies: |td| td["pidMode"] == "host",
    },
    Forced {
        checks: &["KSV-0008"],
        field: "ipcMode host",
        applies: |td| td["ipcMode"] == "host",
    },
    Forced {
        checks: &["CKV_K8S_27", "KSV-0006"],
        field: "volumes[].host.sourcePath /var/run/docker.sock",
        applies: |td| host_path(td, "docker.sock"),
    },
    Forced {
        checks: &["KSV-0023", "KSV-0121"],
        field: "volumes[].host.sourcePath of a node directory",
        applies: |td| host_path(td, "/"),
    },
    Forced {
        checks: &["CKV_K8S_14", "KSV-0013"],
        field: "containerDefinitions[].image without a tag, or :latest",
        applies: |td| {
            any_container(td, |c| {
                let image = c["image"].as_str().unwrap_or_default();
                let tail = image.rsplit('/').next().unwrap_or_default();
                !tail.contains(':') || tail.ends_with(":latest") || image.is_empty()
            })
        },
    },
    Forced {
        checks: &["KSV-0117"],
        field: "portMappings[].containerPort below 1024",
        applies: |td| {
            any_container(td, |c| {
                c["portMappings"].as_array().into_iter().flatten().any(|p| number(&p["containerPort"]).is_some_and(|n| n < 1024.0))
            })
        },
    },
    Forced {
        checks: &["KSV-0125"],
        field: "containerDefinitions[].image: the registry is the task's",
        applies: |_| true,
    },
    Forced {
        checks: &["KSV-0007"],
        field: "containerDefinitions[].extraHosts",
        applies: |td| any_container(td, |c| c["extraHosts"].as_array().is_some_and(|h| !h.is_empty())),
    },
    Forced {
        checks: &["CKV_K8S_16", "KSV-0017"],
        field: "containerDefinitions[].privileged",
        applies: |td| any_container(td, |c| c["privileged"] == true),
    },
];

/// (chart folder name, check) of every finding.
fn checkov(bin: &Path, dir: &Path) -> Vec<(String, String)> {
    let out = Command::new(bin)
        .args([
            "--framework",
            "kubernetes",
            "--quiet",
            "--compact",
            "-o",
            "json",
            "-d",
        ])
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let value: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("checkov output: {e}\n{text}"));
    let reports = match value {
        Value::Array(a) => a,
        other => vec![other],
    };
    let mut findings = Vec::new();
    for r in &reports {
        for f in r["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let file = f["file_path"].as_str().unwrap().trim_start_matches('/');
            findings.push((
                file.trim_end_matches(".yaml").to_string(),
                f["check_id"].as_str().unwrap().to_string(),
            ));
        }
    }
    findings
}

fn trivy(bin: &Path, dir: &Path) -> Vec<(String, String)> {
    let out = Command::new(bin)
        .args([
            "config",
            "--skip-check-update",
            "--format",
            "json",
            "--quiet",
        ])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "trivy: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut findings = Vec::new();
    for r in value["Results"].as_array().into_iter().flatten() {
        let target = r["Target"]
            .as_str()
            .unwrap()
            .trim_end_matches(".yaml")
            .to_string();
        for m in r["Misconfigurations"].as_array().into_iter().flatten() {
            findings.push((target.clone(), m["ID"].as_str().unwrap().to_string()));
        }
    }
    findings
}

fn median(mut v: Vec<usize>) -> usize {
    v.sort_unstable();
    v[v.len() / 2]
}

#[test]
fn scanners_find_nothing_the_ecs_input_does_not_force() {
    let Some(t) = tools() else { return };
    let venv = root().join(".tools/scanners/bin");
    let (checkov_bin, trivy_bin) = (venv.join("checkov"), venv.join("trivy"));
    if !checkov_bin.exists() || !trivy_bin.exists() {
        crate::common::missing("Checkov or Trivy is missing; scripts/fetch-tools.sh");
    }
    // Checkov skips hidden folders, which tempdir() names by default.
    let rendered = tempfile::Builder::new().prefix("scan").tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut inputs: BTreeMap<String, Value> = BTreeMap::new();
    for case in cases() {
        let dir = root().join("tests/golden").join(&case.name);
        let Some(chart) = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.join("Chart.yaml").exists())
        else {
            continue;
        };
        let chart: PathBuf = chart;
        let text = ok(
            &helm(
                &t.helms[1].1,
                home.path(),
                &["template", "rel", chart.to_str().unwrap()],
            ),
            "helm template",
        );
        std::fs::write(rendered.path().join(format!("{}.yaml", case.name)), text).unwrap();
        let td: Value = serde_json::from_slice(&std::fs::read(&case.input).unwrap()).unwrap();
        // The shapes the tool reads: a bare container list, describe output, a task definition.
        let td = match td {
            Value::Array(list) => serde_json::json!({ "containerDefinitions": list }),
            Value::Object(ref m) if m.contains_key("taskDefinition") => m["taskDefinition"].clone(),
            other => other,
        };
        inputs.insert(case.name.clone(), td);
    }
    let mut unexplained = Vec::new();
    let mut allowlist: BTreeMap<(String, String), &str> = BTreeMap::new();
    let mut counts: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (scanner, findings) in [
        ("checkov", checkov(&checkov_bin, rendered.path())),
        ("trivy", trivy(&trivy_bin, rendered.path())),
    ] {
        let mut per_chart: BTreeMap<&str, usize> = inputs.keys().map(|k| (k.as_str(), 0)).collect();
        for (chart, check) in &findings {
            let td = inputs
                .get(chart)
                .unwrap_or_else(|| panic!("{scanner} reported on {chart}"));
            if NOT_COUNTED.contains(&check.as_str()) {
                continue;
            }
            *per_chart.get_mut(chart.as_str()).unwrap() += 1;
            match FORCED
                .iter()
                .find(|f| f.checks.contains(&check.as_str()) && (f.applies)(td))
            {
                Some(f) => {
                    allowlist.insert((chart.clone(), check.clone()), f.field);
                }
                None => unexplained.push(format!("{scanner} {check} on {chart}")),
            }
        }
        counts.insert(scanner, per_chart.values().copied().collect());
    }
    for ((chart, check), field) in &allowlist {
        eprintln!("allowed {chart} {check}: {field}");
    }
    for (scanner, c) in &counts {
        eprintln!(
            "{scanner}: median {} counted findings per chart over {} charts",
            median(c.clone()),
            c.len()
        );
    }
    assert!(
        unexplained.is_empty(),
        "findings no ECS input forces:\n{}",
        unexplained.join("\n")
    );
    // Bitnami's redis, rabbitmq and postgresql charts: 17, 12 and 8 Checkov findings.
    assert!(
        median(counts["checkov"].clone()) <= 12,
        "{:?}",
        counts["checkov"]
    );
}
