//! CPU and memory: ECS CPU units are shares (1024 = one vCPU), container `memory` is a hard
//! limit and `memoryReservation` a soft one; task-level sizes are a budget for the whole task,
//! shared out among the containers that set nothing themselves.

use crate::deferred::Deferred;
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::json_path::JsonPath;
use crate::report::Code;
use crate::report::Report;
use crate::workload::Workload;

/// Millicores for CPU units: 1024 units are one vCPU, rounded up so tiny shares stay non-zero.
pub(crate) fn millicores(units: i64) -> i64 {
    (units * 1000 + 1023) / 1024
}

/// Task `cpu` in units: "1024", "1 vCPU", "0.5 vcpu".
fn parse_task_cpu(text: &str, path: &JsonPath) -> Result<i64, FieldError> {
    let lower = text.trim().to_ascii_lowercase();
    let parsed = if let Some(v) = lower.strip_suffix("vcpu") {
        v.trim()
            .parse::<f64>()
            .ok()
            .map(|v| (v * 1024.0).round() as i64)
    } else {
        lower.parse::<i64>().ok()
    };
    parsed.filter(|v| *v > 0 && *v <= 1_000_000).ok_or_else(|| {
        FieldError::new(
            path,
            format!("expected CPU units (\"1024\") or vCPUs (\"1 vCPU\"), got {text:?}"),
        )
    })
}

/// Task `memory` in MiB: "2048", "2 GB", "2GB".
fn parse_task_memory(text: &str, path: &JsonPath) -> Result<i64, FieldError> {
    let lower = text.trim().to_ascii_lowercase();
    let parsed = if let Some(v) = lower.strip_suffix("gb") {
        v.trim()
            .parse::<f64>()
            .ok()
            .map(|v| (v * 1024.0).round() as i64)
    } else if let Some(v) = lower
        .strip_suffix("mb")
        .or_else(|| lower.strip_suffix("mib"))
    {
        v.trim().parse::<i64>().ok()
    } else {
        lower.parse::<i64>().ok()
    };
    parsed
        .filter(|v| *v > 0 && *v <= 16_777_216)
        .ok_or_else(|| {
            FieldError::new(
                path,
                format!("expected MiB (\"2048\") or GB (\"2 GB\"), got {text:?}"),
            )
        })
}

/// MiB as a Kubernetes quantity: whole GiB as `Gi`, else `Mi`.
pub(crate) fn mebibytes(mib: i64) -> String {
    if mib % 1024 == 0 {
        format!("{}Gi", mib / 1024)
    } else {
        format!("{mib}Mi")
    }
}

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    let task_cpu = task_size(td.cpu.as_ref(), parse_task_cpu, report)?;
    let task_memory = task_size(td.memory.as_ref(), parse_task_memory, report)?;

    for (def, c) in td.containers.iter().zip(w.containers.iter_mut()) {
        match &def.cpu {
            Some(Deferred::Known(units)) if *units > 0 => {
                c.requests
                    .insert("cpu".into(), format!("{}m", millicores(*units)));
            }
            Some(Deferred::Placeholder(text)) => {
                c.requests.insert("cpu".into(), text.clone());
            }
            _ => {}
        }
        let positive = |m: &Option<Deferred<i64>>| match m {
            Some(Deferred::Known(n)) if *n <= 0 => None,
            other => other.clone(),
        };
        match (positive(&def.memory), positive(&def.memory_reservation)) {
            (Some(Deferred::Known(limit)), Some(Deferred::Known(reservation))) => {
                c.limits.insert("memory".into(), mebibytes(limit));
                c.requests
                    .insert("memory".into(), mebibytes(reservation.min(limit)));
            }
            (Some(limit), reservation) => {
                let limit = quantity(&limit);
                let request = reservation.as_ref().map_or(limit.clone(), quantity);
                c.limits.insert("memory".into(), limit);
                c.requests.insert("memory".into(), request);
            }
            (None, Some(reservation)) => {
                c.requests.insert("memory".into(), quantity(&reservation));
                if task_memory.is_none() {
                    report.warn(
                        Code::NoMemoryLimit,
                        &def.path.key("memoryReservation"),
                        "only a soft memory limit is set; ECS let the container use all free memory",
                        "requests.memory set, no limit",
                    );
                }
            }
            (None, None) => {}
        }
    }

    if own_sizes_deferred(td) && (task_cpu.is_some() || task_memory.is_some()) {
        report.warn(
            Code::TaskBudget,
            &td.path,
            "a container's CPU or memory is only known at deploy time, so the task's budget cannot be shared out",
            "containers without their own size get none; set containers.<name>.resources",
        );
    } else {
        share_task_budget(td, w, task_cpu, task_memory, report);
    }

    if task_memory.is_none()
        && td
            .containers
            .iter()
            .all(|c| c.memory.is_none() && c.memory_reservation.is_none())
    {
        report.warn(
            Code::NoMemory,
            &td.path.key("memory"),
            "no memory is set for the task or any container",
            "no memory request or limit; set containers.<name>.resources",
        );
    }
    Ok(())
}

