//! Flags validated once into the configuration the commands run with: conversion settings,
//! environments, and typed repository targets instead of prefix checks on strings.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::cli::{Cli, WorkloadArg};
use crate::error::{Error, Result, Usage};
use crate::pipeline::plan::Input;
use crate::repo::oci::Reference;
use crate::settings::{EnvName, Settings};

mod vars;
use crate::workload::WorkloadKind;

/// The conversion command, validated.
pub(crate) struct ConvertConfig {
    pub settings: Settings,
    pub inputs: Vec<Input>,
    /// True with --env: units are merged per chart into values-<env>.yaml files.
    pub environments: bool,
    pub output: PathBuf,
    /// How charts are written: --force, --ours/--theirs, --check/--diff.
    pub write: crate::chart::write::WriteOptions,
    /// --diff: print what --check finds as a unified diff.
    pub diff: bool,
    pub lock_timeout: std::time::Duration,
    pub package: bool,
    pub verify: bool,
    pub quiet: bool,
    /// --chart-version fixed the version; otherwise versions follow content on re-runs.
    pub version_given: bool,
    /// How the plan's bill is priced.
    pub cost: crate::migration::cost::CostSettings,
}

/// Where charts are published, or compared with before packaging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RepoTarget {
    /// A directory holding index.yaml and the archives.
    Directory(PathBuf),
    /// A static repository served over HTTP(S): its base URL.
    Http(String),
    Oci(Reference),
}

impl RepoTarget {
    pub(crate) fn parse(text: &str) -> Result<RepoTarget> {
        if text.starts_with("oci://") {
            return Reference::parse(text)
                .map(RepoTarget::Oci)
                .ok_or_else(|| Error::Usage(Usage::OciReference(text.to_string())));
        }
        if text.starts_with("http://") || text.starts_with("https://") {
            return Ok(RepoTarget::Http(text.to_string()));
        }
        if text.contains("://") {
            return Err(Error::Usage(Usage::RepoTarget(text.to_string())));
        }
        Ok(RepoTarget::Directory(PathBuf::from(text)))
    }
}

/// `--schedule` checked once: required by, and only meaningful for, `--workload cronjob`.
fn schedule(cli: &Cli) -> Result<Option<crate::convert::ScheduleOption>> {
    match (&cli.schedule, cli.workload) {
        (None, WorkloadArg::Cronjob) => Err(Error::Usage(Usage::CronJobWithoutSchedule)),
        (Some(_), w) if w != WorkloadArg::Cronjob => {
            Err(Error::Usage(Usage::ScheduleWithoutCronJob))
        }
        (Some(expr), _) => {
            let translated = crate::convert::cron_schedule::translate(expr)
                .map_err(|e| Error::Usage(Usage::Schedule(e.to_string())))?;
            Ok(Some(crate::convert::ScheduleOption {
                expression: expr.clone(),
                translated,
                time_zone: cli.time_zone.clone().unwrap_or_else(|| "Etc/UTC".into()),
            }))
        }
        (None, _) => Ok(None),
    }
}

/// The values for one environment's inputs (see `vars`).
fn vars_for(cli: &Cli, env: Option<&EnvName>, envs: &[&str]) -> Result<BTreeMap<String, String>> {
    vars::for_environment(
        env.map(EnvName::as_str),
        envs,
        &cli.stack_resources,
        &cli.var_files,
        &cli.vars,
    )
}

/// The pseudo parameter a `--var` sets the region with.
const REGION: &str = "AWS::Region";

