//! The registry (issue 24): etcd, holding one key per replica in the
//! format of etcd's own gRPC naming (go.etcd.io/etcd/client/v3/naming):
//! key `SERVICE/ADDR`, value `{"Addr":"ADDR","Metadata":null}`, so that
//! grpc-go clients using etcd's resolver find our servers and ours find
//! theirs. The server side (a lease kept alive, the key put and deleted)
//! is server/registry.rs; the client side (read the prefix, then watch it)
//! is client/balance/etcd.rs. This file holds what both need: the
//! `etcd://` address, the key and value format, and connecting.

use std::{fmt, time::Duration};

use serde::{Deserialize, Serialize};

/// `etcd://HOST:PORT[,HOST:PORT…]/SERVICE`: where the registry is, and
/// the service's name (the key prefix, without its trailing `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EtcdName {
    /// etcd's client endpoints, `HOST:PORT` each.
    pub endpoints: Vec<String>,
    pub service: String,
}

impl EtcdName {
    /// Parses `etcd://HOST:PORT[,HOST:PORT…]/SERVICE`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let invalid = |why: &str| format!("invalid registry address '{text}': {why}");
        let rest = text
            .strip_prefix("etcd://")
            .ok_or_else(|| invalid("not etcd://HOST:PORT/SERVICE"))?;
        let (hosts, service) = rest
            .split_once('/')
            .ok_or_else(|| invalid("no service name (etcd://HOST:PORT/SERVICE)"))?;
        let service = service.trim_end_matches('/');
        if service.is_empty() {
            return Err(invalid("no service name (etcd://HOST:PORT/SERVICE)"));
        }
        if service.contains(char::is_whitespace) {
            return Err(invalid("the service name contains a space"));
        }
        let mut endpoints = Vec::new();
        for host_port in hosts.split(',') {
            let authority: http::uri::Authority = host_port
                .parse()
                .map_err(|_| invalid(&format!("'{host_port}' is not HOST:PORT")))?;
            if authority.port_u16().is_none() || authority.host().is_empty() {
                return Err(invalid(&format!("'{host_port}' is not HOST:PORT")));
            }
            if authority.as_str().contains('@') {
                return Err(invalid("user info is not supported"));
            }
            endpoints.push(authority.as_str().to_owned());
        }
        Ok(Self {
            endpoints,
            service: service.to_owned(),
        })
    }

    /// The prefix every replica's key starts with: `SERVICE/`.
    pub fn prefix(&self) -> String {
        format!("{}/", self.service)
    }

    /// The key of the replica callers dial at `addr`: `SERVICE/ADDR`.
    pub fn key(&self, addr: &str) -> String {
        format!("{}/{addr}", self.service)
    }

    /// A client for the registry. Nothing is sent yet: etcd-client opens
    /// its connections on the first request, which `timeout` bounds.
    pub async fn connect(&self, timeout: Duration) -> Result<etcd_client::Client, String> {
        let endpoints: Vec<String> = self
            .endpoints
            .iter()
            .map(|endpoint| format!("http://{endpoint}"))
            .collect();
        let options = etcd_client::ConnectOptions::new()
            .with_connect_timeout(timeout)
            .with_timeout(timeout)
            .with_keep_alive(Duration::from_secs(5), timeout);
        etcd_client::Client::connect(endpoints, Some(options))
            .await
            .map_err(|err| format!("etcd {}: {err}", self.endpoints.join(",")))
    }
}

impl fmt::Display for EtcdName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "etcd://{}/{}", self.endpoints.join(","), self.service)
    }
}

/// The value of a key in etcd's gRPC naming format
/// (`endpoints.Endpoint` as Go's encoding/json writes it).
#[derive(Debug, Serialize, Deserialize)]
struct NamingEndpoint {
    #[serde(rename = "Addr")]
    addr: String,
    #[serde(rename = "Metadata", default)]
    metadata: serde_json::Value,
}

/// `{"Addr":"ADDR","Metadata":null}`.
pub fn naming_value(addr: &str) -> String {
    let endpoint = NamingEndpoint {
        addr: addr.to_owned(),
        metadata: serde_json::Value::Null,
    };
    serde_json::to_string(&endpoint).unwrap_or_default()
}

/// The address in a naming-format value; `None` for anything else (a key
/// someone else wrote under the prefix is skipped, not an error).
pub fn naming_addr(value: &[u8]) -> Option<String> {
    let endpoint: NamingEndpoint = serde_json::from_slice(value).ok()?;
    (!endpoint.addr.is_empty()).then_some(endpoint.addr)
}

/// One line for an etcd failure: the client's errors nest the cause (a
/// refused connection) under a transport error or a status; the first
/// line and the innermost cause are the ones worth reading.
pub fn describe(err: &etcd_client::Error) -> String {
    let (mut text, mut source): (String, Option<&(dyn std::error::Error + 'static)>) = match err {
        etcd_client::Error::GRpcStatus(status) if !status.message().is_empty() => (
            status.message().to_owned(),
            std::error::Error::source(status),
        ),
        other => (other.to_string(), std::error::Error::source(other)),
    };
    let mut innermost = None;
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    if let Some(cause) = innermost.filter(|cause| !text.contains(cause.as_str())) {
        text = format!("{text}: {cause}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etcd_addresses_parse() {
        let name = EtcdName::parse("etcd://127.0.0.1:2379,[::1]:2380/greeter").expect("valid");
        assert_eq!(name.endpoints, ["127.0.0.1:2379", "[::1]:2380"]);
        assert_eq!(name.service, "greeter");
        assert_eq!(name.to_string(), "etcd://127.0.0.1:2379,[::1]:2380/greeter");
        assert_eq!(name.key("10.0.0.1:50000"), "greeter/10.0.0.1:50000");
        assert_eq!(name.prefix(), "greeter/");
        for bad in [
            "etcd://127.0.0.1:2379",
            "etcd://127.0.0.1:2379/",
            "etcd://127.0.0.1/svc",
            "etcd:///svc",
            "http://127.0.0.1:2379/svc",
            "etcd://u@h:1/svc",
        ] {
            assert!(EtcdName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_are_in_the_naming_format() {
        assert_eq!(
            naming_value("127.0.0.1:50000"),
            r#"{"Addr":"127.0.0.1:50000","Metadata":null}"#
        );
        assert_eq!(
            naming_addr(br#"{"Addr":"10.0.0.2:8080","Metadata":{"weight":2}}"#).as_deref(),
            Some("10.0.0.2:8080")
        );
        assert_eq!(
            naming_addr(br#"{"Addr":"10.0.0.2:8080"}"#).as_deref(),
            Some("10.0.0.2:8080")
        );
        assert_eq!(naming_addr(b"10.0.0.2:8080"), None);
        assert_eq!(naming_addr(br#"{"Addr":""}"#), None);
    }
}
