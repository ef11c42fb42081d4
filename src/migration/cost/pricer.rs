//! Lines priced in one region: an on-demand price from the book, or a spot price at the
//! assumed discount, times the quantity and a month of hours, with the arithmetic written out.

use super::model::{cents, Line, HOURS_PER_MONTH};
use crate::pricing::{Price, PriceBook, PriceKey};

/// Prices lines in one region.
pub(crate) struct Pricer<'a> {
    pub(super) book: &'a PriceBook,
    pub(super) region: &'a str,
    pub(super) spot_discount: i64,
}

/// How a quantity is bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Market {
    OnDemand,
    Spot,
}

impl Pricer<'_> {
    pub(crate) fn line(
        &self,
        item: String,
        quantity: f64,
        unit: &'static str,
        key: &PriceKey,
        market: Market,
    ) -> Line {
        let price = self.book.price(self.region, key);
        let Some(Price {
            usd_per_hour,
            source,
        }) = price
        else {
            return Line {
                item,
                quantity,
                unit,
                unit_price: None,
                monthly: None,
                arithmetic: format!("no price for {} in {}", describe(key), self.region),
                price_source: None,
                shared: false,
            };
        };
        let (unit_price, how) = match market {
            Market::OnDemand => (usd_per_hour, String::new()),
            Market::Spot => (
                round6(usd_per_hour * (100 - self.spot_discount) as f64 / 100.0),
                format!(
                    " (on demand ${usd_per_hour} less {}% spot)",
                    self.spot_discount
                ),
            ),
        };
        let monthly = cents(quantity * unit_price * HOURS_PER_MONTH);
        Line {
            item,
            quantity,
            unit,
            unit_price: Some(unit_price),
            monthly: Some(monthly),
            arithmetic: format!(
                "{} × ${unit_price}{how} × {HOURS_PER_MONTH} h = ${monthly:.2}",
                trim(quantity)
            ),
            price_source: Some(source),
            shared: false,
        }
    }
}

impl Pricer<'_> {
    /// `count` Fargate tasks or pods of `cpu` millicores and `memory` MiB: a vCPU line and a GB
    /// line, each item `{what} ({count} × … vCPU / … GB{billed})`.
    pub(crate) fn fargate(
        &self,
        what: &str,
        count: i64,
        (cpu, memory): (i64, i64),
        billed: &str,
        market: Market,
    ) -> [Line; 2] {
        let (vcpu, gb) = (cpu as f64 / 1000.0, memory as f64 / 1024.0);
        let size = format!("{count} × {} vCPU / {} GB{billed}", trim(vcpu), trim(gb));
        let n = count as f64;
        [
            self.line(
                format!("{what}, vCPU ({size})"),
                n * vcpu,
                "vCPU",
                &PriceKey::FargateVcpu,
                market,
            ),
            self.line(
                format!("{what}, memory ({size})"),
                n * gb,
                "GB",
                &PriceKey::FargateGb,
                market,
            ),
        ]
    }
}

fn describe(key: &PriceKey) -> String {
    match key {
        PriceKey::Instance(t) => format!("instance type {t}"),
        PriceKey::AutoModeFee(t) => format!("the Auto Mode fee on {t}"),
        PriceKey::FargateVcpu => "Fargate vCPU-hours".into(),
        PriceKey::FargateGb => "Fargate GB-hours".into(),
        PriceKey::EksCluster => "the EKS control plane".into(),
        PriceKey::EksExtendedSupport => "EKS extended support".into(),
        PriceKey::LoadBalancer(kind) => format!("a {kind} load balancer"),
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A quantity as people write it: `2`, `0.5`, `1.25`.
pub(crate) fn trim(x: f64) -> String {
    let s = format!("{:.4}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
