//! One chart serving several environments: services are matched across environments by family
//! (with the environment's name taken out of it), values.yaml holds the first environment's
//! values, and `values-<env>.yaml` holds only what differs for each environment.

use serde_json::{Map, Value};

use crate::yaml::{self, Node};

/// Family with the environment's name removed as a prefix or suffix: `web-prod`, `prod-web`,
/// `web_prod` and `Web.Prod` all become `web` for environment `prod`.
pub fn service_key(family: &str, env: &str) -> String {
    let lower = family.to_ascii_lowercase();
    let env = env.to_ascii_lowercase();
    for sep in ['-', '_', '.'] {
        if let Some(rest) = lower.strip_suffix(&format!("{sep}{env}")) {
            if !rest.is_empty() {
                return family[..rest.len()].to_string();
            }
        }
        if let Some(rest) = lower.strip_prefix(&format!("{env}{sep}")) {
            if !rest.is_empty() {
                return family[family.len() - rest.len()..].to_string();
            }
        }
    }
    family.to_string()
}

/// What `other` changes relative to `base`, as a Helm values overlay: maps merge key by key, a
/// key missing from `other` is removed with `null`, and anything else is replaced whole (Helm
/// replaces lists rather than merging them). `None` when nothing differs.
pub fn overlay(base: &Value, other: &Value) -> Option<Value> {
    match (base, other) {
        (Value::Object(b), Value::Object(o)) => {
            let mut out = Map::new();
            for (key, value) in o {
                match b.get(key) {
                    None => {
                        out.insert(key.clone(), value.clone());
                    }
                    Some(base_value) => {
                        if let Some(d) = overlay(base_value, value) {
                            out.insert(key.clone(), d);
                        }
                    }
                }
            }
            for key in b.keys().filter(|k| !o.contains_key(*k)) {
                out.insert(key.clone(), Value::Null);
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        _ if base == other => None,
        _ => Some(other.clone()),
    }
}

/// The text of `values-<env>.yaml`.
pub fn values_file(env: &str, source: &str, base_env: &str, diff: Option<&Value>) -> String {
    let mut text = format!(
        "# Values for environment {env}, converted from {source}.\n\
         # Only what differs from values.yaml (the {base_env} environment's values).\n\
         # Use: helm upgrade --install RELEASE CHART -f values-{env}.yaml\n"
    );
    match diff {
        Some(d) => text.push_str(&yaml::to_string(&Node::from_json(d))),
        None => text.push_str("{}\n"),
    }
    text
}

/// Environment names become file names (`values-prod.yaml`): keep them simple.
pub fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn environment_names_come_off_families() {
        assert_eq!(service_key("web-prod", "prod"), "web");
        assert_eq!(service_key("prod-web", "prod"), "web");
        assert_eq!(service_key("Web_PROD", "prod"), "Web");
        assert_eq!(service_key("web", "prod"), "web");
        assert_eq!(service_key("prod", "prod"), "prod");
        assert_eq!(service_key("production-web", "prod"), "production-web");
    }

    #[test]
    fn overlay_keeps_only_differences() {
        let base = json!({"replicaCount": 1, "env": {"A": "1", "B": "2"}, "args": ["x"], "same": {"k": "v"}});
        let prod = json!({"replicaCount": 3, "env": {"A": "1", "C": "3"}, "args": ["x", "y"], "same": {"k": "v"}});
        assert_eq!(
            overlay(&base, &prod).unwrap(),
            json!({"replicaCount": 3, "env": {"C": "3", "B": null}, "args": ["x", "y"]})
        );
        assert_eq!(overlay(&base, &base), None);
    }

    #[test]
    fn env_names_are_file_safe() {
        assert!(valid_env_name("prod"));
        assert!(valid_env_name("eu-west-1_prod"));
        assert!(!valid_env_name("../x"));
        assert!(!valid_env_name(""));
        assert!(!valid_env_name("a b"));
    }
}
