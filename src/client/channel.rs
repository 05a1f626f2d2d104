//! Opening the connection: plaintext, TLS (with or without certificate
//! checks), or a Unix socket; failures become one UNAVAILABLE line
//! (describe.rs words them). Also the two checks every call makes around
//! it: the request size and the whole-RPC deadline.

use std::{str::FromStr, sync::Arc};

use hyper_util::rt::TokioIo;

use tonic::{
    transport::{Channel, Endpoint, Uri},
    Code,
};

use super::{
    describe_connect_error,
    heard::{first_bytes, Heard},
    insecure, root_cause,
    target::TargetKind,
    CallOptions,
};
use crate::{
    explain::Carrier,
    status::{RpcError, UsageError},
};

/// Opens a channel to the target, failing with UNAVAILABLE and a short cause
/// ("connection refused", "server certificate not trusted") instead of a
/// transport error dump. Unreadable TLS files are local errors.
pub async fn connect(options: &CallOptions) -> anyhow::Result<Channel> {
    let target = &options.target;
    let unavailable =
        |cause: String| RpcError::new(Code::Unavailable, format!("{cause} ({target})"));
    let insecure = target.is_tls() && options.tls.insecure;
    let explain = options.explain.clone();
    // --insecure and --explain do their own TLS in the connector (the
    // latter to tap above it): tonic sees plaintext.
    let own_tls = target.is_tls() && (insecure || explain.is_some());
    let mut endpoint = match &target.kind {
        TargetKind::Http(uri) if own_tls => {
            let authority = uri.authority().map_or("localhost", |a| a.as_str());
            Endpoint::from(Uri::from_str(&format!("http://{authority}"))?)
                .origin(Uri::from_str(&format!("https://{authority}"))?)
        }
        TargetKind::Http(uri) => Endpoint::from(uri.clone()),
        // The URI is not used to connect, only for the :authority header.
        TargetKind::Unix(_) => Endpoint::from_static("http://localhost"),
        // Several addresses: balance.rs.
        TargetKind::Dns { .. } | TargetKind::Etcd(_) => {
            return Err(unavailable(
                "a dns:/// or etcd:// address needs the balancing client".into(),
            )
            .into())
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
    if target.is_tls() && !own_tls {
        let mut tls = options.tls.load()?;
        if let Some(name) = &server_name {
            tls = tls.domain_name(name.clone());
        }
        endpoint = endpoint
            .tls_config(tls)
            .map_err(|err| unavailable(root_cause(&err)))?;
    }
    // Told when the server's first bytes arrive (heard.rs).
    let (heard, mut heard_rx) = tokio::sync::watch::channel(false);
    let heard = Arc::new(heard);
    let connecting = async {
        let connected = match &target.kind {
            TargetKind::Unix(path) => match explain.clone() {
                Some(explain) => {
                    connect_unix_with(&endpoint, path.clone(), Arc::clone(&heard), move |stream| {
                        explain.tap(stream, Carrier::Unix)
                    })
                    .await
                }
                None => connect_unix_with(&endpoint, path.clone(), Arc::clone(&heard), |s| s).await,
            },
            TargetKind::Http(uri) if own_tls => {
                if insecure {
                    eprintln!(
                    "warning: --insecure: the server's certificate is not checked; anyone on the path to {target} can impersonate it"
                );
                }
                let host = uri
                    .host()
                    .unwrap_or("localhost")
                    .trim_matches(['[', ']'])
                    .to_owned();
                let port = uri.port_u16().unwrap_or(443);
                let name = server_name.unwrap_or_else(|| host.clone());
                let name = rustls::pki_types::ServerName::try_from(name.clone())
                    .map_err(|_| UsageError(format!("'{name}' is not a valid TLS server name")))?;
                let connector = if insecure {
                    insecure::connector(&options.tls)?
                } else {
                    insecure::verifying_connector(&options.tls)?
                };
                match explain.clone() {
                    // Tapped above TLS: the decrypted HTTP/2.
                    Some(explain) => {
                        endpoint
                            .connect_with_connector(tower::service_fn(move |_: Uri| {
                                let heard = Arc::clone(&heard);
                                let explain = explain.clone();
                                let handshake = insecure::handshake(
                                    connector.clone(),
                                    host.clone(),
                                    port,
                                    name.clone(),
                                );
                                async move {
                                    let tls = handshake.await?;
                                    // As tonic's own TLS connector: HTTP/2 or nothing.
                                    if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
                                        return Err(std::io::Error::new(
                                            std::io::ErrorKind::InvalidData,
                                            "the server did not agree to HTTP/2 over TLS (ALPN h2)",
                                        ));
                                    }
                                    let tls = explain.tap(tls, Carrier::Tls);
                                    Ok::<_, std::io::Error>(TokioIo::new(Heard::new(tls, heard)))
                                }
                            }))
                            .await
                    }
                    None => {
                        endpoint
                            .connect_with_connector(tower::service_fn(move |_: Uri| {
                                let heard = Arc::clone(&heard);
                                insecure::connect(
                                    connector.clone(),
                                    host.clone(),
                                    port,
                                    name.clone(),
                                    heard,
                                )
                            }))
                            .await
                    }
                }
            }
            TargetKind::Http(_) => match explain.clone() {
                Some(explain) => {
                    connect_tcp_with(&endpoint, Arc::clone(&heard), move |stream| {
                        explain.tap(stream, Carrier::Tcp)
                    })
                    .await
                }
                None => connect_tcp(&endpoint, Arc::clone(&heard)).await,
            },
            TargetKind::Dns { .. } | TargetKind::Etcd(_) => endpoint.connect().await,
        };
        let channel =
            connected.map_err(|err| anyhow::Error::from(describe_connect_error(&err, options)))?;
        // Up only once the server has spoken (its SETTINGS, or under
        // tonic's TLS its first TLS record).
        first_bytes(&mut heard_rx).await;
        Ok(channel)
    };
    // --connect-timeout bounds the whole set-up (TCP, TLS, the HTTP/2
    // handshake), not only the TCP connect tonic's own timeout covers.
    match tokio::time::timeout(options.connect_timeout, connecting).await {
        Ok(connected) => connected,
        Err(_) => Err(no_http2_answer(options).into()),
    }
}

/// Connects `endpoint` over TCP to its URI's host and port (tonic puts its
/// TLS, if any, on top), the I/O wrapped to tell `heard` when the server
/// first speaks.
async fn connect_tcp(
    endpoint: &Endpoint,
    heard: Arc<tokio::sync::watch::Sender<bool>>,
) -> Result<Channel, tonic::transport::Error> {
    connect_tcp_with(endpoint, heard, |stream| stream).await
}

/// [`connect_tcp`], the socket first wrapped by `wrap` (`--explain`'s tap).
async fn connect_tcp_with<W, IO>(
    endpoint: &Endpoint,
    heard: Arc<tokio::sync::watch::Sender<bool>>,
    wrap: W,
) -> Result<Channel, tonic::transport::Error>
where
    W: Fn(tokio::net::TcpStream) -> IO + Clone + Send + 'static,
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let uri = endpoint.uri();
    let host = uri
        .host()
        .unwrap_or("localhost")
        .trim_matches(['[', ']'])
        .to_owned();
    let tls = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    endpoint
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let (host, heard, wrap) = (host.clone(), Arc::clone(&heard), wrap.clone());
            async move {
                let stream = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
                stream.set_nodelay(true)?;
                Ok::<_, std::io::Error>(TokioIo::new(Heard::new(wrap(stream), heard)))
            }
        }))
        .await
}

