//! Security defaults that stay faithful to ECS: what Docker applied there (its seccomp profile,
//! its capability set) is applied here too, what ECS never gave a task (Kubernetes API
//! credentials, privilege escalation it had no use for) is not given, and Docker's
//! `--security-opt` values are translated. The Pod Security level the pods meet is reported.

use crate::ecs::task_definition::TaskDefinition;
use crate::error::FieldError;
use crate::json_path::JsonPath;
use crate::json_path::Located;
use crate::report::{Code, Report};
use crate::workload::{
    PodSecurity, PodSecurityLevel, SecurityContext, SecurityProfile, VolumeSource, Workload,
};

/// Capabilities that let a process gain privileges through setuid binaries or mounts.
const ESCALATING: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SETUID",
    "SETGID",
    "CAP_SYS_ADMIN",
    "CAP_SETUID",
    "CAP_SETGID",
];

/// Capabilities the baseline Pod Security level allows to add (Docker's default set).
const BASELINE_CAPS: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    for (def, container) in td.containers.iter().zip(w.containers.iter_mut()) {
        let sec = &mut container.security;
        if let Some(Located {
            value: options,
            path,
        }) = &def.docker_security_options
        {
            for (i, option) in options.iter().enumerate() {
                security_option(option, &path.index(i), sec, report);
            }
        }
        let escalates = sec.privileged == Some(true)
            || sec
                .add_capabilities
                .iter()
                .any(|c| ESCALATING.contains(&c.to_ascii_uppercase().as_str()));
        if sec.allow_privilege_escalation.is_none() && !escalates {
            sec.allow_privilege_escalation = Some(false);
        }
        if sec.run_as_user.is_some_and(|uid| uid != 0) {
            sec.run_as_non_root = Some(true);
        }
    }
    w.automount_token = w.role_arn.is_some();
    w.pod_security = level(w);
    let PodSecurity { level, reasons } = &w.pod_security;
    let why = if reasons.is_empty() {
        String::new()
    } else {
        format!(" ({})", reasons.join("; "))
    };
    report.info(
        Code::PodSecurity,
        &td.path,
        format!("the pods meet the {} Pod Security Standard{why}", level.as_str()),
        format!(
            "label the namespace pod-security.kubernetes.io/enforce={}; podSecurity=restricted tightens what the input allows",
            level.as_str()
        ),
    );
    Ok(())
}

/// One Docker `--security-opt` value, written `key=value` or `key:value`.
fn security_option(option: &str, path: &JsonPath, sec: &mut SecurityContext, report: &mut Report) {
    let (key, value) = option
        .split_once(['=', ':'])
        .map_or((option, ""), |(k, v)| (k, v));
    let profile = |value: &str| {
        let (kind, localhost_profile) = match value {
            "unconfined" => ("Unconfined", None),
            "runtime/default" | "docker-default" | "default" => ("RuntimeDefault", None),
            other => ("Localhost", Some(other.to_string())),
        };
        SecurityProfile {
            kind: kind.to_string(),
            localhost_profile,
        }
    };
    match (key, value) {
        ("no-new-privileges", "" | "true") => sec.allow_privilege_escalation = Some(false),
        ("no-new-privileges", "false") => sec.allow_privilege_escalation = Some(true),
        ("seccomp", v) if !v.is_empty() => {
            let p = profile(v);
            if p.kind == "Localhost" {
                report.warn(
                    Code::SecurityOpts,
                    path,
                    format!("seccomp profile {v:?} was a file on the ECS instance"),
                    "set as a Localhost profile: the file must be on every node under the kubelet's seccomp folder",
                );
            }
            sec.seccomp = Some(p);
        }
        ("apparmor", v) if !v.is_empty() => sec.app_armor = Some(profile(v)),
        ("label", v) => match v.split_once(':') {
            Some((field @ ("user" | "role" | "type" | "level"), value)) => {
                sec.se_linux.insert(field.to_string(), value.to_string());
            }
            _ if v == "disable" => {
                sec.se_linux.insert("type".into(), "spc_t".into());
            }
            _ => report.warn(
                Code::SecurityOpts,
                path,
                format!("SELinux label option {option:?} is not understood"),
                "not carried; set containers.<name>.securityContext.seLinuxOptions",
            ),
        },
        _ => report.warn(
            Code::SecurityOpts,
            path,
            format!("Docker security option {option:?} has no Kubernetes equivalent"),
            "not carried",
        ),
    }
}

/// The strictest Pod Security level the pods meet with their default values, and why not
/// stricter.
fn level(w: &Workload) -> PodSecurity {
    let privileged = privileged_reasons(w);
    if !privileged.is_empty() {
        return PodSecurity {
            level: PodSecurityLevel::Privileged,
            reasons: privileged,
        };
    }
    let baseline = baseline_reasons(w);
    let level = if baseline.is_empty() {
        PodSecurityLevel::Restricted
    } else {
        PodSecurityLevel::Baseline
    };
    PodSecurity {
        level,
        reasons: baseline,
    }
}

