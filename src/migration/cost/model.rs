//! The bill as the plan holds it, per environment: ECS today and EKS tomorrow, each a total and
//! the lines it is the sum of. Every line shows its arithmetic and names its price's source; a
//! line nobody could price has no price and no monthly figure, and is left out of the total
//! with a warning, never counted as zero.

use serde::Serialize;

/// AWS's calculators count a month as 730 hours.
pub(crate) const HOURS_PER_MONTH: f64 = 730.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Cost {
    pub currency: &'static str,
    /// The region priced, and where it was read.
    pub region: String,
    pub region_source: String,
    pub hours_per_month: f64,
    /// Where the prices come from: the files given, then the bundled table.
    pub price_sources: Vec<String>,
    /// What the figures take as given (spot discount, reservations…).
    pub assumptions: Vec<String>,
    pub ecs: Side,
    pub eks: Side,
    /// EKS tomorrow minus ECS today, per month.
    pub difference: f64,
    /// Per month while both run during the moves: load balancers both use counted once.
    pub during_cut_over: f64,
    /// Lines without a price, the extended-support trap, pods no node holds.
    pub warnings: Vec<String>,
    /// The node pools EKS tomorrow assumes, for platform/.
    pub node_pools: Vec<NodePool>,
}

/// Nodes of one capacity tier: what the bill packed and what platform/ provisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NodePool {
    /// `stateful`, `on-demand` or `spot`.
    pub name: &'static str,
    /// `on-demand` or `spot`, as Karpenter and Auto Mode spell it.
    pub capacity_type: &'static str,
    /// The types the pool may launch: the estate's (or --instance-types).
    pub instance_types: Vec<String>,
    /// The type the bill priced, and how many nodes of it.
    pub chosen: Option<String>,
    pub nodes: Option<i64>,
    pub charts: Vec<String>,
    /// Zones its pods' volumes are in.
    pub zones: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Side {
    /// The sum of the priced lines' monthly figures.
    pub total: f64,
    /// False when a line has no price: the total is then a floor.
    pub complete: bool,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Line {
    pub item: String,
    pub quantity: f64,
    pub unit: &'static str,
    /// USD per unit-hour; None when no price is known.
    pub unit_price: Option<f64>,
    pub monthly: Option<f64>,
    /// `quantity × unit price × 730 h = monthly`, or why there is no figure.
    pub arithmetic: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_source: Option<String>,
    /// True where the line is shared with the other side (a load balancer both use).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub shared: bool,
}

impl Side {
    pub(crate) fn of(lines: Vec<Line>) -> Side {
        let total = cents(lines.iter().filter_map(|l| l.monthly).sum());
        Side {
            total,
            complete: lines.iter().all(|l| l.monthly.is_some()),
            lines,
        }
    }

    pub(crate) fn shared_total(&self) -> f64 {
        cents(
            self.lines
                .iter()
                .filter(|l| l.shared)
                .filter_map(|l| l.monthly)
                .sum(),
        )
    }
}

pub(crate) fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
