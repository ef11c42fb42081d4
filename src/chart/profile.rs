//! What a chart carries: the workload kinds that make sense for its input (a service may run as
//! a StatefulSet or a Deployment, a daemon as a DaemonSet, a scheduled or one-off task as a
//! CronJob or a Job) and the features its input uses or its migration needs. A part left out
//! takes its templates, its values and its schema with it, so the chart reads as if written for
//! this service. Decided from the values of every environment, so no environment loses a part.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use crate::yaml::Node;

/// One optional part of a chart: its template files and top-level values.
struct Part {
    templates: &'static [&'static str],
    values: &'static [&'static str],
    wanted: fn(&Value) -> bool,
}

const SERVICE_KINDS: &[&str] = &["StatefulSet", "Deployment"];
const DAEMON_KINDS: &[&str] = &["DaemonSet"];
const BATCH_KINDS: &[&str] = &["CronJob", "Job"];

fn kind_in(values: &Value, kinds: &[&str]) -> bool {
    values["workload"]["kind"]
        .as_str()
        .is_some_and(|k| kinds.contains(&k))
}

fn is_true(v: &Value) -> bool {
    v.as_bool() == Some(true)
}

/// A non-empty string, list or map.
fn filled(v: &Value) -> bool {
    match v {
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => false,
    }
}

/// A port or count other than zero (a placeholder string included).
fn set(v: &Value) -> bool {
    v.as_i64().is_some_and(|n| n != 0) || filled(v)
}

fn speaks_http(v: &Value) -> bool {
    v["service"]["ports"].as_array().is_some_and(|ports| {
        ports.iter().any(|p| {
            p["appProtocol"]
                .as_str()
                .is_some_and(|a| matches!(a, "http" | "https" | "http2" | "grpc"))
        })
    })
}

fn serves(v: &Value) -> bool {
    !kind_in(v, BATCH_KINDS)
        && (is_true(&v["service"]["enabled"]) || filled(&v["service"]["ports"]))
}

/// The workload parts' places in `PARTS`, which lists them first.
const SERVICE_PART: usize = 0;
const DAEMON_PART: usize = 1;
const BATCH_PART: usize = 2;

const PARTS: &[Part] = &[
    Part {
        templates: &[
            "templates/statefulset.yaml",
            "templates/deployment.yaml",
            "templates/hpa.yaml",
            "templates/pdb.yaml",
            "templates/service-headless.yaml",
        ],
        values: &[
            "replicaCount",
            "deploymentStrategy",
            "progressDeadlineSeconds",
            "podDisruptionBudget",
            "autoscaling",
            "persistentVolumeClaimRetentionPolicy",
        ],
        wanted: |v| kind_in(v, SERVICE_KINDS),
    },
    Part {
        templates: &["templates/daemonset.yaml"],
        values: &["daemonSet"],
        wanted: |v| kind_in(v, DAEMON_KINDS),
    },
    Part {
        templates: &["templates/job.yaml", "templates/cronjob.yaml"],
        values: &["job", "cronJob"],
        wanted: |v| kind_in(v, BATCH_KINDS),
    },
    Part {
        templates: &[],
        values: &["minReadySeconds"],
        wanted: |v| !kind_in(v, BATCH_KINDS),
    },
    Part {
        templates: &[
            "templates/service.yaml",
            "templates/networkpolicy.yaml",
            "templates/tests/test-connection.yaml",
        ],
        values: &["service", "networkPolicy", "tests"],
        wanted: serves,
    },
    Part {
        templates: &["templates/ingress.yaml", "templates/ingressclass.yaml"],
        values: &["ingress"],
        wanted: |v| {
            // An Ingress for a service a load balancer fronted on ECS, or one speaking HTTP.
            serves(v)
                && (is_true(&v["ingress"]["enabled"])
                    || set(&v["ingress"]["servicePort"])
                    || filled(&v["targetGroupBinding"]["targetGroupARN"])
                    || speaks_http(v))
        },
    },
    Part {
        templates: &["templates/targetgroupbinding.yaml"],
        values: &["targetGroupBinding"],
        wanted: |v| {
            serves(v)
                && (is_true(&v["targetGroupBinding"]["enabled"])
                    || filled(&v["targetGroupBinding"]["targetGroupARN"]))
        },
    },
    Part {
        templates: &["templates/securitygrouppolicy.yaml"],
        values: &["securityGroupPolicy"],
        wanted: |v| {
            is_true(&v["securityGroupPolicy"]["enabled"])
                || filled(&v["securityGroupPolicy"]["groupIds"])
        },
    },
    Part {
        templates: &[
            "templates/pvc.yaml",
            "templates/storageclass.yaml",
            "templates/adopt.yaml",
            "templates/snapshot.yaml",
        ],
        values: &[],
        wanted: |v| filled(&v["persistence"]),
    },
    Part {
        templates: &["templates/environment.yaml"],
        values: &["environment"],
        wanted: |v| filled(&v["environment"]),
    },
    Part {
        templates: &["templates/externalsecret.yaml"],
        values: &["externalSecrets"],
        wanted: |v| {
            is_true(&v["externalSecrets"]["enabled"])
                || filled(&v["externalSecrets"]["data"])
                || filled(&v["secrets"]["sources"])
        },
    },
];

