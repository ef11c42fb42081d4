//! An ECS secret's `valueFrom`, parsed where it is read: a Secrets Manager secret (with its JSON
//! key and version selectors) or an SSM parameter.

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

/// An ARN's `:`-separated parts; a `${…}` placeholder (which may hold `::`, as in
/// `${AWS::Region}`) stays one part.
fn arn_parts(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut depth) = (0, 0usize);
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
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
    let parts = arn_parts(text);
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

    #[test]
    fn placeholders_in_an_arn_stay_whole() {
        let arn =
            "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${DbSecret}:password::";
        assert_eq!(
            parse_value_from(arn),
            Some(SecretSource::SecretsManager {
                id: "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${DbSecret}"
                    .into(),
                region: Some("${AWS::Region}".into()),
                json_key: Some("password".into()),
                version_stage: None,
                version_id: None,
            })
        );
    }
}
