//! EventBridge schedule expressions as Kubernetes CronJob schedules: `cron(…)` with six
//! fields and its own day-of-week numbering becomes five-field cron, and `rate(…)` the exact
//! cron when one exists. Whatever cannot be kept exactly is said, never dropped.

/// A translated schedule and what could not be kept exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Translated {
    pub cron: String,
    pub inexact: Vec<String>,
}

pub(crate) fn translate(expression: &str) -> Result<Translated, String> {
    let text = expression.trim();
    if let Some(body) = text.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
        return cron(body);
    }
    if let Some(body) = text.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        return rate(body);
    }
    if text.split_whitespace().count() == 5 {
        // Already Kubernetes cron (from --schedule).
        return Ok(Translated {
            cron: text.split_whitespace().collect::<Vec<_>>().join(" "),
            inexact: Vec::new(),
        });
    }
    Err(format!(
        "{expression:?} is not a schedule: expected cron(min hour day month weekday year), rate(N minutes|hours|days) or five-field cron"
    ))
}

fn cron(body: &str) -> Result<Translated, String> {
    let fields: Vec<&str> = body.split_whitespace().collect();
    let [minute, hour, day, month, weekday, year] = fields[..] else {
        return Err(format!(
            "cron({body}) has {} fields; EventBridge cron has six",
            fields.len()
        ));
    };
    let mut inexact = Vec::new();
    if year != "*" {
        inexact.push(format!(
            "the year field {year:?} has no cron equivalent: the job runs every year"
        ));
    }
    let day = day_of_month(day, &mut inexact);
    let weekday = day_of_week(weekday, &mut inexact)?;
    let plain = |f: &str| {
        if f == "?" {
            "*".to_string()
        } else {
            f.to_string()
        }
    };
    Ok(Translated {
        cron: format!(
            "{} {} {day} {} {weekday}",
            plain(minute),
            plain(hour),
            plain(month)
        ),
        inexact,
    })
}

fn day_of_month(field: &str, inexact: &mut Vec<String>) -> String {
    match field {
        "?" => "*".into(),
        "L" => {
            inexact.push(
                "day-of-month L (the last day) has no cron equivalent: runs on the 28th".into(),
            );
            "28".into()
        }
        f if f.ends_with('W') => {
            let day = f.trim_end_matches('W');
            let day = if day == "L" { "28" } else { day };
            inexact.push(format!(
                "day-of-month {f} (the nearest weekday) has no cron equivalent: runs on day {day} whatever the weekday"
            ));
            day.into()
        }
        f => f.into(),
    }
}

/// EventBridge counts weekdays 1=SUN…7=SAT; cron counts 0=SUN…6=SAT. Names stay names.
fn day_of_week(field: &str, inexact: &mut Vec<String>) -> Result<String, String> {
    if field == "?" || field == "*" {
        return Ok("*".into());
    }
    let mut field = field.to_string();
    if let Some((day, nth)) = field.clone().split_once('#') {
        inexact.push(format!(
            "weekday {day}#{nth} (the {nth}th of the month) has no cron equivalent: runs every {day}"
        ));
        field = day.to_string();
    }
    if field.len() > 1 && field.ends_with('L') {
        let day = field.trim_end_matches('L').to_string();
        inexact.push(format!(
            "weekday {field} (the last of the month) has no cron equivalent: runs every {day}"
        ));
        field = day;
    }
    let shift = |n: &str| -> Result<String, String> {
        match n.parse::<u8>() {
            Ok(d @ 1..=7) => Ok((d - 1).to_string()),
            Ok(_) => Err(format!("weekday {n} is outside 1-7 (1 is Sunday)")),
            Err(_) => Ok(n.to_ascii_uppercase()),
        }
    };
    let mut parts = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        let range = match range.split_once('-') {
            Some((a, b)) => format!("{}-{}", shift(a)?, shift(b)?),
            None if range == "*" => "*".into(),
            None => shift(range)?,
        };
        parts.push(match step {
            Some(s) => format!("{range}/{s}"),
            None => range,
        });
    }
    Ok(parts.join(","))
}

