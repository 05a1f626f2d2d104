//! The client side: address parsing, channel building (TLS, timeouts,
//! metadata, compression), and one file per subcommand.

pub mod balance;
mod describe;
mod hello;
mod insecure;
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
    metadata::{
        AsciiMetadataKey, AsciiMetadataValue, BinaryMetadataKey, BinaryMetadataValue,
        KeyAndValueRef, MetadataMap,
    },
    transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity, Uri},
    Code,
};

use crate::exit::{RpcError, UsageError};

pub(crate) use describe::{deadline_exceeded, describe_connect_error, describe_status, root_cause};
pub use hello::{hello, hello_request_from_json};

pub use script::{
    parse_json, parse_script, parse_script_line, JsonError, ScriptError, ScriptSource,
};
pub use stream::{scripted_sequence, stream, Outbound};

/// Defaults of the client flags (`cli.rs` shows these in `--help`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 4 * 1024 * 1024;

/// The address clients call when neither `--addr` nor [`ADDR_ENV`] is set.
pub const DEFAULT_ADDR: &str = "http://localhost:50000";
/// The environment variable that supplies `--addr`.
pub const ADDR_ENV: &str = "GRPC_DEMO_ADDR";

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
    /// `dns:///HOST:PORT`: every address HOST resolves to (balance.rs).
    Dns {
        host: String,
        port: u16,
    },
}

impl Target {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
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
    /// [`DEFAULT_ADDR`]. A bad value from the environment is a usage error
    /// that names the variable.
    pub fn resolve(flag: Option<Target>) -> Result<Self, UsageError> {
        if let Some(target) = flag {
            return Ok(target);
        }
        match std::env::var(ADDR_ENV) {
            Ok(value) if !value.is_empty() => {
                Self::parse(&value).map_err(|err| UsageError(format!("{ADDR_ENV}: {err}")))
            }
            _ => Self::parse(DEFAULT_ADDR).map_err(UsageError),
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
            TargetKind::Http(_) | TargetKind::Dns { .. } => None,
        }
    }

    /// `dns:///HOST:PORT`: the host and port to resolve.
    pub fn dns_name(&self) -> Option<(&str, u16)> {
        match &self.kind {
            TargetKind::Dns { host, port } => Some((host, *port)),
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

/// One `-H 'key: value'` metadata entry. A key ending in `-bin` is binary
/// metadata: its value is base64 (padded or not) and is sent as the bytes it
/// encodes, as gRPC specifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header {
    Ascii(AsciiMetadataKey, AsciiMetadataValue),
    Binary(BinaryMetadataKey, BinaryMetadataValue),
}

impl Header {
    pub fn key(&self) -> &str {
        match self {
            Self::Ascii(key, _) => key.as_str(),
            Self::Binary(key, _) => key.as_str(),
        }
    }
}

/// Parses `key: value`; the key is lower-cased, surrounding spaces trimmed.
pub fn parse_header(text: &str) -> Result<Header, String> {
    let (key, value) = text
        .split_once(':')
        .ok_or_else(|| format!("header '{text}' is not 'key: value'"))?;
    let key = key.trim().to_ascii_lowercase();
    let value = value.trim();
    if key.ends_with("-bin") {
        let name = BinaryMetadataKey::from_str(&key)
            .map_err(|_| format!("header name '{key}' is not a valid metadata key"))?;
        use base64::Engine;
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        let bytes = engine
            .decode(value)
            .map_err(|err| format!("value of binary header '{key}' must be base64 ({err})"))?;
        return Ok(Header::Binary(
            name,
            BinaryMetadataValue::from_bytes(&bytes),
        ));
    }
    let name = AsciiMetadataKey::from_str(&key)
        .map_err(|_| format!("header name '{key}' is not a valid metadata key"))?;
    let value = AsciiMetadataValue::try_from(value)
        .map_err(|_| format!("header value of '{key}' must be printable ASCII (binary values go in a '-bin' header, base64)"))?;
    Ok(Header::Ascii(name, value))
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
    /// `:authority` to send instead of the address's host (and, over TLS,
    /// the name the certificate is checked against unless `server_name`).
    pub authority: Option<String>,
    /// `-v`: show the request metadata, response headers and trailers on
    /// stderr.
    pub verbose: bool,
    /// More endpoints than `target`, health checks, retries (balance.rs).
    pub balancing: balance::Balancing,
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
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            headers: Vec::new(),
            compression: None,
            token: None,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            tls: ClientTls::default(),
            authority: None,
            verbose: false,
            balancing: balance::Balancing::default(),
        }
    }