/// A Unix socket connection, the socket wrapped by `wrap` (`--explain`'s
/// tap, or nothing) and then told to `heard`.
async fn connect_unix_with<W, IO>(
    endpoint: &Endpoint,
    path: std::path::PathBuf,
    heard: Arc<tokio::sync::watch::Sender<bool>>,
    wrap: W,
) -> Result<Channel, tonic::transport::Error>
where
    W: Fn(tokio::net::UnixStream) -> IO + Clone + Send + 'static,
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    endpoint
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let (path, heard, wrap) = (path.clone(), Arc::clone(&heard), wrap.clone());
            async move {
                let stream = tokio::net::UnixStream::connect(path).await?;
                Ok::<_, std::io::Error>(TokioIo::new(Heard::new(wrap(stream), heard)))
            }
        }))
        .await
}

/// [`connect_tcp`], done once the server has said something (or closed):
/// for the balancer's endpoints, which run under `--connect-timeout`.
pub(crate) async fn connect_heard(endpoint: &Endpoint) -> Result<Channel, tonic::transport::Error> {
    let (heard, mut heard_rx) = tokio::sync::watch::channel(false);
    let channel = connect_tcp(endpoint, Arc::new(heard)).await?;
    first_bytes(&mut heard_rx).await;
    Ok(channel)
}

/// UNAVAILABLE for a server that accepted the connection but did not finish
/// the TLS or HTTP/2 handshake within `--connect-timeout`.
pub(crate) fn no_http2_answer(options: &CallOptions) -> RpcError {
    RpcError::new(
        Code::Unavailable,
        format!(
            "no HTTP/2 answer within {} (--connect-timeout) ({})",
            humantime::format_duration(options.connect_timeout),
            options.target
        ),
    )
}

/// A connected socket to a plaintext target, for transports that speak
/// HTTP/2 themselves (the bench's `direct`).
pub(crate) enum Socket {
    /// TCP, Nagle off.
    Tcp(tokio::net::TcpStream),
    Unix(tokio::net::UnixStream),
}

/// Connects to a plaintext `http://` or `unix://` target within
/// `--connect-timeout`; a failure is worded as [`connect`]'s are.
pub(crate) async fn dial(options: &CallOptions) -> Result<Socket, RpcError> {
    let target = &options.target;
    let connecting = async {
        if let Some(path) = target.unix_path() {
            return tokio::net::UnixStream::connect(path)
                .await
                .map(Socket::Unix);
        }
        let uri = target.plaintext_uri().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a plaintext address")
        })?;
        // An IPv6 literal comes bracketed in the URI.
        let host = uri.host().unwrap_or("localhost").trim_matches(['[', ']']);
        let stream = tokio::net::TcpStream::connect((host, uri.port_u16().unwrap_or(80))).await?;
        stream.set_nodelay(true)?;
        Ok(Socket::Tcp(stream))
    };
    match tokio::time::timeout(options.connect_timeout, connecting).await {
        Ok(Ok(socket)) => Ok(socket),
        Ok(Err(err)) => Err(describe_connect_error(&err, options)),
        Err(_) => Err(describe_connect_error(
            &std::io::Error::from(std::io::ErrorKind::TimedOut),
            options,
        )),
    }
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
