//! EKS tomorrow: one control plane, the nodes the pods need (their requests bin-packed, per
//! pool, onto the instance types the estate already runs, or `--instance-types`, keeping the
//! share ECS ran on spot), Fargate pods at the size Fargate bills, the Auto Mode fee when it
//! runs the nodes, and the load balancers ECS used, kept through TargetGroupBindings.

use super::binpack::{self, PerNode, Pod};
use super::ecs_today::{estates, load_balancers, unpriced};
use super::model::{Line, NodePool};
use super::pricer::{trim, Market, Pricer};
use super::settings::CostSettings;
use crate::migration::facts::MoveFacts;
use crate::pricing::PriceKey;
use crate::workload::WorkloadKind;

/// What the EKS add-ons' DaemonSets request on every node (VPC CNI 25m, kube-proxy 100m, the
/// EBS CSI node plugin's three containers 10m and 40 MiB each). Auto Mode runs them off-node.
const SYSTEM_DAEMONS: PerNode = PerNode {
    cpu: 155,
    memory: 120,
    pods: 3,
};

pub(super) fn assumptions(settings: &CostSettings) -> Vec<String> {
    let system = if settings.auto_mode {
        "Auto Mode runs the CNI, kube-proxy and EBS driver off the nodes".to_string()
    } else {
        format!("every node keeps the EKS AMI's kubelet reservation and the add-ons' DaemonSets ({}m CPU, {} MiB, {} pods)", SYSTEM_DAEMONS.cpu, SYSTEM_DAEMONS.memory, SYSTEM_DAEMONS.pods)
    };
    vec![
        system,
        "one EKS cluster per environment, on standard support".into(),
        "pools are packed apart: the stateful tier keeps its own on-demand nodes as on ECS, and spot and on-demand replicas keep ECS's split".into(),
        "scheduled tasks run briefly and are left out on both sides".into(),
        "a pod without a CPU or memory request is packed as requesting none of it".into(),
    ]
}

pub(super) fn lines(
    charts: &[&MoveFacts],
    pricer: &Pricer,
    settings: &CostSettings,
    warnings: &mut Vec<String>,
) -> (Vec<Line>, Vec<NodePool>) {
    let mut node_pools = Vec::new();
    let mut out = vec![pricer.line(
        "EKS control plane (standard support)".into(),
        1.0,
        "cluster",
        &PriceKey::EksCluster,
        Market::OnDemand,
    )];
    let extended = pricer
        .book
        .price(pricer.region, &PriceKey::EksExtendedSupport)
        .map_or("$0.60".to_string(), |p| format!("${}", p.usd_per_hour));
    warnings.push(format!("a cluster created through CloudFormation or CDK gets extended support ({extended} per hour instead of standard) unless its upgrade policy says supportType: STANDARD"));
    let pools = pools(charts, pricer, &mut out);
    let daemons = daemon_requests(charts, settings);
    let fallback: Vec<String> = estates(charts)
        .iter()
        .flat_map(|e| e.groups.iter().flat_map(|g| g.instance_types.clone()))
        .collect();
    for pool in pools.iter().filter(|p| !p.pods.is_empty()) {
        let candidates = if !settings.instance_types.is_empty() {
            settings.instance_types.clone()
        } else if !pool.types.is_empty() {
            dedup(pool.types.clone())
        } else {
            dedup(fallback.clone())
        };
        let fit = Fit {
            candidates: &candidates,
            daemons,
            pricer,
            auto_mode: settings.auto_mode,
        };
        let (lines, chosen) = pool_lines(pool, &fit, warnings);
        out.extend(lines);
        let mut charts: Vec<String> = pool.pods.iter().map(|p| p.chart.clone()).collect();
        charts.dedup();
        node_pools.push(NodePool {
            name: pool.key,
            capacity_type: match pool.market {
                Market::OnDemand => "on-demand",
                Market::Spot => "spot",
            },
            instance_types: candidates,
            chosen: chosen.as_ref().map(|c| c.0.clone()),
            nodes: chosen.map(|c| c.1),
            charts,
            zones: pool.zones.clone(),
        });
    }
    out.extend(load_balancers(charts, pricer));
    (out, node_pools)
}

/// Pods that share nodes, and the instance types ECS ran them on.
struct Pool {
    key: &'static str,
    name: &'static str,
    /// Zones its pods' volumes are in (a stateful pod runs where its volume is).
    zones: Vec<String>,
    market: Market,
    pods: Vec<Pod>,
    types: Vec<String>,
}

/// How a pool is fitted onto nodes.
struct Fit<'a> {
    candidates: &'a [String],
    daemons: PerNode,
    pricer: &'a Pricer<'a>,
    auto_mode: bool,
}