/// MiB as a quantity, or the placeholder standing for them.
fn quantity(mib: &Deferred<i64>) -> String {
    match mib {
        Deferred::Known(n) => mebibytes(*n),
        Deferred::Placeholder(text) => text.clone(),
    }
}

fn known(value: &Option<Deferred<i64>>) -> Option<i64> {
    value.as_ref().and_then(|d| d.known().copied())
}

fn own_sizes_deferred(td: &TaskDefinition) -> bool {
    td.containers.iter().any(|c| {
        [&c.cpu, &c.memory, &c.memory_reservation]
            .iter()
            .any(|v| v.as_ref().is_some_and(|d| d.placeholder().is_some()))
    })
}

/// The task-level size, or None when a template leaves it to deploy time (said: no budget to
/// share out then).
fn task_size(
    size: Option<&crate::json_path::Located<String>>,
    parse: fn(&str, &JsonPath) -> Result<i64, FieldError>,
    report: &mut Report,
) -> Result<Option<i64>, FieldError> {
    let Some(size) = size else {
        return Ok(None);
    };
    if crate::deferred::is_whole_placeholder(&size.value) {
        report.warn(
            Code::DeferredUnset,
            &size.path,
            format!("the task size is only known at deploy time ({})", size.value),
            format!(
                "no task budget is shared out; give it with --var '{}=…' or set containers.<name>.resources",
                size.value
            ),
        );
        return Ok(None);
    }
    parse(&size.value, &size.path).map(Some)
}

