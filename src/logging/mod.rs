//! The one tracing subscriber: stderr only, through a non-blocking writer so
//! that the per-RPC access log never stalls a request on a slow terminal.
//! The server's access log may go to a file instead, or nowhere, and every
//! line may be JSON (`logging/access.rs`). Warnings a peer can trigger are
//! rate-limited per peer (`logging/warn_limit.rs`).

mod access;
mod peer;
pub(crate) mod warn_limit;

pub(crate) use peer::{peer_text, push_peer};

use std::{
    collections::HashMap,
    io::IsTerminal,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, OnceLock, PoisonError,
    },
    time::{Duration, Instant},
};

use tracing::{callsite::Identifier, Event, Level, Subscriber};
use tracing_appender::non_blocking::{NonBlocking, WorkerGuard};

pub use access::{access_log_enabled, json, push_json_str, AccessLogTarget, LogFormat, LogOptions};
use tracing_subscriber::{
    layer::{Context, SubscriberExt},
    util::SubscriberInitExt,
    EnvFilter, Layer,
};

/// The server's non-blocking stderr writer, shared with the access log's
/// sink (`server/access_log/sink.rs`), so its lines and tracing's do not
/// interleave mid-line.
static WRITER: OnceLock<NonBlocking> = OnceLock::new();

/// The writer of [`init`] for a server; `None` before it (in-process tests)
/// and in a client.
pub fn writer() -> Option<&'static NonBlocking> {
    WRITER.get()
}

/// Where access lines go (`--access-log`): [`WRITER`] for stderr, a writer
/// thread of its own for a FILE, none when off.
static ACCESS_WRITER: OnceLock<NonBlocking> = OnceLock::new();

/// The access log's writer; `None` before [`init_server`] (in-process
/// tests: lines go straight to stderr) and with `--access-log off`.
pub fn access_writer() -> Option<&'static NonBlocking> {
    ACCESS_WRITER.get()
}

/// Installs the subscriber. `RUST_LOG`, when set, wins over `-v`. The base
/// level is `info` for the server (so the access log shows) and `warn` for
/// the clients (so stderr stays quiet); each `-v` raises it one step.
///
/// The server logs through a non-blocking writer thread; keep the returned
/// guard alive until exit (dropping it flushes pending lines). A client
/// logs little and starts fast without that thread: it writes directly.
pub fn init(verbose: u8, serving: bool) -> Option<WorkerGuard> {
    if serving {
        // Stderr cannot fail to open.
        return init_server(verbose, &LogOptions::default())
            .ok()
            .and_then(|mut guards| guards.pop());
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter(verbose, false))
        .with_ansi(colour(std::io::stderr().is_terminal()))
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    None
}

/// Colours on a terminal, unless `NO_COLOR` is set to anything but the
/// empty string (no-color.org).
fn colour(is_terminal: bool) -> bool {
    colour_with(is_terminal, std::env::var_os("NO_COLOR").as_deref())
}

fn colour_with(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|value| value.is_empty())
}

fn filter(verbose: u8, serving: bool) -> EnvFilter {
    const LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];
    let base = if serving { 2 } else { 1 };
    let level = LEVELS[(base + usize::from(verbose)).min(LEVELS.len() - 1)];
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level))
}