    /// Flags that do not fit together are a usage error (exit 2).
    pub fn validate(&self) -> Result<(), UsageError> {
        self.validate_balancing()?;
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
    /// deadline (sent as `grpc-timeout`, so the server can give up too).
    pub(crate) fn request<T>(&self, message: T, remaining: Duration) -> tonic::Request<T> {
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
        if let Some(token) = &self.token {
            if let Ok(mut value) = AsciiMetadataValue::try_from(format!("Bearer {token}")) {
                value.set_sensitive(true);
                request.metadata_mut().insert("authorization", value);
            }
        }
        request.set_timeout(remaining);
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

/// Prints metadata as grpcurl's `-v` does, on stderr (stdout is for data).
/// The bearer token is not shown.
fn show_metadata(title: &str, metadata: &MetadataMap) {
    use std::fmt::Write as _;
    let mut text = format!("\n{title}:\n");
    if metadata.is_empty() {
        text.push_str("(empty)\n");
    }
    for entry in metadata.iter() {
        let _ = match entry {
            KeyAndValueRef::Ascii(key, _) if key.as_str() == "authorization" => {
                writeln!(text, "{key}: <hidden>")
            }
            KeyAndValueRef::Ascii(key, value) => {
                writeln!(text, "{key}: {}", value.to_str().unwrap_or("<not ASCII>"))
            }
            KeyAndValueRef::Binary(key, value) => {
                use base64::Engine;
                let bytes = value.to_bytes().unwrap_or_default();
                writeln!(
                    text,
                    "{key}: {}",
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                )
            }
        };
    }
    eprint!("{text}");
}

/// Opens a channel to the target, failing with UNAVAILABLE and a short cause
/// ("connection refused", "server certificate not trusted") instead of a
/// transport error dump. Unreadable TLS files are local errors.
pub async fn connect(options: &CallOptions) -> anyhow::Result<Channel> {
    let target = &options.target;
    let unavailable =
        |cause: String| RpcError::new(Code::Unavailable, format!("{cause} ({target})"));
    let insecure = target.is_tls() && options.tls.insecure;
    let mut endpoint = match &target.kind {
        // --insecure does its own TLS in the connector: tonic sees plaintext.
        TargetKind::Http(uri) if insecure => {
            let authority = uri.authority().map_or("localhost", |a| a.as_str());
            Endpoint::from(Uri::from_str(&format!("http://{authority}"))?)
                .origin(Uri::from_str(&format!("https://{authority}"))?)
        }
        TargetKind::Http(uri) => Endpoint::from(uri.clone()),
        // The URI is not used to connect, only for the :authority header.
        TargetKind::Unix(_) => Endpoint::from_static("http://localhost"),
        // Several addresses: balance.rs.
        TargetKind::Dns { .. } => {
            return Err(unavailable("a dns:/// address needs the balancing client".into()).into())
        }
    }
    .connect_timeout(options.connect_timeout)
    .tcp_nodelay(true);
    if let Some(authority) = &options.authority {
        let scheme = if target.is_tls() { "https" } else { "http" };
        let origin = Uri::from_str(&format!("{scheme}://{authority}"))
            .map_err(|err| UsageError(format!("--authority '{authority}': {err}")))?;
        endpoint = endpoint.origin(origin);
    }
    // The name the server certificate must carry: --server-name, else
    // --authority's host, else the address's host.
    let server_name = options.tls.server_name.clone().or_else(|| {
        let authority = options.authority.as_deref()?;
        let authority = http::uri::Authority::from_str(authority).ok()?;
        Some(authority.host().trim_matches(['[', ']']).to_owned())
    });
    if target.is_tls() && !insecure {
        let mut tls = options.tls.load()?;
        if let Some(name) = &server_name {
            tls = tls.domain_name(name.clone());
        }
        endpoint = endpoint
            .tls_config(tls)
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
        TargetKind::Http(uri) if insecure => {
            eprintln!(
                "warning: --insecure: the server's certificate is not checked; anyone on the path to {target} can impersonate it"
            );
            let host = uri
                .host()
                .unwrap_or("localhost")
                .trim_matches(['[', ']'])
                .to_owned();
            let port = uri.port_u16().unwrap_or(443);
            let name = server_name.unwrap_or_else(|| host.clone());
            let name = rustls::pki_types::ServerName::try_from(name.clone())
                .map_err(|_| UsageError(format!("'{name}' is not a valid TLS server name")))?;
            let connector = insecure::connector(&options.tls)?;
            endpoint
                .connect_with_connector(tower::service_fn(move |_: Uri| {
                    insecure::connect(connector.clone(), host.clone(), port, name.clone())
                }))
                .await
        }
        TargetKind::Http(_) | TargetKind::Dns { .. } => endpoint.connect().await,
    };
    connected.map_err(|err| describe_connect_error(&err, options).into())
}

/// Refuses a request over the client's own `--max-message-size` before it is
/// sent, as gRPC's other clients do ("trying to send message larger than
/// max"); tonic would fail it mid-send as an opaque stream reset.
pub(crate) fn check_request_size(
    message: &impl prost::Message,
    limit: usize,
) -> Result<(), RpcError> {
    let size = message.encoded_len();
    if size > limit {
        return Err(RpcError::new(
            Code::ResourceExhausted,
            format!("trying to send a message larger than the limit ({size} bytes > {limit} bytes, --max-message-size)"),
        ));
    }
    Ok(())
}

/// Runs `call` under the whole-RPC deadline: past it, DEADLINE_EXCEEDED.
async fn with_deadline<T>(
    timeout: Duration,
    call: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    match tokio::time::timeout(timeout, call).await {
        Ok(result) => result,
        Err(_) => Err(deadline_exceeded(timeout).into()),
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

    #[test]
    fn headers_parse_as_key_colon_value() {
        let Header::Ascii(key, value) = parse_header("X-Trace-Id: abc 123").expect("valid") else {
            panic!("an ASCII header");
        };
        assert_eq!(key.as_str(), "x-trace-id");
        assert_eq!(value, "abc 123");
        // Only the first colon splits.
        let Header::Ascii(_, value) = parse_header("when: 12:30").expect("valid") else {
            panic!("an ASCII header");
        };
        assert_eq!(value, "12:30");
    }

    #[test]
    fn binary_headers_are_base64_padded_or_not() {
        for text in ["x-id-bin: aGVsbG8=", "x-id-bin: aGVsbG8"] {
            let Header::Binary(key, value) = parse_header(text).expect(text) else {
                panic!("{text}: a binary header");
            };
            assert_eq!(key.as_str(), "x-id-bin");
            assert_eq!(value.to_bytes().expect("decodes").as_ref(), b"hello");
        }
        let err = parse_header("x-id-bin: not base64!").expect_err("bad base64");
        assert!(err.contains("must be base64"), "{err}");
    }

    #[test]
    fn bad_headers_are_refused() {
        assert!(parse_header("no-colon").is_err());
        assert!(parse_header("bad key: v").is_err());
        assert!(parse_header(": v").is_err());
        assert!(parse_header("k: line\nbreak").is_err());
    }
}
