//! ECS today: what the environment's templates keep running. The Auto Scaling groups'
//! instances (desired or minimum count, split on demand and spot as the group's mixed
//! instances policy says), Fargate tasks at their task size (Fargate Spot where the capacity
//! provider strategy says), and the load balancers.

use super::model::Line;
use super::pricer::{Market, Pricer};
use crate::ecs::estate::Estate;
use crate::migration::facts::MoveFacts;
use crate::pricing::PriceKey;

pub(super) fn lines(charts: &[&MoveFacts], pricer: &Pricer) -> Vec<Line> {
    let mut out = Vec::new();
    let found = estates(charts);
    for estate in &found {
        groups(estate, pricer, &mut out);
    }
    let on_instances: Vec<&str> = charts
        .iter()
        .filter(|f| !f.ran_on_fargate && !f.scheduled)
        .map(|f| f.chart.as_str())
        .collect();
    if !on_instances.is_empty() && found.iter().all(|e| e.groups.is_empty()) {
        out.push(unpriced(
            format!("EC2 instances running {}", on_instances.join(", ")),
            "the input names no Auto Scaling group; give the cluster's CloudFormation template to count them",
        ));
    }
    for f in charts.iter().filter(|f| f.ran_on_fargate && !f.scheduled) {
        fargate_tasks(f, pricer, &mut out);
    }
    out.extend(load_balancers(charts, pricer));
    out
}

/// Each template's estate once, in the order the charts name them.
pub(super) fn estates<'a>(charts: &[&'a MoveFacts]) -> Vec<&'a Estate> {
    let mut out: Vec<&Estate> = Vec::new();
    for f in charts {
        if !f.estate.source.is_empty() && !out.iter().any(|e| e.source == f.estate.source) {
            out.push(&f.estate);
        }
    }
    out
}

fn groups(estate: &Estate, pricer: &Pricer, out: &mut Vec<Line>) {
    for g in &estate.groups {
        let Some(instance_type) = g.instance_types.first() else {
            out.push(unpriced(
                format!("{}: instances", g.logical_id),
                "the template names no instance type",
            ));
            continue;
        };
        let Some(count) = g.count else {
            out.push(unpriced(
                format!("{}: {instance_type} instances", g.logical_id),
                g.count_source,
            ));
            continue;
        };
        let on_demand = g.on_demand_of(count);
        let first = if g.instance_types.len() > 1 {
            ", priced as its first type"
        } else {
            ""
        };
        let key = PriceKey::Instance(instance_type.clone());
        for (n, market, how) in [
            (on_demand, Market::OnDemand, "on demand"),
            (count - on_demand, Market::Spot, "spot"),
        ] {
            if n > 0 {
                let item = format!(
                    "{}: {instance_type} {how} ({} {count}{first})",
                    g.logical_id, g.count_source
                );
                out.push(pricer.line(item, n as f64, "instance", &key, market));
            }
        }
    }
}

fn fargate_tasks(f: &MoveFacts, pricer: &Pricer, out: &mut Vec<Line>) {
    let (Some(cpu), Some(memory)) = (
        f.task_size.0.or(f.cpu_millicores),
        f.task_size.1.or(f.memory_mib),
    ) else {
        out.push(unpriced(
            format!("{}: Fargate tasks", f.chart),
            "the task definition gives no task size",
        ));
        return;
    };
    let spot = f.replicas * f.spot_percent / 100;
    for (n, market, how) in [
        (f.replicas - spot, Market::OnDemand, "Fargate"),
        (spot, Market::Spot, "Fargate Spot"),
    ] {
        if n <= 0 {
            continue;
        }
        let what = format!("{}: {how} tasks", f.chart);
        out.extend(pricer.fargate(&what, n, (cpu, memory), "", market));
    }
}

/// The environment's load balancers: TargetGroupBindings register pods in their target
/// groups, so EKS keeps using them (the lines are shared).
pub(super) fn load_balancers(charts: &[&MoveFacts], pricer: &Pricer) -> Vec<Line> {
    let mut out = Vec::new();
    for estate in estates(charts) {
        for lb in &estate.load_balancers {
            let mut line = pricer.line(
                format!("{}: {} load balancer", lb.logical_id, lb.kind),
                1.0,
                "load balancer",
                &PriceKey::LoadBalancer(lb.kind.clone()),
                Market::OnDemand,
            );
            line.shared = true;
            out.push(line);
        }
    }
    out
}

pub(super) fn unpriced(item: String, why: &str) -> Line {
    Line {
        item,
        quantity: 0.0,
        unit: "instance",
        unit_price: None,
        monthly: None,
        arithmetic: format!("not priced: {why}"),
        price_source: None,
        shared: false,
    }
}
