//! helm-ecs-import: Amazon ECS task definitions → Helm charts.
//!
//! The pipeline reads off the modules, in the order data flows:
//! `config` (flags, validated) → `plan` (inputs → units keyed by chart and environment) →
//! `ecs` (input model) → `convert` (mapping rules, one per concern) → `workload` (intermediate
//! model) → `unit` / `environments` (one chart, or one chart per service across environments)
//! → `chart` (files, written atomically) → `package` → `repo` (static index, OCI).
//! `commands` runs each subcommand; `output` is everything printed.

// values.schema.json is one json! literal, deeper than the default macro recursion limit.
#![recursion_limit = "256"]

mod chart;
pub mod cli;
pub mod commands;
mod config;
pub mod convert;
pub mod ecs;
mod error;
pub(crate) mod json_path;
mod lock;
mod output;
pub mod package;
mod pipeline;
mod placeholder;
mod repo;
mod report;
pub mod settings;
mod walk;
mod workload;
pub mod yaml;
mod yaml_tree;
