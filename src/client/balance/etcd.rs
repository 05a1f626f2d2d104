//! `--addr etcd://HOST:PORT/SERVICE`: the endpoints are the replicas
//! registered under `SERVICE/` in etcd (`serve --register`, or anything
//! writing etcd's gRPC naming format). The prefix is read once, then
//! watched from the revision read (no polling): each key put or deleted
//! is an endpoint joining or leaving the balancer (resolver.rs does that,
//! as for `dns:///`). When etcd is lost the endpoints known stay as they
//! are (one warning, then one per 30 s) and the prefix is read again once
//! etcd answers.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use etcd_client::{EventType, GetOptions, WatchOptions};
use tokio::sync::mpsc;

use crate::{
    defaults,
    registry::{self, EtcdName},
};

/// What the registry says.
pub(super) enum Update {
    /// Every address registered now, sorted.
    Endpoints(Vec<String>),
    /// etcd did not answer (sent only until the prefix was first read).
    Unreachable(String),
}

const WARN_EVERY: Duration = Duration::from_secs(30);
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(5);

/// Follows the prefix until `updates` is closed.
pub(super) async fn follow(name: EtcdName, updates: mpsc::UnboundedSender<Update>) {
    let mut registered: BTreeMap<String, String> = BTreeMap::new();
    let mut read_once = false;
    let mut last_warning: Option<Instant> = None;
    let mut backoff = RETRY_FIRST;
    loop {
        let mut read_now = false;
        let why = watch(&name, &mut registered, &mut read_now, &updates).await;
        read_once |= read_now;
        if updates.is_closed() {
            return;
        }
        if read_now {
            // The session worked: this failure starts a new backoff.
            backoff = RETRY_FIRST;
        }
        if !read_once {
            let _ = updates.send(Update::Unreachable(why));
            return;
        }
        if last_warning.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
            last_warning = Some(Instant::now());
            tracing::warn!(
                "registry {name} lost ({why}): keeping the {} endpoints known, retrying",
                registered.len()
            );
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(RETRY_MAX);
    }
}

/// One session: read the prefix (then `prefix_read` is set), then watch it;
/// returns why it ended.
async fn watch(
    name: &EtcdName,
    registered: &mut BTreeMap<String, String>,
    prefix_read: &mut bool,
    updates: &mpsc::UnboundedSender<Update>,
) -> String {
    let mut client = match name.connect(defaults::ETCD_REQUEST_TIMEOUT).await {
        Ok(client) => client,
        Err(why) => return why,
    };
    let prefix = name.prefix();
    let read = tokio::time::timeout(
        defaults::ETCD_REQUEST_TIMEOUT,
        client.get(prefix.as_str(), Some(GetOptions::new().with_prefix())),
    )
    .await;
    let read = match read {
        Ok(Ok(read)) => read,
        Ok(Err(err)) => return registry::describe(&err),
        Err(_) => return no_answer(),
    };
    *registered = read
        .kvs()
        .iter()
        .filter_map(|kv| {
            Some((
                String::from_utf8_lossy(kv.key()).into_owned(),
                registry::naming_addr(kv.value())?,
            ))
        })
        .collect();
    *prefix_read = true;
    if updates
        .send(Update::Endpoints(addresses(registered)))
        .is_err()
    {
        return "stopped".to_owned();
    }
    let revision = read.header().map_or(0, |header| header.revision());
    let options = WatchOptions::new()
        .with_prefix()
        .with_start_revision(revision + 1);
    let mut stream = match tokio::time::timeout(
        defaults::ETCD_REQUEST_TIMEOUT,
        client.watch(prefix.as_str(), Some(options)),
    )
    .await
    {
        Ok(Ok(stream)) => stream,
        Ok(Err(err)) => return registry::describe(&err),
        Err(_) => return no_answer(),
    };
    loop {
        let response = match stream.message().await {
            Ok(Some(response)) => response,
            Ok(None) => return "the watch ended".to_owned(),
            Err(err) => return registry::describe(&err),
        };
        if response.canceled() {
            return format!("the watch was cancelled: {}", response.cancel_reason());
        }
        let mut changed = false;
        for event in response.events() {
            let Some(kv) = event.kv() else { continue };
            let key = String::from_utf8_lossy(kv.key()).into_owned();
            let addr = match event.event_type() {
                EventType::Put => registry::naming_addr(kv.value()),
                EventType::Delete => None,
            };
            changed |= match addr {
                Some(addr) => registered.insert(key, addr.clone()).as_ref() != Some(&addr),
                None => registered.remove(&key).is_some(),
            };
        }
        if changed
            && updates
                .send(Update::Endpoints(addresses(registered)))
                .is_err()
        {
            return "stopped".to_owned();
        }
    }
}

/// The distinct addresses, sorted (two keys may name one address).
fn addresses(registered: &BTreeMap<String, String>) -> Vec<String> {
    let mut addrs: Vec<String> = registered.values().cloned().collect();
    addrs.sort();
    addrs.dedup();
    addrs
}

fn no_answer() -> String {
    format!(
        "no answer within {}",
        humantime::format_duration(defaults::ETCD_REQUEST_TIMEOUT)
    )
}
