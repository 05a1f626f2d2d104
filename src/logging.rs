//! The one tracing subscriber: stderr only, through a non-blocking writer so
//! that the per-RPC access log never stalls a request on a slow terminal.

use std::io::IsTerminal;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Installs the subscriber. `RUST_LOG`, when set, wins over `-v`. The base
/// level is `info` for the server (so the access log shows) and `warn` for
/// the clients (so stderr stays quiet); each `-v` raises it one step.
/// Keep the guard alive until exit: dropping it flushes pending lines.
pub fn init(verbose: u8, serving: bool) -> WorkerGuard {
    const LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];
    let base = if serving { 2 } else { 1 };
    let level = LEVELS[(base + usize::from(verbose)).min(LEVELS.len() - 1)];
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    // The writer thread drains every queued line into one buffer and
    // flushes once per drain: one write(2) per batch, not per line.
    let stderr = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    let (writer, guard) = tracing_appender::non_blocking(stderr);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
    guard
}
