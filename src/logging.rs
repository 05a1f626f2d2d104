//! The one tracing subscriber: stderr only, through a non-blocking writer so
//! that the per-RPC access log never stalls a request on a slow terminal.
//! The server's access log may go to a file instead, or nowhere, and every
//! line may be JSON (`access.rs`).

mod access;

use std::{
    collections::HashMap,
    io::{IsTerminal, Write},
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, OnceLock, PoisonError,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use tracing::{callsite::Identifier, Event, Level, Subscriber};
use tracing_appender::non_blocking::{NonBlocking, WorkerGuard};

pub use access::{access_log_enabled, json, push_json_str, AccessLogTarget, LogFormat, LogOptions};
use tracing_subscriber::{
    layer::{Context, SubscriberExt},
    util::SubscriberInitExt,
    EnvFilter, Layer,
};

/// Where pre-formatted lines (the access log) go: the same non-blocking
/// writer as every other log line.
static LINE_SINK: OnceLock<NonBlocking> = OnceLock::new();

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
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    None
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
    let mut guards = vec![guard];
    match &options.access_log {
        AccessLogTarget::Stderr => {
            let _ = LINE_SINK.set(writer.clone());
        }
        AccessLogTarget::Off => {}
        AccessLogTarget::File(path) => {
            let file = access::ReopeningFile::open(path)
                .with_context(|| format!("cannot open the access log {}", path.display()))?;
            let (file_writer, file_guard) =
                tracing_appender::non_blocking(std::io::BufWriter::with_capacity(64 * 1024, file));
            let _ = LINE_SINK.set(file_writer);
            guards.push(file_guard);
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(verbose, true))
        .with_target(false)
        .with_writer(writer);
    match options.format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
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
/// logrotate renamed it). Lines already queued are written first or go to
/// the new file; none is lost. The writer thread logs `access log reopened`.
pub fn reopen_access_log() {
    flush_lines();
    access::request_reopen();
    if let Some(sink) = LINE_SINK.get() {
        // An empty write makes the writer thread flush, and so reopen, now
        // rather than at the next access line.
        let _ = sink.clone().write(&[]);
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

/// Logs how many h2 warnings were dropped since the last call, if any. The
/// server calls it once a second.
pub fn report_suppressed_peer_warnings() {
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

/// Access lines waiting to be handed to the writer thread, in one batch,
/// and the clock their timestamps are read from.
static PENDING: Mutex<Pending> = Mutex::new(Pending {
    lines: Vec::new(),
    clock: None,
});

struct Pending {
    lines: Vec<u8>,
    clock: Option<Calibration>,
}

/// A batch is handed over at this size, or by `flush_lines`.
const BATCH_BYTES: usize = 32 * 1024;

/// Appends one complete log line (with its newline), written by `format`
/// straight into the pending batch. `format` gets the current UTC time as
/// tracing prints it (`2026-11-25T12:00:25.850760Z`), computed from `now`.
///
/// The per-RPC access log formats its own lines (through tracing's formatter
/// a line cost ~0.7 µs) and hands them to the writer thread in batches of
/// 32 KiB (one per line cost a channel send and a thread wake-up each): the
/// two together were ~10% of unary throughput. The server calls
/// [`flush_lines`] every 100 ms and on exit, so a line waits at most that
/// long. Before `init` (in-process tests), lines go straight to stderr.
pub fn write_line_with(now: Instant, format: impl FnOnce(&mut Vec<u8>, &[u8])) {
    let Some(sink) = LINE_SINK.get() else {
        let mut line = Vec::with_capacity(160);
        let mut stamp = Vec::with_capacity(32);
        Calibration::new().push(&mut stamp, now);
        format(&mut line, &stamp);
        let _ = std::io::stderr().write_all(&line);
        return;
    };
    let batch = {
        let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
        let Pending { lines, clock } = &mut *pending;
        let clock = match clock {
            Some(clock) if clock.covers(now) => clock,
            _ => clock.insert(Calibration::new()),
        };
        let mut stamp = [0u8; 32];
        let stamp = clock.render(&mut stamp, now);
        if lines.capacity() == 0 {
            lines.reserve(BATCH_BYTES + 1024);
        }
        format(lines, stamp);
        if lines.len() < BATCH_BYTES {
            return;
        }
        std::mem::replace(lines, Vec::with_capacity(BATCH_BYTES + 1024))
    };
    let _ = sink.clone().write_all(&batch);
}

/// Hands any queued lines to the writer thread.
pub fn flush_lines() {
    let Some(sink) = LINE_SINK.get() else {
        return;
    };
    let batch = std::mem::take(&mut PENDING.lock().unwrap_or_else(PoisonError::into_inner).lines);
    if !batch.is_empty() {
        let _ = sink.clone().write_all(&batch);
    }
}

/// Wall-clock time for one second, read off the monotonic clock: one
/// clock read per line (the caller's `Instant`, also used for the RPC's
/// duration) instead of two. The date and time of day are formatted once
/// per second.
struct Calibration {
    /// The monotonic instant at which this wall-clock second began.
    second_start: Instant,
    /// `2026-11-25T12:00:25`
    text: [u8; 19],
}

impl Calibration {
    fn new() -> Self {
        let wall = SystemTime::now();
        let mono = Instant::now();
        let since_epoch = wall.duration_since(UNIX_EPOCH).unwrap_or_default();
        let into_second = Duration::from_nanos(u64::from(since_epoch.subsec_nanos()));
        let mut text = [b'0'; 19];
        // "2026-11-25T12:00:25Z" → keep "2026-11-25T12:00:25".
        let formatted = humantime::format_rfc3339_seconds(wall).to_string();
        let bytes = formatted.as_bytes();
        let len = bytes.len().min(19);
        text[..len].copy_from_slice(&bytes[..len]);
        Self {
            second_start: mono.checked_sub(into_second).unwrap_or(mono),
            text,
        }
    }

    fn covers(&self, now: Instant) -> bool {
        now >= self.second_start && now - self.second_start < Duration::from_secs(1)
    }

    /// `2026-11-25T12:00:25.850760Z` into `buf`; `now` within the second
    /// (else the microseconds saturate at .999999).
    fn render<'a>(&self, buf: &'a mut [u8; 32], now: Instant) -> &'a [u8] {
        let micros = now
            .saturating_duration_since(self.second_start)
            .as_micros()
            .min(999_999);
        buf[..19].copy_from_slice(&self.text);
        buf[19] = b'.';
        let mut value = micros as u32; // < 1,000,000
        for at in (20..26).rev() {
            buf[at] = b'0' + (value % 10) as u8;
            value /= 10;
        }
        buf[26] = b'Z';
        &buf[..27]
    }

    fn push(&self, out: &mut Vec<u8>, now: Instant) {
        let mut buf = [0u8; 32];
        out.extend_from_slice(self.render(&mut buf, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timestamp_at(now: Instant) -> String {
        let mut buf = Vec::new();
        Calibration::new().push(&mut buf, now);
        String::from_utf8(buf).expect("ascii")
    }

    #[test]
    fn timestamps_look_like_tracings_and_tell_the_time() {
        let text = timestamp_at(Instant::now());
        assert_eq!(text.len(), "2026-11-25T12:00:25.850760Z".len(), "{text}");
        let parsed = humantime::parse_rfc3339(&text).expect("RFC 3339");
        let age = SystemTime::now()
            .duration_since(parsed)
            .expect("not in the future");
        assert!(age < Duration::from_secs(1), "{text} is {age:?} old");
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

    #[test]
    fn a_calibration_covers_one_second_and_counts_microseconds() {
        let clock = Calibration::new();
        let start = clock.second_start;
        assert!(clock.covers(start));
        assert!(clock.covers(start + Duration::from_micros(999_999)));
        assert!(!clock.covers(start + Duration::from_secs(1)));
        let mut buf = [0u8; 32];
        let text = clock.render(&mut buf, start + Duration::from_micros(42_017));
        assert!(
            text.ends_with(b".042017Z"),
            "{}",
            String::from_utf8_lossy(text)
        );
        let text = clock.render(&mut buf, start);
        assert!(
            text.ends_with(b".000000Z"),
            "{}",
            String::from_utf8_lossy(text)
        );
    }
}
