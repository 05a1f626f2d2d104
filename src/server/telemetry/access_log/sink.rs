//! Where access lines go: appended to one pending batch, with a timestamp
//! from a clock read once per line, and handed to the log writer thread
//! (`logging::writer`) 32 KiB at a time or by the [`Flusher`] every 100 ms.
//! Why batched: one channel send and thread wake-up per line was measurable
//! (BENCHMARKS.md, "What was changed", "access lines handed … in 32 KiB
//! batches").

use std::{
    io::Write,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use tokio_util::task::AbortOnDropHandle;

/// How long a line may wait in the batch.
const FLUSH_INTERVAL: Duration = Duration::from_millis(100);

/// Flushes the pending lines every [`FLUSH_INTERVAL`] while it lives, and
/// once more when dropped (at the server's exit).
pub struct Flusher {
    _task: AbortOnDropHandle<()>,
}

impl Flusher {
    /// Starts the flushing task on the current runtime.
    pub fn start() -> Self {
        let task = tokio::spawn(async {
            let mut tick = tokio::time::interval(FLUSH_INTERVAL);
            loop {
                tick.tick().await;
                flush_lines();
            }
        });
        Self {
            _task: AbortOnDropHandle::new(task),
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        flush_lines();
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
    clock: Option<SecondClock>,
}

/// A batch is handed over at this size, or by `flush_lines`.
const BATCH_BYTES: usize = 32 * 1024;

/// Appends one complete log line (with its newline), written by `format`
/// straight into the pending batch. `format` gets the current UTC time as
/// tracing prints it (`2026-11-25T12:00:25.850760Z`), computed from `now`.
/// Before `logging::init` (in-process tests), lines go straight to stderr.
pub(super) fn write_line_with(now: Instant, format: impl FnOnce(&mut Vec<u8>, &[u8])) {
    let Some(sink) = crate::logging::access_writer() else {
        let mut line = Vec::with_capacity(160);
        let mut stamp = Vec::with_capacity(32);
        SecondClock::new().push(&mut stamp, now);
        format(&mut line, &stamp);
        let _ = std::io::stderr().write_all(&line);
        return;
    };
    let batch = {
        let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
        let Pending { lines, clock } = &mut *pending;
        let clock = match clock {
            Some(clock) if clock.covers(now) => clock,
            _ => clock.insert(SecondClock::new()),
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
pub(super) fn flush_lines() {
    let Some(sink) = crate::logging::access_writer() else {
        return;
    };
    let batch = std::mem::take(&mut PENDING.lock().unwrap_or_else(PoisonError::into_inner).lines);
    if !batch.is_empty() {
        let _ = sink.clone().write_all(&batch);
    }
}

/// The wall-clock time of one second, read off the monotonic clock: one
/// clock read per line (the caller's `Instant`, also used for the RPC's
/// duration) instead of two. The date and time of day are formatted once
/// per second.
struct SecondClock {
    /// The monotonic instant at which this wall-clock second began.
    second_start: Instant,
    /// `2026-11-25T12:00:25`
    text: [u8; 19],
}

impl SecondClock {
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
        SecondClock::new().push(&mut buf, now);
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
    fn a_calibration_covers_one_second_and_counts_microseconds() {
        let clock = SecondClock::new();
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
