//! Parse → init logging → run → exit code. Nothing else.

use std::process::ExitCode;

use clap::Parser;
use grpc_demo::{app, cli::Cli, cli::Command, exit, logging};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log_guard = logging::init(cli.verbose, matches!(cli.command, Command::Serve(_)));
    let format = app::output_format(&cli.command);
    match app::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let outcome = exit::outcome(&err, format);
            if let Some(line) = outcome.line {
                eprintln!("{line}");
            }
            ExitCode::from(outcome.code)
        }
    }
}