/// The server's subscriber, with `serve`'s `--access-log` and
/// `--log-format`. Keep the returned guards alive until exit (dropping them
/// flushes pending lines). Fails only when the access-log file cannot be
/// opened.
pub fn init_server(verbose: u8, options: &LogOptions) -> anyhow::Result<Vec<WorkerGuard>> {
    use anyhow::Context as _;
    access::configure(options);
    // The writer thread drains every queued line into one buffer and
    // flushes once per drain: one write(2) per batch, not per line.
    let stderr = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    let (writer, guard) = tracing_appender::non_blocking(stderr);
    let _ = WRITER.set(writer.clone());
    let mut guards = vec![guard];
    match &options.access_log {
        AccessLogTarget::Stderr => {
            let _ = ACCESS_WRITER.set(writer.clone());
        }
        AccessLogTarget::Off => {}
        AccessLogTarget::File(path) => {
            let file = access::ReopeningFile::open(path)
                .with_context(|| format!("cannot open the access log {}", path.display()))?;
            let (file_writer, file_guard) =
                tracing_appender::non_blocking(std::io::BufWriter::with_capacity(64 * 1024, file));
            let _ = ACCESS_WRITER.set(file_writer);
            guards.push(file_guard);
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(verbose, true))
        .with_target(false)
        .with_writer(writer);
    match options.format {
        LogFormat::Text => builder
            .with_ansi(colour(std::io::stderr().is_terminal()))
            .finish()
            .with(PeerWarningLimit::default())
            .init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .finish()
            .with(PeerWarningLimit::default())
            .init(),
    }
    // The stderr guard last: dropped last, it carries the final messages.
    guards.reverse();
    Ok(guards)
}

/// SIGHUP: the access-log file is let go and opened again by its name (after
/// logrotate renamed it). Lines still queued go to the one file or the
/// other; none is lost. The writer thread logs `access log reopened`.
pub fn reopen_access_log() {
    access::request_reopen();
    if let Some(sink) = ACCESS_WRITER.get() {
        // An empty write makes the writer thread flush, and so reopen, now
        // rather than at the next access line.
        let _ = std::io::Write::write(&mut sink.clone(), &[]);
    }
}

/// Lines a second that one warning call site inside h2 may log.
pub const PEER_WARNINGS_PER_SECOND: u32 = 5;

/// h2 warnings dropped by [`PeerWarningLimit`] and not yet reported.
static SUPPRESSED_PEER_WARNINGS: AtomicU64 = AtomicU64::new(0);

/// Rate-limits the warnings h2 logs about what a peer sent (a malformed
/// request is refused inside h2 before any of our code sees it, and the
/// warning is its only trace; see patches/README.md): any peer can trigger
/// them at will, so each call site, that is each kind of refusal, logs at
/// most [`PEER_WARNINGS_PER_SECOND`] lines a second. The rest are counted
/// and reported by [`report_suppressed_peer_warnings`].
#[derive(Default)]
pub struct PeerWarningLimit {
    windows: Mutex<HashMap<Identifier, RateWindow>>,
}

impl<S: Subscriber> Layer<S> for PeerWarningLimit {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        let metadata = event.metadata();
        let target = metadata.target();
        if *metadata.level() > Level::WARN || !(target == "h2" || target.starts_with("h2::")) {
            return true;
        }
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let admitted = windows
            .entry(metadata.callsite())
            .or_default()
            .admit(Instant::now(), PEER_WARNINGS_PER_SECOND);
        if !admitted {
            SUPPRESSED_PEER_WARNINGS.fetch_add(1, Ordering::Relaxed);
        }
        admitted
    }
}

/// Logs, once a second while it lives, how many h2 warnings
/// [`PeerWarningLimit`] dropped.
pub struct SuppressedWarningsReport {
    _task: tokio_util::task::AbortOnDropHandle<()>,
}

impl SuppressedWarningsReport {
    /// Starts the reporting task on the current runtime.
    pub fn start() -> Self {
        let task = tokio::spawn(async {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                report_suppressed_peer_warnings();
                crate::logging::warn_limit::report_suppressed();
            }
        });
        Self {
            _task: tokio_util::task::AbortOnDropHandle::new(task),
        }
    }
}

fn report_suppressed_peer_warnings() {
    let dropped = SUPPRESSED_PEER_WARNINGS.swap(0, Ordering::Relaxed);
    if dropped > 0 {
        tracing::warn!(
            "{dropped} more warnings from the HTTP/2 layer not logged \
             (at most {PEER_WARNINGS_PER_SECOND} a second of each kind)"
        );
    }
}

/// A fixed one-second window: up to `limit` events in each.
#[derive(Default)]
struct RateWindow {
    start: Option<Instant>,
    count: u32,
}

impl RateWindow {
    fn admit(&mut self, now: Instant, limit: u32) -> bool {
        match self.start {
            Some(start) if now.saturating_duration_since(start) < Duration::from_secs(1) => {}
            _ => {
                self.start = Some(now);
                self.count = 0;
            }
        }
        self.count += 1;
        self.count <= limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_turns_colour_off_on_a_terminal() {
        use std::ffi::OsStr;
        assert!(colour_with(true, None));
        assert!(colour_with(true, Some(OsStr::new(""))));
        assert!(!colour_with(true, Some(OsStr::new("1"))));
        assert!(!colour_with(false, None));
    }

    #[test]
    fn a_rate_window_admits_the_limit_each_second() {
        let start = Instant::now();
        let mut window = RateWindow::default();
        let admitted = |window: &mut RateWindow, at: Duration| {
            (0..10).filter(|_| window.admit(start + at, 3)).count()
        };
        assert_eq!(admitted(&mut window, Duration::ZERO), 3);
        assert_eq!(admitted(&mut window, Duration::from_millis(999)), 0);
        assert_eq!(admitted(&mut window, Duration::from_millis(1000)), 3);
        assert_eq!(admitted(&mut window, Duration::from_secs(60)), 3);
    }
}
