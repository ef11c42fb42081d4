//! platform/: what the cluster needs before the charts, derived from the plan. The
//! StorageClass claims use (the default class, gp3, encrypted, bound where the pod lands), a
//! node pool per capacity tier the bill packed (Karpenter `NodePool`s with their
//! `EC2NodeClass`, or EKS Auto Mode's own), and an eksctl Fargate profile for the charts the
//! plan sends to Fargate. Values only the cluster's owner knows are `${…}` placeholders, named
//! in each file's header.

use super::cost::model::NodePool;
use super::model::{EnvironmentPlan, MigrationPlan};
use crate::yaml::Node;

/// The folder beside the charts; `_platform` when a chart takes that name (no chart name has
/// an underscore).
pub(crate) const DIR: &str = "platform";
const DIR_BESIDE_A_CHART_NAMED_PLATFORM: &str = "_platform";
/// Every file this stage may write in an environment's folder (stale ones are removed).
pub(crate) const FILES: [&str; 4] = [
    "storageclass.yaml",
    "nodepools.yaml",
    "nodepools-auto-mode.yaml",
    "fargate-profile.yaml",
];
/// The label each pool puts on its nodes, so a chart can select a tier.
const TIER_LABEL: &str = "ecs-import/tier";

/// The files, by path below the output folder: `platform/` for one environment,
/// `platform/<env>/` for several.
pub(crate) fn files(plan: &MigrationPlan, auto_mode: bool) -> Vec<(String, String)> {
    let several = plan.environments.len() > 1;
    let root = dir(plan);
    let mut out = Vec::new();
    for env in &plan.environments {
        let dir = if several {
            format!("{root}/{}", env.name)
        } else {
            root.to_string()
        };
        out.push((format!("{dir}/storageclass.yaml"), storage_class(auto_mode)));
        let pools = &env.cost.node_pools;
        if !pools.is_empty() {
            let (name, text) = if auto_mode {
                ("nodepools-auto-mode.yaml", auto_mode_pools(env, pools))
            } else {
                ("nodepools.yaml", karpenter_pools(env, pools))
            };
            out.push((format!("{dir}/{name}"), text));
        }
        if let Some(text) = fargate_profile(env) {
            out.push((format!("{dir}/fargate-profile.yaml"), text));
        }
    }
    out
}

/// Where the platform files of this plan go.
pub(crate) fn dir(plan: &MigrationPlan) -> &'static str {
    let taken = plan
        .environments
        .iter()
        .flat_map(|e| &e.services)
        .any(|s| s.chart == DIR);
    if taken {
        DIR_BESIDE_A_CHART_NAMED_PLATFORM
    } else {
        DIR
    }
}

fn header(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("# {l}\n")).collect()
}

fn documents(docs: &[Node]) -> String {
    docs.iter()
        .map(|d| format!("---\n{}", crate::yaml::to_string(d)))
        .collect()
}

fn s(text: &str) -> Node {
    Node::str(text)
}

fn storage_class(auto_mode: bool) -> String {
    let provisioner = if auto_mode {
        "ebs.csi.eks.amazonaws.com"
    } else {
        "ebs.csi.aws.com"
    };
    let class = Node::map()
        .set("apiVersion", s("storage.k8s.io/v1"))
        .set("kind", s("StorageClass"))
        .set(
            "metadata",
            Node::map().set("name", s("gp3")).set(
                "annotations",
                Node::map().set("storageclass.kubernetes.io/is-default-class", s("true")),
            ),
        )
        .set("provisioner", s(provisioner))
        .set("volumeBindingMode", s("WaitForFirstConsumer"))
        .set("allowVolumeExpansion", Node::Bool(true))
        .set("reclaimPolicy", s("Retain"))
        .set(
            "parameters",
            Node::map()
                .set("type", s("gp3"))
                .set("encrypted", s("true")),
        );
    header(&[
        "The cluster's default StorageClass: the charts' claims name none, so they get this one.",
        "gp3 and encrypted like the ECS volumes; WaitForFirstConsumer creates each volume in the",
        "zone its pod is scheduled to; Retain keeps the data when a claim is deleted.",
        "Apply once per cluster: kubectl apply -f storageclass.yaml",
    ]) + &documents(&[class])
}

fn requirements(pool: &NodePool) -> Node {
    let requirement = |key: &str, values: &[String]| {
        Node::map()
            .set("key", s(key))
            .set("operator", s("In"))
            .set("values", Node::string_seq(values))
    };
    let mut list = vec![
        requirement(
            "karpenter.sh/capacity-type",
            &[pool.capacity_type.to_string()],
        ),
        requirement("node.kubernetes.io/instance-type", &pool.instance_types),
    ];
    if !pool.zones.is_empty() {
        list.push(requirement("topology.kubernetes.io/zone", &pool.zones));
    }
    Node::Seq(list)
}

