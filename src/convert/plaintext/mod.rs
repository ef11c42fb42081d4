//! Secrets written in plain text: environment values, command and entry-point arguments,
//! health-check commands and Docker labels that hold passwords, tokens or keys. Each is
//! reported by name and place (never by value); with `--move-plaintext-secrets` it is read
//! from the release's Secret instead and its value is left out of the chart.

mod arguments;
mod detect;

pub(crate) use detect::secret_like;

use crate::ecs::task_definition::ContainerDefinition;
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::{Code, Report};
use crate::workload::{Container, ProbeAction, Workload};

use super::containers::escape_expansion;

pub(crate) fn apply(
    td: &TaskDefinition,
    move_to_secret: bool,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    let windows = td.is_windows();
    for (def, c) in td.containers.iter().zip(w.containers.iter_mut()) {
        environment(def, move_to_secret, c, report);
        command_line(def, move_to_secret, c, report);
        health_check(def, move_to_secret && !windows, c, report);
    }
    Ok(())
}

fn environment(
    def: &ContainerDefinition,
    move_to_secret: bool,
    c: &mut Container,
    report: &mut Report,
) {
    for var in &def.environment {
        let Some(why) = secret_like(&var.name, &var.value) else {
            continue;
        };
        if move_to_secret && c.env.remove(&var.name).is_some() {
            c.secret_env.insert(var.name.clone(), var.name.clone());
            report.warn(
                Code::PlaintextSecret,
                &var.path.key("value"),
                format!("{} was a plain-text secret ({why})", var.name),
                format!("moved: read from key {:?} of the release's Secret (secrets.name), its value left out of the chart; put the value there (or in Secrets Manager, synced by External Secrets) before install", var.name),
            );
        } else {
            report.warn(
                Code::PlaintextSecret,
                &var.path.key("value"),
                format!("{} looks like a secret in plain text ({why})", var.name),
                "kept as ECS had it, so it is in values.yaml, the README and the archive; convert with --move-plaintext-secrets to read it from the release's Secret instead, or move it to Secrets Manager",
            );
        }
    }
}

/// A name for the moved value that the container does not use yet.
fn free_key(c: &Container, key: &str) -> String {
    let taken = |k: &str| c.env.contains_key(k) || c.secret_env.contains_key(k);
    if !taken(key) {
        return key.to_string();
    }
    (2..)
        .map(|n| format!("{key}_{n}"))
        .find(|k| !taken(k))
        .unwrap_or_default()
}

/// Kubernetes expands `$(KEY)` in command and args from the container's environment, so an
/// argument's secret can come from the Secret while the rest stays exactly as ECS ran it.
fn command_line(
    def: &ContainerDefinition,
    move_to_secret: bool,
    c: &mut Container,
    report: &mut Report,
) {
    for (field, args) in [("entryPoint", &def.entry_point), ("command", &def.command)] {
        let Some(words) = args.as_ref().and_then(|a| a.known()) else {
            continue;
        };
        // Right to left, so earlier ranges in the same argument stay valid.
        let mut rebuilt: Vec<String> = words.clone();
        let mut moved = Vec::new();
        for found in arguments::find(words).into_iter().rev() {
            let path = def.path.key(field).index(found.index);
            let flag = &found.flag;
            if !move_to_secret {
                report.warn(
                    Code::PlaintextSecret,
                    &path,
                    format!("container {} passes a secret on its command line ({flag})", c.name),
                    "kept as ECS had it, so it is in values.yaml and the archive; convert with --move-plaintext-secrets to read it from the release's Secret as $(NAME)",
                );
                continue;
            }
            let key = free_key(c, &found.key);
            c.secret_env.insert(key.clone(), key.clone());
            let arg = &rebuilt[found.index];
            rebuilt[found.index] = format!(
                "{}\u{0}{key}\u{0}{}",
                &arg[..found.range.start],
                &arg[found.range.end..]
            );
            moved.push(found.index);
            report.warn(
                Code::PlaintextSecret,
                &path,
                format!("container {} passed a secret on its command line ({flag})", c.name),
                format!("moved: the argument reads $({key}) from key {key:?} of the release's Secret (secrets.name); put the value there before install"),
            );
        }
        let target = if field == "entryPoint" {
            &mut c.command
        } else {
            &mut c.args
        };
        for i in moved {
            // Escape the text around the reference, then put the reference in.
            let parts: Vec<&str> = rebuilt[i].split('\u{0}').collect();
            target[i] = parts
                .iter()
                .enumerate()
                .map(|(n, p)| {
                    if n % 2 == 1 {
                        format!("$({p})")
                    } else {
                        escape_expansion(p)
                    }
                })
                .collect();
        }
    }
}

/// A health check's shell reads the moved value as `"${KEY}"` (the kubelet expands only
/// `$(KEY)` of variables it knows statically, not those from a Secret); a CMD form cannot.
fn health_check(def: &ContainerDefinition, can_move: bool, c: &mut Container, report: &mut Report) {
    let Some(hc) = &def.health_check else {
        return;
    };
    let shell = hc.command.first().is_some_and(|f| f == "CMD-SHELL");
    let mut script = hc.command.get(1..).unwrap_or_default().join(" ");
    let words = if shell {
        vec![script.clone()]
    } else {
        hc.command.clone()
    };
    let found = arguments::find(&words);
    let mut changed = false;
    for f in found.into_iter().rev() {
        let path = hc
            .path
            .key("command")
            .index(if shell { 1 } else { f.index });
        let name = c.name.clone();
        if !(shell && can_move) {
            report.warn(
                Code::PlaintextSecret,
                &path,
                format!("the health check of container {name} holds a secret ({})", f.flag),
                "kept as ECS had it, so it is in values.yaml and the archive; write the check as CMD-SHELL reading an environment variable from the release's Secret",
            );
            continue;
        }
        let key = free_key(c, &f.key);
        c.secret_env.insert(key.clone(), key.clone());
        let (mut start, mut end) = (f.range.start, f.range.end);
        let b = script.as_bytes();
        let reference = if start > 0 && b[start - 1] == b'"' {
            format!("${{{key}}}")
        } else {
            if start > 0 && b[start - 1] == b'\'' && b.get(end) == Some(&b'\'') {
                (start, end) = (start - 1, end + 1);
            }
            format!("\"${{{key}}}\"")
        };
        script.replace_range(start..end, &reference);
        changed = true;
        report.warn(
            Code::PlaintextSecret,
            &path,
            format!("the health check of container {name} held a secret ({})", f.flag),
            format!("moved: the check reads ${{{key}}} from key {key:?} of the release's Secret (secrets.name); put the value there before install"),
        );
    }
    if let (true, Some(probe)) = (changed, c.probe.as_mut()) {
        if let ProbeAction::Exec(argv) = &mut probe.action {
            if let Some(last) = argv.last_mut() {
                // Escaped as every exec probe is (see probes); `${KEY}` is left to the shell.
                *last = escape_expansion(&script);
            }
        }
    }
}

#[cfg(test)]
mod tests;
