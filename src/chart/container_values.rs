//! One container's values: image, command, environment, resources, probes, security context
//! and mounts, each documented, in the names of the Kubernetes container spec.

use crate::deferred::Deferred;
use crate::workload::{Container, Probe, ProbeAction};
use crate::yaml::Node;

fn s(text: &str) -> Node {
    Node::str(text)
}

/// A number, or the placeholder a template left in its place (a string the schema admits).
pub(super) fn deferred_number<T: Copy + Into<i64>>(value: &Deferred<T>) -> Node {
    match value {
        Deferred::Known(n) => Node::Int((*n).into()),
        Deferred::Placeholder(text) => Node::str(text),
    }
}

fn probe_node(probe: Option<&Probe>, kind: &str) -> Node {
    let enabled = match (probe, kind) {
        (None, _) => false,
        (Some(p), "liveness") => p.liveness,
        (Some(p), "startup") => p.startup_failure_threshold.is_some(),
        (Some(_), _) => true,
    };
    let mut node = Node::map().set("enabled", Node::Bool(enabled));
    if let Some(p) = probe {
        let failure = if kind == "startup" {
            p.startup_failure_threshold.unwrap_or(p.failure_threshold)
        } else {
            p.failure_threshold
        };
        node = action_node(node, &p.action)
            .set("periodSeconds", Node::Int(p.period_seconds))
            .set("timeoutSeconds", Node::Int(p.timeout_seconds))
            .set("failureThreshold", Node::Int(failure));
        if let (Some(success), "readiness") = (p.success_threshold, kind) {
            node = node.set("successThreshold", Node::Int(success));
        }
    }
    node
}

fn action_node(node: Node, action: &ProbeAction) -> Node {
    // A named port stays a string; a number is written as one.
    let port = |p: &str| p.parse::<i64>().map_or_else(|_| Node::str(p), Node::Int);
    match action {
        ProbeAction::Exec(command) => node.set(
            "exec",
            Node::map().set("command", Node::string_seq(command)),
        ),
        ProbeAction::HttpGet {
            path,
            port: at,
            scheme,
        } => node.set(
            "httpGet",
            Node::map()
                .set("path", Node::str(path))
                .set("port", port(at))
                .set("scheme", Node::str(*scheme)),
        ),
        ProbeAction::TcpSocket { port: at } => {
            node.set("tcpSocket", Node::map().set("port", port(at)))
        }
    }
}

pub(super) fn container_node(c: &Container) -> Node {
    let image = image_node(c);
    let ports = Node::Seq(
        c.ports
            .iter()
            .map(|p| {
                // appProtocol belongs to Service ports; a container port has none.
                Node::map()
                    .set("name", s(&p.name))
                    .set("containerPort", deferred_number(&p.container_port))
                    .set("protocol", s(&p.protocol.to_string()))
            })
            .collect(),
    );
    let resources = Node::map()
        .set("requests", Node::string_map(&c.requests))
        .set("limits", Node::string_map(&c.limits));
    let security = security_node(c);
    let mounts = Node::Seq(
        c.mounts
            .iter()
            .map(|m| {
                Node::map()
                    .set("name", s(&m.volume))
                    .set("mountPath", s(&m.mount_path))
                    .set("readOnly", Node::Bool(m.read_only))
            })
            .collect(),
    );
    let mut node = Node::map();
    if c.disabled {
        node = node.set("enabled", Node::Bool(false));
    }
    if c.ignore_failure_switch {
        node = node.set("ignoreFailure", Node::Bool(false));
    }
    node.set("kind", s(c.kind.as_str()))
        .set("image", image)
        .set("command", argv_node(c, "command", &c.command))
        .set("args", argv_node(c, "args", &c.args))
        .set("workingDir", s(c.working_dir.as_deref().unwrap_or("")))
        .set("env", Node::string_map(&c.env))
        .set("extraEnv", Node::Seq(vec![]))
        .set("secretEnv", Node::string_map(&c.secret_env))
        .set(
            "envFrom",
            Node::Seq(
                c.env_from
                    .iter()
                    .map(|name| Node::map().set("configMapRef", Node::map().set("name", s(name))))
                    .collect(),
            ),
        )
        .set("ports", ports)
        .set("resources", resources)
        .set("startupProbe", probe_node(c.probe.as_ref(), "startup"))
        .set("livenessProbe", probe_node(c.probe.as_ref(), "liveness"))
        .set("readinessProbe", probe_node(c.probe.as_ref(), "readiness"))
        .set("securityContext", security)
        .set("lifecycle", lifecycle_node(c))
        .set("volumeMounts", mounts)
        .set("stdin", Node::Bool(c.stdin))
        .set("tty", Node::Bool(c.tty))
}

/// A pause before the stop signal, as a `sleep` handler (no shell or binary in the image needed).
fn lifecycle_node(c: &Container) -> Node {
    match c.pre_stop_sleep {
        Some(seconds) => Node::map().set(
            "preStop",
            Node::map().set("sleep", Node::map().set("seconds", Node::Int(seconds))),
        ),
        None => Node::map(),
    }
}

fn argv_node(c: &Container, key: &str, words: &[String]) -> Node {
    match c.deferred_argv.get(key) {
        Some(placeholder) => Node::str(placeholder),
        None => Node::string_seq(words),
    }
}

fn image_node(c: &Container) -> Node {
    Node::map()
        .set("registry", s(&c.image.registry))
        .set("repository", s(&c.image.repository))
        .set("tag", s(&c.image.tag))
        .set("digest", s(&c.image.digest))
        .set("pullPolicy", s("IfNotPresent"))
}

/// The container's security context, with only the fields ECS set.
fn security_node(c: &Container) -> Node {
    let mut security = Node::map();
    if let Some(uid) = c.security.run_as_user {
        security = security.set("runAsUser", Node::Int(uid));
    }
    if let Some(gid) = c.security.run_as_group {
        security = security.set("runAsGroup", Node::Int(gid));
    }
    if let Some(p) = c.security.privileged {
        security = security.set("privileged", Node::Bool(p));
    }
    if let Some(r) = c.security.read_only_root_filesystem {
        security = security.set("readOnlyRootFilesystem", Node::Bool(r));
    }
    if !c.security.add_capabilities.is_empty() || !c.security.drop_capabilities.is_empty() {
        let mut caps = Node::map();
        if !c.security.add_capabilities.is_empty() {
            caps = caps.set("add", Node::string_seq(&c.security.add_capabilities));
        }
        if !c.security.drop_capabilities.is_empty() {
            caps = caps.set("drop", Node::string_seq(&c.security.drop_capabilities));
        }
        security = security.set("capabilities", caps);
    }
    if let Some(v) = c.security.allow_privilege_escalation {
        security = security.set("allowPrivilegeEscalation", Node::Bool(v));
    }
    if let Some(v) = c.security.run_as_non_root {
        security = security.set("runAsNonRoot", Node::Bool(v));
    }
    let profile = |p: &crate::workload::SecurityProfile| {
        let node = Node::map().set("type", s(&p.kind));
        match &p.localhost_profile {
            Some(l) => node.set("localhostProfile", s(l)),
            None => node,
        }
    };
    if let Some(p) = &c.security.seccomp {
        security = security.set("seccompProfile", profile(p));
    }
    if let Some(p) = &c.security.app_armor {
        security = security.set("appArmorProfile", profile(p));
    }
    if !c.security.se_linux.is_empty() {
        security = security.set("seLinuxOptions", Node::string_map(&c.security.se_linux));
    }
    security
}
