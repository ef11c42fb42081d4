//! What one environment costs a month on ECS today (`ecs_today`: the Auto Scaling groups'
//! instances, Fargate tasks, load balancers) and on EKS tomorrow (`eks_tomorrow`: the control
//! plane, nodes from bin-packing the pods' requests (`binpack`), Fargate pods at their billed
//! size, the Auto Mode fee, load balancers), priced from a `PriceBook`.

mod binpack;
mod ecs_today;
mod eks_tomorrow;
pub(crate) mod markdown;
pub(crate) mod model;
mod pricer;
mod settings;

use super::facts::MoveFacts;
use model::{cents, Cost, Side, HOURS_PER_MONTH};
use pricer::Pricer;
pub(crate) use settings::CostSettings;

/// The region priced when the input names none.
const DEFAULT_REGION: &str = "us-east-1";

/// One environment's bill.
pub(crate) fn of(charts: &[&MoveFacts], region: Option<&str>, settings: &CostSettings) -> Cost {
    let (region, region_source) = match region {
        Some(r) => (
            r.to_string(),
            "from the input (AWS::Region or the CDK stack's target)".to_string(),
        ),
        None => (
            DEFAULT_REGION.to_string(),
            "assumed: the input names no region; set it with --var AWS::Region=REGION".to_string(),
        ),
    };
    let pricer = Pricer {
        book: &settings.prices,
        region: &region,
        spot_discount: settings.spot_discount,
    };
    let mut warnings = Vec::new();
    let ecs = Side::of(ecs_today::lines(charts, &pricer));
    let (eks_lines, node_pools) = eks_tomorrow::lines(charts, &pricer, settings, &mut warnings);
    let eks = Side::of(eks_lines);
    for side in [("ECS", &ecs), ("EKS", &eks)] {
        for l in side.1.lines.iter().filter(|l| l.monthly.is_none()) {
            warnings.push(format!(
                "{} line without a price, left out of the total: {} ({})",
                side.0, l.item, l.arithmetic
            ));
        }
    }
    let mut assumptions = vec![
        format!("spot capacity at {}% below on-demand (spot prices change hourly and are not in the Price List; set --spot-discount)", settings.spot_discount),
        "load balancer capacity units (LCUs) and data transfer are left out: traffic is the same on both sides".to_string(),
        "EBS volumes are left out: the same volumes move (or are copied once) to the pods".to_string(),
    ];
    assumptions.extend(eks_tomorrow::assumptions(settings));
    Cost {
        currency: "USD",
        region,
        region_source,
        hours_per_month: HOURS_PER_MONTH,
        price_sources: settings.prices.sources(),
        assumptions,
        difference: cents(eks.total - ecs.total),
        during_cut_over: cents(ecs.total + eks.total - eks.shared_total()),
        ecs,
        eks,
        warnings,
        node_pools,
    }
}
