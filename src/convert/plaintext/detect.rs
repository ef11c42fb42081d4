//! Whether a named value is a secret: by its name (a password, a token…), by its content
//! (well-known token formats, keys, credentials in URLs), or by a weakly secret name (`…_KEY`,
//! `…_AUTH`) holding a random-looking string.

/// Words in a name that mark its value as a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
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

/// Whole parts of a name (between `_`, `.` or `-`) that mark a secret: `DB_PASS`,
/// `RABBITMQ_DEFAULT_PASS`, `MYSQL_PWD`; a part, so `BYPASS` and `COMPASS` are not.
const SECRET_PARTS: &[&str] = &["PASS", "PWD", "PW"];

/// Parts that mark a secret only when the value looks random: `APP_KEY`, `STRIPE_KEY` hold
/// keys, `PARTITION_KEY=userId` does not.
const WEAK_PARTS: &[&str] = &["KEY", "AUTH", "SALT", "DSN", "CERT", "SIGNATURE", "HMAC"];

/// Name endings that mark a reference to a secret or a setting about it, not the secret.
const REFERENCE_ENDINGS: &[&str] = &[
    "_ARN",
    "_NAME",
    "_ID",
    "_FILE",
    "_PATH",
    "_DIR",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_HOST",
    "_PORT",
    "_REGION",
    "_TTL",
    "_TYPE",
    "_HEADER",
    "_LENGTH",
    "_ENABLED",
    "_POLICY",
    "_EXPIRY",
    "_EXPIRES",
    "_EXPIRATION",
    "_TIMEOUT",
    "_LIFETIME",
    "_SECONDS",
    "_VERSION",
    "_ALGORITHM",
    "_PREFIX",
    "_SIZE",
    "_COUNT",
    "_MODE",
    "_PROVIDER",
    "_BACKEND",
    "_FORMAT",
    "_KEY_ID",
    "_RESET",
    "_ROTATION",
    "_COMPLEXITY",
    "_STRENGTH",
    "_AGE",
    "_DAYS",
];

/// Why a value named `name` looks like a secret, if it does.
pub(crate) fn secret_like(name: &str, value: &str) -> Option<&'static str> {
    let value = value.trim();
    if value.is_empty() || value.starts_with("arn:") || value.starts_with("${") {
        return None;
    }
    if let Some(why) = value_is_secret(value) {
        return Some(why);
    }
    let upper: String = name
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            c @ ('A'..='Z' | '0'..='9') => c,
            _ => '_',
        })
        .collect();
    if REFERENCE_ENDINGS.iter().any(|e| upper.ends_with(e)) || setting_value(value) {
        return None;
    }
    // `PWD` alone is the shell's working directory.
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    let strong = SECRET_WORDS.iter().any(|w| upper.contains(w))
        || (upper != "PWD" && parts.iter().any(|p| SECRET_PARTS.contains(p)));
    if strong {
        return Some("its name says it is a secret");
    }
    let weak = parts.iter().any(|p| WEAK_PARTS.contains(p));
    (weak && random_looking(value)).then_some("a key-like name holding a random-looking string")
}

/// Booleans are switches about a secret (`ENABLE_TOKEN=true`), not the secret.
fn setting_value(value: &str) -> bool {
    [
        "true", "false", "yes", "no", "on", "off", "none", "null", "disabled", "enabled",
    ]
    .iter()
    .any(|s| value.eq_ignore_ascii_case(s))
}

/// Values that are secrets whatever they are called.
pub(crate) fn value_is_secret(value: &str) -> Option<&'static str> {
    if value.contains("PRIVATE KEY-----") {
        return Some("it holds a private key");
    }
    if let Some(key) = value.strip_prefix("base64:") {
        if key.len() >= 16 && key.chars().all(base64_char) {
            return Some("it holds a base64: key");
        }
    }
    for word in value.split(|c: char| c.is_whitespace() || "'\",;()[]{}<>".contains(c)) {
        if let Some(why) = word_is_secret(word) {
            return Some(why);
        }
    }
    None
}

