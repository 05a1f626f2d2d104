//! A rate limit for the warnings a peer can trigger at will (refused
//! connections, failed RPCs, timeouts): per reason and peer address, at most
//! [`WARNINGS_PER_SECOND`] lines a second; the rest are counted and reported
//! once a second as one `N similar warnings suppressed` line per reason and
//! peer (issue 12 item 3: one attacker wrote 578,000 lines in 15 s).
//!
//! The table is bounded: past [`MAX_KEYS`] distinct (reason, peer) pairs in
//! one second, further peers share one entry per reason (`peer=*`).

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// Lines a second that one (reason, peer) pair may log.
pub const WARNINGS_PER_SECOND: u32 = 5;

/// Distinct (reason, peer) pairs tracked at once.
const MAX_KEYS: usize = 4096;

type Key = (&'static str, Option<IpAddr>);

struct Window {
    start: Instant,
    logged: u32,
    suppressed: u64,
}

static TABLE: Mutex<Option<HashMap<Key, Window>>> = Mutex::new(None);

/// Whether a warning for `reason` about `peer` (`None`: a Unix socket) may
/// be logged now. Call it only for lines that are about to be written.
pub fn admit(reason: &'static str, peer: Option<IpAddr>) -> bool {
    admit_at(Instant::now(), reason, peer.map(|ip| ip.to_canonical()))
}

fn admit_at(now: Instant, reason: &'static str, peer: Option<IpAddr>) -> bool {
    let mut table = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
    let table = table.get_or_insert_with(HashMap::new);
    let mut key = (reason, peer);
    if !table.contains_key(&key) && table.len() >= MAX_KEYS {
        key = (reason, None);
    }
    let window = table.entry(key).or_insert(Window {
        start: now,
        logged: 0,
        suppressed: 0,
    });
    if now.saturating_duration_since(window.start) >= Duration::from_secs(1) {
        window.start = now;
        window.logged = 0;
    }
    if window.logged < WARNINGS_PER_SECOND {
        window.logged += 1;
        true
    } else {
        window.suppressed += 1;
        false
    }
}

/// Logs one line per (reason, peer) whose warnings were suppressed since the
/// last call, and forgets pairs that have been quiet for a while. The server
/// calls it once a second.
pub fn report_suppressed() {
    for (reason, peer, count) in take_suppressed(Instant::now()) {
        let peer = peer.map_or_else(|| "*".to_owned(), |ip| ip.to_string());
        tracing::warn!(
            %peer,
            reason,
            "{count} similar warnings suppressed (at most {WARNINGS_PER_SECOND} a second per reason and peer)"
        );
    }
}

fn take_suppressed(now: Instant) -> Vec<(&'static str, Option<IpAddr>, u64)> {
    let mut table = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(table) = table.as_mut() else {
        return Vec::new();
    };
    let mut report = Vec::new();
    table.retain(|&(reason, peer), window| {
        if window.suppressed > 0 {
            report.push((reason, peer, window.suppressed));
            window.suppressed = 0;
        }
        now.saturating_duration_since(window.start) < Duration::from_secs(10)
    });
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_and_peer_gets_its_own_budget_and_a_summary() {
        let start = Instant::now();
        let a: Option<IpAddr> = Some([192, 0, 2, 1].into());
        let b: Option<IpAddr> = Some([192, 0, 2, 2].into());
        let admitted = |at: Duration, reason, peer| {
            (0..100)
                .filter(|_| admit_at(start + at, reason, peer))
                .count()
        };
        assert_eq!(admitted(Duration::ZERO, "test-a", a), 5);
        assert_eq!(admitted(Duration::ZERO, "test-a", b), 5);
        assert_eq!(admitted(Duration::ZERO, "test-b", a), 5);
        let mut summary: Vec<_> = take_suppressed(start)
            .into_iter()
            .filter(|(reason, _, _)| reason.starts_with("test-"))
            .collect();
        summary.sort();
        assert_eq!(
            summary,
            [("test-a", a, 95), ("test-a", b, 95), ("test-b", a, 95)]
        );
        assert_eq!(admitted(Duration::from_millis(999), "test-a", a), 0);
        assert_eq!(admitted(Duration::from_secs(1), "test-a", a), 5);
    }
}
