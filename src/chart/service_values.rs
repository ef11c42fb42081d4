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
            Some("Create the SecurityGroupPolicy (needs security groups for pods in the VPC CNI)"),
            Node::Bool(false),
        )
        .with(
            "groupIds",
            Some("Security group IDs (from the ECS service's network configuration)"),
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
