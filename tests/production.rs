//! Operating the server: TLS and mTLS with real certificates, bearer tokens,
//! limits, signals, Unix sockets, and bad input that must not hurt it.

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::Path,
    time::Duration,
};

use common::{
    fd_count, grpc_demo, proc_status_kib, read_line, run, spawn_slow_stream, stderr, stdout, Server,
};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

// ---------------------------------------------------------------- TLS

/// A CA, a server certificate it signed, and a client certificate it signed,
/// as PEM files in a temporary directory.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new(server_names: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let pki = Self { dir };
        let issuer = pki.ca("ca");
        pki.leaf(&issuer, "server", server_names);
        pki.leaf(&issuer, "client", &["client"]);
        // An unrelated CA, to be refused.
        pki.ca("other-ca");
        pki
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    fn ca(&self, name: &str) -> Issuer<'static, KeyPair> {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("grpc-demo test {name}"));
        let key = KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("self-signed CA");
        std::fs::write(self.path(&format!("{name}.pem")), cert.pem()).expect("write CA");
        Issuer::new(params, key)
    }

    fn leaf(&self, issuer: &Issuer<'static, KeyPair>, name: &str, sans: &[&str]) {
        let sans: Vec<String> = sans.iter().map(|s| (*s).to_owned()).collect();
        let mut params = CertificateParams::new(sans).expect("params");
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, issuer).expect("signed leaf");
        std::fs::write(self.path(&format!("{name}.pem")), cert.pem()).expect("write cert");
        std::fs::write(self.path(&format!("{name}.key")), key.serialize_pem()).expect("write key");
    }
}

fn tls_server(pki: &Pki, mutual: bool) -> Server {
    let ca = pki.path("ca.pem");
    let client_ca = ["--tls-client-ca", ca.as_str()];
    tls_server_with(pki, if mutual { &client_ca } else { &[] })
}

/// A TLS server with the PKI's server certificate and more flags.
fn tls_server_with(pki: &Pki, extra: &[&str]) -> Server {
    let (cert, key) = (pki.path("server.pem"), pki.path("server.key"));
    let mut args = vec!["--tls-cert", &cert, "--tls-key", &key];
    args.extend(extra);
    Server::start(&args)
}

/// `hello` over TLS to `server`, trusting the PKI's CA.
fn tls_hello(pki: &Pki, server: &Server) -> std::process::Output {
    run(&[
        "hello",
        "--addr",
        &format!("https://localhost:{}", server.port),
        "--ca",
        &pki.path("ca.pem"),
    ])
}

