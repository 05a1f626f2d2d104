//! The one tracing subscriber: stderr only, through a non-blocking writer so
//! that the per-RPC access log never stalls a request on a slow terminal.

use std::{
    cell::RefCell,
    io::{IsTerminal, Write},
    sync::{Mutex, OnceLock, PoisonError},
    time::{SystemTime, UNIX_EPOCH},
};

use tracing_appender::non_blocking::{NonBlocking, WorkerGuard};
use tracing_subscriber::EnvFilter;

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
    const LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];
    let base = if serving { 2 } else { 1 };
    let level = LEVELS[(base + usize::from(verbose)).min(LEVELS.len() - 1)];
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    if !serving {
        subscriber.with_writer(std::io::stderr).init();
        return None;
    }
    // The writer thread drains every queued line into one buffer and
    // flushes once per drain: one write(2) per batch, not per line.
    let stderr = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    let (writer, guard) = tracing_appender::non_blocking(stderr);
    let _ = LINE_SINK.set(writer.clone());
    subscriber.with_writer(writer).init();
    Some(guard)
}

/// Access lines waiting to be handed to the writer thread, in one batch.
static PENDING_LINES: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// A batch is handed over at this size, or by `flush_lines`.
const BATCH_BYTES: usize = 32 * 1024;

/// Queues one complete, already formatted log line (with its newline).
///
/// The per-RPC access log formats its own lines (through tracing's formatter
/// a line cost ~0.7 µs) and hands them to the writer thread in batches of
/// 32 KiB (one per line cost a channel send and a thread wake-up each): the
/// two together were ~10% of unary throughput. The server calls
/// [`flush_lines`] every 100 ms and on exit, so a line waits at most that
/// long. Before `init` (in-process tests), lines go straight to stderr.
pub fn write_line(line: &[u8]) {
    let Some(sink) = LINE_SINK.get() else {
        let _ = std::io::stderr().write_all(line);
        return;
    };
    let batch = {
        let mut pending = PENDING_LINES.lock().unwrap_or_else(PoisonError::into_inner);
        pending.extend_from_slice(line);
        if pending.len() < BATCH_BYTES {
            return;
        }
        std::mem::take(&mut *pending)
    };
    let _ = sink.clone().write_all(&batch);
}

/// Hands any queued lines to the writer thread.
pub fn flush_lines() {
    let Some(sink) = LINE_SINK.get() else {
        return;
    };
    let batch = std::mem::take(&mut *PENDING_LINES.lock().unwrap_or_else(PoisonError::into_inner));
    if !batch.is_empty() {
        let _ = sink.clone().write_all(&batch);
    }
}

/// Appends the current UTC time as tracing prints it,
/// `2026-11-25T12:00:25.850760Z`. The date and time of day are formatted
/// once per second and per thread, then reused.
pub fn push_timestamp(buf: &mut Vec<u8>) {
    thread_local! {
        static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
    }
    let now = SystemTime::now();
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    SECOND.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.0 != seconds {
            // "2026-11-25T12:00:25Z" → keep "2026-11-25T12:00:25".
            let mut text = humantime::format_rfc3339_seconds(now).to_string();
            text.truncate(19);
            *cache = (seconds, text);
        }
        buf.extend_from_slice(cache.1.as_bytes());
    });
    let micros = since_epoch.subsec_micros();
    buf.push(b'.');
    let mut digits = itoa::Buffer::new();
    let text = digits.format(micros);
    buf.extend(std::iter::repeat_n(b'0', 6 - text.len()));
    buf.extend_from_slice(text.as_bytes());
    buf.push(b'Z');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_look_like_tracings() {
        let mut buf = Vec::new();
        push_timestamp(&mut buf);
        let text = String::from_utf8(buf).expect("ascii");
        assert_eq!(text.len(), "2026-11-25T12:00:25.850760Z".len(), "{text}");
        let parsed = humantime::parse_rfc3339(&text).expect("RFC 3339");
        let age = SystemTime::now().duration_since(parsed).unwrap_or_default();
        assert!(age.as_secs() < 60, "{text}");
    }
}