/// One word: a token of a known format, a JWT, or a URL with a password.
fn word_is_secret(word: &str) -> Option<&'static str> {
    let alnum = |s: &str, min: usize| {
        s.len() >= min
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let access_key = word.len() == 20
        && (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if access_key {
        return Some("it holds an AWS access key ID");
    }
    const TOKEN_PREFIXES: &[(&str, usize)] = &[
        ("ghp_", 20),
        ("gho_", 20),
        ("ghu_", 20),
        ("ghs_", 20),
        ("ghr_", 20),
        ("github_pat_", 20),
        ("glpat-", 20),
        ("sk_live_", 16),
        ("rk_live_", 16),
        ("sk_test_", 16),
        ("xoxb-", 10),
        ("xoxp-", 10),
        ("xoxa-", 10),
        ("xoxr-", 10),
        ("xoxs-", 10),
        ("npm_", 30),
        ("AIza", 30),
        ("sk-", 32),
    ];
    let token = TOKEN_PREFIXES.iter().any(|(prefix, min)| {
        word.strip_prefix(prefix)
            .is_some_and(|rest| alnum(rest, *min))
    });
    if token {
        return Some("it holds an access token of a well-known format");
    }
    if jwt(word) {
        return Some("it holds a JSON Web Token");
    }
    if word.starts_with("https://hooks.slack.com/services/") {
        return Some("it is a Slack webhook URL");
    }
    // scheme://user:password@host
    let (_, rest) = word.split_once("://")?;
    let authority = rest.split('/').next().unwrap_or_default();
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    (!password.is_empty() && !password.starts_with("${") && !password.starts_with("$("))
        .then_some("it is a URL with a password in it")
}

fn base64_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+/=-_".contains(c)
}

/// Three base64url segments whose first two are JSON objects (`eyJ` is `{"`).
fn jwt(word: &str) -> bool {
    let segments: Vec<&str> = word.split('.').collect();
    segments.len() == 3
        && segments[0].starts_with("eyJ")
        && segments[1].starts_with("eyJ")
        && segments.iter().all(|s| {
            s.len() >= 8
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// At least 16 characters, three kinds of them, and more than 3.5 bits of entropy each: a
/// generated key, not a word, a number, a path or a host name.
fn random_looking(value: &str) -> bool {
    if value.len() < 16 || value.contains(char::is_whitespace) || value.starts_with('/') {
        return false;
    }
    let kinds = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if kinds.iter().filter(|k| **k).count() < 3 {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = value.chars().count() as f64;
    let entropy: f64 = counts
        .values()
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum();
    entropy > 3.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_found_by_name_and_by_content() {
        for (name, value) in [
            ("DB_PASSWORD", "hunter2"),
            ("DB_PASS", "hunter2"),
            ("RABBITMQ_DEFAULT_PASS", "guest2"),
            ("MYSQL_PWD", "hunter2"),
            ("GPG_PASSPHRASE", "words words"),
            ("GITHUB_TOKEN", "ghp_x"),
            ("AWS_SECRET_ACCESS_KEY", "abc"),
            ("CONFIG", "AKIAIOSFODNN7EXAMPLE"),
            ("DATABASE_URL", "postgres://app:s3cret@db:5432/app"),
            ("APP_KEY", "base64:Zm9vYmFyYmF6cXV4cXV1eHF1dXg="),
            ("PAYMENTS", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            ("GH", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
            ("SLACK", "xoxb-123456789012-abcdefghij"),
            ("SESSION", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
            ("STRIPE_KEY", "pk9Xz2LqW8vR4tYb7NcQ"),
            ("db.password", "hunter2"),
        ] {
            assert!(secret_like(name, value).is_some(), "{name}={value}");
        }
        for (name, value) in [
            ("DB_PASSWORD_FILE", "/run/secrets/db"),
            ("PASSWORD_MIN_LENGTH", "12"),
            ("SECRET_ARN", "arn:aws:secretsmanager:x"),
            ("TOKEN_URL", "https://auth/token"),
            ("DB_PASSWORD", ""),
            ("DATABASE_URL", "postgres://db:5432/app"),
            ("LOG_LEVEL", "debug"),
            ("PWD", "/app"),
            ("BYPASS_CACHE", "1"),
            ("PARTITION_KEY", "userId"),
            ("CACHE_KEY_PREFIX", "v2"),
            ("ENABLE_TOKEN_AUTH", "true"),
            ("AUTH_MODE", "oidc"),
            ("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db/app"),
        ] {
            assert!(secret_like(name, value).is_none(), "{name}={value}");
        }
    }
}
