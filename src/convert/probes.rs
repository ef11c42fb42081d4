//! Health checks: Docker's HEALTHCHECK as ECS runs it → exec probes with the same timing.
//!
//! A `startPeriod` becomes a startup probe rather than `initialDelaySeconds`: ECS counts a
//! success during the start period at once, which a startup probe does and a fixed delay does not.

use super::containers::escape_expansion;
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::Code;
use crate::report::Report;
use crate::workload::{Probe, ProbeAction, Workload};

const DEFAULT_INTERVAL: i64 = 30;
const DEFAULT_TIMEOUT: i64 = 5;
const DEFAULT_RETRIES: i64 = 3;

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    let windows = td.is_windows();
    for (def, c) in td.containers.iter().zip(w.containers.iter_mut()) {
        let Some(hc) = &def.health_check else {
            continue;
        };
        let Some(command) = exec_command(hc, windows, report) else {
            continue;
        };
        if command.is_empty() {
            return Err(FieldError::new(
                &hc.path.key("command"),
                "has no command after CMD",
            ));
        }
        let interval = hc.interval.unwrap_or(DEFAULT_INTERVAL);
        let retries = hc.retries.unwrap_or(DEFAULT_RETRIES);
        let startup = hc
            .start_period
            .filter(|p| *p > 0)
            .map(|p| (p + interval - 1) / interval + retries);
        if !c.essential {
            report.info(
                Code::HealthHelper,
                &hc.path,
                format!(
                    "ECS ignores the health of non-essential container {:?}",
                    def.name
                ),
                "readiness probe only; no liveness probe restarts it",
            );
        }
        // The kubelet expands `$(VAR)` and reads `$$` as `$` in exec probes too, as in
        // commands; the shell must see the ECS string.
        let command = command.iter().map(|w| escape_expansion(w)).collect();
        c.probe = Some(Probe {
            action: ProbeAction::Exec(command),
            period_seconds: interval,
            timeout_seconds: hc.timeout.unwrap_or(DEFAULT_TIMEOUT),
            failure_threshold: retries,
            startup_failure_threshold: startup,
            liveness: c.essential,
            success_threshold: None,
        });
    }
    Ok(())
}

/// The command a health check runs, as the kubelet runs it; None for NONE.
fn exec_command(
    hc: &crate::ecs::task_definition::model::HealthCheck,
    windows: bool,
    report: &mut Report,
) -> Option<Vec<String>> {
    let command = match hc.command.first().map(String::as_str) {
        Some("NONE") => {
            report.info(
                Code::HealthNone,
                &hc.path.key("command"),
                "the health check is NONE",
                "no probes",
            );
            return None;
        }
        Some("CMD") => hc.command[1..].to_vec(),
        // Docker runs CMD-SHELL through `/bin/sh -c` with the rest joined by spaces.
        // ECS runs CMD-SHELL through `cmd /S /C` on Windows.
        Some("CMD-SHELL") if windows => vec![
            "cmd".into(),
            "/S".into(),
            "/C".into(),
            hc.command[1..].join(" "),
        ],
        Some("CMD-SHELL") => vec!["/bin/sh".into(), "-c".into(), hc.command[1..].join(" ")],
        _ => {
            report.warn(
                Code::HealthForm,
                &hc.path.key("command"),
                "the health check command does not start with CMD or CMD-SHELL",
                "run as an exec command, as given",
            );
            hc.command.clone()
        }
    };
    Some(command)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs;

    fn probe(json_hc: &str) -> Option<Probe> {
        let text = format!(
            r#"{{"containerDefinitions":[{{"name":"a","image":"x","healthCheck":{json_hc}}}]}}"#
        );
        let loaded = ecs::from_str(&text, "t.json").unwrap();
        let mut w = Workload::new("t".into(), "t".into());
        let mut report = Report::default();
        super::super::containers::apply(&loaded.task, &mut w, &mut report).unwrap();
        apply(&loaded.task, &mut w, &mut report).unwrap();
        w.containers[0].probe.clone()
    }

    #[test]
    fn cmd_shell_runs_through_sh_with_ecs_defaults() {
        let p =
            probe(r#"{"command":["CMD-SHELL","curl -f http://localhost/ || exit 1"]}"#).unwrap();
        assert_eq!(
            p.action,
            ProbeAction::Exec(vec![
                "/bin/sh".into(),
                "-c".into(),
                "curl -f http://localhost/ || exit 1".into()
            ])
        );
        assert_eq!(
            (p.period_seconds, p.timeout_seconds, p.failure_threshold),
            (30, 5, 3)
        );
        assert_eq!(p.startup_failure_threshold, None);
    }

    #[test]
    fn dollars_reach_the_shell_as_ecs_wrote_them() {
        let p = probe(r#"{"command":["CMD-SHELL","echo $$ $(date) $HOME"]}"#).unwrap();
        assert_eq!(
            p.action,
            ProbeAction::Exec(vec![
                "/bin/sh".into(),
                "-c".into(),
                "echo $$$$ $$(date) $HOME".into()
            ])
        );
    }

    #[test]
    fn start_period_becomes_a_startup_probe() {
        let p = probe(r#"{"command":["CMD","redis-cli","ping"],"interval":10,"timeout":3,"retries":2,"startPeriod":45}"#).unwrap();
        assert_eq!(
            p.action,
            ProbeAction::Exec(vec!["redis-cli".into(), "ping".into()])
        );
        assert_eq!(p.period_seconds, 10);
        assert_eq!(p.timeout_seconds, 3);
        // ceil(45 / 10) + 2 retries
        assert_eq!(p.startup_failure_threshold, Some(7));
    }

    #[test]
    fn none_means_no_probe() {
        assert_eq!(probe(r#"{"command":["NONE"]}"#), None);
    }
}
