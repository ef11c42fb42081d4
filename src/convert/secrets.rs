//! Secrets: ECS injects Secrets Manager and SSM values as env vars. The chart never holds a
//! value: each variable reads a key of one Kubernetes Secret per release, and values.yaml
//! records which AWS secret fills each key, so it can be synced (by hand or by a secrets
//! operator) before install.

use crate::ecs::secret_source::SecretSource;
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::Code;
use crate::report::Report;
use crate::workload::{SecretRef, SecretStore, SecretVersion, Workload};

/// Secret keys may hold `[-._a-zA-Z0-9]`.
fn secret_key(name: &str) -> String {
    let key: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if key.is_empty() {
        "value".into()
    } else {
        key
    }
}

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    for (def, c) in td.containers.iter().zip(w.containers.iter_mut()) {
        for s in &def.secrets {
            let mut key = secret_key(&s.name);
            // Two containers may read the same variable name from different sources.
            if w.secret_sources
                .get(&key)
                .is_some_and(|src| src != &s.value_from)
            {
                key = secret_key(&format!("{}.{}", c.name, s.name));
            }
            w.secret_sources.insert(key.clone(), s.value_from.clone());
            match &s.source {
                Some(source) => {
                    w.secret_refs.insert(key.clone(), neutral(source));
                }
                None => report.warn(
                    Code::SecretFormat,
                    &s.path.key("valueFrom"),
                    format!(
                        "{:?} is not a Secrets Manager or SSM parameter ARN, nor a parameter name",
                        s.value_from
                    ),
                    "the key is read from the Secret as usual; External Secrets cannot fetch it",
                ),
            }
            if c.env.remove(&s.name).is_some() {
                report.warn(
                    Code::EnvSecretClash,
                    &s.path,
                    format!("{} is both an environment variable and a secret", s.name),
                    "the secret wins, as on ECS",
                );
            }
            c.secret_env.insert(s.name.clone(), key.clone());
            report.info(
                Code::Secret,
                &s.path.key("valueFrom"),
                format!("{} comes from {}", s.name, s.value_from),
                format!("read from key {key:?} of the release's Secret (secrets.name); fill it from that source before install"),
            );
        }
    }
    Ok(())
}

/// The workload's reference: the store and remote key, in no operator's spelling.
fn neutral(source: &SecretSource) -> SecretRef {
    match source {
        SecretSource::SecretsManager {
            id,
            region,
            json_key,
            version_stage,
            version_id,
        } => SecretRef {
            store: SecretStore::SecretsManager,
            key: id.clone(),
            property: json_key.clone(),
            version: match (version_id, version_stage) {
                (Some(id), _) => Some(SecretVersion::Id(id.clone())),
                (None, Some(stage)) => Some(SecretVersion::Stage(stage.clone())),
                (None, None) => None,
            },
            region: region.clone(),
        },
        SecretSource::Parameter { name, region } => SecretRef {
            store: SecretStore::ParameterStore,
            key: name.clone(),
            property: None,
            version: None,
            region: region.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs;

    #[test]
    fn secrets_become_secret_key_refs_without_values() {
        let text = r#"{"containerDefinitions":[
            {"name":"a","image":"x","secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCdEf:password::"}]},
            {"name":"b","image":"x","secrets":[{"name":"DB_PASSWORD","valueFrom":"/prod/other"}]}]}"#;
        let loaded = ecs::from_str(text, "t.json").unwrap();
        let mut w = Workload::new("t".into(), "t".into());
        let mut report = Report::default();
        super::super::containers::apply(&loaded.task, &mut w, &mut report).unwrap();
        apply(&loaded.task, &mut w, &mut report).unwrap();
        assert_eq!(w.containers[0].secret_env["DB_PASSWORD"], "DB_PASSWORD");
        assert_eq!(w.containers[1].secret_env["DB_PASSWORD"], "b.DB_PASSWORD");
        assert_eq!(w.secret_sources["b.DB_PASSWORD"], "/prod/other");
        assert!(w.containers[0].env.is_empty());
    }
}