/// Each running chart's pods by pool: Fargate's priced at once, the stateful tier apart, spot
/// replicas apart from on-demand ones as ECS split them.
fn pools(charts: &[&MoveFacts], pricer: &Pricer, out: &mut Vec<Line>) -> [Pool; 3] {
    let pool = |key, name, market| Pool {
        key,
        name,
        zones: vec![],
        market,
        pods: vec![],
        types: vec![],
    };
    let mut pools = [
        pool("stateful", "on-demand nodes, stateful", Market::OnDemand),
        pool("on-demand", "on-demand nodes", Market::OnDemand),
        pool("spot", "spot nodes", Market::Spot),
    ];
    for f in charts
        .iter()
        .filter(|f| !f.scheduled && f.kind != WorkloadKind::DaemonSet)
    {
        let compute = crate::migration::compute::of(f);
        if compute.recommendation == "fargate" {
            out.extend(fargate_pods(f, &compute, pricer));
            continue;
        }
        let spot = if compute.recommendation == "spot" {
            f.replicas * f.spot_percent / 100
        } else {
            0
        };
        let stateful = !f.instance_volumes.is_empty() || !f.other_data.is_empty();
        let pod = Pod {
            chart: f.chart.clone(),
            cpu: f.cpu_millicores.unwrap_or(0),
            memory: f.memory_mib.unwrap_or(0),
        };
        for (i, n) in [(usize::from(!stateful), f.replicas - spot), (2, spot)] {
            let pool = &mut pools[i];
            pool.pods
                .extend(std::iter::repeat_n(pod.clone(), n.max(0) as usize));
            if n > 0 {
                pool.types.extend(f.ecs_instance_types.iter().cloned());
                for zone in f
                    .instance_volumes
                    .iter()
                    .filter_map(|(_, v)| v.zone.clone())
                {
                    if !pool.zones.contains(&zone) {
                        pool.zones.push(zone);
                    }
                }
            }
        }
    }
    pools
}

/// The DaemonSet pods every node runs: the estate's daemons and the add-ons'.
fn daemon_requests(charts: &[&MoveFacts], settings: &CostSettings) -> PerNode {
    let mut per_node = if settings.auto_mode {
        PerNode::default()
    } else {
        SYSTEM_DAEMONS
    };
    for f in charts.iter().filter(|f| f.kind == WorkloadKind::DaemonSet) {
        per_node.cpu += f.cpu_millicores.unwrap_or(0);
        per_node.memory += f.memory_mib.unwrap_or(0);
        per_node.pods += 1;
    }
    per_node
}

fn dedup(mut types: Vec<String>) -> Vec<String> {
    let mut seen = Vec::new();
    types.retain(|t| {
        let new = !seen.contains(t);
        seen.push(t.clone());
        new
    });
    types
}

/// The cheapest way to hold the pool's pods on one of the candidate types.
fn pool_lines(
    pool: &Pool,
    fit: &Fit,
    warnings: &mut Vec<String>,
) -> (Vec<Line>, Option<(String, i64)>) {
    let (name, market, pods, pricer) = (pool.name, pool.market, &pool.pods, fit.pricer);
    let charts = summary(pods);
    let mut best: Option<Line> = None;
    let mut chosen = String::new();
    for t in fit.candidates {
        let Some(spec) = pricer.book.spec(t) else {
            warnings.push(format!("{name}: no size known for {t}; not considered (give a --prices file that lists it)"));
            continue;
        };
        let n = match binpack::nodes(pods, spec, fit.daemons) {
            Ok(n) => n,
            Err(pod) => {
                warnings.push(format!(
                    "{name}: a pod of {} ({}m CPU, {} MiB) fits no {t} node",
                    pod.chart, pod.cpu, pod.memory
                ));
                continue;
            }
        };
        let item = format!("{name}: {t} ({charts})");
        let line = pricer.line(
            item,
            n as f64,
            "instance",
            &PriceKey::Instance(t.clone()),
            market,
        );
        let cheaper = match (&best, line.monthly) {
            (None, _) => true,
            (Some(b), Some(m)) => b.monthly.is_none_or(|bm| m < bm),
            (Some(_), None) => false,
        };
        if cheaper {
            best = Some(line);
            chosen = t.clone();
        }
    }
    let Some(nodes) = best else {
        return (
            vec![unpriced(
                format!("{name} ({charts})"),
                "no instance type known to hold its pods; pass --instance-types",
            )],
            None,
        );
    };
    let mut out = vec![];
    if fit.auto_mode {
        out.push(pricer.line(
            format!(
                "{name}: EKS Auto Mode fee on {} × {chosen}",
                trim(nodes.quantity)
            ),
            nodes.quantity,
            "instance",
            &PriceKey::AutoModeFee(chosen.clone()),
            Market::OnDemand,
        ));
    }
    let chosen = (chosen, nodes.quantity as i64);
    out.insert(0, nodes);
    (out, Some(chosen))
}

/// `web ×3, worker ×2`.
fn summary(pods: &[Pod]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for p in pods {
        match counts.iter_mut().find(|(c, _)| *c == p.chart) {
            Some(c) => c.1 += 1,
            None => counts.push((&p.chart, 1)),
        }
    }
    counts
        .iter()
        .map(|(c, n)| format!("{c} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn fargate_pods(
    f: &MoveFacts,
    compute: &crate::migration::compute::Compute,
    pricer: &Pricer,
) -> Vec<Line> {
    let (Some(cpu), Some(memory)) = (
        compute.fargate.billed_cpu_millicores,
        compute.fargate.billed_memory_mib,
    ) else {
        return vec![];
    };
    let what = format!("{}: Fargate pods", f.chart);
    pricer
        .fargate(
            &what,
            f.replicas,
            (cpu, memory),
            " billed",
            Market::OnDemand,
        )
        .to_vec()
}
