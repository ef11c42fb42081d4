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
