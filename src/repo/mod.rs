//! Publishing packaged charts: to a static repository directory or to an OCI registry.

pub(crate) mod credentials;
pub(crate) mod directory;
mod http;
pub(crate) mod index;
pub(crate) mod oci;
pub(crate) mod time;
