//! Kubernetes quantities as the plan counts them: CPU in millicores, memory in MiB.

/// CPU requests in millicores (`250m`, `1`, `0.5`); None for anything else (a placeholder).
pub(crate) fn millicores(text: &str) -> Option<i64> {
    match text.strip_suffix('m') {
        Some(n) => n.parse().ok(),
        None => text.parse::<f64>().ok().map(|v| (v * 1000.0).ceil() as i64),
    }
}

/// Memory requests in MiB (`512Mi`, `2Gi`, `1G`); None for anything else.
pub(crate) fn mebibytes(text: &str) -> Option<i64> {
    let units: [(&str, f64); 6] = [
        ("Ki", 1.0 / 1024.0),
        ("Mi", 1.0),
        ("Gi", 1024.0),
        ("k", 1000.0 / 1_048_576.0),
        ("M", 1_000_000.0 / 1_048_576.0),
        ("G", 1e9 / 1_048_576.0),
    ];
    units.iter().find_map(|(suffix, factor)| {
        let n: f64 = text.strip_suffix(suffix)?.parse().ok()?;
        Some((n * factor).ceil() as i64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_read_in_kubernetes_units() {
        assert_eq!(millicores("250m"), Some(250));
        assert_eq!(millicores("1.5"), Some(1500));
        assert_eq!(millicores("${Cpu}"), None);
        assert_eq!(mebibytes("512Mi"), Some(512));
        assert_eq!(mebibytes("2Gi"), Some(2048));
        assert_eq!(mebibytes("1G"), Some(954));
        assert_eq!(mebibytes("lots"), None);
    }
}
