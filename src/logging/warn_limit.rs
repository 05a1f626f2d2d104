//! A rate limit for the warnings a peer can trigger at will (refused
//! connections, guard timeouts, failed and cancelled RPCs in the access
//! log): per peer address, at most [`LINES_PER_SECOND`] lines a second
//! whatever the reason; the rest are counted per reason and reported once a
//! second as one `N similar warnings suppressed` line per peer, so that an
//! attacker cannot fill the disk with the log (SECURITY.md).
//!
//! The table is bounded: past [`MAX_PEERS`] peers in one second, further
//! peers share one entry (`peer=*`).

use std::{
    collections::HashMap,
    fmt::Write as _,
    net::IpAddr,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// Lines a second that one peer's warnings may take.
pub const LINES_PER_SECOND: u32 = 3;

/// Distinct peers tracked at once.
const MAX_PEERS: usize = 4096;

struct Window {
    start: Instant,
    logged: u32,
    /// Suppressed lines since the last report, per reason.
    suppressed: Vec<(&'static str, u64)>,
    /// Whether one of them was a warning (else the report is INFO: a
    /// client's cancellations are not something to warn about).
    suppressed_a_warning: bool,
}

static TABLE: Mutex<Option<HashMap<Option<IpAddr>, Window>>> = Mutex::new(None);

/// Whether a warning for `reason` about `peer` (`None`: a Unix socket) may
/// be logged now. Call it only for lines that are about to be written.
pub fn admit(reason: &'static str, peer: Option<IpAddr>) -> bool {
    admit_at(
        Instant::now(),
        reason,
        peer.map(|ip| ip.to_canonical()),
        true,
    )
}

/// As [`admit`], for an INFO line (a failed or cancelled RPC's access
/// line): it shares the peer's budget, but its suppression alone is
/// reported at INFO.
pub fn admit_info(reason: &'static str, peer: Option<IpAddr>) -> bool {
    admit_at(
        Instant::now(),
        reason,
        peer.map(|ip| ip.to_canonical()),
        false,
    )
}

fn admit_at(now: Instant, reason: &'static str, peer: Option<IpAddr>, warning: bool) -> bool {
    let mut table = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
    let table = table.get_or_insert_with(HashMap::new);
    let key = if !table.contains_key(&peer) && table.len() >= MAX_PEERS {
        None
    } else {
        peer
    };
    let window = table.entry(key).or_insert(Window {
        start: now,
        logged: 0,
        suppressed: Vec::new(),
        suppressed_a_warning: false,
    });
    if now.saturating_duration_since(window.start) >= Duration::from_secs(1) {
        window.start = now;
        window.logged = 0;
    }
    if window.logged < LINES_PER_SECOND {
        window.logged += 1;
        return true;
    }
    window.suppressed_a_warning |= warning;
    match window.suppressed.iter_mut().find(|(r, _)| *r == reason) {
        Some((_, count)) => *count += 1,
        None => window.suppressed.push((reason, 1)),
    }
    false
}

/// Logs one line per peer whose warnings were suppressed since the last
/// call, and forgets peers that have been quiet for a while. The server
/// calls it once a second.
pub fn report_suppressed() {
    for (peer, suppressed, warned) in take_suppressed(Instant::now()) {
        // An address, not a socket: no port (IPv4-mapped shown as IPv4).
        let peer = peer.map_or_else(|| "*".to_owned(), |ip| ip.to_canonical().to_string());
        let total: u64 = suppressed.iter().map(|(_, n)| n).sum();
        let mut reasons = String::new();
        for (reason, count) in &suppressed {
            let _ = write!(
                reasons,
                "{}{reason}: {count}",
                if reasons.is_empty() { "" } else { "; " }
            );
        }
        if warned {
            tracing::warn!(
                %peer,
                %reasons,
                "{total} similar warnings suppressed (at most {LINES_PER_SECOND} lines a second per peer)"
            );
        } else {
            tracing::info!(
                %peer,
                %reasons,
                "{total} similar lines suppressed (at most {LINES_PER_SECOND} lines a second per peer)"
            );
        }
    }
}

type Suppressed = Vec<(&'static str, u64)>;

fn take_suppressed(now: Instant) -> Vec<(Option<IpAddr>, Suppressed, bool)> {
    let mut table = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(table) = table.as_mut() else {
        return Vec::new();
    };
    let mut report = Vec::new();
    table.retain(|&peer, window| {
        if !window.suppressed.is_empty() {
            let warned = std::mem::take(&mut window.suppressed_a_warning);
            report.push((peer, std::mem::take(&mut window.suppressed), warned));
        }
        now.saturating_duration_since(window.start) < Duration::from_secs(10)
    });
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_peer_gets_its_own_budget_and_a_summary_by_reason() {
        let start = Instant::now();
        let a: Option<IpAddr> = Some([192, 0, 2, 1].into());
        let b: Option<IpAddr> = Some([192, 0, 2, 2].into());
        // a's lines are warnings, b's INFO lines (cancelled RPCs, say).
        let admitted = |at: Duration, reason, peer| {
            (0..100)
                .filter(|_| admit_at(start + at, reason, peer, peer == a))
                .count()
        };
        assert_eq!(admitted(Duration::ZERO, "one", a), 3);
        assert_eq!(
            admitted(Duration::ZERO, "two", a),
            0,
            "the peer's lines are spent"
        );
        assert_eq!(admitted(Duration::ZERO, "one", b), 3);
        let mut summary: Vec<_> = take_suppressed(start)
            .into_iter()
            .filter(|(peer, _, _)| *peer == a || *peer == b)
            .collect();
        summary.sort();
        assert_eq!(
            summary,
            [
                (a, vec![("one", 97), ("two", 100)], true),
                (b, vec![("one", 97)], false)
            ],
            "a warning's summary is a warning, an INFO line's is not"
        );
        assert_eq!(admitted(Duration::from_millis(999), "one", a), 0);
        assert_eq!(admitted(Duration::from_secs(1), "one", a), 3);
    }
}
