//! Command-line flags, parsed by clap. Nothing here knows about ECS or charts: `lib::run` turns
//! these into options for the pipeline.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::settings::EnvName;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadArg {
    /// StatefulSet when a volume keeps data across tasks, else Deployment
    Auto,
    Statefulset,
    Deployment,
    /// One pod per node, as an ECS DAEMON service
    Daemonset,
    /// Run once to completion (a migration, a batch job)
    Job,
    /// Run on a schedule (with --schedule)
    Cronjob,
}

#[derive(Debug, Parser)]
#[command(
    name = "helm-ecs-import",
    version,
    about = "Convert Amazon ECS task definitions into Helm charts",
    long_about = "Convert Amazon ECS task definitions into Helm charts: one chart per task definition, \
with a StatefulSet and volume claim templates for services that keep data, Services, a ServiceAccount \
for the task role, Secret references, and a values.yaml that exposes every setting.\n\n\
Accepts register-task-definition input, describe-task-definition output (wrapped or not) and bare \
container definition lists.\n\nExit status: 0 on success, 1 when an input could not be converted, \
2 on usage errors.",
    after_help = "Examples:\n  helm ecs-import taskdef.json --output charts/\n  \
helm ecs-import --env dev=ecs/dev --env prod=ecs/prod --output charts/ --verify\n  \
helm ecs-import package charts/web --repo ./repo -d dist\n  \
helm ecs-import publish dist/*.tgz --repo ./repo --url https://charts.example.com",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Task definition JSON files
    #[arg(
        value_name = "FILE",
        required_unless_present = "env",
        conflicts_with = "env"
    )]
    pub files: Vec<PathBuf>,

    /// An environment's task definitions: NAME=PATH, PATH a file or a directory (repeat for
    /// each environment; values.yaml holds what they share, values-NAME.yaml what is each one's)
    #[arg(long = "env", value_name = "NAME=PATH", value_parser = parse_env)]
    pub env: Vec<(EnvName, PathBuf)>,

    /// Directory the charts are written into, one subdirectory per chart
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    pub output: PathBuf,

    /// Chart name, instead of the task definition's family (one FILE only)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Chart version (SemVer) [default: 0.1.0, or on a re-run the previous version, with the
    /// patch bumped when the content changed]
    #[arg(long, value_name = "VERSION", value_parser = parse_semver)]
    pub chart_version: Option<semver::Version>,

    /// Chart appVersion [default: the main container's image tag]
    #[arg(long, value_name = "VERSION")]
    pub app_version: Option<String>,

    /// Kind of workload to generate
    #[arg(long, value_enum, default_value = "auto")]
    pub workload: WorkloadArg,

    /// CronJob schedule: EventBridge cron(…) or rate(…), or five-field cron (with
    /// --workload cronjob)
    #[arg(long, value_name = "EXPR")]
    pub schedule: Option<String>,

    /// Time zone of the schedule (IANA name) [default: Etc/UTC, as EventBridge rules run]
    #[arg(long, value_name = "ZONE", requires = "schedule")]
    pub time_zone: Option<String>,

    /// Claim size for a volume ECS knew no size for: NAME=SIZE (a Kubernetes quantity such as
    /// 50Gi); repeatable
    #[arg(long = "volume-size", value_name = "[ENV:]NAME=SIZE", value_parser = parse_volume_size)]
    pub volume_sizes: Vec<(String, String)>,

    /// Keep environment values that name another converted service by its Cloud Map DNS name
    /// (by default they are rewritten to the service's Kubernetes name, and reported)
    #[arg(long)]
    pub keep_discovery_names: bool,

    /// Read environment variables that look like plain-text secrets (passwords, tokens,
    /// keys) from the release's Secret, leaving their values out of the chart
    #[arg(long)]
    pub move_plaintext_secrets: bool,

    /// Write into chart directories this tool did not generate
    #[arg(long)]
    pub force: bool,

    /// Write nothing; exit 1, listing the files, when a re-run would change any (drift
    /// detection against the ECS source), or when a merge conflict is open
    #[arg(long)]
    pub check: bool,

    /// Like --check, and print a unified diff of each change
    #[arg(long)]
    pub diff: bool,

    /// On a merge conflict with your edits, keep your side (and do not fail)
    #[arg(long, conflicts_with = "theirs")]
    pub ours: bool,

    /// On a merge conflict with your edits, take the new conversion's side
    #[arg(long)]
    pub theirs: bool,

    /// Seconds to wait for another conversion's lock on the output directory
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub lock_timeout: u64,

    /// Fail when the conversion report has warnings
    #[arg(long)]
    pub strict: bool,

    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,

    /// Value for a placeholder in the input (${NAME}, <NAME>, {{ NAME }}, a YOUR_… token),
    /// substituted before the file is read; repeatable
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,

    /// File of NAME=VALUE lines (or a JSON object) with placeholder values; ENV=FILE for one
    /// environment of --env; repeatable
    #[arg(long = "var-file", value_name = "[ENV=]FILE")]
    pub var_files: Vec<String>,

    /// `aws cloudformation describe-stack-resources` (or list-stack-resource-summaries) output:
    /// references to a template's resources become their physical IDs (role names, secret and
    /// target group ARNs, volume IDs); ENV=FILE for one environment of --env; repeatable
    #[arg(long = "stack-resources", value_name = "[ENV=]FILE")]
    pub stack_resources: Vec<String>,

    /// After writing, run `helm lint --strict` and `helm template` on each chart, with each
    /// values-<env>.yaml when it has them ($HELM_BIN, else helm on the PATH); with a reachable
    /// cluster, `helm install --dry-run=server` instead of `helm template`
    #[arg(long)]
    pub verify: bool,

    /// Also write each chart's .tgz beside the chart folders in the output directory
    #[arg(long)]
    pub package: bool,

    /// AWS prices for the plan's bill: `aws pricing get-products` output or a bulk offer
    /// file (EC2, EKS, ECS, ELB); repeatable. Without it, a bundled dated table is used
    #[arg(long = "prices", value_name = "FILE")]
    pub prices: Vec<PathBuf>,

    /// Discount assumed for spot capacity below on-demand prices, in percent (spot prices
    /// are not in the Price List)
    #[arg(long, value_name = "PERCENT", default_value_t = 60,
          value_parser = clap::value_parser!(i64).range(0..=95))]
    pub spot_discount: i64,

    /// Instance types to pack the pods onto in the bill and node pools, instead of the types
    /// the estate's Auto Scaling groups use (comma-separated)
    #[arg(long, value_name = "TYPE,…", value_delimiter = ',')]
    pub instance_types: Vec<String>,

    /// Target EKS Auto Mode: charts default to eks.autoMode=true, the bill adds its fee, and
    /// platform/ holds Auto Mode node pools
    #[arg(long)]
    pub auto_mode: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Package chart directories into reproducible .tgz archives
    Package(PackageArgs),
    /// Publish chart archives to a static chart repository or an OCI registry
    Publish(PublishArgs),
}

