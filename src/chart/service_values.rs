//! Values that come from the ECS service beyond replicas and load balancers: a preference for
//! spot nodes, Service Connect alias ports, and the security groups of the tasks.

use crate::workload::{IngressHost, IngressPath, Workload};
use crate::yaml::Node;

/// The node labels that mark spot capacity: Karpenter's and EKS managed node groups'. Both are
/// preferred with the ECS spot share, so the pods land on spot where there is some and on
/// demand where there is not, whichever provisioner the cluster uses.
pub(crate) fn spot_preference(w: &Workload) -> Option<Node> {
    let weight = w.spot_weight?;
    let term = |key: &str, value: &str| {
        Node::map().set("weight", Node::Int(weight)).set(
            "preference",
            Node::map().set(
                "matchExpressions",
                Node::Seq(vec![Node::map()
                    .set("key", Node::str(key))
                    .set("operator", Node::str("In"))
                    .set("values", Node::Seq(vec![Node::str(value)]))]),
            ),
        )
    };
    Some(Node::Seq(vec![
        term("karpenter.sh/capacity-type", "spot"),
        term("eks.amazonaws.com/capacityType", "SPOT"),
    ]))
}

pub(crate) fn alias_ports(w: &Workload) -> impl Iterator<Item = Node> + '_ {
    w.alias_ports.iter().map(|alias| {
        Node::map()
            .set("name", Node::str(&alias.name))
            .set("port", Node::Int(i64::from(alias.port)))
            .set("targetPort", Node::str(&alias.target_port))
            .set("protocol", Node::str("TCP"))
    })
}

pub(crate) fn security_group_policy(w: &Workload) -> Node {
    Node::map()
        .set("enabled", Node::Bool(false))
        .set("groupIds", Node::string_seq(&w.security_groups))
}

/// The ALB's settings as controller annotations; without a stack describing the ALB, an
/// internal load balancer with IP targets, the safe default for a service that was private.
pub(crate) fn ingress_annotations(w: &Workload) -> Node {
    if w.ingress.annotations.is_empty() {
        return Node::map()
            .set("alb.ingress.kubernetes.io/scheme", Node::str("internal"))
            .set("alb.ingress.kubernetes.io/target-type", Node::str("ip"));
    }
    Node::string_map(&w.ingress.annotations)
}

pub(crate) fn ingress_hosts(w: &Workload) -> Node {
    let catch_all = [IngressHost {
        host: String::new(),
        paths: vec![IngressPath {
            path: "/".to_string(),
            path_type: "Prefix".to_string(),
        }],
    }];
    let hosts = if w.ingress.hosts.is_empty() {
        &catch_all[..]
    } else {
        &w.ingress.hosts[..]
    };
    Node::Seq(
        hosts
            .iter()
            .map(|host| {
                let paths = host
                    .paths
                    .iter()
                    .map(|p| {
                        Node::map()
                            .set("path", Node::str(&p.path))
                            .set("pathType", Node::str(&p.path_type))
                    })
                    .collect();
                Node::map()
                    .set("host", Node::str(&host.host))
                    .set("paths", Node::Seq(paths))
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
    let window = |seconds: i64| Node::map().set("stabilizationWindowSeconds", Node::Int(seconds));
    let mut behavior = Node::map();
    if let Some(up) = a.scale_up_window {
        behavior = behavior.set("scaleUp", window(up));
    }
    if a.scale_down_disabled {
        behavior = behavior.set(
            "scaleDown",
            Node::map().set("selectPolicy", Node::str("Disabled")),
        );
    } else if let Some(down) = a.scale_down_window {
        behavior = behavior.set("scaleDown", window(down));
    }
    behavior
}

/// The Service, the cut-over binding, the Ingress and the autoscaler.
pub(crate) fn sections(w: &Workload, node: Node) -> Node {
    let node = node.set("service", service(w));
    // Only a service clients found through Cloud Map has a name to keep.
    let node = match w.discovery_names.first() {
        Some(hostname) => node.set(
            "cloudMap",
            Node::map()
                .set("publish", Node::Bool(false))
                .set("hostname", Node::str(hostname)),
        ),
        None => node,
    };
    node.set("securityGroupPolicy", security_group_policy(w))
        .set("targetGroupBinding", target_group_binding(w))
        .set("ingress", ingress(w))
        .set("autoscaling", autoscaling(w))
}

fn service(w: &Workload) -> Node {
    let s = |text: &str| Node::str(text);
    let ports = w
        .ports()
        .map(|p| {
            let port = Node::map()
                .set("name", s(&p.name))
                .set(
                    "port",
                    super::container_values::deferred_number(&p.container_port),
                )
                .set("targetPort", s(&p.name))
                .set("protocol", s(&p.protocol.to_string()));
            match &p.app_protocol {
                Some(app) => port.set("appProtocol", s(app)),
                None => port,
            }
        })
        .chain(alias_ports(w))
        .collect();
    Node::map()
        .set(
            "enabled",
            Node::Bool(!super::kinds::runs_to_completion(w.kind)),
        )
        .set("type", s("ClusterIP"))
        .set("annotations", Node::map())
        .set("headless", Node::Bool(w.headless))
        .set("ports", Node::Seq(ports))
}

fn target_group_binding(w: &Workload) -> Node {
    let arn = w
        .target_group
        .as_ref()
        .and_then(|t| t.binding_arn())
        .unwrap_or("");
    Node::map()
        .set("enabled", Node::Bool(false))
        .set("targetGroupARN", Node::str(arn))
        .set(
            "port",
            w.target_group.as_ref().map_or(Node::Int(0), |t| {
                super::container_values::deferred_number(&t.port)
            }),
        )
        .set(
            "targetType",
            Node::str(w.target_group.as_ref().map_or("ip", |t| t.target_type)),
        )
        .set("multiClusterTargetGroup", Node::Bool(true))
}

fn ingress(w: &Workload) -> Node {
    Node::map()
        // Off when the service had a load balancer: installing must not create a second one; the
        // binding is the cut-over, and the README says how to move to an Ingress-owned ALB.
        .set(
            "enabled",
            Node::Bool(w.ingress_port.is_some() && w.target_group.is_none()),
        )
        .set("className", Node::str("alb"))
        .set("annotations", ingress_annotations(w))
        .set("hosts", ingress_hosts(w))
        .set(
            "servicePort",
            w.ingress_port
                .as_ref()
                .map_or(Node::Int(0), super::container_values::deferred_number),
        )
        .set("tls", Node::Seq(vec![]))
}

fn autoscaling(w: &Workload) -> Node {
    let scaling = w.autoscaling.as_ref();
    Node::map()
        .set("enabled", Node::Bool(scaling.is_some_and(|a| a.enabled)))
        .set("minReplicas", Node::Int(scaling.map_or(1, |a| a.min)))
        .set("maxReplicas", Node::Int(scaling.map_or(5, |a| a.max)))
        .set(
            "targetCPUUtilizationPercentage",
            Node::Int(scaling.map_or(80, |a| a.cpu_percent.unwrap_or(0))),
        )
        .set(
            "targetMemoryUtilizationPercentage",
            Node::Int(scaling.map_or(0, |a| a.memory_percent.unwrap_or(0))),
        )
        .set("behavior", autoscaling_behavior(w))
}
