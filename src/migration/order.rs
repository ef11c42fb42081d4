//! The order of moves in one environment: who calls whom, from the environment values that
//! name another service (its Cloud Map name or its Service name). What is called moves first,
//! in waves: a chart's wave is one after the latest wave of what it calls.

use std::collections::BTreeMap;

use super::facts::MoveFacts;

/// For each chart, the charts it calls: the host names in its values looked up among the
/// names the others answer to (one pass over the values, however many charts there are).
pub(super) fn calls(charts: &[&MoveFacts]) -> BTreeMap<String, Vec<String>> {
    let mut answering: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for c in charts {
        for name in &c.answers_to {
            answering.entry(name.as_str()).or_insert(c.chart.as_str());
        }
    }
    let mut out = BTreeMap::new();
    for caller in charts {
        let mut called: Vec<String> = caller
            .env_values
            .iter()
            .flat_map(|v| crate::host_names::hosts(v))
            .filter_map(|host| answering.get(host.as_str()).copied())
            .filter(|chart| *chart != caller.chart)
            .map(str::to_string)
            .collect();
        called.sort();
        called.dedup();
        out.insert(caller.chart.clone(), called);
    }
    out
}

/// Waves of charts: each after everything it calls; a cycle is broken by name order (the
/// charts in it share a wave).
pub(super) fn waves(calls: &BTreeMap<String, Vec<String>>) -> Vec<Vec<String>> {
    let mut wave_of: BTreeMap<&str, usize> = BTreeMap::new();
    // Longest-path layering, bounded by the number of charts so a cycle cannot loop.
    for _ in 0..=calls.len() {
        let mut changed = false;
        for (chart, called) in calls {
            let wave = called
                .iter()
                .filter(|c| *c != chart)
                .map(|c| wave_of.get(c.as_str()).map_or(1, |w| w + 1))
                .max()
                .unwrap_or(0)
                .min(calls.len());
            if wave_of.get(chart.as_str()) != Some(&wave) {
                wave_of.insert(chart, wave);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut waves: Vec<Vec<String>> = Vec::new();
    for (chart, wave) in wave_of {
        while waves.len() <= wave {
            waves.push(Vec::new());
        }
        waves[wave].push(chart.to_string());
    }
    waves.retain(|w| !w.is_empty());
    waves
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        edges
            .iter()
            .map(|(a, b)| (a.to_string(), b.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn callees_move_first_in_waves() {
        let g = graph(&[
            ("web", &["redis", "vault"]),
            ("worker", &["rabbitmq"]),
            ("redis", &[]),
            ("vault", &[]),
            ("rabbitmq", &[]),
            ("report", &["web"]),
        ]);
        assert_eq!(
            waves(&g),
            vec![
                vec!["rabbitmq", "redis", "vault"],
                vec!["web", "worker"],
                vec!["report"]
            ]
        );
    }

    #[test]
    fn a_cycle_ends_instead_of_looping() {
        let g = graph(&[("a", &["b"]), ("b", &["a"])]);
        let w = waves(&g);
        assert_eq!(w.iter().flatten().count(), 2, "{w:?}");
    }
}