/// A NodePool for one tier; `class` is the node class reference.
fn node_pool(pool: &NodePool, class: Node) -> Node {
    // Stateful nodes hold volumes: consolidate them only when empty.
    let (policy, after) = if pool.name == "stateful" {
        ("WhenEmpty", "30m")
    } else {
        ("WhenEmptyOrUnderutilized", "1m")
    };
    Node::map()
        .set("apiVersion", s("karpenter.sh/v1"))
        .set("kind", s("NodePool"))
        .set("metadata", Node::map().set("name", s(pool.name)))
        .set(
            "spec",
            Node::map()
                .set(
                    "template",
                    Node::map()
                        .set(
                            "metadata",
                            Node::map().set("labels", Node::map().set(TIER_LABEL, s(pool.name))),
                        )
                        .set(
                            "spec",
                            Node::map()
                                .set("nodeClassRef", class)
                                .set("requirements", requirements(pool)),
                        ),
                )
                .set(
                    "disruption",
                    Node::map()
                        .set("consolidationPolicy", s(policy))
                        .set("consolidateAfter", s(after)),
                ),
        )
}

fn pool_lines(pools: &[NodePool]) -> Vec<String> {
    pools
        .iter()
        .map(|p| {
            format!(
                "{}: {} nodes of {} for {} (the bill priced {} × {})",
                p.name,
                p.capacity_type,
                p.instance_types.join(", "),
                p.charts.join(", "),
                p.nodes.unwrap_or(0),
                p.chosen.as_deref().unwrap_or("no type")
            )
        })
        .collect()
}

fn karpenter_pools(env: &EnvironmentPlan, pools: &[NodePool]) -> String {
    let class_ref = Node::map()
        .set("group", s("karpenter.k8s.aws"))
        .set("kind", s("EC2NodeClass"))
        .set("name", s("default"));
    let selector = || {
        Node::Seq(vec![Node::map().set(
            "tags",
            Node::map().set("karpenter.sh/discovery", s("${CLUSTER_NAME}")),
        )])
    };
    let class = Node::map()
        .set("apiVersion", s("karpenter.k8s.aws/v1"))
        .set("kind", s("EC2NodeClass"))
        .set("metadata", Node::map().set("name", s("default")))
        .set(
            "spec",
            Node::map()
                .set("role", s("${KARPENTER_NODE_ROLE}"))
                .set(
                    "amiSelectorTerms",
                    Node::Seq(vec![Node::map().set("alias", s("al2023@latest"))]),
                )
                .set("subnetSelectorTerms", selector())
                .set("securityGroupSelectorTerms", selector()),
        );
    let mut docs: Vec<Node> = pools
        .iter()
        .map(|p| node_pool(p, class_ref.clone()))
        .collect();
    docs.push(class);
    let mut lines = vec![
        format!(
            "Karpenter node pools for environment {}: one per capacity tier ECS ran,",
            env.name
        ),
        "with the instance types the estate's Auto Scaling groups used.".to_string(),
    ];
    lines.extend(pool_lines(pools));
    lines.push(
        "Placeholders to set: ${CLUSTER_NAME} (the tag Karpenter discovers subnets and".into(),
    );
    lines.push("security groups by), ${KARPENTER_NODE_ROLE} (the nodes' IAM role).".into());
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    header(&lines) + &documents(&docs)
}

fn auto_mode_pools(env: &EnvironmentPlan, pools: &[NodePool]) -> String {
    let class_ref = Node::map()
        .set("group", s("eks.amazonaws.com"))
        .set("kind", s("NodeClass"))
        .set("name", s("default"));
    let docs: Vec<Node> = pools
        .iter()
        .map(|p| node_pool(p, class_ref.clone()))
        .collect();
    let mut lines = vec![
        format!(
            "EKS Auto Mode node pools for environment {}: one per capacity tier ECS",
            env.name
        ),
        "ran, on Auto Mode's built-in NodeClass `default`, with the estate's instance types."
            .to_string(),
    ];
    lines.extend(pool_lines(pools));
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    header(&lines) + &documents(&docs)
}

fn fargate_profile(env: &EnvironmentPlan) -> Option<String> {
    let charts: Vec<&str> = env
        .services
        .iter()
        .filter(|s| s.compute.recommendation == "fargate")
        .map(|s| s.chart.as_str())
        .collect();
    if charts.is_empty() {
        return None;
    }
    let mut metadata = Node::map().set("name", s("${CLUSTER_NAME}"));
    metadata = metadata.set("region", s(&env.cost.region));
    let profile = Node::map()
        .set("apiVersion", s("eksctl.io/v1alpha5"))
        .set("kind", s("ClusterConfig"))
        .set("metadata", metadata)
        .set(
            "fargateProfiles",
            Node::Seq(vec![Node::map().set("name", s("ecs-import")).set(
                "selectors",
                Node::Seq(vec![Node::map()
                    .set("namespace", s("${NAMESPACE}"))
                    .set("labels", Node::map().set("compute", s("fargate")))]),
            )]),
        );
    let first = format!(
        "An eksctl ClusterConfig fragment for environment {}: a Fargate profile selecting pods",
        env.name
    );
    let charts_line = format!(
        "labelled compute=fargate, the label these charts add with --set compute.target=fargate: {}.",
        charts.join(", ")
    );
    Some(
        header(&[
            &first,
            &charts_line,
            "Fargate runs them in private subnets only. Apply: eksctl create fargateprofile -f fargate-profile.yaml",
            "Placeholders to set: ${CLUSTER_NAME}, ${NAMESPACE} (where the charts are installed).",
        ]) + &documents(&[profile]),
    )
}
