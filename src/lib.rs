//! helm-ecs-import: Amazon ECS task definitions → Helm charts.
//!
//! The pipeline reads off the modules, in the order data flows:
//! `commands` (one per subcommand) asks `config`, the composition root, to turn flags into
//! `settings` and stages; `pipeline::plan` reads the inputs (`ecs`, the input model, with its
//! readers) into units keyed by chart and environment; `pipeline::map_unit` applies the
//! mapping rules (`convert`, one per concern) to get the intermediate model (`workload`, no
//! AWS names) and `pipeline::environment_overlay` combines one chart's environments; `chart`
//! writes the files (values declared once in `chart-templates/values-tree.yaml`), atomically
//! and merged with the user's edits; `package` archives them; `repo` publishes (static index,
//! OCI). `output` is everything printed, `error` every error worded, `report` every finding.
//! Leaves: `json_path`, `deferred`, `host_names`, `settings`, `yaml`, `yaml_to_json`, `placeholder`, `walk`, `lock`, `bounded`.

mod bounded;
mod chart;
pub mod cli;
pub mod commands;
mod config;
pub mod convert;
mod deferred;
mod digest;
pub mod ecs;
mod error;
mod host_names;
pub(crate) mod json_path;
mod lock;
mod migration;
mod output;
pub mod package;
mod pipeline;
mod placeholder;
mod pricing;
#[cfg(test)]
mod readme_block;
mod repo;
mod report;
pub mod settings;
mod walk;
mod workload;
pub mod yaml;
mod yaml_to_json;
