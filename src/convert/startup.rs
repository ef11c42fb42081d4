//! Startup order: ECS `dependsOn` → init containers and native sidecars.
//!
//! A container others wait for to START becomes a native sidecar (an init container with
//! `restartPolicy: Always`), which Kubernetes starts before the containers after it; HEALTHY
//! adds its health check as a startup probe, which Kubernetes waits for. A container others
//! wait for to finish (SUCCESS, COMPLETE) becomes an init container. Init containers start in
//! dependency order; the task's other containers start after all of them.

use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::Code;
use crate::report::Report;
use crate::workload::{ContainerKind, Workload};

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    let index = td.container_index();
    let (kinds, ignore_failure) = kinds_from_dependencies(td, &index, w, report);
    report_complete_targets(td, &kinds, &ignore_failure, w, report);
    let order = start_order(td, &index, &kinds);
    for &i in &order {
        let def = &td.containers[i];
        for d in &def.depends_on {
            if kinds[index[d.container_name.as_str()]] == ContainerKind::App {
                report.warn(
                    Code::Order,
                    &d.path,
                    format!(
                        "{} waits for {}, which starts after all init containers and sidecars",
                        def.name, d.container_name
                    ),
                    "the wait is not enforced",
                );
            }
        }
        let c = &mut w.containers[i];
        c.kind = kinds[i];
        if kinds[i] == ContainerKind::Init {
            // Kubernetes allows no probes on init containers that run to completion.
            if c.probe.take().is_some() {
                report.info(
                    Code::OrderNote,
                    &def.path.key("healthCheck"),
                    format!("{} runs to completion", def.name),
                    "its health check is not used",
                );
            }
        }
        report.info(
            Code::OrderNote,
            &def.path,
            format!("others wait for {}", def.name),
            match kinds[i] {
                ContainerKind::Sidecar => {
                    "a native sidecar (init container with restartPolicy: Always), started first"
                }
                _ => "an init container, run to completion first",
            },
        );
        w.init_order.push(c.name.clone());
    }
    // An init container or sidecar cannot be kubectl's default.
    if w.containers
        .iter()
        .any(|c| c.main && c.kind != ContainerKind::App)
    {
        for c in &mut w.containers {
            c.main = false;
        }
        if let Some(c) = w
            .containers
            .iter_mut()
            .find(|c| c.kind == ContainerKind::App)
        {
            c.main = true;
        }
    }
    Ok(())
}

type Index<'a> = std::collections::BTreeMap<&'a str, usize>;

/// What each container becomes from what others wait for it to do; and which may fail
/// (COMPLETE) without stopping the task.
fn kinds_from_dependencies(
    td: &TaskDefinition,
    index: &Index,
    w: &mut Workload,
    report: &mut Report,
) -> (Vec<ContainerKind>, Vec<bool>) {
    let mut kinds = vec![ContainerKind::App; td.containers.len()];
    let mut ignore_failure = vec![false; td.containers.len()];
    for def in &td.containers {
        for dep in &def.depends_on {
            let t = index[dep.container_name.as_str()];
            let target = &td.containers[t];
            match dep.condition.as_str() {
                "START" | "HEALTHY" => {
                    if kinds[t] == ContainerKind::App {
                        kinds[t] = ContainerKind::Sidecar;
                    }
                    if dep.condition == "HEALTHY" {
                        // Kubernetes starts the next containers once a sidecar's startup probe
                        // passes: that is the HEALTHY gate.
                        if let Some(p) = w.containers[t].probe.as_mut() {
                            p.startup_failure_threshold
                                .get_or_insert(p.failure_threshold);
                        }
                    }
                    if dep.condition == "HEALTHY" && target.health_check.is_none() {
                        report.warn(
                            Code::Order,
                            &dep.path,
                            format!("{} waits for {} to be HEALTHY, which has no health check", def.name, target.name),
                            "started as a sidecar without a startup probe: the next containers wait only for it to start",
                        );
                    }
                }
                _ => {
                    if kinds[t] == ContainerKind::Sidecar {
                        report.warn(
                            Code::Order,
                            &dep.path,
                            format!("{} is waited for both to start and to finish", target.name),
                            "runs as an init container to completion",
                        );
                    }
                    kinds[t] = ContainerKind::Init;
                    if dep.condition == "COMPLETE" {
                        ignore_failure[t] = true;
                    }
                    if target.essential.unwrap_or(true) {
                        report.warn(
                            Code::Essential,
                            &target.path.key("essential"),
                            format!("{} must finish before {} starts, but is essential", target.name, def.name),
                            "runs as an init container; ECS would have stopped the task when it exited",
                        );
                    }
                }
            }
        }
    }
    (kinds, ignore_failure)
}

