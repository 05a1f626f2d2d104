//! The endpoints' addresses: fixed ones as given, `dns:///` names resolved
//! again every 30 s and when an endpoint fails, `etcd://` prefixes as the
//! registry's watch reports them (etcd.rs); one task per address.

use std::{collections::HashMap, str::FromStr, sync::Arc, time::Duration};

use tokio::sync::{mpsc, Notify};
use tonic::transport::{Endpoint, Uri};
use tower::discover::Change;

use crate::client::CallOptions;

use super::{
    endpoint::{AbortOnDrop, EndpointTask, Leave},
    etcd,
    fail_fast::{State, States},
    Counted, Counters, FirstOutcome,
};

/// Keeps one task per endpoint address, resolving `dns:///` names again
/// every 30 s and when an endpoint fails.
pub(super) struct Resolver {
    pub(super) options: CallOptions,
    pub(super) changes: mpsc::UnboundedSender<Change<String, Counted>>,
    pub(super) first: mpsc::UnboundedSender<FirstOutcome>,
    pub(super) counters: Arc<Counters>,
    pub(super) states: Arc<States>,
}

const RESOLVE_INTERVAL: Duration = Duration::from_secs(30);
/// At most one resolution per second, however many endpoints fail.
const MIN_RESOLVE_INTERVAL: Duration = Duration::from_secs(1);

impl Resolver {
    pub(super) async fn run(self) {
        let failed = Arc::new(Notify::new());
        let mut tasks: HashMap<String, AbortOnDrop> = HashMap::new();
        if let Some(name) = self.options.target.etcd_name() {
            let name = name.clone();
            return self.follow_registry(name, &failed, &mut tasks).await;
        }
        let mut first_resolution = true;
        loop {
            let resolved = self.resolve().await;
            if first_resolution {
                let _ = self.first.send(FirstOutcome::Resolved(resolved.len()));
                first_resolution = false;
            }
            // A name that resolves to nothing keeps the endpoints it had.
            let drop_missing = !resolved.is_empty() || self.options.target.dns_name().is_none();
            self.apply(resolved, &mut tasks, &failed, drop_missing);
            if self.options.target.dns_name().is_none()
                && self
                    .options
                    .balancing
                    .more
                    .iter()
                    .all(|t| t.dns_name().is_none())
            {
                // Fixed addresses: nothing to resolve again.
                std::future::pending::<()>().await;
            }
            tokio::select! {
                () = tokio::time::sleep(RESOLVE_INTERVAL) => {}
                () = failed.notified() => tokio::time::sleep(MIN_RESOLVE_INTERVAL).await,
            }
        }
    }

    /// `etcd://`: the endpoints follow the registry's watch, keys put and
    /// deleted joining and leaving as `dns:///` addresses do.
    async fn follow_registry(
        self,
        name: crate::registry::EtcdName,
        failed: &Arc<Notify>,
        tasks: &mut HashMap<String, AbortOnDrop>,
    ) {
        let (updates_tx, mut updates) = mpsc::unbounded_channel();
        let _watch = AbortOnDrop(tokio::spawn(etcd::follow(name.clone(), updates_tx)));
        let empty = format!("no endpoint registered under {}", name.service);
        let mut first_resolution = true;
        while let Some(update) = updates.recv().await {
            match update {
                etcd::Update::Endpoints(addrs) => {
                    let resolved: Vec<(String, Endpoint)> = addrs
                        .into_iter()
                        .filter_map(|addr| {
                            let endpoint = self.endpoint(&format!("http://{addr}"), None).ok()?;
                            Some((addr, endpoint))
                        })
                        .collect();
                    if first_resolution {
                        let outcome = if resolved.is_empty() {
                            FirstOutcome::NoEndpoint(empty.clone())
                        } else {
                            FirstOutcome::Resolved(resolved.len())
                        };
                        let _ = self.first.send(outcome);
                        first_resolution = false;
                    }
                    self.states
                        .set_empty_reason(resolved.is_empty().then(|| empty.clone()));
                    self.apply(resolved, tasks, failed, true);
                }
                etcd::Update::Unreachable(why) => {
                    let _ = self
                        .first
                        .send(FirstOutcome::NoEndpoint(format!("registry {name}: {why}")));
                }
            }
        }
    }

