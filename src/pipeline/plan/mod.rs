//! The one planner: paths (files, directories, CloudFormation/CDK templates, describe-services
//! and create-service input), grouped by environment, become conversion units keyed by
//! (chart, environment). A plain batch is one unnamed environment.

mod inputs;
pub(crate) mod naming;
mod resolve;
mod unit;

pub(crate) use unit::{Input, Plan, Unit};

use crate::settings::Settings;

/// Reads every input and sorts what it holds into units, environment by environment.
pub(crate) fn plan(inputs: &[Input], settings: &Settings) -> Plan {
    let mut plan = Plan::default();
    for (env_index, input) in inputs.iter().enumerate() {
        let found = inputs::read_all(&input.paths, &input.vars, &mut plan);
        resolve::units(found, input.env.as_deref(), env_index, settings, &mut plan);
    }
    plan
}
