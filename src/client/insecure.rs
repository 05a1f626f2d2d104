//! `--insecure`: TLS without checking the server's certificate, for test
//! servers with self-signed certificates (grpcurl's `-insecure`). The
//! handshake's signatures are still verified, so the connection is encrypted
//! to whoever holds the key of the certificate shown; what is skipped is the
//! check that this certificate belongs to the server you meant.
//!
//! `--explain` over TLS does its TLS here too, verifying as tonic would
//! ([`verifying_connector`]), so that its tap can sit above TLS.

use std::{io, path::Path, sync::Arc};

use hyper_util::rt::TokioIo;
use rustls::{
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    crypto::CryptoProvider,
    pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer, ServerName, UnixTime},
    DigitallySignedStruct, SignatureScheme,
};
use tokio::{net::TcpStream, sync::watch};
use tokio_rustls::{client::TlsStream, TlsConnector};

use super::{heard::Heard, ClientTls};

/// Accepts any certificate; checks handshake signatures with the provider.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A TLS connector (ALPN h2) that does not verify the server, presenting the
/// client certificate of `tls` if it has one. Unreadable files are local
/// errors.
pub(crate) fn connector(tls: &ClientTls) -> anyhow::Result<TlsConnector> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)));
    let mut config = match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => builder.with_client_auth_cert(
            read_certificates(cert, "client certificate")?,
            read_key(key)?,
        )?,
        _ => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

/// A TLS connector (ALPN h2) that verifies the server as tonic's does:
/// against `--ca`, else the bundled web PKI roots; with the client
/// certificate of `tls` if it has one.
pub(crate) fn verifying_connector(tls: &ClientTls) -> anyhow::Result<TlsConnector> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    match &tls.ca {
        Some(ca) => {
            for certificate in read_certificates(ca, "CA certificate")? {
                roots
                    .add(certificate)
                    .map_err(|err| anyhow::anyhow!("CA certificate {}: {err}", ca.display()))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots);
    let mut config = match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => builder.with_client_auth_cert(
            read_certificates(cert, "client certificate")?,
            read_key(key)?,
        )?,
        _ => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

fn read_certificates(path: &Path, what: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certificates = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|err| anyhow::anyhow!("reading {what} {}: {err}", path.display()))?;
    anyhow::ensure!(
        !certificates.is_empty(),
        "{what} {} holds no PEM certificate",
        path.display()
    );
    Ok(certificates)
}

fn read_key(path: &Path) -> anyhow::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path)
        .map_err(|err| anyhow::anyhow!("reading client key {}: {err}", path.display()))
}

/// Connects TCP to `host:port` and runs the TLS handshake for `server_name`.
pub(crate) async fn connect(
    connector: TlsConnector,
    host: String,
    port: u16,
    server_name: ServerName<'static>,
    heard: Arc<watch::Sender<bool>>,
) -> io::Result<TokioIo<Heard<TlsStream<TcpStream>>>> {
    let tls = handshake(connector, host, port, server_name).await?;
    // Above TLS: what is heard is the server's HTTP/2.
    Ok(TokioIo::new(Heard::new(tls, heard)))
}

/// The TLS connection [`connect`] wraps.
pub(crate) async fn handshake(
    connector: TlsConnector,
    host: String,
    port: u16,
    server_name: ServerName<'static>,
) -> io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect((host.as_str(), port)).await?;
    tcp.set_nodelay(true)?;
    connector.connect(server_name, tcp).await
}
