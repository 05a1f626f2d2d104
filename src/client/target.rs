//! Where a client calls: `--addr`, else `GRPC_DEMO_ADDR`, else the default;
//! parsed and checked before anything is sent.

use std::{
    fmt,
    path::{Path, PathBuf},
    str::FromStr,
};

use tonic::transport::Uri;

use crate::{defaults, registry::EtcdName, status::UsageError};

/// A server address: `http://HOST:PORT`, `https://HOST:PORT`,
/// `unix:///PATH`, `dns:///HOST:PORT`, `etcd://HOST:PORT/SERVICE`, or a
/// bare `HOST:PORT` (plaintext `http://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub(super) kind: TargetKind,
    display: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TargetKind {
    Http(Uri),
    Unix(PathBuf),
    /// `dns:///HOST:PORT`: every address HOST resolves to (balance.rs).
    Dns {
        host: String,
        port: u16,
    },
    /// `etcd://HOST:PORT/SERVICE`: every replica registered under
    /// SERVICE/ (balance/etcd.rs).
    Etcd(EtcdName),
}

impl Target {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.starts_with("etcd:") {
            let name = EtcdName::parse(text)?;
            return Ok(Self {
                display: name.to_string(),
                kind: TargetKind::Etcd(name),
            });
        }
        if let Some(rest) = text.strip_prefix("dns:") {
            // gRPC's name syntax: dns:[//AUTHORITY/]HOST:PORT; only the
            // system resolver is supported.
            let host_port = rest.strip_prefix("///").unwrap_or(rest);
            if host_port.starts_with('/') {
                return Err(format!(
                    "invalid address '{text}': a DNS server in the address is not supported (use dns:///HOST:PORT)"
                ));
            }
            let authority = http::uri::Authority::from_str(host_port)
                .map_err(|err| format!("invalid address '{text}': {err}"))?;
            let port = authority.port_u16().ok_or_else(|| {
                format!("invalid address '{text}': missing port (use dns:///HOST:PORT)")
            })?;
            let host = authority.host().trim_matches(['[', ']']).to_owned();
            if host.is_empty() {
                return Err(format!("invalid address '{text}': no host"));
            }
            return Ok(Self {
                kind: TargetKind::Dns { host, port },
                display: format!("dns:///{host_port}"),
            });
        }
        if let Some(path) = text
            .strip_prefix("unix://")
            .or_else(|| text.strip_prefix("unix:"))
        {
            if !path.starts_with('/') || path.len() < 2 {
                return Err(format!(
                    "invalid address '{text}': a Unix socket address is unix:///ABSOLUTE/PATH"
                ));
            }
            return Ok(Self {
                kind: TargetKind::Unix(PathBuf::from(path)),
                display: format!("unix://{path}"),
            });
        }
        if text.starts_with('/') {
            // A socket path given as an address: say how to write it.
            return Err(format!(
                "invalid address '{text}': a Unix socket is unix://{text}"
            ));
        }
        let with_scheme = if text.contains("://") {
            text.to_owned()
        } else {
            format!("http://{text}")
        };
        let uri = Uri::from_str(&with_scheme)
            .map_err(|err| format!("invalid address '{text}': {err}"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            Some(other) => {
                return Err(format!(
                    "invalid address '{text}': scheme '{other}' is not supported (use http://, https:// or unix://)"
                ))
            }
            None => return Err(format!("invalid address '{text}': no scheme")),
        }
        let authority = match uri.authority() {
            Some(authority) if !authority.host().is_empty() => authority,
            _ => return Err(format!("invalid address '{text}': no host")),
        };
        if authority.as_str().contains('@') {
            return Err(format!(
                "invalid address '{text}': user info is not supported"
            ));
        }
        // `Uri` accepts any text after the colon; a port must be a number.
        let after_host = &authority.as_str()[authority.host().len()..];
        match after_host.strip_prefix(':') {
            Some(port) if port.parse::<u16>().is_err() => {
                return Err(format!(
                    "invalid address '{text}': port '{port}' is not a number from 0 to 65535"
                ))
            }
            Some(_) => {}
            // Only https:// has a port everyone agrees on (443, as grpcurl
            // assumes); a plaintext gRPC server has none, and dialling port
            // 80 by default only hides the mistake.
            None if uri.scheme_str() == Some("https") => {}
            None => {
                return Err(format!(
                    "invalid address '{text}': missing port (use HOST:PORT, e.g. localhost:50000)"
                ))
            }
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(format!(
                "invalid address '{text}': a gRPC address has no path (use HOST:PORT)"
            ));
        }
        let display = with_scheme.trim_end_matches('/').to_owned();
        Ok(Self {
            kind: TargetKind::Http(uri),
            display,
        })
    }

