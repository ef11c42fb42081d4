//! Host names inside free text (URLs, `host:port`, bare names): whether a value names a host,
//! and the value with that host replaced, matching whole names only (`redis.internal` is in
//! `redis://redis.internal:6379`, never in `xredis.internal` or `redis.internal.example`).

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.'
}

/// Byte offsets where `host` (lowercase) occurs in `value` as a whole host name.
fn occurrences(value: &str, host: &str) -> Vec<usize> {
    if host.is_empty() {
        return Vec::new();
    }
    let lower = value.to_ascii_lowercase();
    let mut out = Vec::new();
    for (at, _) in lower.match_indices(host) {
        let before = value[..at].chars().next_back();
        let rest = &value[at + host.len()..];
        let starts = before.is_none_or(|c| !is_host_char(c));
        // A trailing dot ends an FQDN; a dot followed by more name continues the host.
        let ends = match rest.chars().next() {
            None => true,
            Some('.') => rest[1..].chars().next().is_none_or(|c| !is_host_char(c)),
            Some(c) => !is_host_char(c),
        };
        if starts && ends && out.last().is_none_or(|last| at >= last + host.len()) {
            out.push(at);
        }
    }
    out
}

/// The whole host names in `value`, lowercased (a trailing dot, ending an FQDN, dropped).
pub(crate) fn hosts(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(|c: char| !is_host_char(c))
        .map(|t| t.trim_end_matches('.').to_ascii_lowercase())
        .filter(|t| !t.is_empty())
}

/// `value` with every whole-host occurrence of `old` (lowercase) replaced by `new`, or None when
/// there is none.
pub(crate) fn replace(value: &str, old: &str, new: &str) -> Option<String> {
    let found = occurrences(value, old);
    if found.is_empty() {
        return None;
    }
    let mut out = String::new();
    let mut last = 0;
    for at in found {
        out.push_str(&value[last..at]);
        out.push_str(new);
        last = at + old.len();
    }
    out.push_str(&value[last..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_host_names_count() {
        let old = "redis.dev.estate.internal";
        assert_eq!(
            replace("redis://redis.dev.estate.internal:6379/0", old, "redis").as_deref(),
            Some("redis://redis:6379/0")
        );
        assert_eq!(
            replace("redis.dev.estate.internal", old, "redis").as_deref(),
            Some("redis")
        );
        assert_eq!(
            replace("a,REDIS.dev.estate.internal.", old, "r").as_deref(),
            Some("a,r.")
        );
        assert_eq!(replace("xredis.dev.estate.internal", old, "redis"), None);
        assert_eq!(
            replace("redis.dev.estate.internal.example", old, "redis"),
            None
        );
        let found: Vec<String> =
            hosts("redis://Redis.dev.internal.:6379/0,http://vault:8200").collect();
        assert_eq!(
            found,
            [
                "redis",
                "redis.dev.internal",
                "6379",
                "0",
                "http",
                "vault",
                "8200"
            ]
        );
    }
}
