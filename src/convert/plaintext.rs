//! Secrets written in plain text: ECS `environment` values and command arguments that look
//! like passwords, tokens or keys. Each is reported by name (never by value); with
//! `--move-plaintext-secrets` an environment variable is read from the release's Secret
//! instead, and its value is left out of the chart.

use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::{Code, Report};
use crate::workload::Workload;

/// Words in a variable name that mark its value as a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "CLIENT_KEY",
    "SIGNING_KEY",
    "ENCRYPTION_KEY",
    "MASTER_KEY",
];

/// Name endings that mark a reference to a secret (where it is), not the secret itself.
const REFERENCE_ENDINGS: &[&str] = &[
    "_ARN",
    "_NAME",
    "_ID",
    "_FILE",
    "_PATH",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_REGION",
    "_TTL",
    "_TYPE",
    "_HEADER",
    "_LENGTH",
    "_ENABLED",
];

/// Why a variable's name or value looks like a secret, if it does.
pub(crate) fn secret_like(name: &str, value: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    let value = value.trim();
    if value.is_empty() || value.starts_with("arn:") || value.starts_with("${") {
        return None;
    }
    if value_is_secret(value).is_some() {
        return value_is_secret(value);
    }
    let named = SECRET_WORDS.iter().any(|w| upper.contains(w))
        && !REFERENCE_ENDINGS.iter().any(|e| upper.ends_with(e));
    named.then_some("its name says it is a secret")
}

/// Values that are secrets whatever they are called.
fn value_is_secret(value: &str) -> Option<&'static str> {
    let access_key = value.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        w.len() == 20
            && (w.starts_with("AKIA") || w.starts_with("ASIA"))
            && w.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    });
    if access_key {
        return Some("it holds an AWS access key ID");
    }
    if value.contains("PRIVATE KEY-----") {
        return Some("it holds a private key");
    }
    // scheme://user:password@host
    if let Some((_, rest)) = value.split_once("://") {
        let authority = rest.split('/').next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            if userinfo.split_once(':').is_some_and(|(_, p)| !p.is_empty()) {
                return Some("it is a URL with a password in it");
            }
        }
    }
    None
}

/// The first argument that carries a secret: `--password=…`, `--token …`, such a flag inside
/// a shell string, or a value that is a secret on its own.
fn secret_argument(args: &[String]) -> Option<usize> {
    let flag = |word: &str| {
        let bare = word.strip_prefix('-')?;
        let bare = bare.trim_start_matches('-').to_ascii_lowercase();
        let (name, value) = bare
            .split_once('=')
            .map_or((bare.as_str(), None), |(n, v)| (n, Some(v)));
        ["password", "passwd", "token", "secret", "api-key", "apikey"]
            .contains(&name)
            .then_some(value.is_some_and(|v| !v.is_empty()))
    };
    args.iter().enumerate().position(|(i, a)| {
        let with_value = flag(a) == Some(true);
        let value_follows = flag(a) == Some(false) && i + 1 < args.len();
        let in_shell = a.split_whitespace().any(|w| flag(w) == Some(true));
        with_value || value_follows || in_shell || value_is_secret(a).is_some()
    })
}

pub(crate) fn apply(
    td: &TaskDefinition,
    move_to_secret: bool,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    for (def, c) in td.containers.iter().zip(w.containers.iter_mut()) {
        for var in &def.environment {
            let Some(why) = secret_like(&var.name, &var.value) else {
                continue;
            };
            if move_to_secret && c.env.remove(&var.name).is_some() {
                c.secret_env.insert(var.name.clone(), var.name.clone());
                report.warn(
                    Code::PlaintextSecret,
                    &var.path.key("value"),
                    format!("{} was a plain-text secret ({why})", var.name),
                    format!("moved: read from key {:?} of the release's Secret (secrets.name), its value left out of the chart; put the value there (or in Secrets Manager, synced by External Secrets) before install", var.name),
                );
            } else {
                report.warn(
                    Code::PlaintextSecret,
                    &var.path.key("value"),
                    format!("{} looks like a secret in plain text ({why})", var.name),
                    "kept as ECS had it, so it is in values.yaml, the README and the archive; convert with --move-plaintext-secrets to read it from the release's Secret instead, or move it to Secrets Manager",
                );
            }
        }
        for (field, args) in [("entryPoint", &def.entry_point), ("command", &def.command)] {
            let words = args.as_ref().and_then(|a| a.known());
            if let Some(i) = words.and_then(|w| secret_argument(w)) {
                report.warn(
                    Code::PlaintextSecret,
                    &def.path.key(field).index(i),
                    format!("container {} passes what looks like a secret on its command line", c.name),
                    "kept (a command cannot read a Secret key directly); pass it through an environment variable from the release's Secret and refer to it as $(NAME)",
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_told_from_references() {
        for (name, value) in [
            ("DB_PASSWORD", "hunter2"),
            ("GITHUB_TOKEN", "ghp_x"),
            ("AWS_SECRET_ACCESS_KEY", "abc"),
            ("CONFIG", "AKIAIOSFODNN7EXAMPLE"),
            ("DATABASE_URL", "postgres://app:s3cret@db:5432/app"),
        ] {
            assert!(secret_like(name, value).is_some(), "{name}");
        }
        for (name, value) in [
            ("DB_PASSWORD_FILE", "/run/secrets/db"),
            ("SECRET_ARN", "arn:aws:secretsmanager:x"),
            ("TOKEN_URL", "https://auth/token"),
            ("DB_PASSWORD", ""),
            ("DATABASE_URL", "postgres://db:5432/app"),
            ("LOG_LEVEL", "debug"),
        ] {
            assert!(secret_like(name, value).is_none(), "{name}");
        }
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(secret_argument(&args(&["server", "--password=x"])), Some(1));
        assert_eq!(
            secret_argument(&args(&["sh", "-c", "run --token=abc"])),
            Some(2)
        );
        assert_eq!(secret_argument(&args(&["server", "--port", "80"])), None);
    }

    #[test]
    fn moved_secrets_leave_no_value_behind() {
        let json = r#"{"containerDefinitions":[{"name":"a","image":"x","environment":[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"MODE","value":"live"}]}]}"#;
        let rules: &[super::super::TaskRule] = &[super::super::containers::apply, |t, w, r| {
            apply(t, true, w, r)
        }];
        let (w, report) = super::super::run_rules(json, rules).unwrap();
        assert!(!w.containers[0].env.contains_key("DB_PASSWORD"));
        assert_eq!(w.containers[0].secret_env["DB_PASSWORD"], "DB_PASSWORD");
        let f = report
            .findings
            .iter()
            .find(|f| f.code == Code::PlaintextSecret)
            .unwrap();
        assert!(!f.message.contains("hunter2") && !f.action.contains("hunter2"));
    }
}
