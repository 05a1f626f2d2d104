//! What every client subcommand is told: the target, deadlines, metadata,
//! compression, limits and TLS settings, checked for flags that do not fit
//! together; and how a request is stamped with them.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context as _;
use tonic::{
    codec::CompressionEncoding,
    metadata::{AsciiMetadataValue, MetadataMap},
    transport::{Certificate, ClientTlsConfig, Identity},
};

use super::{metadata::show_metadata, Header, Target};

/// A generated client (or `tonic::client::Grpc`) with the call's size limits
/// and, with `--compress`, compression both ways. (Compressed responses are
/// asked for only then: for small messages compression costs more than it
/// saves.) A macro: the generated clients share these methods but no trait.
macro_rules! configured_client {
    ($client:expr, $options:expr) => {{
        let options = $options;
        let client = $client
            .max_decoding_message_size(options.max_message_size)
            .max_encoding_message_size(options.max_message_size);
        match options.compression {
            Some(encoding) => client.send_compressed(encoding).accept_compressed(encoding),
            None => client,
        }
    }};
}
use crate::status::UsageError;
pub(crate) use configured_client;

/// Everything a client subcommand needs to make a call.
#[derive(Debug, Clone)]
pub struct CallOptions {
    pub target: Target,
    /// Deadline of the whole RPC, connection included.
    pub timeout: Duration,
    /// Whether `--timeout` was given: without it, `call` on a streaming
    /// method and `health --watch` run with no deadline (as grpcurl's).
    pub timeout_given: bool,
    pub connect_timeout: Duration,
    pub headers: Vec<Header>,
    /// Request compression, if any. Compressed responses are always accepted.
    pub compression: Option<CompressionEncoding>,
    /// Sent as `authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Largest message sent or accepted.
    pub max_message_size: usize,
    pub tls: ClientTls,
    /// `:authority` to send instead of the address's host (and, over TLS,
    /// the name the certificate is checked against unless `server_name`).
    pub authority: Option<String>,
    /// `-v`: show the request metadata, response headers and trailers on
    /// stderr.
    pub verbose: bool,
    /// More endpoints than `target`, health checks, retries (balance.rs).
    pub balancing: super::balance::Balancing,
    /// `--explain`: the connection's frames and messages on stderr.
    pub explain: Option<crate::explain::Explain>,
}

/// TLS settings for an `https://` address. Without `ca`, the server is
/// checked against the bundled web PKI roots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientTls {
    /// PEM CA certificate to trust instead of the public roots.
    pub ca: Option<PathBuf>,
    /// PEM client certificate and key, for mutual TLS.
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// The name to check the server certificate against.
    pub server_name: Option<String>,
    /// Do not verify the server certificate at all (`--insecure`).
    pub insecure: bool,
}

impl ClientTls {
    pub fn is_set(&self) -> bool {
        *self != Self::default()
    }

    pub(super) fn load(&self) -> anyhow::Result<ClientTlsConfig> {
        let read = |path: &Path, what: &str| {
            std::fs::read(path).with_context(|| format!("reading {what} {}", path.display()))
        };
        let mut config = ClientTlsConfig::new();
        config = match &self.ca {
            Some(ca) => config.ca_certificate(Certificate::from_pem(read(ca, "CA certificate")?)),
            None => config.with_webpki_roots(),
        };
        match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => {
                config = config.identity(Identity::from_pem(
                    read(cert, "client certificate")?,
                    read(key, "client key")?,
                ));
            }
            (None, None) => {}
            _ => return Err(UsageError("--cert and --key go together".into()).into()),
        }
        if let Some(name) = &self.server_name {
            config = config.domain_name(name.clone());
        }
        Ok(config)
    }
}

impl CallOptions {
    /// The defaults, for unit tests (the CLI fills every field from flags).
    #[cfg(test)]
    pub fn new(target: Target) -> Self {
        use crate::defaults;
        Self {
            target,
            timeout: defaults::TIMEOUT,
            timeout_given: false,
            connect_timeout: defaults::CONNECT_TIMEOUT,
            headers: Vec::new(),
            compression: None,
            token: None,
            max_message_size: defaults::MAX_MESSAGE_SIZE,
            tls: ClientTls::default(),
            authority: None,
            verbose: false,
            balancing: super::balance::Balancing::default(),
            explain: None,
        }
    }

    /// Flags that do not fit together are a usage error (exit 2).
    pub fn validate(&self) -> Result<(), UsageError> {
        self.validate_balancing()?;
        if self.explain.is_some() && self.is_balanced() {
            return Err(UsageError(
                "--explain shows one connection: give one address (not several, dns:/// or etcd://)"
                    .into(),
            ));
        }
        if self.tls.is_set() && !self.target.is_tls() {
            return Err(UsageError(format!(
                "--ca, --cert, --key, --server-name and --insecure need an https:// address, not {}",
                self.target
            )));
        }
        if self.tls.insecure && self.tls.ca.is_some() {
            return Err(UsageError(
                "--insecure checks no certificate: it does not go with --ca".into(),
            ));
        }
        if let Some(token) = &self.token {
            if AsciiMetadataValue::try_from(format!("Bearer {token}")).is_err() {
                return Err(UsageError("the token must be printable ASCII".into()));
            }
        }
        Ok(())
    }

    /// Wraps a message in a request carrying our metadata and the remaining
    /// deadline, if any (sent as `grpc-timeout`, so the server can give up
    /// too).
    pub(crate) fn request<T>(&self, message: T, remaining: Option<Duration>) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        for header in &self.headers {
            match header {
                Header::Ascii(key, value) => {
                    request.metadata_mut().append(key.clone(), value.clone());
                }
                Header::Binary(key, value) => {
                    request
                        .metadata_mut()
                        .append_bin(key.clone(), value.clone());
                }
            }
        }
        // W3C trace context: a new trace per call, unless -H gave one.
        if !request
            .metadata()
            .contains_key(crate::trace_context::TRACEPARENT)
        {
            if let Ok(value) = AsciiMetadataValue::try_from(crate::trace_context::new_traceparent())
            {
                request
                    .metadata_mut()
                    .insert(crate::trace_context::TRACEPARENT, value);
            }
        }
        if let Some(token) = &self.token {
            if let Ok(mut value) = AsciiMetadataValue::try_from(format!("Bearer {token}")) {
                value.set_sensitive(true);
                request.metadata_mut().insert("authorization", value);
            }
        }
        if let Some(remaining) = remaining {
            request.set_timeout(remaining);
        }
        if self.verbose {
            show_metadata("Request metadata to send", request.metadata());
        }
        request
    }

    /// With `-v`: the response headers, on stderr.
    pub(crate) fn show_headers(&self, headers: &MetadataMap) {
        if self.verbose {
            show_metadata("Response headers received", headers);
        }
    }

    /// With `-v`: the response trailers, on stderr.
    pub(crate) fn show_trailers(&self, trailers: &MetadataMap) {
        if self.verbose {
            show_metadata("Response trailers received", trailers);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_flags_need_an_https_address() {
        let mut options = CallOptions::new(Target::parse("localhost:1").expect("valid"));
        assert!(options.validate().is_ok());
        options.tls.ca = Some(PathBuf::from("ca.pem"));
        assert!(options.validate().is_err());
        options.target = Target::parse("https://localhost:1").expect("valid");
        assert!(options.validate().is_ok());
    }
}