/// How to reach a registry; shared by package (to compare with what is published) and publish.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// Use plain HTTP for an OCI registry (a local or in-cluster registry)
    #[arg(long)]
    pub plain_http: bool,

    /// Registry user name; the password is read from standard input with --password-stdin
    #[arg(long, value_name = "NAME", requires = "password_stdin")]
    pub username: Option<String>,

    /// Read the registry password from standard input
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Chart directories
    #[arg(value_name = "CHART_DIR", required = true)]
    pub charts: Vec<PathBuf>,

    /// Directory the archives are written into
    #[arg(
        short = 'd',
        long = "destination",
        value_name = "OUT",
        default_value = "."
    )]
    pub destination: PathBuf,

    /// Repository to follow: unchanged content keeps the newest published version, changed
    /// content gets the next patch version (a directory with index.yaml, its http(s):// URL,
    /// or oci://HOST/PATH)
    #[arg(long, value_name = "REPO")]
    pub repo: Option<String>,

    /// Package at this version instead (SemVer)
    #[arg(long, value_name = "VERSION", value_parser = parse_semver, conflicts_with = "repo")]
    pub version: Option<semver::Version>,

    #[command(flatten)]
    pub registry: RegistryArgs,

    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Chart archives (.tgz)
    #[arg(value_name = "ARCHIVE", required = true)]
    pub archives: Vec<PathBuf>,

    /// Target: a directory served as a static chart repository, or oci://HOST[:PORT]/PATH
    #[arg(long, value_name = "REPO")]
    pub repo: String,

    /// Base URL the static repository is served from, for index.yaml urls [default: relative]
    #[arg(long, value_name = "BASE_URL")]
    pub url: Option<String>,

    /// Replace an archive already published under the same name and version
    #[arg(long)]
    pub force: bool,

    /// Seconds to wait for another publisher's lock on the repository
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub lock_timeout: u64,

    #[command(flatten)]
    pub registry: RegistryArgs,

    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got {text:?}"))?;
    if name.is_empty() {
        return Err("the variable name is empty".into());
    }
    // A placeholder as a warning prints it, `${NAME}`, names the variable NAME.
    let name = name
        .strip_prefix("${")
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(name);
    Ok((name.to_string(), value.to_string()))
}