/// What the Baseline Pod Security level refuses in the pods.
fn privileged_reasons(w: &Workload) -> Vec<String> {
    let mut privileged = Vec::new();
    if w.host_network {
        privileged.push("host network".to_string());
    }
    if w.host_pid {
        privileged.push("host PID namespace".into());
    }
    if w.host_ipc {
        privileged.push("host IPC namespace".into());
    }
    if w.volumes
        .iter()
        .any(|v| matches!(v.source, VolumeSource::HostPath { .. }))
    {
        privileged.push("hostPath volumes".into());
    }
    for c in &w.containers {
        let s = &c.security;
        if s.privileged == Some(true) {
            privileged.push(format!("{} is privileged", c.name));
        }
        let extra: Vec<&String> = s
            .add_capabilities
            .iter()
            .filter(|cap| {
                !BASELINE_CAPS
                    .contains(&cap.trim_start_matches("CAP_").to_ascii_uppercase().as_str())
            })
            .collect();
        if !extra.is_empty() {
            privileged.push(format!(
                "{} adds {}",
                c.name,
                extra
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if s.seccomp.as_ref().is_some_and(|p| p.kind == "Unconfined") {
            privileged.push(format!("{} runs without seccomp", c.name));
        }
        if s.app_armor.as_ref().is_some_and(|p| p.kind == "Unconfined") {
            privileged.push(format!("{} runs without AppArmor", c.name));
        }
    }
    if w.sysctls
        .keys()
        .any(|k| !crate::workload::SAFE_SYSCTLS.contains(&k.as_str()))
    {
        privileged.push("unsafe sysctls (off by default)".into());
    }
    privileged
}

/// What the Restricted Pod Security level refuses in pods that Baseline admits.
fn baseline_reasons(w: &Workload) -> Vec<String> {
    let mut baseline = Vec::new();
    for c in &w.containers {
        let s = &c.security;
        if s.run_as_non_root != Some(true) {
            baseline.push(format!("{} may run as root", c.name));
        }
        if !s
            .drop_capabilities
            .iter()
            .any(|d| d.eq_ignore_ascii_case("ALL"))
        {
            baseline.push(format!("{} keeps the default capabilities", c.name));
        }
        if s.allow_privilege_escalation != Some(false) {
            baseline.push(format!("{} may escalate privileges", c.name));
        }
    }
    baseline
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::PodSecurityLevel;

    fn convert(json: &str) -> (Workload, Report) {
        super::super::run_rules(
            json,
            &[
                super::super::containers::apply,
                super::super::identity::apply,
                apply,
            ],
        )
        .unwrap()
    }

    #[test]
    fn defaults_follow_ecs_and_add_no_privilege() {
        let (w, report) = convert(
            r#"{"containerDefinitions":[{"name":"a","image":"x","user":"1000"},{"name":"b","image":"x","privileged":true},{"name":"c","image":"x","linuxParameters":{"capabilities":{"add":["SYS_ADMIN"]}}}]}"#,
        );
        let [a, b, c] = &w.containers[..] else {
            panic!()
        };
        assert_eq!(a.security.allow_privilege_escalation, Some(false));
        assert_eq!(a.security.run_as_non_root, Some(true));
        assert_eq!(b.security.allow_privilege_escalation, None);
        assert_eq!(c.security.allow_privilege_escalation, None);
        assert!(!w.automount_token, "no task role, no API token");
        assert_eq!(w.pod_security.level, PodSecurityLevel::Privileged);
        assert!(
            w.pod_security
                .reasons
                .iter()
                .any(|r| r.contains("b is privileged")),
            "{:?}",
            w.pod_security.reasons
        );
        assert!(w
            .pod_security
            .reasons
            .iter()
            .any(|r| r.contains("c adds SYS_ADMIN")));
        assert!(report
            .findings
            .iter()
            .any(|f| f.code == Code::PodSecurity && f.message.contains("privileged")));
    }

    #[test]
    fn docker_security_options_are_translated() {
        let (w, report) = convert(
            r#"{"taskRoleArn":"arn:aws:iam::1:role/r","containerDefinitions":[{"name":"a","image":"x","dockerSecurityOptions":["no-new-privileges:false","seccomp=unconfined","apparmor:my-profile","label:type:spc_t","credentialspec:file://x.json"]}]}"#,
        );
        let s = &w.containers[0].security;
        assert_eq!(s.allow_privilege_escalation, Some(true));
        assert_eq!(
            s.seccomp,
            Some(SecurityProfile {
                kind: "Unconfined".into(),
                localhost_profile: None
            })
        );
        assert_eq!(
            s.app_armor,
            Some(SecurityProfile {
                kind: "Localhost".into(),
                localhost_profile: Some("my-profile".into())
            })
        );
        assert_eq!(s.se_linux.get("type").map(String::as_str), Some("spc_t"));
        assert!(w.automount_token, "the task role's pods keep a token");
        assert!(report.findings.iter().any(
            |f| f.code == Code::SecurityOpts && f.pointer.ends_with("/dockerSecurityOptions/4")
        ));
        assert_eq!(w.pod_security.level, PodSecurityLevel::Privileged);
    }

    #[test]
    fn a_task_that_drops_everything_meets_restricted() {
        let (w, _) = convert(
            r#"{"containerDefinitions":[{"name":"a","image":"x","user":"1000","linuxParameters":{"capabilities":{"drop":["ALL"]}}}]}"#,
        );
        assert_eq!(w.pod_security.level, PodSecurityLevel::Restricted);
        assert!(w.pod_security.reasons.is_empty());
    }
}
