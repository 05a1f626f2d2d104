//! TLS, terminated by the accept loop (listener.rs) rather than by tonic, so
//! that the connection guards (conn_guard.rs) read the decrypted HTTP/2
//! bytes: under TLS too, a peer must send the HTTP/2 preface and SETTINGS
//! within the handshake timeout and finish a HEADERS block within the
//! header timeout, and an idle connection is closed with a GOAWAY.
//!
//! The settings are tonic's own (`ServerTlsConfig`): rustls with the ring
//! provider, ALPN `h2`, and with a client CA, a certificate required of
//! every client.

use std::sync::Arc;

use anyhow::Context as _;
use rustls::{
    pki_types::{pem::PemObject as _, CertificateDer, PrivateKeyDer},
    server::WebPkiClientVerifier,
    RootCertStore, ServerConfig,
};
use tokio::io::{AsyncRead, AsyncWrite};

/// A TLS connection, after its handshake.
pub type TlsStream<IO> = tokio_rustls::server::TlsStream<IO>;

/// What the accept loop needs to run handshakes.
#[derive(Clone)]
pub struct Tls {
    acceptor: tokio_rustls::TlsAcceptor,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

impl Tls {
    /// The server's TLS settings from PEM text: the certificate chain, its
    /// key and, for mutual TLS, the CA client certificates must chain to.
    /// Each comes with the name errors give it ("TLS key /etc/key.pem").
    pub fn from_pem(
        cert: (&[u8], &str),
        key: (&[u8], &str),
        client_ca: Option<(&[u8], &str)>,
    ) -> anyhow::Result<Self> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?;
        let builder = match client_ca {
            None => builder.with_no_client_auth(),
            Some((pem, name)) => {
                let mut roots = RootCertStore::empty();
                for cert in certificates(pem, name)? {
                    roots
                        .add(cert)
                        .with_context(|| format!("{name}: not a usable CA certificate"))?;
                }
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .build()
                        .with_context(|| name.to_owned())?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let chain = certificates(cert.0, cert.1)?;
        let private_key = PrivateKeyDer::from_pem_slice(key.0).map_err(|err| {
            anyhow::anyhow!(
                "{}: no PEM private key (PKCS#8, PKCS#1 or SEC1) found ({err})",
                key.1
            )
        })?;
        let mut config = builder
            .with_single_cert(chain, private_key)
            .map_err(|err| match err {
                rustls::Error::InconsistentKeys(_) => {
                    anyhow::anyhow!("{} is not the key of {}", key.1, cert.1)
                }
                err => anyhow::anyhow!("{} with {}: {err}", cert.1, key.1),
            })?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Self {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// The TLS handshake on an accepted connection, within `timeout`.
    pub async fn handshake<IO: AsyncRead + AsyncWrite + Unpin>(
        &self,
        stream: IO,
        timeout: std::time::Duration,
    ) -> Result<TlsStream<IO>, HandshakeError> {
        match tokio::time::timeout(timeout, self.acceptor.accept(stream)).await {
            Ok(Ok(stream)) => Ok(stream),
            Ok(Err(err)) => Err(HandshakeError::Failed(err)),
            Err(_) => Err(HandshakeError::TimedOut),
        }
    }
}

/// Why a TLS handshake did not finish.
#[derive(Debug)]
pub enum HandshakeError {
    /// Not within the handshake timeout.
    TimedOut,
    /// Closed to make room for a new connection (`--max-connections`).
    Evicted,
    /// A TLS error (an untrusted or missing client certificate, a peer that
    /// does not speak TLS) or the connection closed.
    Failed(std::io::Error),
}

/// The certificates of a PEM text; none is an error.
fn certificates(pem: &[u8], name: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| anyhow::anyhow!("{name}: not a PEM certificate ({err})"))?;
    anyhow::ensure!(!certs.is_empty(), "{name}: no PEM certificate in it");
    Ok(certs)
}