fn parse_env(text: &str) -> Result<(EnvName, PathBuf), String> {
    let (name, path) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=PATH, got {text:?}"))?;
    let Some(env) = EnvName::parse(name) else {
        return Err(format!(
            "environment name {name:?} must be letters, digits, '-' and '_' (it names values-{name}.yaml)"
        ));
    };
    if path.is_empty() {
        return Err(format!("environment {name} has no PATH"));
    }
    Ok((env, PathBuf::from(path)))
}

fn parse_volume_size(text: &str) -> Result<(String, String), String> {
    let (name, size) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=SIZE, got {text:?}"))?;
    let digits = size.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &size[digits.len()..];
    let quantity = !digits.is_empty()
        && digits.parse::<f64>().is_ok_and(|n| n > 0.0)
        && ["", "Ki", "Mi", "Gi", "Ti", "Pi", "K", "M", "G", "T", "P"].contains(&unit);
    if name.is_empty() || !quantity {
        return Err(format!(
            "expected NAME=SIZE with SIZE a quantity such as 50Gi, got {text:?}"
        ));
    }
    Ok((name.to_string(), size.to_string()))
}

fn parse_semver(text: &str) -> Result<semver::Version, String> {
    semver::Version::parse(text).map_err(|e| format!("not a SemVer version ({e}), e.g. 1.2.3"))
}

#[cfg(test)]
mod readme_usage {
    use clap::CommandFactory;

    fn sub(name: &str) -> clap::Command {
        super::Cli::command()
            .find_subcommand(name)
            .expect("a subcommand")
            .clone()
            .bin_name(format!("helm-ecs-import {name}"))
    }

    /// The README's usage block, rendered from the command-line definition at a fixed width.
    fn usage() -> String {
        let mut text = String::from("```\n");
        for command in [super::Cli::command(), sub("package"), sub("publish")] {
            let help = command.term_width(100).render_help().to_string();
            if !text.ends_with("```\n") {
                text.push('\n');
            }
            text.push_str(help.trim_end());
            text.push('\n');
        }
        text.push_str("```\n");
        text
    }

    #[test]
    fn the_readme_usage_is_generated_from_the_command_line() {
        crate::readme_block::check(
            "usage",
            &usage(),
            "UPDATE_README_USAGE",
            "scripts/update-readme-usage.sh",
        );
    }
}
