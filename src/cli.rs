//! Command-line flags, parsed by clap. Nothing here knows about ECS or charts: `lib::run` turns
//! these into options for the pipeline.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadArg {
    /// StatefulSet when a volume keeps data across tasks, else Deployment
    Auto,
    Statefulset,
    Deployment,
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
    after_help = "Example:\n  helm ecs-import taskdef.json --output charts/"
)]
pub struct Cli {
    /// Task definition JSON files
    #[arg(
        value_name = "FILE",
        required_unless_present = "env",
        conflicts_with = "env"
    )]
    pub files: Vec<PathBuf>,

    /// An environment's task definitions: NAME=PATH, PATH a file or a directory (repeat for
    /// each environment; the first one's values are the chart's defaults)
    #[arg(long = "env", value_name = "NAME=PATH", value_parser = parse_env)]
    pub env: Vec<(String, PathBuf)>,

    /// Directory the charts are written into, one subdirectory per chart
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    pub output: PathBuf,

    /// Chart name, instead of the task definition's family (one FILE only)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Chart version (SemVer)
    #[arg(long, value_name = "VERSION", default_value = "0.1.0", value_parser = parse_semver)]
    pub chart_version: semver::Version,

    /// Chart appVersion [default: the main container's image tag]
    #[arg(long, value_name = "VERSION")]
    pub app_version: Option<String>,

    /// Kind of workload to generate
    #[arg(long, value_enum, default_value = "auto")]
    pub workload: WorkloadArg,

    /// Write into chart directories this tool did not generate
    #[arg(long)]
    pub force: bool,

    /// Fail when the conversion report has warnings
    #[arg(long)]
    pub strict: bool,

    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,

    /// After writing, run `helm lint --strict` and `helm template` on each chart with its
    /// default values and each values-<env>.yaml ($HELM_BIN, else helm on the PATH)
    #[arg(long)]
    pub verify: bool,
}

fn parse_env(text: &str) -> Result<(String, PathBuf), String> {
    let (name, path) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=PATH, got {text:?}"))?;
    if !crate::environments::valid_env_name(name) {
        return Err(format!(
            "environment name {name:?} must be letters, digits, '-' and '_' (it names values-{name}.yaml)"
        ));
    }
    if path.is_empty() {
        return Err(format!("environment {name} has no PATH"));
    }
    Ok((name.to_string(), PathBuf::from(path)))
}

fn parse_semver(text: &str) -> Result<semver::Version, String> {
    semver::Version::parse(text).map_err(|e| format!("not a SemVer version ({e}), e.g. 1.2.3"))
}
