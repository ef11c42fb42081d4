//! The bill in MIGRATION.md: one table per side, each line with its arithmetic, the totals,
//! the difference, and every assumption, price source and warning beneath.

use std::fmt::Write as _;

use super::model::{Cost, Side};

pub(crate) fn render(out: &mut String, cost: &Cost) {
    let _ = write!(
        out,
        "\n### The bill, per month ({} h), {} in {}\n\n",
        cost.hours_per_month, cost.currency, cost.region
    );
    let _ = writeln!(out, "Region: {}.\n", cost.region_source);
    side(out, "ECS today", &cost.ecs);
    side(out, "EKS tomorrow", &cost.eks);
    let sign = if cost.difference < 0.0 { "−" } else { "+" };
    let _ = writeln!(
        out,
        "**EKS − ECS: {sign}${:.2} a month.** While both run during the moves: ${:.2} a month (load balancers both use counted once).\n",
        cost.difference.abs(), cost.during_cut_over
    );
    for (title, items) in [
        ("Prices", &cost.price_sources),
        ("Assumptions", &cost.assumptions),
        ("Warnings", &cost.warnings),
    ] {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}:\n");
        for item in items {
            let _ = writeln!(out, "- {item}");
        }
        out.push('\n');
    }
}

fn side(out: &mut String, title: &str, side: &Side) {
    let _ = writeln!(
        out,
        "| {title} | Quantity | Unit price | Monthly | Arithmetic |\n|---|---|---|---|---|"
    );
    for l in &side.lines {
        let price = l
            .unit_price
            .map_or("no price".to_string(), |p| format!("${p}/{}-h", l.unit));
        let monthly = l.monthly.map_or("—".to_string(), |m| format!("${m:.2}"));
        let shared = if l.shared { " (shared)" } else { "" };
        let plural = if l.quantity != 1.0 && !matches!(l.unit, "vCPU" | "GB") {
            "s"
        } else {
            ""
        };
        let quantity = if l.monthly.is_none() && l.quantity == 0.0 {
            "unknown".to_string()
        } else {
            format!("{} {}{plural}", super::pricer::trim(l.quantity), l.unit)
        };
        let _ = writeln!(
            out,
            "| {}{shared} | {quantity} | {price} | {monthly} | {} |",
            l.item.replace('|', "\\|"),
            l.arithmetic
        );
    }
    let floor = if side.complete {
        ""
    } else {
        " (at least: a line has no price)"
    };
    let _ = writeln!(out, "| **Total{floor}** | | | **${:.2}** | |\n", side.total);
}
