//! Parse → init logging → run → exit code. Nothing else.

use std::process::ExitCode;

use clap::Parser;
use grpc_demo::{app, cli::Cli, cli::Command, exit, logging};

// jemalloc: malloc/free were a tenth of the server's time under glibc
// (BENCHMARKS.md, "What was changed", the jemalloc row).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read as it starts. Freed memory goes back to the OS
/// within about a second (`dirty_decay_ms`; jemalloc's default is 10 s,
/// and `muzzy_decay_ms:0` skips the second, lazy stage), purged by a
/// background thread, so also while the server is idle after a burst
/// (without it, memory an attack made the server allocate stayed resident;
/// SECURITY.md has the figures).
/// `MALLOC_CONF` in the environment still overrides these.
#[cfg(all(target_os = "linux", not(target_env = "msvc")))]
#[export_name = "_rjem_malloc_conf"]
static JEMALLOC_CONF: Option<&'static std::ffi::c_char> = Some(
    // SAFETY: a pointer to the first byte of a static, NUL-terminated string.
    unsafe {
        &*c"background_thread:true,max_background_threads:1,dirty_decay_ms:1000,muzzy_decay_ms:0"
            .as_ptr()
    },
);

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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // With -o json, clap's usage errors too are one JSON line on
        // stderr, as every other error is; help and version print as usual.
        Err(err) if err.use_stderr() && exit::asks_for_json(std::env::args_os()) => {
            let outcome = exit::clap_error_as_json(&err);
            if let Some(line) = outcome.line {
                eprintln!("{line}");
            }
            return ExitCode::from(outcome.code);
        }
        Err(err) => err.exit(),
    };
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
