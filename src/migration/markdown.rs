//! MIGRATION.md: the plan for people. Per environment, the waves as a Mermaid diagram (GitHub
//! and GitLab render it), then each chart's recommended move with its downtime parts, its
//! checks and steps, and the alternatives in short.

use std::fmt::Write as _;

use super::model::{EnvironmentPlan, MigrationPlan, Move, ServiceMove};

pub(super) fn render(plan: &MigrationPlan) -> String {
    let mut out = String::new();
    out.push_str("# Migration plan\n\n");
    out.push_str("Written by `helm ecs-import` with the charts; `migration-plan.json` holds the same for tools.\n");
    out.push_str("Moves run wave by wave: what others call moves first. Downtime figures add up their parts;\n");
    out.push_str("parts marked typical are estimates to measure in a rehearsal.\n");
    for env in &plan.environments {
        environment(&mut out, env);
    }
    out
}

fn environment(out: &mut String, env: &EnvironmentPlan) {
    let _ = write!(out, "\n## Environment `{}`\n\n", env.name);
    out.push_str("```mermaid\ngraph LR\n");
    for (i, wave) in env.waves.iter().enumerate() {
        let _ = writeln!(out, "  subgraph wave{}[\"wave {}\"]", i + 1, i + 1);
        for chart in wave {
            let _ = writeln!(out, "    {}[\"{chart}\"]", node(chart));
        }
        out.push_str("  end\n");
    }
    for s in &env.services {
        for called in &s.calls {
            let _ = writeln!(out, "  {} --> {}", node(&s.chart), node(called));
        }
    }
    out.push_str("```\n\n| Order | Chart | Kind | Move | Downtime | Runs on | EKS Fargate |\n|---|---|---|---|---|---|---|\n");
    for (i, s) in env.services.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} s | {} | {} |",
            i + 1,
            s.chart,
            s.kind,
            s.recommended.strategy.as_str(),
            s.recommended.downtime_seconds,
            s.compute.recommendation,
            fargate_cell(&s.compute.fargate)
        );
    }
    super::cost::markdown::render(out, &env.cost);
    for s in &env.services {
        service(out, s);
    }
}

fn fargate_cell(f: &super::compute::Fargate) -> String {
    match (f.billed_cpu_millicores, f.billed_memory_mib) {
        (Some(cpu), Some(memory)) => format!(
            "{} vCPU / {} GiB billed",
            cpu as f64 / 1000.0,
            memory as f64 / 1024.0
        ),
        _ => format!("no: {}", f.reasons.join("; ")),
    }
}

/// Mermaid node IDs: letters, digits and underscores.
fn node(chart: &str) -> String {
    chart
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn service(out: &mut String, s: &ServiceMove) {
    let _ = write!(
        out,
        "\n### `{}` — {}\n\n",
        s.chart,
        s.recommended.strategy.as_str()
    );
    if !s.calls.is_empty() {
        let _ = writeln!(
            out,
            "Calls {}.\n",
            s.calls
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for c in &s.checks {
        let _ = writeln!(
            out,
            "- **Check `{}`:** {}. {}.",
            c.resource, c.problem, c.fix
        );
    }
    if !s.checks.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Runs on **{}** nodes: {}.\n",
        s.compute.recommendation, s.compute.why
    );
    moves(out, &s.recommended, true);
    for alternative in &s.alternatives {
        moves(out, alternative, false);
    }
}

fn moves(out: &mut String, m: &Move, recommended: bool) {
    let label = if recommended {
        "Recommended"
    } else {
        "Alternative"
    };
    let _ = writeln!(
        out,
        "**{label}: {}**, downtime {} s. {}.\n",
        m.strategy.as_str(),
        m.downtime_seconds,
        m.why
    );
    for p in &m.downtime_parts {
        let _ = writeln!(out, "- {} s: {} ({})", p.seconds, p.what, p.source);
    }
    if !m.downtime_parts.is_empty() {
        out.push('\n');
    }
    if !recommended {
        return;
    }
    for (i, step) in m.steps.iter().enumerate() {
        let side = format!("{:?}", step.side).to_ascii_uppercase();
        let _ = writeln!(out, "{}. [{side}] {}", i + 1, step.text);
        if let Some(command) = &step.command {
            let _ = writeln!(out, "   ```console\n   {command}\n   ```");
        }
    }
    out.push('\n');
}
