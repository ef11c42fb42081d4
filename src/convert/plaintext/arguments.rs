//! Secrets on a command line: `--password=…`, `--requirepass …`, `mysql -pPASS`,
//! `redis-cli -a PASS`, `PGPASSWORD=… psql`, or a token standing on its own, in an argument
//! or inside a shell string. Each is found with its place, so it can be moved exactly.

use super::detect::{secret_like, value_is_secret};

/// Flags whose value is a secret.
const SECRET_FLAGS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "token",
    "secret",
    "api-key",
    "apikey",
    "api-token",
    "auth-token",
    "access-token",
    "client-secret",
    "secret-key",
    "access-key",
    "requirepass",
    "masterauth",
];

/// A secret found in argument `index`, at bytes `range` of it; `key` is the environment
/// variable that would carry it (named after its flag, or what the program reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub index: usize,
    pub range: std::ops::Range<usize>,
    pub key: String,
    pub flag: String,
}

/// Words of `text` with their byte ranges: split on white space, outer quotes excluded.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push(unquote(text, s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

fn unquote(text: &str, start: usize, end: usize) -> (usize, usize) {
    let b = text.as_bytes();
    if end - start >= 2 && (b[start] == b'\'' || b[start] == b'"') && b[end - 1] == b[start] {
        (start + 1, end - 1)
    } else {
        (start, end)
    }
}

/// Every secret in `args`.
pub(crate) fn find(args: &[String]) -> Vec<Found> {
    let lower: String = args.join(" ").to_ascii_lowercase();
    let mysql = ["mysql", "mariadb"].iter().any(|p| lower.contains(p));
    let redis = lower.contains("redis-cli");
    let mut found = Vec::new();
    // A flag whose value is the next word, in this argument or the next one.
    let mut pending: Option<(String, String)> = None;
    for (index, arg) in args.iter().enumerate() {
        for (start, end) in words(arg) {
            let word = &arg[start..end];
            if let Some((key, flag)) = pending.take() {
                if plain_value(word) {
                    found.push(Found {
                        index,
                        range: start..end,
                        key,
                        flag,
                    });
                }
                continue;
            }
            if let Some((range, key, flag)) = in_word(word, mysql) {
                let range = start + range.start..start + range.end;
                found.push(Found {
                    index,
                    range,
                    key,
                    flag,
                });
            } else if let Some(flag) = bare_flag(word, redis) {
                pending = Some((key_of(&flag), flag));
            }
        }
    }
    found
}

/// A secret within one word: `--flag=value`, `-pVALUE`, `NAME=value`, or a token.
fn in_word(word: &str, mysql: bool) -> Option<(std::ops::Range<usize>, String, String)> {
    let dashes = word.len() - word.trim_start_matches('-').len();
    if dashes > 0 {
        let bare = &word[dashes..];
        if let Some((name, value)) = bare.split_once('=') {
            let lower = name.to_ascii_lowercase();
            if SECRET_FLAGS.contains(&lower.as_str()) && plain_value(value) {
                let offset = dashes + name.len() + 1;
                return Some((span(value, offset), key_of(&lower), format!("--{lower}")));
            }
        }
        // mysql -pPASS (a bare -p prompts; -P is the port).
        if mysql && dashes == 1 && bare.len() > 1 && bare.starts_with('p') {
            let value = &bare[1..];
            if plain_value(value) && !value.chars().all(|c| c.is_ascii_digit()) {
                return Some((span(value, 2), "MYSQL_PWD".into(), "-p".into()));
            }
        }
        return None;
    }
    if let Some((name, value)) = word.split_once('=') {
        let env_name = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if env_name && plain_value(value) && secret_like(name, value).is_some() {
            return Some((
                span(value, name.len() + 1),
                name.to_string(),
                name.to_string(),
            ));
        }
    }
    value_is_secret(word).map(|_| {
        (
            0..word.len(),
            "COMMAND_SECRET".to_string(),
            "a token".to_string(),
        )
    })
}

/// A flag that takes its secret as the next word: `--requirepass`, `redis-cli -a`.
fn bare_flag(word: &str, redis: bool) -> Option<String> {
    if redis && word == "-a" {
        return Some("-a".into());
    }
    let bare = word.strip_prefix("--")?.to_ascii_lowercase();
    SECRET_FLAGS
        .contains(&bare.as_str())
        .then(|| format!("--{bare}"))
}

/// The environment variable a flag's value moves to (redis-cli reads REDISCLI_AUTH itself).
fn key_of(flag: &str) -> String {
    if flag == "-a" {
        return "REDISCLI_AUTH".into();
    }
    flag.trim_start_matches('-')
        .to_ascii_uppercase()
        .replace('-', "_")
}

/// A value written out, not a reference to one (`$VAR`, `${VAR}`, `$(VAR)`, a file path).
fn plain_value(value: &str) -> bool {
    let value = value.trim_matches(|c| c == '\'' || c == '"');
    !value.is_empty() && !value.starts_with('$') && !value.starts_with('/')
}

/// Where `value` (found at `offset`) is, inside its quotes if it has them.
fn span(value: &str, offset: usize) -> std::ops::Range<usize> {
    let quoted = value.len() >= 2
        && (value.starts_with('\'') || value.starts_with('"'))
        && value.ends_with(&value[..1]);
    let q = usize::from(quoted);
    offset + q..offset + value.len() - q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(args: &[&str]) -> Vec<(usize, String, String)> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        find(&args)
            .into_iter()
            .map(|f| (f.index, args[f.index][f.range].to_string(), f.key))
            .collect()
    }

    #[test]
    fn every_command_line_form_is_found_with_its_place() {
        let s = |i: usize, v: &str, k: &str| (i, v.to_string(), k.to_string());
        assert_eq!(
            secrets(&["server", "--password=x1"]),
            [s(1, "x1", "PASSWORD")]
        );
        assert_eq!(
            secrets(&["sh", "-c", "run --token='abc' -v"]),
            [s(2, "abc", "TOKEN")]
        );
        assert_eq!(
            secrets(&["redis-server", "--requirepass", "s3cret"]),
            [s(2, "s3cret", "REQUIREPASS")]
        );
        assert_eq!(
            secrets(&["sh", "-c", "redis-server --requirepass s3cret --port 6379"]),
            [s(2, "s3cret", "REQUIREPASS")]
        );
        assert_eq!(
            secrets(&["mysqladmin", "-uroot", "-pHunter2", "ping"]),
            [s(2, "Hunter2", "MYSQL_PWD")]
        );
        assert_eq!(
            secrets(&["redis-cli", "-a", "pw", "ping"]),
            [s(2, "pw", "REDISCLI_AUTH")]
        );
        assert_eq!(
            secrets(&["sh", "-c", "PGPASSWORD=pw psql -h db -c 'select 1'"]),
            [s(2, "pw", "PGPASSWORD")]
        );
        assert_eq!(
            secrets(&["app", "--key", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"]).len(),
            1
        );
        for clean in [
            &["server", "--port", "80"][..],
            &["ssh", "-p22", "host"],
            &["nginx", "-p", "/etc/nginx"],
            &["mysql", "-p"],
            &["sh", "-c", "redis-server --requirepass \"$REDIS_PASSWORD\""],
            &["app", "--password-file", "/run/secrets/pw"],
            &["app", "--token=${TOKEN}"],
        ] {
            assert!(secrets(clean).is_empty(), "{clean:?}");
        }
    }
}
