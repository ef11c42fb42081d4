//! The conversion's stages between the configuration and the chart writer: the plan (inputs →
//! units keyed by chart and environment), the mapping of one unit to a workload and its chart
//! files, and the overlay of one chart's environments into values-<env>.yaml files.

pub(crate) mod discovery_rewrite;
pub(crate) mod environment_overlay;
pub(crate) mod fingerprint;
pub(crate) mod map_unit;
pub(crate) mod plan;