    /// Starts a task for each new endpoint and, with `drop_missing`, stops
    /// those no longer in `resolved`.
    fn apply(
        &self,
        resolved: Vec<(String, Endpoint)>,
        tasks: &mut HashMap<String, AbortOnDrop>,
        failed: &Arc<Notify>,
        drop_missing: bool,
    ) {
        {
            let keep: Vec<String> = resolved.iter().map(|(key, _)| key.clone()).collect();
            // New endpoints join before the ones the name no longer gives
            // leave, and count as connecting from now (not from their task's
            // first poll): an RPC sent in between waits for them instead of
            // failing with "no endpoint is up".
            for (key, endpoint) in resolved {
                if tasks.contains_key(&key) {
                    continue;
                }
                self.states.set(&key, State::Connecting);
                let task = EndpointTask {
                    sent: self.counters.counter(&key),
                    key: key.clone(),
                    endpoint,
                    connect_timeout: self.options.connect_timeout,
                    health_check: self.options.health_check(),
                    changes: self.changes.clone(),
                    first: self.first.clone(),
                    failed: Arc::clone(failed),
                    states: Arc::clone(&self.states),
                    _leave: Leave {
                        key: key.clone(),
                        states: Arc::clone(&self.states),
                        changes: self.changes.clone(),
                    },
                };
                tasks.insert(key, AbortOnDrop(tokio::spawn(task.run())));
            }
            if drop_missing {
                // A dropped task's `Leave` guard takes the endpoint out once
                // the aborted task has stopped.
                tasks.retain(|key, _| keep.contains(key));
            }
        }
    }

    /// Every endpoint: fixed addresses as given, `dns:///` names resolved.
    async fn resolve(&self) -> Vec<(String, Endpoint)> {
        let mut resolved = Vec::new();
        for target in self.options.targets() {
            if let Some((host, port)) = target.dns_name() {
                match tokio::net::lookup_host((host, port)).await {
                    Ok(addrs) => {
                        for addr in addrs {
                            let scheme = if target.is_tls() { "https" } else { "http" };
                            let key = addr.to_string();
                            let authority = format!("{host}:{port}");
                            if let Ok(endpoint) =
                                self.endpoint(&format!("{scheme}://{key}"), Some(&authority))
                            {
                                resolved.push((key, endpoint));
                            }
                        }
                    }
                    Err(err) => {
                        tracing::warn!("resolving {target}: {err}");
                    }
                }
            } else if let Some(uri) = target.http_uri() {
                let key = uri
                    .authority()
                    .map_or_else(|| target.to_string(), ToString::to_string);
                if let Ok(endpoint) = self.endpoint(&uri.to_string(), None) {
                    resolved.push((key, endpoint));
                }
            }
        }
        resolved.sort_by(|a, b| a.0.cmp(&b.0));
        resolved.dedup_by(|a, b| a.0 == b.0);
        resolved
    }

    /// A tonic endpoint with the client's timeouts, TLS and `:authority`.
    fn endpoint(&self, uri: &str, authority: Option<&str>) -> anyhow::Result<Endpoint> {
        let options = &self.options;
        let mut endpoint = Endpoint::from(Uri::from_str(uri)?)
            .connect_timeout(options.connect_timeout)
            .tcp_nodelay(true);
        let scheme = if uri.starts_with("https") {
            "https"
        } else {
            "http"
        };
        if let Some(authority) = options.authority.as_deref().or(authority) {
            endpoint = endpoint.origin(Uri::from_str(&format!("{scheme}://{authority}"))?);
        }
        if scheme == "https" {
            let mut tls = options.tls.load()?;
            let name = options.tls.server_name.clone().or_else(|| {
                let authority = options.authority.as_deref().or(authority)?;
                let authority = http::uri::Authority::from_str(authority).ok()?;
                Some(authority.host().trim_matches(['[', ']']).to_owned())
            });
            if let Some(name) = name {
                tls = tls.domain_name(name);
            }
            endpoint = endpoint.tls_config(tls)?;
        }
        Ok(endpoint)
    }
}
