//! Parse → init logging → run → exit code. Nothing else.

use std::process::ExitCode;

use clap::Parser;
use grpc_demo::{app, cli::Cli, cli::Command, exit, logging};

// jemalloc: malloc/free were a tenth of the server's time under glibc
// (BENCHMARKS.md, "What was changed", the jemalloc row).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// `serve` must treat a SIGTERM at any moment as a graceful shutdown, also
/// one that arrives before its handlers exist: SIGINT and SIGTERM are held
/// pending from before `main` (a constructor, run as the program is loaded)
/// until the server installs its handlers, or until `main` knows the command
/// is not `serve`.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static HOLD_SHUTDOWN_SIGNALS: extern "C" fn() = {
    extern "C" fn hold() {
        grpc_demo::server::hold_shutdown_signals();
    }
    hold
};

fn main() -> ExitCode {
    #[cfg(not(target_os = "linux"))]
    grpc_demo::server::hold_shutdown_signals();
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        grpc_demo::server::release_shutdown_signals();
    }
    let format = app::output_format(&cli.command);
    let _log_guards = match &cli.command {
        Command::Serve(args) => match logging::init_server(cli.verbose, &app::log_options(args)) {
            Ok(guards) => guards,
            Err(err) => {
                let outcome = exit::outcome(&err, format);
                if let Some(line) = outcome.line {
                    eprintln!("{line}");
                }
                return ExitCode::from(outcome.code);
            }
        },
        _ => logging::init(cli.verbose, false).into_iter().collect(),
    };
    match app::run(cli.command, cli.verbose > 0) {
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