fn rate(body: &str) -> Result<Translated, String> {
    let mut words = body.split_whitespace();
    let (Some(n), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Err(format!("rate({body}) is not rate(N unit)"));
    };
    let n: u32 = n
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("rate({body}): {n:?} is not a positive number"))?;
    let minutes = match unit.trim_end_matches('s') {
        "minute" => n,
        "hour" => n * 60,
        "day" => n * 24 * 60,
        other => {
            return Err(format!(
                "rate({body}): unit {other:?} is not minutes, hours or days"
            ))
        }
    };
    // A rate counts from when the rule was created, a cron from the clock: the same period,
    // another phase, which no schedule can carry over.
    let mut inexact = Vec::new();
    let cron = if minutes < 60 {
        let step = nearest_divisor(minutes, 60);
        note_nearest(&mut inexact, body, minutes, step);
        if step == 1 {
            "* * * * *".into()
        } else {
            format!("*/{step} * * * *")
        }
    } else if minutes < 24 * 60 {
        let hours = (f64::from(minutes) / 60.0).round() as u32;
        let step = nearest_divisor(hours.max(1), 24);
        note_nearest(&mut inexact, body, minutes, step * 60);
        if step == 1 {
            "0 * * * *".into()
        } else {
            format!("0 */{step} * * *")
        }
    } else {
        let days = (f64::from(minutes) / 1440.0).round() as u32;
        if !minutes.is_multiple_of(1440) {
            note_nearest(&mut inexact, body, minutes, days * 1440);
        }
        if days == 1 {
            "0 0 * * *".into()
        } else {
            inexact.push(format!(
                "every {days} days restarts on the 1st of each month"
            ));
            format!("0 0 */{days} * *")
        }
    };
    Ok(Translated { cron, inexact })
}

/// The divisor of `whole` closest to `n` (cron steps must divide the field to stay regular).
fn nearest_divisor(n: u32, whole: u32) -> u32 {
    (1..=whole)
        .filter(|d| whole.is_multiple_of(*d))
        .min_by_key(|d| (d.abs_diff(n), *d))
        .unwrap_or(1)
}

fn note_nearest(inexact: &mut Vec<String>, body: &str, wanted: u32, got: u32) {
    if wanted != got {
        inexact.push(format!(
            "rate({body}) has no exact cron: runs every {got} minutes instead of {wanted}"
        ));
    }
}

/// A scheduled task runs as a CronJob at the translated time; an expression cron cannot say
/// exactly is kept as its nearest form and named.
pub(crate) fn apply(
    run: &crate::ecs::scheduled_run::ScheduledRun,
    w: &mut crate::workload::Workload,
    report: &mut crate::report::Report,
) -> Result<(), crate::error::FieldError> {
    let translated =
        translate(&run.expression).map_err(|e| crate::error::FieldError::new(&run.path, e))?;
    for note in &translated.inexact {
        report.warn(
            crate::report::Code::ScheduleInexact,
            &run.path,
            format!("schedule {}: {note}", run.expression),
            format!(
                "the CronJob runs at {:?}; check cronJob.schedule",
                translated.cron
            ),
        );
    }
    w.kind = crate::workload::WorkloadKind::CronJob;
    w.kind_reason = format!("an EventBridge schedule runs the task ({})", run.expression);
    w.schedule = Some(crate::workload::Schedule {
        cron: translated.cron,
        time_zone: run.time_zone.clone(),
        suspend: !run.enabled,
        parallelism: run.task_count.filter(|&n| n > 1),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(expr: &str) -> String {
        let t = translate(expr).unwrap();
        assert!(t.inexact.is_empty(), "{expr}: {:?}", t.inexact);
        t.cron
    }

    #[test]
    fn eventbridge_cron_becomes_five_fields() {
        assert_eq!(exact("cron(0 3 * * ? *)"), "0 3 * * *");
        assert_eq!(exact("cron(15 10 ? * 2-6 *)"), "15 10 * * 1-5");
        assert_eq!(exact("cron(0 8 ? * MON-FRI *)"), "0 8 * * MON-FRI");
        assert_eq!(exact("cron(0/5 8-17 ? * 1,7 *)"), "0/5 8-17 * * 0,6");
        assert_eq!(exact("cron(0 0 1 JAN ? *)"), "0 0 1 JAN *");
    }

    #[test]
    fn what_cron_cannot_say_is_named() {
        let t = translate("cron(0 12 L * ? *)").unwrap();
        assert_eq!(t.cron, "0 12 28 * *");
        assert!(t.inexact[0].contains("L"), "{:?}", t.inexact);
        let t = translate("cron(0 9 ? * 2#1 2027)").unwrap();
        assert_eq!(t.cron, "0 9 * * 1");
        assert_eq!(t.inexact.len(), 2, "{:?}", t.inexact);
        assert!(translate("cron(0 9 * *)").is_err());
        assert!(translate("cron(0 9 ? * 9 *)").is_err());
    }

    #[test]
    fn rates_become_the_exact_cron_or_the_nearest() {
        assert_eq!(translate("rate(5 minutes)").unwrap().cron, "*/5 * * * *");
        assert_eq!(translate("rate(1 minute)").unwrap().cron, "* * * * *");
        assert_eq!(translate("rate(6 hours)").unwrap().cron, "0 */6 * * *");
        assert_eq!(translate("rate(1 day)").unwrap().cron, "0 0 * * *");
        let t = translate("rate(7 minutes)").unwrap();
        assert_eq!(t.cron, "*/6 * * * *");
        assert!(t.inexact.iter().any(|n| n.contains("instead of 7")));
        assert!(translate("rate(0 minutes)").is_err());
        assert!(translate("rate(2 weeks)").is_err());
    }
}
