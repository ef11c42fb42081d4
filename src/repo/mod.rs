//! Publishing packaged charts: to a static repository directory or to an OCI registry.

pub mod credentials;
mod http;
pub mod directory;
pub mod index;
pub mod oci;
pub mod time;
