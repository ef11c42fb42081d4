//! Where and how long pods run: runtime platform → node selector, stopTimeout → grace period.

use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::json_path::Located;
use crate::report::Code;
use crate::report::Report;
use crate::workload::Workload;

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    if let Some(Located { value: arch, path }) = &td.cpu_architecture {
        let label = match arch.to_ascii_uppercase().as_str() {
            "X86_64" => "amd64",
            "ARM64" => "arm64",
            _ => {
                return Err(FieldError::new(
                    path,
                    format!("expected X86_64 or ARM64, got {arch:?}"),
                ))
            }
        };
        w.node_selector
            .insert("kubernetes.io/arch".into(), label.into());
    }
    if let Some(Located { value: os, path }) = &td.operating_system_family {
        let upper = os.to_ascii_uppercase();
        if upper == "LINUX" {
            w.node_selector
                .insert("kubernetes.io/os".into(), "linux".into());
        } else if upper.starts_with("WINDOWS_SERVER") {
            w.node_selector
                .insert("kubernetes.io/os".into(), "windows".into());
            // The Windows build must match the image's base; nodes carry it as a label.
            let build = [
                ("2019", "10.0.17763"),
                ("2022", "10.0.20348"),
                ("2025", "10.0.26100"),
                ("20H2", "10.0.19042"),
                ("2004", "10.0.19041"),
            ]
            .iter()
            .find(|(year, _)| upper.contains(year))
            .map(|(_, b)| *b);
            if let Some(build) = build {
                w.node_selector
                    .insert("node.kubernetes.io/windows-build".into(), build.into());
            }
            // Windows node groups are usually tainted so Linux pods stay off them.
            w.windows_toleration = true;
            report.warn(
                Code::Windows,
                path,
                format!("the task runs on {os}"),
                "scheduled on Windows nodes of the matching build, tolerating the os=windows:NoSchedule taint; CMD-SHELL health checks run through cmd /S /C",
            );
        } else {
            return Err(FieldError::new(
                path,
                format!("expected LINUX or a WINDOWS_SERVER_* family, got {os:?}"),
            ));
        }
    }
    // Kubernetes has one grace period per pod: the longest container stop timeout wins.
    let longest = td.containers.iter().filter_map(|c| c.stop_timeout).max();
    w.termination_grace_period_seconds = Some(longest.unwrap_or(30));
    if let Some(status) = td
        .requires_compatibilities
        .iter()
        .find(|c| c.as_str() == "EXTERNAL")
    {
        report.info(
            Code::Compatibility,
            &td.path.key("requiresCompatibilities"),
            format!("the task targets {status} (ECS Anywhere) instances"),
            "schedule it on matching nodes with nodeSelector",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs;

    #[test]
    fn platform_and_stop_timeout() {
        let loaded = ecs::from_str(r#"{"runtimePlatform":{"cpuArchitecture":"ARM64","operatingSystemFamily":"LINUX"},
            "containerDefinitions":[{"name":"a","image":"x","stopTimeout":90},{"name":"b","image":"x","stopTimeout":10}]}"#, "t.json").unwrap();
        let mut w = Workload::new("t".into(), "t".into());
        apply(&loaded.task, &mut w, &mut Report::default()).unwrap();
        assert_eq!(w.node_selector["kubernetes.io/arch"], "arm64");
        assert_eq!(w.node_selector["kubernetes.io/os"], "linux");
        assert_eq!(w.termination_grace_period_seconds, Some(90));
    }
}
