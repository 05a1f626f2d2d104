//! `serve --register etcd://HOST:PORT/SERVICE`: publish this replica in
//! etcd (the format is registry/mod.rs's), keep it there while serving,
//! take it out first when draining.
//!
//! - Start: a lease of `--register-ttl` is granted and the key
//!   `SERVICE/ADDR` put under it; etcd unreachable then is an error (the
//!   server does not start unpublished by surprise).
//! - Serving: the lease is kept alive (a refresh every third of the TTL). If
//!   etcd is lost the server keeps serving, warns once and then at most
//!   every 30 s, retries with backoff, and registers again (a new lease)
//!   when etcd is back. `grpc_demo_registered` says whether the key is
//!   there as far as this replica knows.
//! - Drain: [`Registered::deregister`] deletes the key and revokes the
//!   lease before health turns NOT_SERVING and the listener closes, so that
//!   callers watching the prefix stop choosing this replica first. A crash
//!   leaves the key to expire with its lease, after the TTL.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use etcd_client::{Client, PutOptions};
use tokio::sync::oneshot;

use crate::{
    defaults,
    registry::{self, EtcdName},
};

/// `--register`, `--register-ttl`, `--advertise-addr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub name: EtcdName,
    /// What callers dial; `None`: the bound address (not a wildcard).
    pub advertise: Option<String>,
    pub ttl: Duration,
}

/// Whether `--register` is on, and whether the key is there now.
static ENABLED: AtomicBool = AtomicBool::new(false);
static REGISTERED: AtomicBool = AtomicBool::new(false);

/// `grpc_demo_registered`: `None` without `--register`.
pub(crate) fn registered_gauge() -> Option<i64> {
    ENABLED
        .load(Ordering::Relaxed)
        .then(|| i64::from(REGISTERED.load(Ordering::Relaxed)))
}

/// While losing etcd: one warning, then at most one per this long.
const WARN_EVERY: Duration = Duration::from_secs(30);
/// Deregistering must not hold a drain up when etcd is gone.
const DEREGISTER_TIMEOUT: Duration = Duration::from_secs(2);
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(5);

/// A replica published in etcd; its lease is kept alive by a task of its
/// own until [`Registered::deregister`] (or the drop of this).
pub struct Registered {
    stop: Option<oneshot::Sender<oneshot::Sender<()>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Registered {
    /// Puts the key of `addr` under a new lease; an error (one line) when
    /// etcd does not answer within [`defaults::ETCD_REQUEST_TIMEOUT`].
    pub async fn start(registration: &Registration, addr: String) -> anyhow::Result<Self> {
        let name = &registration.name;
        let fail = |why: String| anyhow::anyhow!("registering in {name}: {why}");
        let mut client = name
            .connect(defaults::ETCD_REQUEST_TIMEOUT)
            .await
            .map_err(fail)?;
        let key = name.key(&addr);
        let lease = put_under_lease(&mut client, &key, &addr, registration.ttl)
            .await
            .map_err(fail)?;
        ENABLED.store(true, Ordering::Relaxed);
        REGISTERED.store(true, Ordering::Relaxed);
        tracing::info!(%key, ttl = ?registration.ttl, "registered in {name}");
        let (stop, stopped) = oneshot::channel();
        let keeper = Keeper {
            client,
            name: name.clone(),
            key,
            addr,
            ttl: registration.ttl,
            lease,
        };
        Ok(Self {
            stop: Some(stop),
            task: tokio::spawn(keeper.run(stopped)),
        })
    }

    /// Deletes the key and revokes the lease (within 2 s: past that, the
    /// lease expires by itself). Returns once the key is gone or given up.
    pub async fn deregister(mut self) {
        let Some(stop) = self.stop.take() else {
            return;
        };
        let (done, finished) = oneshot::channel();
        if stop.send(done).is_ok() {
            let _ = finished.await;
        }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Grants a lease of `ttl` and puts the key under it.
async fn put_under_lease(
    client: &mut Client,
    key: &str,
    addr: &str,
    ttl: Duration,
) -> Result<i64, String> {
    let seconds = i64::try_from(ttl.as_secs().max(1)).unwrap_or(i64::MAX);
    let lease = bounded(client.lease_grant(seconds, None)).await?.id();
    let options = PutOptions::new().with_lease(lease);
    bounded(client.put(key, registry::naming_value(addr), Some(options))).await?;
    Ok(lease)
}

/// An etcd request, bounded by [`defaults::ETCD_REQUEST_TIMEOUT`], its
/// failure as one line.
async fn bounded<T>(
    request: impl std::future::Future<Output = Result<T, etcd_client::Error>>,
) -> Result<T, String> {
    match tokio::time::timeout(defaults::ETCD_REQUEST_TIMEOUT, request).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(err)) => Err(registry::describe(&err)),
        Err(_) => Err(format!(
            "no answer within {}",
            humantime::format_duration(defaults::ETCD_REQUEST_TIMEOUT)
        )),
    }
}

struct Keeper {
    client: Client,
    name: EtcdName,
    key: String,
    addr: String,
    ttl: Duration,
    lease: i64,
}

impl Keeper {
    async fn run(mut self, mut stop: oneshot::Receiver<oneshot::Sender<()>>) {
        let mut last_warning: Option<Instant> = None;
        loop {
            let lost = tokio::select! {
                done = &mut stop => return self.deregister(done.ok()).await,
                lost = self.keep_alive() => lost,
            };
            REGISTERED.store(false, Ordering::Relaxed);
            self.warn(&mut last_warning, &format!("lease lost ({lost})"));
            let mut backoff = RETRY_FIRST;
            loop {
                tokio::select! {
                    done = &mut stop => return self.deregister(done.ok()).await,
                    () = tokio::time::sleep(backoff) => {}
                }
                let registered = tokio::select! {
                    done = &mut stop => return self.deregister(done.ok()).await,
                    registered = put_under_lease(&mut self.client, &self.key, &self.addr, self.ttl) => registered,
                };
                match registered {
                    Ok(lease) => {
                        self.lease = lease;
                        REGISTERED.store(true, Ordering::Relaxed);
                        tracing::info!(key = %self.key, "registered again in {}", self.name);
                        break;
                    }
                    Err(why) => {
                        self.warn(&mut last_warning, &why);
                        backoff = (backoff * 2).min(RETRY_MAX);
                    }
                }
            }
        }
    }

