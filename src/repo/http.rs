//! The one HTTP agent: every request to a registry or a static repository goes through it, so
//! timeouts and status handling are the same everywhere.

use std::time::Duration;

/// An agent that returns every status as a response (callers name the failure) and gives up
/// on a request after a minute.
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}