fn report_complete_targets(
    td: &TaskDefinition,
    kinds: &[ContainerKind],
    ignore_failure: &[bool],
    w: &mut Workload,
    report: &mut Report,
) {
    // A COMPLETE target may fail without stopping the pod on ECS. Its command runs verbatim (a
    // wrapper shell breaks distroless images and drops the image's ENTRYPOINT); the switch
    // wraps it only where the user asks.
    for (i, def) in td.containers.iter().enumerate() {
        if !(kinds[i] == ContainerKind::Init && ignore_failure[i]) {
            continue;
        }
        let c = &mut w.containers[i];
        c.ignore_failure_switch = true;
        let how = if c.command.is_empty() {
            "set its command (the image's ENTRYPOINT) and ignoreFailure: true to run it through /bin/sh ignoring the exit status"
        } else {
            "containers.NAME.ignoreFailure: true runs it through /bin/sh ignoring the exit status, where the image has a shell"
        };
        report.warn(
            Code::Order,
            &def.path,
            format!(
                "{} may fail on ECS (COMPLETE); as an init container a failing exit blocks the pod",
                def.name
            ),
            format!("its command runs verbatim; {how}"),
        );
    }
}

/// Init containers and sidecars in dependency order, ties in definition order.
fn start_order(td: &TaskDefinition, index: &Index, kinds: &[ContainerKind]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::new();
    let mut placed = vec![false; td.containers.len()];
    while order.len() < kinds.iter().filter(|k| **k != ContainerKind::App).count() {
        let next = (0..td.containers.len()).find(|&i| {
            kinds[i] != ContainerKind::App
                && !placed[i]
                && td.containers[i].depends_on.iter().all(|d| {
                    let t = index[d.container_name.as_str()];
                    kinds[t] == ContainerKind::App || placed[t]
                })
        });
        let Some(i) = next else { break };
        placed[i] = true;
        order.push(i);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(json: &str) -> (Workload, Report) {
        super::super::run_rules(
            json,
            &[
                super::super::containers::apply,
                super::super::probes::apply,
                apply,
            ],
        )
        .unwrap()
    }

    #[test]
    fn conditions_map_to_sidecars_and_init_containers_in_order() {
        let (w, _) = convert(
            r#"{"containerDefinitions":[
            {"name":"app","image":"x","dependsOn":[{"containerName":"proxy","condition":"HEALTHY"},{"containerName":"migrate","condition":"SUCCESS"}]},
            {"name":"proxy","image":"envoy","healthCheck":{"command":["CMD","check"]},"dependsOn":[{"containerName":"fetch","condition":"COMPLETE"}]},
            {"name":"migrate","image":"x","essential":false,"entryPoint":["./migrate"],"command":["up"]},
            {"name":"fetch","image":"x","essential":false,"entryPoint":["fetch"],"command":["--all"]}]}"#,
        );
        let kind = |n: &str| w.containers.iter().find(|c| c.name == n).unwrap().kind;
        assert_eq!(kind("app"), ContainerKind::App);
        assert_eq!(kind("proxy"), ContainerKind::Sidecar);
        assert_eq!(kind("migrate"), ContainerKind::Init);
        assert_eq!(kind("fetch"), ContainerKind::Init);
        // Definition order, except that proxy waits for fetch.
        assert_eq!(w.init_order, ["migrate", "fetch", "proxy"]);
        let fetch = w.containers.iter().find(|c| c.name == "fetch").unwrap();
        // Verbatim: no wrapper shell unless the user turns ignoreFailure on.
        assert_eq!(fetch.command, ["fetch"]);
        assert_eq!(fetch.args, ["--all"]);
        assert!(fetch.ignore_failure_switch);
        let proxy = w.containers.iter().find(|c| c.name == "proxy").unwrap();
        assert_eq!(
            proxy.probe.as_ref().unwrap().startup_failure_threshold,
            Some(3),
            "HEALTHY gates on a startup probe"
        );
        assert!(w.containers.iter().find(|c| c.name == "app").unwrap().main);
    }
}