/// The task size caps the whole task. Containers that set nothing get an equal part of what
/// the others leave, as requests and (for memory) limits.
fn share_task_budget(
    td: &TaskDefinition,
    w: &mut Workload,
    task_cpu: Option<i64>,
    task_memory: Option<i64>,
    report: &mut Report,
) {
    if let Some(total) = task_cpu {
        let used: i64 = td.containers.iter().filter_map(|c| known(&c.cpu)).sum();
        let open: Vec<usize> = (0..td.containers.len())
            .filter(|&i| known(&td.containers[i].cpu).unwrap_or(0) == 0)
            .collect();
        if !open.is_empty() && total > used {
            let each = (total - used) / open.len() as i64;
            for &i in &open {
                w.containers[i]
                    .requests
                    .insert("cpu".into(), format!("{}m", millicores(each)));
            }
            if open.len() > 1 {
                report.warn(
                    Code::TaskBudget,
                    &td.path.key("cpu"),
                    format!("the task's {total} CPU units are shared by {} containers without their own", open.len()),
                    format!("each gets an equal request of {}m", millicores(each)),
                );
            }
        }
    }
    if let Some(total) = task_memory {
        let used: i64 = td
            .containers
            .iter()
            .filter_map(|c| known(&c.memory).or(known(&c.memory_reservation)))
            .sum();
        let open: Vec<usize> = (0..td.containers.len())
            .filter(|&i| {
                td.containers[i].memory.is_none() && td.containers[i].memory_reservation.is_none()
            })
            .collect();
        if !open.is_empty() && total > used {
            let each = (total - used) / open.len() as i64;
            for &i in &open {
                w.containers[i]
                    .requests
                    .insert("memory".into(), mebibytes(each));
                w.containers[i]
                    .limits
                    .insert("memory".into(), mebibytes(each));
            }
            if open.len() > 1 {
                report.warn(
                    Code::TaskBudget,
                    &td.path.key("memory"),
                    format!(
                        "the task's {total} MiB are shared by {} containers without their own",
                        open.len()
                    ),
                    format!("each gets {} as request and limit", mebibytes(each)),
                );
            }
        }
        // Containers with only a reservation may grow up to the task's cap, as on ECS.
        for (def, c) in td.containers.iter().zip(w.containers.iter_mut()) {
            if def.memory.is_none() && def.memory_reservation.is_some() {
                c.limits.insert("memory".into(), mebibytes(total));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs;

    fn convert(json: &str) -> (Workload, Report) {
        super::super::run_rules(json, &[super::super::containers::apply, apply]).unwrap()
    }

    #[test]
    fn cpu_units_become_millicores() {
        assert_eq!(millicores(1024), 1000);
        assert_eq!(millicores(256), 250);
        assert_eq!(millicores(10), 10);
        assert_eq!(millicores(1), 1);
    }

    #[test]
    fn ec2_classic_hard_and_soft_limits() {
        let (w, _) = convert(
            r#"{"containerDefinitions":[{"name":"a","image":"x","cpu":256,"memory":512,"memoryReservation":256}]}"#,
        );
        let c = &w.containers[0];
        assert_eq!(c.requests["cpu"], "250m");
        assert_eq!(c.requests["memory"], "256Mi");
        assert_eq!(c.limits["memory"], "512Mi");
        assert!(!c.limits.contains_key("cpu"));
    }

    #[test]
    fn fargate_task_size_goes_to_the_only_container() {
        let (w, r) = convert(
            r#"{"cpu":"1 vCPU","memory":"2 GB","containerDefinitions":[{"name":"a","image":"x"}]}"#,
        );
        let c = &w.containers[0];
        assert_eq!(c.requests["cpu"], "1000m");
        assert_eq!(c.requests["memory"], "2Gi");
        assert_eq!(c.limits["memory"], "2Gi");
        assert!(r.warnings().next().is_none());
    }

    #[test]
    fn task_budget_is_shared_among_open_containers() {
        let (w, r) = convert(
            r#"{"cpu":"512","memory":"1024","containerDefinitions":[{"name":"a","image":"x"},{"name":"b","image":"x","memoryReservation":64}]}"#,
        );
        assert_eq!(w.containers[0].limits["memory"], "960Mi");
        assert_eq!(w.containers[1].requests["memory"], "64Mi");
        assert_eq!(w.containers[1].limits["memory"], "1Gi");
        assert_eq!(w.containers[0].requests["cpu"], "250m");
        assert!(r.findings.iter().any(|f| f.code == Code::TaskBudget));
    }

    #[test]
    fn no_memory_anywhere_is_reported() {
        let (w, r) = convert(r#"{"containerDefinitions":[{"name":"a","image":"x"}]}"#);
        assert!(w.containers[0].limits.is_empty());
        assert!(r.findings.iter().any(|f| f.code == Code::NoMemory));
    }

    #[test]
    fn bad_task_size_is_an_error_with_its_path() {
        let loaded = ecs::from_str(
            r#"{"cpu":"lots","containerDefinitions":[{"name":"a","image":"x"}]}"#,
            "t.json",
        )
        .unwrap();
        let mut w = Workload::new("t".into(), "t".into());
        let mut report = Report::default();
        super::super::containers::apply(&loaded.task, &mut w, &mut report).unwrap();
        let e = apply(&loaded.task, &mut w, &mut report).unwrap_err();
        assert_eq!(e.path.dotted(), "cpu");
    }
}
