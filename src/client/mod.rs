//! The client side: address parsing, channel building (TLS, timeouts,
//! metadata, compression), and one file per subcommand.

mod hello;
mod report;
mod script;
mod stream;
mod watch;

use std::{
    fmt,
    future::Future,
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use anyhow::Context;
use tonic::{
    codec::CompressionEncoding,
    metadata::{AsciiMetadataKey, AsciiMetadataValue},
    transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity, Uri},
    Code,
};

use crate::exit::{RpcError, UsageError};

pub use hello::hello;

pub use script::{parse_script, ScriptError, ScriptSource};
pub use stream::{scripted_sequence, stream};

pub use report::{report, Readings};
pub use watch::watch;

/// A server address: `http://HOST:PORT`, `https://HOST:PORT`,
/// `unix:///PATH`, or a bare `HOST:PORT` (plaintext `http://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    kind: TargetKind,
    display: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TargetKind {
    Http(Uri),
    Unix(PathBuf),
}

impl Target {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
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
        if let Some(port) = after_host.strip_prefix(':') {
            if port.parse::<u16>().is_err() {
                return Err(format!(
                    "invalid address '{text}': port '{port}' is not a number from 0 to 65535"
                ));
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
            TargetKind::Http(_) => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

/// One `-H 'key: value'` metadata entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub key: AsciiMetadataKey,
    pub value: AsciiMetadataValue,
}

/// Parses `key: value`; the key is lower-cased, surrounding spaces trimmed.
pub fn parse_header(text: &str) -> Result<Header, String> {
    let (key, value) = text
        .split_once(':')
        .ok_or_else(|| format!("header '{text}' is not 'key: value'"))?;
    let key = key.trim().to_ascii_lowercase();
    let key = AsciiMetadataKey::from_str(&key)
        .map_err(|_| format!("header name '{key}' is not a valid metadata key"))?;
    let value = AsciiMetadataValue::try_from(value.trim())
        .map_err(|_| format!("header value of '{key}' must be printable ASCII"))?;
    Ok(Header { key, value })
}

/// Everything a client subcommand needs to make a call.
#[derive(Debug, Clone)]
pub struct CallOptions {
    pub target: Target,
    /// Deadline of the whole RPC, connection included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub headers: Vec<Header>,
    /// Request compression, if any. Compressed responses are always accepted.
    pub compression: Option<CompressionEncoding>,
    /// Sent as `authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Largest message sent or accepted.
    pub max_message_size: usize,
    pub tls: ClientTls,
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
}

impl ClientTls {
    pub fn is_set(&self) -> bool {
        *self != Self::default()
    }

    fn load(&self) -> anyhow::Result<ClientTlsConfig> {
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
    pub fn new(target: Target) -> Self {
        Self {
            target,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            headers: Vec::new(),
            compression: None,
            token: None,
            max_message_size: 4 * 1024 * 1024,
            tls: ClientTls::default(),
        }
    }

    /// Flags that do not fit together are a usage error (exit 2).
    pub fn validate(&self) -> Result<(), UsageError> {
        if self.tls.is_set() && !self.target.is_tls() {
            return Err(UsageError(format!(
                "--ca, --cert, --key and --server-name need an https:// address, not {}",
                self.target
            )));
        }
        if let Some(token) = &self.token {
            if AsciiMetadataValue::try_from(format!("Bearer {token}")).is_err() {
                return Err(UsageError("the token must be printable ASCII".into()));
            }
        }
        Ok(())
    }

    /// Wraps a message in a request carrying our metadata and the remaining
    /// deadline (sent as `grpc-timeout`, so the server can give up too).
    pub(crate) fn request<T>(&self, message: T, remaining: Duration) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        for header in &self.headers {
            request
                .metadata_mut()
                .append(header.key.clone(), header.value.clone());
        }
        if let Some(token) = &self.token {
            if let Ok(mut value) = AsciiMetadataValue::try_from(format!("Bearer {token}")) {
                value.set_sensitive(true);
                request.metadata_mut().insert("authorization", value);
            }
        }
        request.set_timeout(remaining);
        request
    }
}

/// Opens a channel to the target, failing with UNAVAILABLE and a short cause
/// ("connection refused", "server certificate not trusted") instead of a
/// transport error dump. Unreadable TLS files are local errors.
pub async fn connect(options: &CallOptions) -> anyhow::Result<Channel> {
    let target = &options.target;
    let unavailable =
        |cause: String| RpcError::new(Code::Unavailable, format!("{cause} ({target})"));
    let mut endpoint = match &target.kind {
        TargetKind::Http(uri) => Endpoint::from(uri.clone()),
        // The URI is not used to connect, only for the :authority header.
        TargetKind::Unix(_) => Endpoint::from_static("http://localhost"),
    }
    .connect_timeout(options.connect_timeout)
    .tcp_nodelay(true);
    if target.is_tls() {
        endpoint = endpoint
            .tls_config(options.tls.load()?)
            .map_err(|err| unavailable(root_cause(&err)))?;
    }
    let connected = match &target.kind {
        TargetKind::Unix(path) => {
            let path = path.clone();
            endpoint
                .connect_with_connector(tower::service_fn(move |_: Uri| {
                    let path = path.clone();
                    async move {
                        let stream = tokio::net::UnixStream::connect(path).await?;
                        Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
                    }
                }))
                .await
        }
        TargetKind::Http(_) => endpoint.connect().await,
    };
    connected.map_err(|err| {
        let cause = describe_connect_error(&err);
        if cause.contains("timed out") {
            unavailable(format!(
                "connect timed out after {}",
                humantime::format_duration(options.connect_timeout)
            ))
            .into()
        } else {
            unavailable(cause).into()
        }
    })
}

/// Names the cause of a failed connection in words a user can act on.
fn describe_connect_error(err: &(dyn std::error::Error + 'static)) -> String {
    let cause = root_cause(err);
    if cause.contains("invalid peer certificate") {
        format!("server certificate not trusted: {cause}")
    } else {
        cause
    }
}

/// Names the cause of a failed RPC. A status that tonic made from a broken
/// connection (UNKNOWN or CANCELLED with a transport error inside) becomes
/// UNAVAILABLE, as in gRPC's other implementations, with the root cause:
/// "connection closed", or a TLS alert put into words.
pub(crate) fn describe_status(status: tonic::Status, options: Option<&CallOptions>) -> RpcError {
    let transport_cause = std::error::Error::source(&status)
        .filter(|source| source.is::<tonic::transport::Error>() || source.is::<h2::Error>())
        .map(root_cause);
    let Some(cause) = transport_cause else {
        return RpcError::from(status);
    };
    let lower = cause.to_ascii_lowercase();
    let message = if lower.contains("certificaterequired") {
        format!("the server requires a client certificate (--cert/--key): {cause}")
    } else if lower.contains("unknownca")
        || lower.contains("badcertificate")
        || lower.contains("invalid peer certificate")
    {
        format!("certificate not trusted: {cause}")
    } else if options.is_some_and(|o| o.target.is_tls() && o.tls.cert.is_none())
        && is_closed(&lower)
    {
        // Under TLS 1.3 a server refuses a missing client certificate after
        // the handshake; our write can then fail before its alert is read.
        format!("connection closed during TLS; the server may require a client certificate (--cert/--key): {cause}")
    } else if lower == "connection closed" {
        "connection closed by the server".to_owned()
    } else {
        cause
    };
    RpcError::new(Code::Unavailable, message)
}

fn is_closed(cause: &str) -> bool {
    ["broken pipe", "connection reset", "connection closed"]
        .iter()
        .any(|needle| cause.contains(needle))
}

/// Runs `call` under the whole-RPC deadline: past it, DEADLINE_EXCEEDED.
async fn with_deadline<T>(
    timeout: Duration,
    call: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    match tokio::time::timeout(timeout, call).await {
        Ok(result) => result,
        Err(_) => Err(RpcError::new(
            Code::DeadlineExceeded,
            format!(
                "deadline of {} exceeded",
                humantime::format_duration(timeout)
            ),
        )
        .into()),
    }
}

/// The innermost cause of an error, which is the one a user can act on:
/// "connection refused" rather than "transport error", without the OS error
/// number.
pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = err;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    let text = innermost.to_string();
    let text = match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => text.as_str(),
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "transport error".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn tls_flags_need_an_https_address() {
        let mut options = CallOptions::new(Target::parse("localhost:1").expect("valid"));
        assert!(options.validate().is_ok());
        options.tls.ca = Some(PathBuf::from("ca.pem"));
        assert!(options.validate().is_err());
        options.target = Target::parse("https://localhost:1").expect("valid");
        assert!(options.validate().is_ok());
    }

    #[test]
    fn bad_addresses_are_refused_with_a_reason() {
        for (text, reason) in [
            ("ftp://host:1", "scheme 'ftp' is not supported"),
            ("http://", "invalid address"),
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

    #[test]
    fn the_root_cause_is_short_and_lower_case() {
        let refused = std::io::Error::from_raw_os_error(111);
        assert_eq!(root_cause(&refused), "connection refused");
    }

    #[test]
    fn headers_parse_as_key_colon_value() {
        let header = parse_header("X-Trace-Id: abc 123").expect("valid");
        assert_eq!(header.key.as_str(), "x-trace-id");
        assert_eq!(header.value, "abc 123");
        // Only the first colon splits.
        let header = parse_header("when: 12:30").expect("valid");
        assert_eq!(header.value, "12:30");
    }

    #[test]
    fn bad_headers_are_refused() {
        assert!(parse_header("no-colon").is_err());
        assert!(parse_header("bad key: v").is_err());
        assert!(parse_header(": v").is_err());
        assert!(parse_header("k: line\nbreak").is_err());
    }
}
