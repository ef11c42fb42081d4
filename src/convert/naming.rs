//! Kubernetes names from ECS names: ECS allows `_`, uppercase and 255 characters; Kubernetes
//! wants lowercase DNS labels, and port names of at most 15 characters.

/// Longest chart name: `<release>-<chart>` must stay under the 52 characters a StatefulSet name
/// may have (its pods' `controller-revision-hash` label adds 11), leaving room for the release.
pub(crate) const MAX_CHART_NAME: usize = 40;

/// Lowercase DNS label of at most `max` characters; empty when nothing usable is left.
pub fn dns_label(input: &str, max: usize) -> String {
    let mut out = String::new();
    for ch in input.chars() {
        let ch = ch.to_ascii_lowercase();
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(max);
    out.trim_end_matches('-').to_string()
}

/// Chart name from the first usable candidate (`--name`, family, file stem).
pub(crate) fn chart_name<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| dns_label(c, MAX_CHART_NAME))
        .find(|c| !c.is_empty())
}

/// IANA service name as Kubernetes port names require: at most 15 characters of `[a-z0-9-]`,
/// at least one letter, no leading, trailing or doubled hyphen.
pub(crate) fn port_name(input: &str) -> Option<String> {
    let label = dns_label(input, 15);
    let valid =
        !label.is_empty() && label.chars().any(|c| c.is_ascii_lowercase()) && !label.contains("--");
    valid.then_some(label)
}

/// Makes `candidate` unique among `taken` by appending `-2`, `-3`… within `max` characters.
pub(crate) fn unique(candidate: String, taken: &[String], max: usize) -> String {
    if !taken.contains(&candidate) {
        return candidate;
    }
    (2..)
        .map(|n| {
            let suffix = format!("-{n}");
            let mut base = candidate.clone();
            base.truncate(max.saturating_sub(suffix.len()));
            format!("{}{suffix}", base.trim_end_matches('-'))
        })
        .find(|c| !taken.contains(c))
        .expect("an unbounded counter always finds a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_names_are_safe_dns_labels() {
        assert_eq!(chart_name(["My_Service.Prod"]).unwrap(), "my-service-prod");
        assert_eq!(chart_name(["../../x"]).unwrap(), "x");
        assert_eq!(chart_name(["%%%", "web-task"]).unwrap(), "web-task");
        assert_eq!(chart_name(["%%%", "%%"]), None);
        let long = chart_name(["a".repeat(100).as_str()]).unwrap();
        assert_eq!(long.len(), MAX_CHART_NAME);
        assert_eq!(chart_name(["abc-----"]).unwrap(), "abc");
    }

    #[test]
    fn port_names_follow_iana_rules() {
        assert_eq!(port_name("HTTP_Main").as_deref(), Some("http-main"));
        assert_eq!(
            port_name("web-8080-tcp-extra-long").as_deref(),
            Some("web-8080-tcp-ex")
        );
        assert_eq!(port_name("8080"), None);
        assert_eq!(port_name("a--b"), Some("a-b".into()));
    }

    #[test]
    fn unique_appends_counters() {
        let taken = vec!["data".to_string(), "data-2".to_string()];
        assert_eq!(unique("data".into(), &taken, 63), "data-3");
        assert_eq!(unique("logs".into(), &taken, 63), "logs");
    }
}
