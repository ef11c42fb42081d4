//! Secrets: ECS injects Secrets Manager and SSM values as env vars. The chart never holds a
//! value: each variable reads a key of one Kubernetes Secret per release, and values.yaml
//! records which AWS secret fills each key, so it can be synced (by hand or by a secrets
//! operator) before install.

use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::Code;
use crate::report::Report;
use crate::workload::Workload;

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
            match parse_value_from(&s.value_from) {
                Some(source) => {
                    w.secret_refs.insert(key.clone(), source);
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

/// Where an ECS secret's value lives on AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SecretSource {
    SecretsManager {
        /// The secret's ARN without the JSON key / version selector.
        id: String,
        region: Option<String>,
        json_key: Option<String>,
        version_stage: Option<String>,
        version_id: Option<String>,
    },
    Parameter {
        /// The parameter's name, with its leading `/` for hierarchical names.
        name: String,
        region: Option<String>,
    },
}

/// Parses `valueFrom`: a Secrets Manager ARN (7 `:`-separated parts, or 10 with
/// `:json-key:version-stage:version-id`), an SSM parameter ARN, or a bare parameter name.
pub(crate) fn parse_value_from(text: &str) -> Option<SecretSource> {
    if !text.starts_with("arn:") {
        return (!text.is_empty() && !text.contains(' ')).then(|| SecretSource::Parameter {
            name: text.to_string(),
            region: None,
        });
    }
    let parts: Vec<&str> = text.split(':').collect();
    let region = parts
        .get(3)
        .filter(|r| !r.is_empty())
        .map(|r| r.to_string());
    match parts.get(2).copied() {
        Some("secretsmanager") if parts.len() == 7 || parts.len() == 10 => {
            let field = |i: usize| {
                parts
                    .get(i)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.to_string())
            };
            Some(SecretSource::SecretsManager {
                id: parts[..7].join(":"),
                region,
                json_key: field(7),
                version_stage: field(8),
                version_id: field(9),
            })
        }
        Some("ssm") if parts.len() == 6 => {
            let rest = parts[5].strip_prefix("parameter")?;
            let name = if rest.matches('/').count() > 1 {
                rest.to_string()
            } else {
                rest.trim_start_matches('/').to_string()
            };
            (!name.is_empty()).then_some(SecretSource::Parameter { name, region })
        }
        _ => None,
    }
}

#[cfg(test)]
mod source_tests {
    use super::*;

    #[test]
    fn value_from_forms() {
        let sm = |id: &str, key: Option<&str>, stage: Option<&str>, vid: Option<&str>| {
            SecretSource::SecretsManager {
                id: id.into(),
                region: Some("eu-west-1".into()),
                json_key: key.map(Into::into),
                version_stage: stage.map(Into::into),
                version_id: vid.map(Into::into),
            }
        };
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf";
        assert_eq!(parse_value_from(arn), Some(sm(arn, None, None, None)));
        assert_eq!(
            parse_value_from(&format!("{arn}:password::")),
            Some(sm(arn, Some("password"), None, None))
        );
        assert_eq!(
            parse_value_from(&format!("{arn}::AWSPREVIOUS:")),
            Some(sm(arn, None, Some("AWSPREVIOUS"), None))
        );
        assert_eq!(
            parse_value_from(&format!("{arn}:::9d4cb84b")),
            Some(sm(arn, None, None, Some("9d4cb84b")))
        );
        assert_eq!(
            parse_value_from("arn:aws:ssm:us-east-1:1:parameter/app/prod/db-url"),
            Some(SecretSource::Parameter {
                name: "/app/prod/db-url".into(),
                region: Some("us-east-1".into())
            })
        );
        assert_eq!(
            parse_value_from("arn:aws:ssm:us-east-1:1:parameter/simple"),
            Some(SecretSource::Parameter {
                name: "simple".into(),
                region: Some("us-east-1".into())
            })
        );
        assert_eq!(
            parse_value_from("/prod/db/password"),
            Some(SecretSource::Parameter {
                name: "/prod/db/password".into(),
                region: None
            })
        );
        assert_eq!(
            parse_value_from("arn:aws:secretsmanager:eu-west-1:1:secret:x:y"),
            None
        );
    }
}