    /// The address to call: `--addr` when given, else `GRPC_DEMO_ADDR`, else
    /// [`defaults::ADDR`]. A bad value from the environment is a usage error
    /// that names the variable.
    pub fn resolve(flag: Option<Target>) -> Result<Self, UsageError> {
        if let Some(target) = flag {
            return Ok(target);
        }
        match std::env::var(defaults::ADDR_ENV) {
            Ok(value) if !value.is_empty() => Self::parse(&value)
                .map_err(|err| UsageError(format!("{}: {err}", defaults::ADDR_ENV))),
            _ => Self::parse(defaults::ADDR).map_err(UsageError),
        }
    }

    /// Every address to call: the `--addr` values when given, else
    /// `GRPC_DEMO_ADDR` (a comma list, like `--addr`), else
    /// [`defaults::ADDR`]. Never empty.
    pub fn resolve_all(flags: &[Target]) -> Result<Vec<Self>, UsageError> {
        if !flags.is_empty() {
            return Ok(flags.to_vec());
        }
        match std::env::var(defaults::ADDR_ENV) {
            Ok(value) if value.contains(',') => value
                .split(',')
                .map(|part| {
                    Self::parse(part)
                        .map_err(|err| UsageError(format!("{}: {err}", defaults::ADDR_ENV)))
                })
                .collect(),
            _ => Self::resolve(None).map(|target| vec![target]),
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(&self.kind, TargetKind::Http(uri) if uri.scheme_str() == Some("https"))
    }

    /// The URI of a plaintext `http://` address (not for TLS or Unix).
    pub(crate) fn plaintext_uri(&self) -> Option<&Uri> {
        match &self.kind {
            TargetKind::Http(uri) if !self.is_tls() => Some(uri),
            _ => None,
        }
    }

    /// The socket path of a `unix://` address.
    pub fn unix_path(&self) -> Option<&Path> {
        match &self.kind {
            TargetKind::Unix(path) => Some(path),
            TargetKind::Http(_) | TargetKind::Dns { .. } | TargetKind::Etcd(_) => None,
        }
    }

    /// `dns:///HOST:PORT`: the host and port to resolve.
    pub fn dns_name(&self) -> Option<(&str, u16)> {
        match &self.kind {
            TargetKind::Dns { host, port } => Some((host, *port)),
            _ => None,
        }
    }

    /// `etcd://HOST:PORT/SERVICE`: the registry and the service.
    pub fn etcd_name(&self) -> Option<&EtcdName> {
        match &self.kind {
            TargetKind::Etcd(name) => Some(name),
            _ => None,
        }
    }

    /// The URI of an `http://` or `https://` address.
    pub(crate) fn http_uri(&self) -> Option<&Uri> {
        match &self.kind {
            TargetKind::Http(uri) => Some(uri),
            _ => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_path_is_told_its_unix_form() {
        assert_eq!(
            Target::parse("/run/app.sock").err().as_deref(),
            Some("invalid address '/run/app.sock': a Unix socket is unix:///run/app.sock")
        );
    }

    #[test]
    fn addresses_without_a_scheme_are_plaintext() {
        let target = Target::parse("localhost:50000").expect("valid");
        assert_eq!(target.to_string(), "http://localhost:50000");
        assert!(!target.is_tls());
    }

    #[test]
    fn http_and_https_addresses_are_accepted() {
        assert!(!Target::parse("http://127.0.0.1:1").expect("valid").is_tls());
        assert!(Target::parse("https://example.com:443")
            .expect("valid")
            .is_tls());
        assert_eq!(
            Target::parse("http://[::1]:50000/")
                .expect("valid")
                .to_string(),
            "http://[::1]:50000"
        );
    }

    #[test]
    fn unix_socket_addresses_are_accepted() {
        let target = Target::parse("unix:///tmp/grpc.sock").expect("valid");
        assert_eq!(target.unix_path(), Some(Path::new("/tmp/grpc.sock")));
        assert_eq!(target.to_string(), "unix:///tmp/grpc.sock");
        assert!(!target.is_tls());
        assert!(Target::parse("unix://relative.sock").is_err());
    }

    #[test]
    fn bad_addresses_are_refused_with_a_reason() {
        for (text, reason) in [
            ("ftp://host:1", "scheme 'ftp' is not supported"),
            ("http://", "invalid address"),
            ("localhost", "missing port"),
            ("http://127.0.0.1", "missing port"),
            ("[::1]", "missing port"),
            ("http://host:1/path", "has no path"),
            ("host:notaport", "port 'notaport' is not a number"),
            ("host:70000", "is not a number from 0 to 65535"),
            ("user@host:1", "user info"),
            ("a b:1", "invalid address"),
        ] {
            let err = Target::parse(text).expect_err(text);
            assert!(err.contains(reason), "{text}: {err}");
        }
    }
}