/// The schema text of each profile met so far (a handful per run).
type SchemaCache = Vec<(Profile, Arc<str>)>;

/// The parts a chart carries, by their index in `PARTS`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Profile {
    parts: BTreeSet<usize>,
}

impl Profile {
    /// The parts that any of `values` (one per environment) uses.
    pub(crate) fn of(values: &[Value]) -> Profile {
        let parts = PARTS
            .iter()
            .enumerate()
            .filter(|(_, p)| values.iter().any(|v| (p.wanted)(v)))
            .map(|(i, _)| i)
            .collect();
        Profile { parts }
    }

    fn left_out(&self) -> impl Iterator<Item = &'static Part> + '_ {
        PARTS
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.parts.contains(i))
            .map(|(_, p)| p)
    }

    /// Whether the chart ships the template at `path`.
    pub(crate) fn keeps_template(&self, path: &str) -> bool {
        !self.left_out().any(|p| p.templates.contains(&path))
    }

    /// The workload kinds the chart may run as.
    pub(crate) fn kinds(&self) -> Vec<&'static str> {
        [
            (SERVICE_PART, SERVICE_KINDS),
            (DAEMON_PART, DAEMON_KINDS),
            (BATCH_PART, BATCH_KINDS),
        ]
        .into_iter()
        .filter(|(i, _)| self.parts.contains(i))
        .flat_map(|(_, kinds)| kinds.iter().copied())
        .collect()
    }

    /// `values` without the keys of the parts left out.
    pub(crate) fn prune(&self, values: Node) -> Node {
        let dropped: BTreeSet<&str> = self.left_out().flat_map(|p| p.values).copied().collect();
        let Node::Map(entries) = values else {
            return values;
        };
        let service_kinds = self.parts.contains(&SERVICE_PART);
        Node::Map(
            entries
                .into_iter()
                .filter(|e| !dropped.contains(e.key.as_str()))
                .map(|mut e| {
                    // The pod management policy is a StatefulSet's.
                    if e.key == "workload" && !service_kinds {
                        if let Node::Map(keys) = &mut e.value {
                            keys.retain(|k| k.key != "podManagementPolicy");
                        }
                    }
                    e
                })
                .collect(),
        )
    }

    /// values.schema.json for this profile: the parts left out are not admitted, and
    /// `workload.kind` lists only the kinds the chart may run as. Built once per profile.
    pub(crate) fn schema_text(&self) -> Arc<str> {
        static CACHE: OnceLock<Mutex<SchemaCache>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
        let mut cache = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, text)) = cache.iter().find(|(p, _)| p == self) {
            return text.clone();
        }
        let text: Arc<str> = self.schema_string().into();
        cache.push((self.clone(), text.clone()));
        text
    }

    fn schema_string(&self) -> String {
        let mut schema = super::values_tree::schema();
        if let Some(properties) = schema["properties"].as_object_mut() {
            for key in self.left_out().flat_map(|p| p.values) {
                properties.remove(*key);
            }
            if let Some(workload) = properties
                .get_mut("workload")
                .and_then(|w| w["properties"].as_object_mut())
            {
                workload.insert("kind".into(), serde_json::json!({ "enum": self.kinds() }));
                if !self.parts.contains(&SERVICE_PART) {
                    workload.remove("podManagementPolicy");
                }
            }
        }
        let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value serializes");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stateful_service_carries_no_job_daemon_or_binding() {
        let vault = json!({
            "workload": {"kind": "StatefulSet"},
            "service": {"enabled": true, "ports": [{"port": 8200}]},
            "persistence": {"data": {"enabled": true}},
            "targetGroupBinding": {"enabled": false, "targetGroupARN": ""},
            "ingress": {"enabled": false, "servicePort": 0, "annotations": {"a": "b"}},
        });
        let p = Profile::of(&[vault]);
        assert_eq!(p.kinds(), ["StatefulSet", "Deployment"]);
        for gone in [
            "cronjob",
            "job",
            "daemonset",
            "targetgroupbinding",
            "ingress",
        ] {
            assert!(
                !p.keeps_template(&format!("templates/{gone}.yaml")),
                "{gone}"
            );
        }
        for kept in ["statefulset", "service", "pvc", "adopt", "snapshot"] {
            assert!(
                p.keeps_template(&format!("templates/{kept}.yaml")),
                "{kept}"
            );
        }
        let schema: Value = serde_json::from_str(&p.schema_text()).unwrap();
        assert!(schema["properties"]["cronJob"].is_null());
        assert!(schema["properties"]["service"].is_object());
        assert_eq!(
            schema["properties"]["workload"]["properties"]["kind"]["enum"],
            json!(["StatefulSet", "Deployment"])
        );
    }

    #[test]
    fn a_part_any_environment_uses_is_kept() {
        let dev = json!({"workload": {"kind": "Deployment"}, "service": {"ports": []}});
        let prod = json!({"workload": {"kind": "Deployment"}, "service": {"ports": [{"port": 80}]},
            "targetGroupBinding": {"targetGroupARN": "arn:aws:elasticloadbalancing:x"}});
        let p = Profile::of(&[dev.clone(), prod]);
        assert!(p.keeps_template("templates/service.yaml"));
        assert!(p.keeps_template("templates/targetgroupbinding.yaml"));
        let alone = Profile::of(&[dev]);
        assert!(!alone.keeps_template("templates/service.yaml"));
        assert!(!alone.keeps_template("templates/tests/test-connection.yaml"));
    }

    #[test]
    fn a_scheduled_task_runs_as_a_job_or_cronjob_only() {
        let p = Profile::of(&[
            json!({"workload": {"kind": "CronJob"}, "service": {"enabled": false, "ports": [{"port": 1}]}}),
        ]);
        assert_eq!(p.kinds(), ["CronJob", "Job"]);
        assert!(!p.keeps_template("templates/deployment.yaml"));
        assert!(!p.keeps_template("templates/service.yaml"));
        let pruned = p.prune(
            Node::map()
                .set(
                    "workload",
                    Node::map()
                        .set("kind", Node::str("CronJob"))
                        .set("podManagementPolicy", Node::str("OrderedReady")),
                )
                .set("replicaCount", Node::Int(1))
                .set("cronJob", Node::map()),
        );
        let json = pruned.to_json();
        assert_eq!(
            json,
            json!({"workload": {"kind": "CronJob"}, "cronJob": {}})
        );
    }
}