/// Environments in order, each with its input paths and, from a CDK stack's target, its account
/// and region.
type Environments = Vec<(EnvName, Vec<PathBuf>, Vec<(&'static str, String)>)>;

/// A CDK output folder given alone, holding two or more stacks: one environment per stack
/// (stacks that name the same environment are read together), as `--env NAME=TEMPLATE` would.
fn cdk_environments(cli: &Cli) -> Result<Option<Environments>> {
    let [dir] = cli.files.as_slice() else {
        return Ok(None);
    };
    if !cli.env.is_empty() || !dir.is_dir() {
        return Ok(None);
    }
    let stacks = crate::ecs::cdk_assembly::stacks(dir).map_err(|e| Error::Field {
        file: e.file.display().to_string(),
        path: e.error.path,
        message: e.error.message,
    })?;
    let Some(stacks) = stacks.filter(|s| s.len() > 1) else {
        return Ok(None);
    };
    let names = crate::ecs::cdk_assembly::environment_names(&stacks);
    let mut out: Environments = Vec::new();
    for (stack, name) in stacks.iter().zip(names) {
        let env = EnvName::parse(&name).ok_or_else(|| Error::Field {
            file: dir.join("manifest.json").display().to_string(),
            path: crate::json_path::JsonPath::root()
                .key("artifacts")
                .verbatim(&stack.id),
            message: format!(
                "gives the environment name {name:?}, which must be letters, digits, '-' and '_'; give the environments with --env NAME=TEMPLATE"
            ),
        })?;
        // `aws://ACCOUNT/REGION`; CDK writes `unknown-account` or `unknown-region` when the app
        // left them open.
        let target: Vec<(&'static str, String)> = stack
            .target
            .as_deref()
            .and_then(|t| t.strip_prefix("aws://")?.split_once('/'))
            .into_iter()
            .flat_map(|(account, region)| [("AWS::AccountId", account), (REGION, region)])
            .filter(|(_, v)| !v.starts_with("unknown") && !v.is_empty())
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        match out.iter_mut().find(|(e, _, _)| *e == env) {
            Some((_, paths, _)) => paths.push(stack.template.clone()),
            None => out.push((env, vec![stack.template.clone()], target)),
        }
    }
    Ok(Some(out))
}

/// The inputs by environment: `--env`, or the stacks of a CDK output folder, or one plain batch.
fn inputs(cli: &Cli) -> Result<Vec<Input>> {
    let envs = match cdk_environments(cli)? {
        Some(found) => found,
        None => {
            let mut given: Environments = Vec::new();
            for (env, path) in &cli.env {
                if given.iter().any(|(e, _, _)| e == env) {
                    return Err(Error::Usage(Usage::EnvironmentTwice(env.to_string())));
                }
                given.push((env.clone(), vec![path.clone()], Vec::new()));
            }
            given
        }
    };
    if envs.is_empty() {
        let vars = vars_for(cli, None, &[])?;
        return Ok(vec![Input {
            env: None,
            paths: cli.files.clone(),
            region: vars.get(REGION).cloned(),
            vars,
        }]);
    }
    let names: Vec<&str> = envs.iter().map(|(e, _, _)| e.as_str()).collect();
    envs.iter()
        .map(|(env, paths, target)| {
            let mut vars = vars_for(cli, Some(env), &names)?;
            // What the stack's target says, unless --var says otherwise.
            for (name, value) in target {
                vars.entry(name.to_string())
                    .or_insert_with(|| value.clone());
            }
            Ok(Input {
                env: Some(env.clone()),
                paths: paths.clone(),
                region: vars.get(REGION).cloned(),
                vars,
            })
        })
        .collect()
}

impl ConvertConfig {
    pub(crate) fn from_cli(cli: &Cli) -> Result<Self> {
        if cli.name.is_some() && (cli.files.len() > 1 || !cli.env.is_empty()) {
            return Err(Error::Usage(Usage::NameWithSeveralInputs));
        }
        let inputs = inputs(cli)?;
        let environments = inputs.iter().any(|i| i.env.is_some());
        let settings = Settings {
            name: cli.name.clone(),
            chart: crate::chart::ChartOptions {
                version: cli
                    .chart_version
                    .clone()
                    .unwrap_or_else(|| semver::Version::new(0, 1, 0)),
                app_version: cli.app_version.clone(),
            },
            convert: crate::convert::Options {
                workload: match cli.workload {
                    WorkloadArg::Auto => None,
                    WorkloadArg::Statefulset => Some(WorkloadKind::StatefulSet),
                    WorkloadArg::Deployment => Some(WorkloadKind::Deployment),
                    WorkloadArg::Daemonset => Some(WorkloadKind::DaemonSet),
                    WorkloadArg::Job => Some(WorkloadKind::Job),
                    WorkloadArg::Cronjob => Some(WorkloadKind::CronJob),
                },
                schedule: schedule(cli)?,
                volume_sizes: cli.volume_sizes.iter().cloned().collect(),
                move_plaintext_secrets: cli.move_plaintext_secrets,
                auto_mode: cli.auto_mode,
            },
            strict: cli.strict,
            keep_discovery_names: cli.keep_discovery_names,
        };
        Ok(ConvertConfig {
            settings,
            inputs,
            environments,
            output: cli.output.clone(),
            write: crate::chart::write::WriteOptions {
                force: cli.force,
                side: match (cli.ours, cli.theirs) {
                    (true, _) => Some(crate::chart::merge::Side::Ours),
                    (_, true) => Some(crate::chart::merge::Side::Theirs),
                    _ => None,
                },
                dry_run: cli.check || cli.diff,
            },
            diff: cli.diff,
            lock_timeout: std::time::Duration::from_secs(cli.lock_timeout),
            package: cli.package && !(cli.check || cli.diff),
            verify: cli.verify,
            quiet: cli.quiet,
            version_given: cli.chart_version.is_some(),
            cost: crate::migration::cost::CostSettings {
                prices: crate::pricing::PriceBook::from_files(
                    cli.prices
                        .iter()
                        .map(|p| crate::pricing::read_file(p))
                        .collect::<Result<Vec<_>>>()?,
                ),
                spot_discount: cli.spot_discount,
                instance_types: cli.instance_types.clone(),
                auto_mode: cli.auto_mode,
            },
        })
    }
}

/// Reads the registry password from stdin when --username is given.
fn read_password(
    registry: &crate::cli::RegistryArgs,
) -> crate::error::Result<Option<crate::repo::credentials::Credentials>> {
    let Some(username) = &registry.username else {
        return Ok(None);
    };
    let mut password = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut password).map_err(|source| {
        crate::error::Error::Read {
            path: std::path::PathBuf::from("<stdin>"),
            source,
        }
    })?;
    Ok(Some(crate::repo::credentials::Credentials {
        username: username.clone(),
        password: password.trim_end_matches(['\n', '\r']).to_string(),
    }))
}

/// The OCI registry client for a reference: credentials from --username and stdin, else from
/// Helm's registry config.
pub(crate) fn registry_for(
    reference: &crate::repo::oci::Reference,
    registry: &crate::cli::RegistryArgs,
) -> crate::error::Result<crate::repo::oci::Registry> {
    let credentials = match read_password(registry)? {
        Some(c) => Some(c),
        None => crate::repo::credentials::from_registry_config(&reference.host)?,
    };
    Ok(crate::repo::oci::Registry::new(
        reference.clone(),
        registry.plain_http,
        credentials,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_targets_are_typed() {
        assert_eq!(
            RepoTarget::parse("./repo").unwrap(),
            RepoTarget::Directory("./repo".into())
        );
        assert_eq!(
            RepoTarget::parse("https://charts.example.com").unwrap(),
            RepoTarget::Http("https://charts.example.com".into())
        );
        assert!(matches!(
            RepoTarget::parse("oci://r.example.com/charts").unwrap(),
            RepoTarget::Oci(_)
        ));
        assert!(RepoTarget::parse("oci://").is_err());
        assert!(RepoTarget::parse("s3://bucket").is_err());
    }
}