#[test]
fn tls_with_a_private_ca() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let server = tls_server(&pki, false);
    let addr = format!("https://localhost:{}", server.port);
    let output = run(&[
        "hello",
        "--name",
        "tls",
        "--addr",
        &addr,
        "--ca",
        &pki.path("ca.pem"),
    ]);
    assert_eq!(stdout(&output), "hello, tls\n", "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(0));
    // The access log names the TLS client, as for plaintext.
    assert!(
        server.wait_for_log("peer=127.0.0.1:", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    let output = run(&["stream", "--addr", &addr, "--ca", &pki.path("ca.pem")]);
    assert_eq!(
        stdout(&output),
        "200\tstarted\n200\tdoing\n200\tdone\n",
        "{}",
        stderr(&output)
    );
}

#[test]
fn bench_runs_over_tls() {
    // TLS targets go through tonic's Channel (plaintext ones do not).
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let server = tls_server(&pki, false);
    let addr = format!("https://localhost:{}", server.port);
    let ca = pki.path("ca.pem");
    for workload in ["hello", "stream"] {
        let output = run(&[
            "bench",
            workload,
            "-n",
            "40",
            "-c",
            "4",
            "--connections",
            "2",
            "-o",
            "json",
            "--addr",
            &addr,
            "--ca",
            &ca,
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("bench JSON");
        assert_eq!(report["ok"], 40, "{report}");
    }
    // Untrusted: the run does not start, and says why.
    let output = run(&["bench", "hello", "-n", "5", "--addr", &addr]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not trusted"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn server_name_overrides_the_name_checked() {
    let pki = Pki::new(&["grpc.internal"]);
    let server = tls_server(&pki, false);
    let addr = format!("https://127.0.0.1:{}", server.port);
    let ca = pki.path("ca.pem");
    let output = run(&[
        "hello",
        "--addr",
        &addr,
        "--ca",
        &ca,
        "--server-name",
        "grpc.internal",
    ]);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
    // Without the override the name does not match the certificate.
    let output = run(&["hello", "--addr", &addr, "--ca", &ca]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not trusted"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_certificate_from_another_ca_is_not_trusted() {
    let pki = Pki::new(&["localhost"]);
    let server = tls_server(&pki, false);
    let addr = format!("https://localhost:{}", server.port);
    let output = run(&["hello", "--addr", &addr, "--ca", &pki.path("other-ca.pem")]);
    assert_eq!(output.status.code(), Some(78));
    let err = stderr(&output);
    assert!(
        err.starts_with("error: UNAVAILABLE: server certificate not trusted"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // The public roots do not trust a private CA either.
    let output = run(&["hello", "--addr", &addr]);
    assert_eq!(output.status.code(), Some(78));
    assert!(
        stderr(&output).contains("not trusted"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn mutual_tls_accepts_a_client_certificate() {
    let pki = Pki::new(&["localhost"]);
    let server = tls_server(&pki, true);
    let addr = format!("https://localhost:{}", server.port);
    let output = run(&[
        "hello",
        "--addr",
        &addr,
        "--ca",
        &pki.path("ca.pem"),
        "--cert",
        &pki.path("client.pem"),
        "--key",
        &pki.path("client.key"),
    ]);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
}

#[test]
fn mutual_tls_refuses_a_client_without_a_certificate() {
    let pki = Pki::new(&["localhost"]);
    let server = tls_server(&pki, true);
    let addr = format!("https://localhost:{}", server.port);
    let output = run(&["hello", "--addr", &addr, "--ca", &pki.path("ca.pem")]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("client certificate (--cert/--key)"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(stdout(&output), "");
}

#[test]
fn a_plaintext_client_to_a_tls_server_fails_cleanly() {
    let pki = Pki::new(&["localhost"]);
    let server = tls_server(&pki, false);
    let output = run(&["hello", "--addr", &server.addr(), "--timeout", "5s"]);
    let code = output.status.code().unwrap_or(0);
    assert!(code > 64, "exit {code}: {}", stderr(&output));
    let err = stderr(&output);
    assert_eq!(code, 78, "{err}");
    assert!(err.starts_with("error: UNAVAILABLE: "), "{err}");
    // Whether the client reads the TLS alert (not HTTP/2 frames) or finds
    // the connection closed first, one text.
    assert!(err.contains("the server did not answer with HTTP/2: is it a TLS server (use https://), at its --max-connections limit, or not a gRPC server?"), "{err}");
    assert!(err.contains(&server.addr()), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // The server still serves TLS clients.
    let addr = format!("https://localhost:{}", server.port);
    let output = run(&["hello", "--addr", &addr, "--ca", &pki.path("ca.pem")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_stalled_tls_handshake_is_closed_at_the_handshake_timeout() {
    let pki = Pki::new(&["localhost"]);
    let server = tls_server_with(&pki, &["--handshake-timeout", "1s"]);
    // Connections that start a TLS record (a ClientHello's 5-byte header)
    // and send no more, and connections that send nothing.
    let mut stalled: Vec<TcpStream> = (0..20)
        .map(|i| {
            let mut conn = TcpStream::connect(server.addr()).expect("connect");
            if i % 2 == 0 {
                conn.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00])
                    .expect("record header");
            }
            conn.set_read_timeout(Some(Duration::from_secs(15)))
                .expect("read timeout");
            conn
        })
        .collect();
    for (i, conn) in stalled.iter_mut().enumerate() {
        let mut buf = [0u8; 64];
        match conn.read(&mut buf) {
            Ok(0) => {}
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {}
            other => panic!("stalled TLS connection {i} not closed: {other:?}"),
        }
    }
    // A real client is served as before.
    let output = tls_hello(&pki, &server);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
}

/// A TLS connection (ALPN h2, SNI localhost) whose handshake is done and
/// which has sent nothing else; reads time out after 15 s.
fn tls_connection(
    pki: &Pki,
    server: &Server,
) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    let sock = TcpStream::connect(server.addr()).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(15)))
        .expect("read timeout");
    tls_over(pki, sock)
}

/// The TLS handshake (ALPN h2, SNI localhost) over `sock`.
fn tls_over<S: Read + Write>(
    pki: &Pki,
    mut sock: S,
) -> rustls::StreamOwned<rustls::ClientConnection, S> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(pki.path("ca.pem")).expect("ca.pem") {
        roots.add(cert.expect("CA certificate")).expect("add CA");
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let mut conn =
        rustls::ClientConnection::new(std::sync::Arc::new(config), name).expect("TLS client");
    while conn.is_handshaking() {
        conn.complete_io(&mut sock).expect("TLS handshake");
    }
    assert_eq!(conn.alpn_protocol(), Some(&b"h2"[..]), "ALPN h2 negotiated");
    rustls::StreamOwned::new(conn, sock)
}

/// Reads the decrypted bytes until the server closes the connection; panics
/// if it is still open after the read timeout.
fn read_until_closed<S: Read + Write>(
    stream: &mut rustls::StreamOwned<rustls::ClientConnection, S>,
    what: &str,
) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::UnexpectedEof
                        | std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::BrokenPipe
                ) =>
            {
                return got
            }
            Err(err) => panic!("{what}: still open ({err}) after {} bytes", got.len()),
        }
    }
}

/// The types of the HTTP/2 frames in `bytes` (the server's side: no
/// preface).
fn frame_types(bytes: &[u8]) -> Vec<u8> {
    let mut types = Vec::new();
    let mut at = 0;
    while at + 9 <= bytes.len() {
        let len = usize::from(bytes[at]) << 16
            | usize::from(bytes[at + 1]) << 8
            | usize::from(bytes[at + 2]);
        types.push(bytes[at + 3]);
        at += 9 + len;
    }
    types
}

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const EMPTY_SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];

#[test]
fn under_tls_the_http2_handshake_and_header_deadlines_close_stalled_connections() {
    let pki = Pki::new(&["localhost"]);
    let server = tls_server_with(
        &pki,
        &["--handshake-timeout", "1s", "--header-timeout", "1s"],
    );
    // TLS done, then: nothing; half the HTTP/2 preface; the preface and
    // SETTINGS, then a HEADERS frame that leaves its block open (no
    // END_HEADERS, no CONTINUATION).
    let mut headers_open = PREFACE.to_vec();
    headers_open.extend_from_slice(EMPTY_SETTINGS);
    headers_open.extend_from_slice(&[0, 0, 1, 1, 0x1, 0, 0, 0, 1, 0x82]);
    let cases: [(&str, &[u8]); 3] = [
        ("no HTTP/2 preface", b""),
        ("half a preface", &PREFACE[..12]),
        ("an open HEADERS block", &headers_open),
    ];
    let mut stalled: Vec<_> = cases
        .iter()
        .map(|(what, bytes)| {
            let mut conn = tls_connection(&pki, &server);
            conn.write_all(bytes).expect(what);
            conn.flush().expect(what);
            (what, conn)
        })
        .collect();
    for (what, conn) in &mut stalled {
        read_until_closed(conn, what);
    }
    for warning in [
        "no HTTP/2 preface and SETTINGS within the handshake timeout",
        "HEADERS block not finished within the header timeout",
    ] {
        assert!(
            server.wait_for_log(warning, Duration::from_secs(5)),
            "no warning {warning:?}:\n{}",
            server.log()
        );
    }
    // A real client is served as before.
    let output = tls_hello(&pki, &server);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
}

#[test]
fn under_tls_an_idle_connection_gets_a_goaway_before_it_is_closed() {
    let pki = Pki::new(&["localhost"]);
    let server = tls_server_with(&pki, &["--max-connection-idle", "1s"]);
    let mut conn = tls_connection(&pki, &server);
    conn.write_all(PREFACE).expect("preface");
    conn.write_all(EMPTY_SETTINGS).expect("settings");
    conn.flush().expect("flush");
    let got = read_until_closed(&mut conn, "an idle TLS connection");
    let types = frame_types(&got);
    assert_eq!(types.first(), Some(&0x4), "SETTINGS first: {types:?}");
    assert_eq!(types.last(), Some(&0x7), "GOAWAY last: {types:?}");
}

#[test]
fn under_tls_a_full_server_closes_connections_stalled_in_their_handshake_to_make_room() {
    let pki = Pki::new(&["localhost"]);
    let server = tls_server_with(
        &pki,
        &["--max-connections", "2", "--handshake-timeout", "60s"],
    );
    // Both places taken by connections that never start their handshake.
    let mut stalled: Vec<TcpStream> = (0..2)
        .map(|_| {
            let conn = TcpStream::connect(server.addr()).expect("connect");
            conn.set_read_timeout(Some(Duration::from_secs(15)))
                .expect("read timeout");
            conn
        })
        .collect();
    // No wait needed: the kernel's accept queue is first in, first out, so
    // the server takes both before the client's connection.
    let output = tls_hello(&pki, &server);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
    // The one closed to make room sees its connection end (the other is
    // still open: its read times out).
    let closed = stalled
        .iter_mut()
        .map(|conn| {
            conn.set_read_timeout(Some(Duration::from_secs(3)))
                .expect("read timeout");
            let mut buf = [0u8; 16];
            match conn.read(&mut buf) {
                Ok(0) => true,
                Err(err) => err.kind() == std::io::ErrorKind::ConnectionReset,
                Ok(_) => false,
            }
        })
        .filter(|closed| *closed)
        .count();
    assert!(
        closed >= 1,
        "no stalled handshake was closed:\n{}",
        server.log()
    );
    assert!(
        server.wait_for_log("closed to make room", Duration::from_secs(5)),
        "{}",
        server.log()
    );
}

#[test]
fn tls_over_a_unix_socket_is_tls_with_the_guards() {
    let pki = Pki::new(&["localhost"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tls.sock");
    let (cert, key) = (pki.path("server.pem"), pki.path("server.key"));
    let _server = common::UdsServer::start_with(
        &path,
        &[
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
            "--handshake-timeout",
            "1s",
        ],
    );
    // A plaintext client is not served.
    let output = run(&["hello", "--addr", &format!("unix://{}", path.display())]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(78), "{err}");
    // Whether the client reads TLS bytes (not HTTP/2 frames) or finds the
    // connection closed first, one text.
    assert!(err.starts_with("error: UNAVAILABLE: "), "{err}");
    assert!(err.contains("the server did not answer with HTTP/2: is it a TLS server (use https://), at its --max-connections limit, or not a gRPC server?"), "{err}");
    // A TLS client is: the server's SETTINGS come back decrypted; and with
    // no preface the connection is closed at the handshake timeout.
    let sock = std::os::unix::net::UnixStream::connect(&path).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(15)))
        .expect("read timeout");
    let mut conn = tls_over(&pki, sock);
    let got = read_until_closed(&mut conn, "a TLS connection over a Unix socket");
    assert_eq!(frame_types(&got).first(), Some(&0x4), "SETTINGS: {got:?}");
}

#[test]
fn unusable_tls_files_stop_serve_with_one_clear_line() {
    let pki = Pki::new(&["localhost"]);
    let (cert, key, other_key) = (
        pki.path("server.pem"),
        pki.path("server.key"),
        pki.path("client.key"),
    );
    let missing = pki.path("missing.pem");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--tls-cert", &key, "--tls-key", &key],
            "no PEM certificate",
        ),
        (
            &["--tls-cert", &cert, "--tls-key", &cert],
            "no PEM private key",
        ),
        (
            &["--tls-cert", &cert, "--tls-key", &other_key],
            "is not the key of TLS certificate",
        ),
        (
            &[
                "--tls-cert",
                &cert,
                "--tls-key",
                &key,
                "--tls-client-ca",
                &missing,
            ],
            "reading client CA",
        ),
    ];
    for (flags, needle) in cases {
        let mut child = grpc_demo()
            .args(["serve", "--port", "0"])
            .args(flags)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawning serve");
        let started = std::time::Instant::now();
        while child.try_wait().expect("try_wait").is_none() {
            if started.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                panic!("serve {flags:?} is still running");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = child.wait_with_output().expect("serve output");
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{flags:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{flags:?}: one line: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(needle),
            "{flags:?}: {needle:?} in {err}"
        );
    }
}

#[test]
fn a_tls_client_to_a_plaintext_server_gets_a_hint() {
    let pki = Pki::new(&["localhost"]);
    let server = Server::start(&[]);
    let addr = format!("https://localhost:{}", server.port);
    let output = run(&["hello", "--addr", &addr, "--ca", &pki.path("ca.pem")]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(78), "{err}");
    assert!(
        err.contains("is it a plaintext server (use http://)"),
        "{err}"
    );
    assert!(err.contains(&addr), "{err}");
}

#[test]
fn a_client_certificate_from_another_ca_gets_a_hint() {
    let pki = Pki::new(&["localhost"]);
    let other = pki.ca("other-ca");
    pki.leaf(&other, "stranger", &["stranger"]);
    let server = tls_server(&pki, true);
    let addr = format!("https://localhost:{}", server.port);
    let output = run(&[
        "hello",
        "--addr",
        &addr,
        "--ca",
        &pki.path("ca.pem"),
        "--cert",
        &pki.path("stranger.pem"),
        "--key",
        &pki.path("stranger.key"),
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(78), "{err}");
    assert!(
        err.contains("the server did not accept the client certificate")
            || err.contains("the server may not accept the client certificate"),
        "{err}"
    );
}

#[test]
fn insecure_skips_the_certificate_check_with_a_warning() {
    let pki = Pki::new(&["localhost"]);
    let server = tls_server(&pki, false);
    let addr = format!("https://localhost:{}", server.port);
    // Not trusted without --ca …
    let output = run(&["hello", "--addr", &addr]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    // … accepted with --insecure, said so on stderr.
    let output = run(&["hello", "--addr", &addr, "--insecure", "--name", "tls"]);
    assert_eq!(stdout(&output), "hello, tls\n", "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("warning: --insecure: "),
        "{}",
        stderr(&output)
    );
    // Over mutual TLS the client certificate still goes out.
    let mutual = tls_server(&pki, true);
    let addr = format!("https://localhost:{}", mutual.port);
    let output = run(&[
        "hello",
        "--addr",
        &addr,
        "--insecure",
        "--cert",
        &pki.path("client.pem"),
        "--key",
        &pki.path("client.key"),
    ]);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
    // A plaintext address has no certificate to skip.
    let output = run(&["hello", "--addr", "localhost:1", "--insecure"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn tls_flags_with_a_plaintext_address_are_a_usage_error() {
    let output = run(&["hello", "--addr", "localhost:1", "--ca", "ca.pem"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("need an https:// address"),
        "{}",
        stderr(&output)
    );
}

// ---------------------------------------------------------------- tokens

#[test]
fn a_token_is_required_on_the_application_services() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "s3cret-token\n").expect("write token");
    let server = Server::start(&["--token-file", &token_file.to_string_lossy()]);

    let output = run(&["hello", "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(80));
    assert_eq!(
        stderr(&output),
        "error: UNAUTHENTICATED: missing or invalid bearer token\n"
    );
    let output = run(&["stream", "--addr", &server.addr(), "--token", "wrong"]);
    assert_eq!(output.status.code(), Some(80));

    let output = run(&["hello", "--addr", &server.addr(), "--token", "s3cret-token"]);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
    let output = grpc_demo()
        .args(["stream", "--addr", &server.addr()])
        .env("GRPC_DEMO_TOKEN", "s3cret-token")
        .output()
        .expect("stream");
    assert_eq!(stdout(&output), "200\tstarted\n200\tdoing\n200\tdone\n");

    assert!(server.wait_for_log("rejected unauthenticated call", Duration::from_secs(5)));
    let log = server.log();
    assert!(log.contains("reason=\"wrong token\""), "{log}");
    assert!(
        !log.contains("s3cret-token"),
        "the token leaked into the log"
    );
    assert!(!log.contains("wrong\n") && !log.contains("Bearer"), "{log}");
}

#[tokio::test]
async fn health_stays_open_with_a_token() {
    use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};
    let server = tokio::task::spawn_blocking(|| Server::start(&["--token", "abc"]))
        .await
        .expect("join");
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", server.addr()))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    let mut health = HealthClient::new(channel);
    let response = health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health without a token");
    assert_eq!(response.into_inner().status, 1); // SERVING
    drop(server);
}

#[tokio::test]
async fn a_drain_delay_reports_not_serving_while_it_still_serves() {
    use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};
    let server = tokio::task::spawn_blocking(|| {
        Server::start(&["--drain-delay", "3s", "--shutdown-timeout", "1s"])
    })
    .await
    .expect("join");
    server.signal(libc::SIGTERM);
    let server = tokio::task::spawn_blocking(move || {
        assert!(
            server.wait_for_log("still serving for 3s", Duration::from_secs(10)),
            "{}",
            server.log()
        );
        server
    })
    .await
    .expect("join");
    // Within the delay: a new connection is accepted, health says
    // NOT_SERVING, and an RPC is still served.
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", server.addr()))
        .expect("uri")
        .connect()
        .await
        .expect("a new connection during the drain delay");
    let status = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health check")
        .into_inner()
        .status;
    assert_eq!(status, 2, "NOT_SERVING");
    let addr = server.addr();
    let output = tokio::task::spawn_blocking(move || run(&["hello", "--addr", &addr]))
        .await
        .expect("join");
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
    let mut server = server;
    let status = tokio::task::spawn_blocking(move || server.wait(Duration::from_secs(20)))
        .await
        .expect("join");
    assert_eq!(status.and_then(|status| status.code()), Some(0));
}

// ---------------------------------------------------------------- limits

#[test]
fn an_oversized_request_is_resource_exhausted_and_the_server_is_unharmed() {
    let server = Server::start(&["--max-message-size", "1KiB"]);
    let name = "x".repeat(2000);
    let output = run(&["hello", "--name", &name, "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(72), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("error: RESOURCE_EXHAUSTED: "),
        "{}",
        stderr(&output)
    );
    let output = run(&["hello", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, world\n");
    assert!(server.wait_for_log("status=RESOURCE_EXHAUSTED", Duration::from_secs(5)));
}

#[test]
fn an_oversized_stream_message_is_resource_exhausted() {
    let server = Server::start(&[]); // default 4 MiB
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("big.jsonl");
    let big = "y".repeat(5 * 1024 * 1024);
    std::fs::write(
        &script,
        format!("{{\"msgType\":\"START\",\"data\":\"{big}\"}}\n"),
    )
    .expect("write");
    let script = script.to_string_lossy().into_owned();
    let output = run(&[
        "stream",
        "--script",
        &script,
        "--max-message-size",
        "100MiB",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(72), "{}", stderr(&output));

    // --max-message-size 100MiB on the server (the tutorial's deployment) takes it.
    let big_server = Server::start(&["--max-message-size", "100MiB"]);
    let output = run(&[
        "stream",
        "--script",
        &script,
        "--max-message-size",
        "100MiB",
        "--addr",
        &big_server.addr(),
    ]);
    assert_eq!(stdout(&output), "200\tstarted\n", "{}", stderr(&output));
}

#[test]
fn an_oversized_response_is_resource_exhausted_on_the_client() {
    let server = Server::start(&[]);
    // A 1015-byte name encodes to a 1018-byte request (under 1 KiB) and a
    // 1025-byte response (over it).
    let name = "z".repeat(1015);
    let output = run(&[
        "hello",
        "--name",
        &name,
        "--max-message-size",
        "1KiB",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(72), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("1024 bytes"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn connections_beyond_max_connections_are_refused() {
    let server = Server::start(&["--max-connections", "2"]);
    // Connections with an RPC in flight, taken by the server once answered:
    // a full server closes idle connections to make room, not these.
    let held: Vec<TcpStream> = (0..2)
        .map(|_| common::busy_connection(&server.addr()))
        .collect();
    let output = run(&["hello", "--addr", &server.addr(), "--timeout", "5s"]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(server.wait_for_log(
        "refusing connection: too many open connections",
        Duration::from_secs(5)
    ));
    let open = fd_count(server.pid());
    drop(held);
    // Wait for the server to see both close.
    assert!(common::wait_until(Duration::from_secs(10), || {
        fd_count(server.pid()) + 2 <= open
    }));
    let output = run(&["hello", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
}

#[test]
fn a_peer_that_does_not_answer_pings_is_dropped() {
    let server = Server::start(&[
        "--keepalive-interval",
        "200ms",
        "--keepalive-timeout",
        "200ms",
    ]);
    let mut socket = TcpStream::connect(server.addr()).expect("connect");
    // The HTTP/2 preface and an empty SETTINGS frame, then silence: we never
    // read, so PINGs go unanswered.
    socket
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .expect("preface");
    socket
        .write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0])
        .expect("settings");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut sink = Vec::new();
    let result = socket.read_to_end(&mut sink);
    // Closed by the server: EOF, or a reset. A timeout means it kept us.
    if let Err(err) = result {
        assert!(
            !matches!(
                err.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "the server kept a dead peer: {err}"
        );
    }
    // And closed for the right reason: it had sent a PING that went
    // unanswered (a close for any other cause would come without one).
    let mut frames = Vec::new();
    let mut at = 0;
    while at + 9 <= sink.len() {
        let length = usize::from(sink[at]) << 16
            | usize::from(sink[at + 1]) << 8
            | usize::from(sink[at + 2]);
        frames.push((sink[at + 3], sink[at + 4]));
        at += 9 + length;
    }
    const PING: u8 = 6;
    const ACK: u8 = 1;
    assert!(
        frames
            .iter()
            .any(|&(kind, flags)| kind == PING && flags & ACK == 0),
        "closed without a PING first; frames (type, flags): {frames:?}"
    );
}

#[test]
fn an_idle_stream_is_ended() {
    // A message every 150 ms for 1.2 s: never quiet for the 1 s timeout (a
    // wide margin: the machine may stall the client for a while).
    let steady = Server::start(&["--idle-stream-timeout", "1s"]);
    let output = run(&[
        "stream",
        "--count",
        "8",
        "--interval",
        "150ms",
        "--addr",
        &steady.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let server = Server::start(&["--idle-stream-timeout", "300ms"]);
    let output = run(&[
        "stream",
        "--count",
        "3",
        "--interval",
        "3s",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(stdout(&output), "200\tstarted\n");
    assert_eq!(output.status.code(), Some(68), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "error: DEADLINE_EXCEEDED: no message for 300ms (--idle-stream-timeout)\n"
    );
    assert!(server.wait_for_log(
        "stream sent nothing for the idle timeout",
        Duration::from_secs(5)
    ));
}

// ---------------------------------------------------------------- signals

#[test]
fn after_sigterm_new_connections_are_refused_while_a_stream_finishes() {
    let mut server = Server::start(&[]);
    let mut client = spawn_slow_stream(&server, "3", "500ms");
    let mut out = client.stdout.take().expect("stdout");
    assert_eq!(read_line(&mut out).as_deref(), Some("200\tstarted"));
    server.signal(libc::SIGTERM);
    assert!(server.wait_for_log("shutting down", Duration::from_secs(5)));
    let refused = TcpStream::connect(server.addr()).expect_err("listener closed");
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    let mut rest = String::new();
    out.read_to_string(&mut rest).expect("rest");
    assert_eq!(rest, "200\tdoing\n200\tdone\n");
    assert_eq!(client.wait().expect("client").code(), Some(0));
    assert_eq!(
        server.wait(Duration::from_secs(15)).and_then(|s| s.code()),
        Some(0)
    );
}

#[test]
fn a_stream_past_the_shutdown_timeout_is_cut_and_the_server_exits_0() {
    let mut server = Server::start(&["--shutdown-timeout", "500ms"]);
    let mut client = spawn_slow_stream(&server, "20", "1s");
    let mut out = client.stdout.take().expect("stdout");
    assert_eq!(read_line(&mut out).as_deref(), Some("200\tstarted"));
    server.signal(libc::SIGTERM);
    assert_eq!(
        server.wait(Duration::from_secs(15)).and_then(|s| s.code()),
        Some(0)
    );
    assert!(server.log().contains("shutdown timeout of 500ms passed"));
    // Cut: UNAVAILABLE, not a clean end.
    let output = client.wait_with_output().expect("client");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(78), "{err}");
    assert!(err.starts_with("error: UNAVAILABLE: "), "{err}");
    // It had answered in HTTP/2: no guess at TLS or the protocol.
    assert!(!err.contains("https://"), "{err}");
    // The cut stream still gets its one access line, with the status its
    // client saw.
    assert!(
        server.wait_for_log(
            "method=/packages.MessageService/iter_message",
            Duration::from_secs(10)
        ),
        "no access line for the cut stream:\n{}",
        server.log()
    );
    let log = server.log();
    let lines: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("method=/packages.MessageService/iter_message"))
        .collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("status=UNAVAILABLE"), "{}", lines[0]);
}

#[test]
fn a_second_signal_exits_at_once() {
    let mut server = Server::start(&["--shutdown-timeout", "30s"]);
    let mut client = spawn_slow_stream(&server, "20", "1s");
    let mut out = client.stdout.take().expect("stdout");
    assert_eq!(read_line(&mut out).as_deref(), Some("200\tstarted"));
    server.signal(libc::SIGTERM);
    assert!(server.wait_for_log("shutting down", Duration::from_secs(5)));
    server.signal(libc::SIGTERM);
    assert_eq!(
        server.wait(Duration::from_secs(10)).and_then(|s| s.code()),
        Some(143)
    );
    let _ = client.kill();
    let _ = client.wait();
}

// ---------------------------------------------------------------- unix sockets

fn uds_server(path: &Path) -> common::UdsServer {
    common::UdsServer::start(path)
}

#[test]
fn serve_and_call_over_a_unix_socket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("grpc.sock");
    let mut server = uds_server(&path);
    let addr = format!("unix://{}", path.display());
    let output = run(&["hello", "--name", "uds", "--addr", &addr]);
    assert_eq!(stdout(&output), "hello, uds\n", "{}", stderr(&output));
    let output = run(&["stream", "--addr", &addr]);
    assert_eq!(stdout(&output), "200\tstarted\n200\tdoing\n200\tdone\n");
    server.stop();
    assert!(!path.exists(), "the socket file is removed on exit");
}

#[test]
fn a_stale_socket_file_is_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).expect("bind"));
    assert!(path.exists());
    let _server = uds_server(&path);
    let output = run(&["hello", "--addr", &format!("unix://{}", path.display())]);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
}

#[test]
fn a_file_that_is_not_a_socket_is_not_clobbered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("precious.txt");
    std::fs::write(&path, "keep me").expect("write");
    let output = run(&["serve", "--uds", &path.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is not a socket"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "keep me");
}

// ---------------------------------------------------------------- client-side bad input

#[test]
fn client_side_bad_input_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            vec!["hello".into(), "--addr".into(), "http://[::1".into()],
            2,
            "invalid address",
        ),
        (
            vec![
                "hello".into(),
                "--addr".into(),
                "does-not-exist.invalid:1".into(),
            ],
            78,
            "error: UNAVAILABLE: ",
        ),
        (
            vec![
                "stream".into(),
                "--script".into(),
                dir.path().to_string_lossy().into_owned(),
                "--addr".into(),
                "127.0.0.1:1".into(),
            ],
            1,
            "Is a directory",
        ),
    ];
    for (args, code, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&args);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(needle),
            "{args:?}: {}",
            stderr(&output)
        );
        if code != 2 {
            // (Usage errors are clap's own: an error line and a hint.)
            assert_eq!(
                stderr(&output).lines().count(),
                1,
                "{args:?}: {}",
                stderr(&output)
            );
        }
    }
}

// ---------------------------------------------------------------- server-side bad input

/// Sends raw bytes on a fresh connection and reads until the server closes.
fn send_raw(addr: &str, bytes: &[u8]) -> Vec<u8> {
    let mut socket = TcpStream::connect(addr).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    socket.write_all(bytes).expect("write");
    let mut reply = Vec::new();
    let _ = socket.read_to_end(&mut reply);
    reply
}

fn assert_still_serving(server: &Server) {
    let output = run(&["hello", "--name", "still", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, still\n", "{}", stderr(&output));
}

#[test]
fn garbage_bytes_are_logged_and_survived() {
    let server = Server::start(&[]);
    send_raw(
        &server.addr(),
        b"\x16\x03\x01garbage\xff\xfe\x00\x00 not http at all\r\n\r\n",
    );
    assert!(
        server.wait_for_log(
            "peer sent bytes that are not HTTP/2",
            Duration::from_secs(5)
        ),
        "{}",
        server.log()
    );
    assert!(server.log().contains(" WARN "), "{}", server.log());
    assert_still_serving(&server);
}

#[test]
fn an_http1_request_is_logged_and_survived() {
    let server = Server::start(&[]);
    send_raw(&server.addr(), b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(
        server.wait_for_log("peer sent an HTTP/1 request", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    assert_still_serving(&server);
}

/// Raw gRPC over HTTP/2 with the h2 crate, to send what no well-behaved
/// client would. Returns the grpc-status.
async fn raw_grpc(addr: &str, path: &str, body: Vec<u8>) -> Option<i32> {
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (client, connection) = h2::client::handshake(tcp).await.expect("h2 handshake");
    tokio::spawn(connection);
    let mut client = client.ready().await.expect("ready");
    let request = http::Request::builder()
        .method("POST")
        .uri(format!("http://{addr}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .expect("request");
    let (response, mut send) = client.send_request(request, false).expect("send request");
    send.send_data(bytes::Bytes::from(body), true)
        .expect("send body");
    let response = response.await.expect("response headers");
    let status = |headers: &http::HeaderMap| {
        headers
            .get("grpc-status")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
    };
    if let Some(code) = status(response.headers()) {
        return Some(code);
    }
    let mut body = response.into_body();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.expect("data");
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    let trailers = body.trailers().await.expect("trailers")?;
    status(&trailers)
}

/// A gRPC length-prefixed frame.
fn frame(declared_len: u32, payload: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0];
    bytes.extend_from_slice(&declared_len.to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

#[tokio::test]
async fn malformed_grpc_is_answered_with_an_error_status_and_survived() {
    let server = tokio::task::spawn_blocking(|| Server::start(&[]))
        .await
        .expect("join");
    let addr = server.addr();
    let hello = "/packages.GreetService/sayHello";
    // INTERNAL (13) for a request that cannot be decoded, UNIMPLEMENTED
    // (12) for a method the server does not have, as gRPC's other servers.
    let cases = [
        (
            "length prefix exceeds the body",
            hello,
            frame(100, &[0x0a, 0x01, b'x']),
            13,
        ),
        ("not protobuf", hello, frame(3, &[0xff, 0xff, 0xff]), 13),
        (
            "string not UTF-8",
            hello,
            frame(4, &[0x0a, 0x02, 0xff, 0xfe]),
            13,
        ),
        (
            "unknown method",
            "/packages.GreetService/nope",
            frame(0, &[]),
            12,
        ),
        ("unknown service", "/no.Such/Method", frame(0, &[]), 12),
    ];
    for (what, path, body, code) in cases {
        let status = raw_grpc(&addr, path, body).await;
        assert_eq!(status, Some(code), "{what}");
    }
    // The log is written by a background thread: give it a moment. One
    // peer's warnings are rate-limited (3 lines a second, warn_limit.rs):
    // the rest are counted in a "N similar warnings suppressed" line.
    let warnings = |log: &str| -> usize {
        log.lines().filter(|l| l.contains(" WARN rpc ")).count()
            + log
                .lines()
                .filter_map(|l| l.split(" WARN ").nth(1))
                .filter(|l| l.contains("similar warnings suppressed"))
                .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
                .sum::<usize>()
    };
    for _ in 0..50 {
        if warnings(&server.log()) >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let log = server.log();
    assert!(warnings(&log) >= 5, "one warning per bad request:\n{log}");
    let still = tokio::task::spawn_blocking(move || {
        assert_still_serving(&server);
    });
    still.await.expect("still serving");
}

#[test]
fn a_thousand_abrupt_disconnects_leak_no_descriptors() {
    let server = Server::start(&[]);
    assert_still_serving(&server);
    let before = fd_count(server.pid());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let addr = server.addr();
    runtime.block_on(async {
        for _batch in 0..20 {
            let mut tasks = Vec::new();
            for _ in 0..50 {
                let addr = addr.clone();
                tasks.push(tokio::spawn(
                    async move { open_stream_then_reset(&addr).await },
                ));
            }
            for task in tasks {
                task.await.expect("join");
            }
        }
    });
    // Give the server a moment to notice the last resets.
    let mut after = fd_count(server.pid());
    for _ in 0..50 {
        if after <= before + 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        after = fd_count(server.pid());
    }
    assert!(
        after <= before + 2,
        "descriptors before {before}, after {after}"
    );
    assert_still_serving(&server);
}

/// Opens an HTTP/2 connection, starts iter_message with START, then drops
/// the socket with a TCP reset (SO_LINGER 0) in the middle of the stream.
async fn open_stream_then_reset(addr: &str) {
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let std_tcp = tcp.into_std().expect("into std");
    socket2::SockRef::from(&std_tcp)
        .set_linger(Some(Duration::ZERO))
        .expect("linger");
    let tcp = tokio::net::TcpStream::from_std(std_tcp).expect("from std");
    let (client, connection) = h2::client::handshake(tcp).await.expect("handshake");
    let connection = tokio::spawn(connection);
    let mut client = client.ready().await.expect("ready");
    let request = http::Request::builder()
        .method("POST")
        .uri(format!(
            "http://{addr}/packages.MessageService/iter_message"
        ))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .expect("request");
    let (response, mut send) = client.send_request(request, false).expect("send");
    send.send_data(bytes::Bytes::from(frame(2, &[0x10, 0x00])), false)
        .expect("data");
    let _ = tokio::time::timeout(Duration::from_secs(5), response).await;
    // Abort the connection task: the socket is dropped with a reset.
    connection.abort();
    let _ = connection.await;
}

#[test]
fn a_client_that_stops_reading_is_held_back() {
    let server = Server::start(&[]);
    let rss_before = proc_status_kib(server.pid(), "VmRSS");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let addr = server.addr();
    let sent = runtime.block_on(async move {
        use grpc_demo::proto::{message_service_client::MessageServiceClient, MessageRequest};
        use std::sync::{
            atomic::{AtomicUsize, Ordering},
            Arc,
        };
        // A small receive window, so that unread responses fill it fast.
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .expect("uri")
            .initial_stream_window_size(65_535)
            .initial_connection_window_size(65_535)
            .connect()
            .await
            .expect("connect");
        let mut client = MessageServiceClient::new(channel);
        let pulled = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&pulled);
        const LIMIT: usize = 100_000;
        let data = "d".repeat(1024);
        let requests = tokio_stream::iter(0..LIMIT).map(move |index| {
            counter.fetch_add(1, Ordering::Relaxed);
            MessageRequest {
                msg_type: i32::from(index != 0), // START, then PROGRESS
                msg_index: i32::try_from(index).unwrap_or(i32::MAX),
                role: 0,
                data: data.clone(),
            }
        });
        use tokio_stream::StreamExt as _;
        let response = client.iter_message(requests).await.expect("stream");
        // Never read the responses. Once the windows are full the server
        // stops reading and the client can send no more: the count stalls.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let early = pulled.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let sent = pulled.load(Ordering::Relaxed);
        drop(response);
        assert!(
            sent < LIMIT,
            "flow control never pushed back: all {LIMIT} messages went out"
        );
        // tonic pulls a few messages ahead of the window.
        assert!(
            sent - early < 64,
            "still sending after the windows filled: {early} then {sent}"
        );
        sent
    });
    let rss_after = proc_status_kib(server.pid(), "VmRSS");
    assert!(
        rss_after < rss_before + 64 * 1024,
        "server RSS grew from {rss_before} KiB to {rss_after} KiB after {sent} messages"
    );
    assert_still_serving(&server);
}
