//! The migration plan: how each chart moves from ECS to EKS without interrupting service, in
//! which order, and what each move costs in downtime, per environment. Built from the facts
//! taken when each unit was mapped (`facts`); the moves come from rules (`strategy`,
//! `stateful`, `replication`), the order from who calls whom (`order`); `markdown` writes
//! MIGRATION.md for people and `write` both files at the output root.

pub(crate) mod compute;
pub(crate) mod cost;
pub(crate) mod facts;
mod markdown;
pub(crate) mod model;
mod order;
mod platform;
mod quantity;
mod replication;
mod stateful;
mod strategy;
pub(crate) mod write;

use model::{EnvironmentPlan, MigrationPlan};

/// The plan for every chart in every environment, environments in input order, charts in the
/// order they move.
pub(crate) fn build(
    mut facts: Vec<facts::MoveFacts>,
    regions: &[Option<String>],
    cost: &cost::CostSettings,
) -> MigrationPlan {
    facts.sort_by(|a, b| (a.env_index, &a.chart).cmp(&(b.env_index, &b.chart)));
    let mut environments: Vec<EnvironmentPlan> = Vec::new();
    let mut start = 0;
    while start < facts.len() {
        let end = start
            + facts[start..]
                .iter()
                .take_while(|f| f.env_index == facts[start].env_index)
                .count();
        let region = regions.get(facts[start].env_index).cloned().flatten();
        environments.push(environment(&facts[start..end], region.as_deref(), cost));
        start = end;
    }
    MigrationPlan {
        about: "How each chart moves from Amazon ECS to EKS, per environment, written by helm ecs-import with the charts; MIGRATION.md says the same for people".into(),
        environments,
    }
}

fn environment(
    charts: &[facts::MoveFacts],
    region: Option<&str>,
    cost: &cost::CostSettings,
) -> EnvironmentPlan {
    let refs: Vec<&facts::MoveFacts> = charts.iter().collect();
    let calls = order::calls(&refs);
    let waves = order::waves(&calls);
    let order: Vec<String> = waves.iter().flatten().cloned().collect();
    let services = order
        .iter()
        .filter_map(|chart| {
            let f = charts.iter().find(|f| &f.chart == chart)?;
            Some(strategy::service_move(f, calls[chart].clone()))
        })
        .collect();
    EnvironmentPlan {
        name: charts[0].env.clone().unwrap_or_else(|| "default".into()),
        order,
        waves,
        services,
        cost: cost::of(&refs, region, cost),
    }
}
