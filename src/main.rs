//! Parse → init logging → run → exit code. Nothing else.

use std::process::ExitCode;

use clap::Parser;
use grpc_demo::{app, cli::Cli, cli::Command, exit, logging};

// jemalloc over glibc malloc: +9% unary req/s on one core for +6% peak RSS
// with 10,000 open streams (BENCHMARKS.md, "allocator"). The profile showed
// malloc/free at ~11% of the server's time, spread over hyper, h2 and tonic.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
