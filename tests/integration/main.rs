//! One integration test binary: the CLI end to end, golden charts, real Helm and Kubernetes
//! schema checks, and the plugin installed into real Helm 3 and Helm 4.

mod alb;
mod batch;
mod cfn_evaluation;
mod cli;
mod cluster;
mod cluster_adoption;
mod cluster_upgrades;
mod common;
mod compute;
mod conversion;
mod coverage;
mod cutover;
mod environments;
mod estate;
mod golden;
mod helm;
mod hostile;
mod hostile_repo;
mod kinds;
mod labels;
mod meaning;
mod migration;
mod oci_credentials;
mod plugin;
mod publish;
mod publish_concurrency;
mod publish_oci;
mod reimport;
mod scanners;
mod scheduled;
mod servers;
mod service_fields;
mod stateful;
mod strings;
mod structure;
