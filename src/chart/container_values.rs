//! One container's values: image, command, environment, resources, probes, security context
//! and mounts, each documented, in the names of the Kubernetes container spec.

use crate::workload::{Container, Probe};
use crate::yaml::Node;

fn s(text: &str) -> Node {
    Node::str(text)
}

fn probe_node(probe: Option<&Probe>, kind: &str) -> Node {
    let enabled = match (probe, kind) {
        (None, _) => false,
        (Some(p), "liveness") => p.liveness,
        (Some(p), "startup") => p.startup_failure_threshold.is_some(),
        (Some(_), _) => true,
    };
    let mut node = Node::map().with("enabled", None, Node::Bool(enabled));
    if let Some(p) = probe {
        let failure = if kind == "startup" {
            p.startup_failure_threshold.unwrap_or(p.failure_threshold)
        } else {
            p.failure_threshold
        };
        node = node
            .with(
                "exec",
                None,
                Node::map().with("command", None, Node::string_seq(&p.command)),
            )
            .with("periodSeconds", None, Node::Int(p.period_seconds))
            .with("timeoutSeconds", None, Node::Int(p.timeout_seconds))
            .with("failureThreshold", None, Node::Int(failure));
    }
    node
}

pub(super) fn container_node(c: &Container) -> Node {
    let image = image_node(c);
    let ports = Node::Seq(
        c.ports
            .iter()
            .map(|p| {
                // appProtocol belongs to Service ports; a container port has none.
                Node::map()
                    .with("name", None, s(&p.name))
                    .with(
                        "containerPort",
                        None,
                        Node::Int(i64::from(p.container_port)),
                    )
                    .with("protocol", None, s(p.protocol))
            })
            .collect(),
    );
    let resources = Node::map()
        .with("requests", None, Node::string_map(&c.requests))
        .with("limits", None, Node::string_map(&c.limits));
    let security = security_node(c);
    let mounts = Node::Seq(
        c.mounts
            .iter()
            .map(|m| {
                Node::map()
                    .with("name", None, s(&m.volume))
                    .with("mountPath", None, s(&m.mount_path))
                    .with("readOnly", None, Node::Bool(m.read_only))
            })
            .collect(),
    );
    let mut node = Node::map();
    if c.disabled {
        node = node.with(
            "enabled",
            None,
            Node::Bool(false),
        );
    }
    if c.ignore_failure_switch {
        node = node.with(
            "ignoreFailure",
            None,
            Node::Bool(false),
        );
    }
    node.with(
            "kind",
            None,
            s(c.kind.as_str()),
        )
        .with("image", None, image)
        .with(
            "command",
            None,
            Node::string_seq(&c.command),
        )
        .with(
            "args",
            None,
            Node::string_seq(&c.args),
        )
        .with(
            "workingDir",
            None,
            s(c.working_dir.as_deref().unwrap_or("")),
        )
        .with(
            "env",
            None,
            Node::string_map(&c.env),
        )
        .with(
            "extraEnv",
            None,
            Node::Seq(vec![]),
        )
        .with(
            "secretEnv",
            None,
            Node::string_map(&c.secret_env),
        )
        .with(
            "envFrom",
            None,
            Node::Seq(
                c.env_from
                    .iter()
                    .map(|name| Node::map().with("configMapRef", None, Node::map().with("name", None, s(name))))
                    .collect(),
            ),
        )
        .with("ports", None, ports)
        .with(
            "resources",
            None,
            resources,
        )
        .with(
            "startupProbe",
            None,
            probe_node(c.probe.as_ref(), "startup"),
        )
        .with(
            "livenessProbe",
            None,
            probe_node(c.probe.as_ref(), "liveness"),
        )
        .with(
            "readinessProbe",
            None,
            probe_node(c.probe.as_ref(), "readiness"),
        )
        .with(
            "securityContext",
            None,
            security,
        )
        .with(
            "lifecycle",
            None,
            Node::map(),
        )
        .with(
            "volumeMounts",
            None,
            mounts,
        )
        .with(
            "stdin",
            None,
            Node::Bool(c.stdin),
        )
        .with(
            "tty",
            None,
            Node::Bool(c.tty),
        )
}

fn image_node(c: &Container) -> Node {
    Node::map()
        .with(
            "registry",
            None,
            s(&c.image.registry),
        )
        .with(
            "repository",
            None,
            s(&c.image.repository),
        )
        .with("tag", None, s(&c.image.tag))
        .with(
            "digest",
            None,
            s(&c.image.digest),
        )
        .with("pullPolicy", None, s("IfNotPresent"))
}

/// The container's security context, with only the fields ECS set.
fn security_node(c: &Container) -> Node {
    let mut security = Node::map();
    if let Some(uid) = c.security.run_as_user {
        security = security.with("runAsUser", None, Node::Int(uid));
    }
    if let Some(gid) = c.security.run_as_group {
        security = security.with("runAsGroup", None, Node::Int(gid));
    }
    if let Some(p) = c.security.privileged {
        security = security.with("privileged", None, Node::Bool(p));
    }
    if let Some(r) = c.security.read_only_root_filesystem {
        security = security.with("readOnlyRootFilesystem", None, Node::Bool(r));
    }
    if !c.security.add_capabilities.is_empty() || !c.security.drop_capabilities.is_empty() {
        let mut caps = Node::map();
        if !c.security.add_capabilities.is_empty() {
            caps = caps.with("add", None, Node::string_seq(&c.security.add_capabilities));
        }
        if !c.security.drop_capabilities.is_empty() {
            caps = caps.with(
                "drop",
                None,
                Node::string_seq(&c.security.drop_capabilities),
            );
        }
        security = security.with("capabilities", None, caps);
    }
    if let Some(v) = c.security.allow_privilege_escalation {
        security = security.with("allowPrivilegeEscalation", None, Node::Bool(v));
    }
    if let Some(v) = c.security.run_as_non_root {
        security = security.with("runAsNonRoot", None, Node::Bool(v));
    }
    let profile = |(kind, local): &(String, Option<String>)| {
        let node = Node::map().with("type", None, s(kind));
        match local {
            Some(l) => node.with("localhostProfile", None, s(l)),
            None => node,
        }
    };
    if let Some(p) = &c.security.seccomp {
        security = security.with("seccompProfile", None, profile(p));
    }
    if let Some(p) = &c.security.app_armor {
        security = security.with("appArmorProfile", None, profile(p));
    }
    if !c.security.se_linux.is_empty() {
        security = security.with(
            "seLinuxOptions",
            None,
            Node::string_map(&c.security.se_linux),
        );
    }
    security
}
