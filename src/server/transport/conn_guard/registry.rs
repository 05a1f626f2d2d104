//! The connections open now, per client address, and the choice of the
//! one to close when the server is full.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{atomic::Ordering, Arc, Mutex, PoisonError, Weak},
};

use super::{ConnState, PeerBytes};

/// The connections open now: per client address, and a list to pick one to
/// close when the server is full.
#[derive(Debug, Default)]
pub struct Registry {
    inner: Mutex<RegistryInner>,
}

#[derive(Debug, Default)]
struct RegistryInner {
    /// Open connections, request bytes held and response bytes owed, per
    /// client address.
    per_ip: HashMap<IpAddr, (usize, PeerBytes)>,
    conns: Vec<Weak<ConnState>>,
}

impl Registry {
    /// Registers a new connection from `ip`, unless that address has
    /// `per_ip` open already.
    pub fn admit(self: &Arc<Self>, ip: Option<IpAddr>, per_ip: usize) -> Option<Slot> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(ip) = ip {
            let (open, _) = inner.per_ip.entry(ip).or_default();
            if *open >= per_ip {
                return None;
            }
            *open += 1;
        }
        let peer = ip
            .and_then(|ip| inner.per_ip.get(&ip))
            .map(|(_, bytes)| bytes);
        let state = Arc::new(ConnState::new(peer));
        if inner.conns.len() >= 64 && inner.conns.len() >= 2 * inner.per_ip.len().max(1) {
            inner.conns.retain(|conn| conn.strong_count() > 0);
        }
        inner.conns.push(Arc::downgrade(&state));
        Some(Slot {
            registry: Arc::clone(self),
            ip,
            state,
        })
    }

    /// Asks the connection idle the longest (no RPC in flight) to close;
    /// false if every connection is busy.
    pub fn evict_idlest(&self) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.conns.retain(|conn| conn.strong_count() > 0);
        let victim = inner
            .conns
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|conn| !conn.evict.load(Ordering::Relaxed))
            .filter_map(|conn| conn.idle_since_ms().map(|since| (since, conn)))
            .min_by_key(|(since, _)| *since);
        match victim {
            Some((_, conn)) => {
                conn.evict.store(true, Ordering::Release);
                conn.waker.wake();
                true
            }
            None => false,
        }
    }
}

/// A connection's place in the [`Registry`]; dropping it frees the place.
#[derive(Debug)]
pub struct Slot {
    registry: Arc<Registry>,
    ip: Option<IpAddr>,
    pub(crate) state: Arc<ConnState>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(ip) = self.ip {
            let mut inner = self
                .registry
                .inner
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some((open, _)) = inner.per_ip.get_mut(&ip) {
                *open -= 1;
                if *open == 0 {
                    inner.per_ip.remove(&ip);
                }
            }
        }
    }
}
