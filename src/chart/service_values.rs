//! Values that come from the ECS service beyond replicas and load balancers: a preference for
//! spot nodes, Service Connect alias ports, and the security groups of the tasks.

use crate::workload::Workload;
use crate::yaml::Node;

/// The node labels that mark spot capacity: Karpenter's and EKS managed node groups'. Both are
/// preferred with the ECS spot share, so the pods land on spot where there is some and on
/// demand where there is not, whichever provisioner the cluster uses.
pub(crate) fn spot_preference(w: &Workload) -> Option<Node> {
    let weight = w.spot_weight?;
    let term = |key: &str, value: &str| {
        Node::map().with("weight", None, Node::Int(weight)).with(
            "preference",
            None,
            Node::map().with(
                "matchExpressions",
                None,
                Node::Seq(vec![Node::map()
                    .with("key", None, Node::str(key))
                    .with("operator", None, Node::str("In"))
                    .with("values", None, Node::Seq(vec![Node::str(value)]))]),
            ),
        )
    };
    Some(Node::Seq(vec![
        term("karpenter.sh/capacity-type", "spot"),
        term("eks.amazonaws.com/capacityType", "SPOT"),
    ]))
}

pub(crate) fn alias_ports(w: &Workload) -> impl Iterator<Item = Node> + '_ {
    w.alias_ports.iter().map(|(name, port, target)| {
        Node::map()
            .with("name", None, Node::str(name))
            .with("port", None, Node::Int(i64::from(*port)))
            .with("targetPort", None, Node::str(target))
            .with("protocol", None, Node::str("TCP"))
    })
}

pub(crate) fn security_group_policy(w: &Workload) -> Node {
    Node::map()
        .with(
            "enabled",
            None,
            Node::Bool(false),
        )
        .with(
            "groupIds",
            None,
            Node::string_seq(&w.security_groups),
        )
}

/// The ALB's settings as controller annotations; without a stack describing the ALB, an
/// internal load balancer with IP targets, the safe default for a service that was private.
pub(crate) fn ingress_annotations(w: &Workload) -> Node {
    if w.ingress.annotations.is_empty() {
        return Node::map()
            .with(
                "alb.ingress.kubernetes.io/scheme",
                None,
                Node::str("internal"),
            )
            .with(
                "alb.ingress.kubernetes.io/target-type",
                None,
                Node::str("ip"),
            );
    }
    Node::string_map(&w.ingress.annotations)
}

pub(crate) fn ingress_hosts(w: &Workload) -> Node {
    let catch_all = [(String::new(), vec![("/".to_string(), "Prefix".to_string())])];
    let hosts = if w.ingress.hosts.is_empty() {
        &catch_all[..]
    } else {
        &w.ingress.hosts[..]
    };
    Node::Seq(
        hosts
            .iter()
            .map(|(host, paths)| {
                let paths = paths
                    .iter()
                    .map(|(path, kind)| {
                        Node::map().with("path", None, Node::str(path)).with(
                            "pathType",
                            None,
                            Node::str(kind),
                        )
                    })
                    .collect();
                Node::map().with("host", None, Node::str(host)).with(
                    "paths",
                    None,
                    Node::Seq(paths),
                )
            })
            .collect(),
    )
}

/// ECS cooldowns as HPA stabilization windows: Kubernetes' defaults (0 up, 300 down) stay
/// unless the service said otherwise.
pub(crate) fn autoscaling_behavior(w: &Workload) -> Node {
    let Some(a) = &w.autoscaling else {
        return Node::map();
    };
    let window =
        |seconds: i64| Node::map().with("stabilizationWindowSeconds", None, Node::Int(seconds));
    let mut behavior = Node::map();
    if let Some(up) = a.scale_up_window {
        behavior = behavior.with("scaleUp", None, window(up));
    }
    if a.scale_down_disabled {
        behavior = behavior.with(
            "scaleDown",
            None,
            Node::map().with("selectPolicy", None, Node::str("Disabled")),
        );
    } else if let Some(down) = a.scale_down_window {
        behavior = behavior.with("scaleDown", None, window(down));
    }
    behavior
}

/// The Service, the cut-over binding, the Ingress and the autoscaler.
pub(crate) fn sections(w: &Workload, node: Node) -> Node {
    let s = |text: &str| Node::str(text);
    let service_ports = Node::Seq(
        w.ports()
            .map(|p| {
                let mut port = Node::map()
                    .with("name", None, s(&p.name))
                    .with("port", None, Node::Int(i64::from(p.container_port)))
                    .with("targetPort", None, s(&p.name))
                    .with("protocol", None, s(p.protocol));
                if let Some(app) = &p.app_protocol {
                    port = port.with("appProtocol", None, s(app));
                }
                port
            })
            .chain(super::service_values::alias_ports(w))
            .collect(),
    );
    node
        .with(
            "service",
            None,
            Node::map()
                .with("enabled", None, Node::Bool(!super::kinds::runs_to_completion(w.kind)))
                .with("type", None, s("ClusterIP"))
                .with("annotations", None, Node::map())
                .with(
                    "headless",
                    None,
                    Node::Bool(w.headless),
                )
                .with("ports", None, service_ports),
        )
        .with("securityGroupPolicy", None, super::service_values::security_group_policy(w))
        .with(
            "targetGroupBinding",
            None,
            Node::map()
                .with("enabled", None, Node::Bool(false))
                .with("targetGroupARN", None, s(w.target_group.as_ref().filter(|t| t.is_arn).map_or("", |t| t.name.as_str())))
                .with("port", None, Node::Int(w.target_group.as_ref().map_or(0, |t| i64::from(t.port))))
                .with("targetType", None, s("ip"))
                .with("multiClusterTargetGroup", None, Node::Bool(true)),
        )
        .with(
            "ingress",
            None,
            Node::map()
                .with("enabled", None, Node::Bool(w.ingress_port.is_some()))
                .with("className", None, s("alb"))
                .with("annotations", None, super::service_values::ingress_annotations(w))
                .with("hosts", None, super::service_values::ingress_hosts(w))
                .with(
                    "servicePort",
                    None,
                    Node::Int(w.ingress_port.map_or(0, i64::from)),
                )
                .with("tls", None, Node::Seq(vec![])),
        )
        .with(
            "autoscaling",
            None,
            Node::map()
                .with("enabled", None, Node::Bool(w.autoscaling.is_some()))
                .with("minReplicas", None, Node::Int(w.autoscaling.as_ref().map_or(1, |a| a.min)))
                .with("maxReplicas", None, Node::Int(w.autoscaling.as_ref().map_or(5, |a| a.max)))
                .with(
                    "targetCPUUtilizationPercentage",
                    None,
                    Node::Int(w.autoscaling.as_ref().map_or(80, |a| a.cpu_percent.unwrap_or(0))),
                )
                .with(
                    "targetMemoryUtilizationPercentage",
                    None,
                    Node::Int(w.autoscaling.as_ref().map_or(0, |a| a.memory_percent.unwrap_or(0))),
                )
                .with("behavior", None, super::service_values::autoscaling_behavior(w)),
        )
}