    /// Keeps the lease alive; returns why it stopped being kept.
    async fn keep_alive(&mut self) -> String {
        let every = (self.ttl / 3).max(Duration::from_millis(200));
        let (mut keeper, mut answers) =
            match bounded(self.client.lease_keep_alive(self.lease)).await {
                Ok(pair) => pair,
                Err(why) => return why,
            };
        loop {
            if let Err(err) = keeper.keep_alive().await {
                return registry::describe(&err);
            }
            match bounded(answers.message()).await {
                Ok(Some(answer)) if answer.ttl() > 0 => {}
                Ok(Some(_)) => return "the lease expired".to_owned(),
                Ok(None) => return "the keep-alive stream ended".to_owned(),
                Err(why) => return why,
            }
            tokio::time::sleep(every).await;
        }
    }

    /// One warning when etcd is lost, then at most one per 30 s.
    fn warn(&self, last: &mut Option<Instant>, why: &str) {
        if last.is_some_and(|at| at.elapsed() < WARN_EVERY) {
            return;
        }
        *last = Some(Instant::now());
        tracing::warn!(
            key = %self.key,
            "registry {} unreachable, still serving, retrying: {why}",
            self.name
        );
    }

    async fn deregister(mut self, done: Option<oneshot::Sender<()>>) {
        REGISTERED.store(false, Ordering::Relaxed);
        let key = self.key.clone();
        let lease = self.lease;
        let deleted = tokio::time::timeout(DEREGISTER_TIMEOUT, async {
            self.client.delete(key.as_str(), None).await?;
            self.client.lease_revoke(lease).await
        })
        .await;
        match deleted {
            Ok(Ok(_)) => tracing::info!(%key, "deregistered from {}", self.name),
            Ok(Err(err)) => tracing::warn!(
                %key,
                "deregistering from {}: {}; the key goes when its lease expires",
                self.name,
                registry::describe(&err)
            ),
            Err(_) => tracing::warn!(
                %key,
                "deregistering from {}: no answer within {}; the key goes when its lease expires",
                self.name,
                humantime::format_duration(DEREGISTER_TIMEOUT)
            ),
        }
        if let Some(done) = done {
            let _ = done.send(());
        }
    }
}
