use std::process::ExitCode;

// The conversion allocates many small strings on every thread; glibc malloc contends there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{CommandFactory, FromArgMatches};
use helm_ecs_import::cli::Cli;

fn main() -> ExitCode {
    let mut command = Cli::command();
    // Under Helm the command is `helm ecs-import`; usage lines should say so.
    if std::env::var_os("HELM_PLUGIN_NAME").is_some() {
        command = command.bin_name("helm ecs-import");
    }
    let cli = match command
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        // clap exits 2 for usage errors and 0 for --help and --version.
        Err(e) => e.exit(),
    };
    ExitCode::from(helm_ecs_import::commands::run(&cli))
}
