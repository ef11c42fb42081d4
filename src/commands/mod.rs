//! One module per command; `run` dispatches the parsed command line and returns the exit code.

mod convert;
mod package;
mod publish;
pub(crate) mod verify;

use crate::cli::{Cli, Command};

/// Runs the command line; returns the process exit status.
pub fn run(cli: &Cli) -> u8 {
    let result = match &cli.command {
        Some(Command::Package(args)) => package::run(args),
        Some(Command::Publish(args)) => publish::run(args),
        None => return convert::run(cli),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            crate::output::error(&e);
            e.exit_code()
        }
    }
}

/// Reads the registry password from stdin when --username is given.
fn read_password(
    registry: &crate::cli::RegistryArgs,
) -> crate::error::Result<Option<crate::repo::credentials::Credentials>> {
    let Some(username) = &registry.username else {
        return Ok(None);
    };
    let mut password = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut password).map_err(|source| {
        crate::error::Error::Read {
            path: std::path::PathBuf::from("<stdin>"),
            source,
        }
    })?;
    Ok(Some(crate::repo::credentials::Credentials {
        username: username.clone(),
        password: password.trim_end_matches(['\n', '\r']).to_string(),
    }))
}

fn registry_for(
    reference: &crate::repo::oci::Reference,
    registry: &crate::cli::RegistryArgs,
) -> crate::error::Result<crate::repo::oci::Registry> {
    let credentials = match read_password(registry)? {
        Some(c) => Some(c),
        None => crate::repo::credentials::from_registry_config(&reference.host)?,
    };
    Ok(crate::repo::oci::Registry::new(
        reference.clone(),
        registry.plain_http,
        credentials,
    ))
}
