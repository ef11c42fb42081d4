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
