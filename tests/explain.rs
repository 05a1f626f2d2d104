//! `--explain` (issue 23 part 1): the real client against a real server,
//! over TCP, TLS and a Unix socket. What crossed the connection is on
//! stderr, in order and annotated; stdout keeps only the answers.

mod common;

use common::{run, stderr, stdout, Server, UdsServer};
use prost::Message as _;

/// Each needle found after the previous one: `text` tells them in this
/// order. Returns where the last one starts.
#[track_caller]
fn assert_in_order(text: &str, needles: &[&str]) -> usize {
    let mut from = 0;
    let mut last = 0;
    for needle in needles {
        match text[from..].find(needle) {
            Some(at) => {
                last = from + at;
                from = last + needle.len();
            }
            None => panic!(
                "{needle:?} not found after byte {from} (in this order: {needles:#?}) in:\n{text}"
            ),
        }
    }
    last
}

#[test]
fn hello_explain_shows_the_frames_and_bytes_of_the_call_in_order_and_keeps_stdout_for_the_answer() {
    let server = Server::start(&[]);
    let addr = server.addr();
    let plain = run(&["hello", "--addr", &addr, "--name", "zhangjian"]);
    let explained = run(&["hello", "--addr", &addr, "--name", "zhangjian", "--explain"]);
    assert_eq!(explained.status.code(), Some(0), "{}", stderr(&explained));
    assert_eq!(stdout(&explained), stdout(&plain));
    assert_eq!(stdout(&explained), "hello, zhangjian\n");
    // The length in the gRPC prefix is the message's real encoded length.
    let request_length = grpc_demo::proto::HelloRequest {
        name: "zhangjian".into(),
    }
    .encoded_len();
    let response_length = grpc_demo::proto::HelloResponse {
        msg: "hello, zhangjian".into(),
    }
    .encoded_len();
    let request_prefix =
        format!("gRPC message: compressed=0, length={request_length}, packages.helloRequest");
    let response_prefix =
        format!("gRPC message: compressed=0, length={response_length}, packages.helloResponse");
    let text = stderr(&explained);
    // Each side opens with its SETTINGS (the client after its preface);
    // which side's comes first is up to the wire, and shown as it was.
    let frames = |arrow: &str| -> Vec<&str> {
        text.lines()
            .filter(|line| line.starts_with(arrow))
            .collect()
    };
    let sent = frames("→");
    assert!(sent.len() > 2, "no frames shown as sent:\n{text}");
    assert_eq!(sent[0], "→ preface PRI * HTTP/2.0 (24 bytes)", "{text}");
    assert!(
        sent[1].starts_with("→ SETTINGS, 24 bytes: ENABLE_PUSH=0 "),
        "{text}"
    );
    let received = frames("←");
    assert!(!received.is_empty(), "no frames shown as received:\n{text}");
    assert!(
        received[0].starts_with("← SETTINGS, 24 bytes: MAX_CONCURRENT_STREAMS="),
        "{text}"
    );
    let headers = text.find("→ HEADERS").expect("a HEADERS frame");
    for first in [sent[0], sent[1], received[0]] {
        assert!(text.find(first).is_some_and(|at| at < headers), "{text}");
    }
    assert_in_order(
        &text,
        &[
            "* connection 1: plaintext HTTP/2 over TCP\n",
            "→ preface PRI * HTTP/2.0 (24 bytes)\n",
            "→ SETTINGS, 24 bytes: ENABLE_PUSH=0",
            "→ HEADERS stream 1, END_HEADERS",
            "    :method: POST\n",
            "    :path: /packages.GreetService/sayHello\n",
            "    te: trailers\n",
            "    content-type: application/grpc\n",
            "→ DATA stream 1, 16 bytes\n",
            &format!("    00 00 00 00 {request_length:02x}   {request_prefix}\n"),
            "      0a 09 7a 68 61 6e 67 6a 69 61 6e   field 1 (name), wire type 2 (LEN), 9 bytes: \"zhangjian\"\n",
            "← HEADERS stream 1, END_HEADERS",
            "    :status: 200\n",
            "← DATA stream 1, 23 bytes\n",
            &response_prefix,
            "field 1 (msg), wire type 2 (LEN), 16 bytes: \"hello, zhangjian\"\n",
            "← HEADERS stream 1, END_STREAM, END_HEADERS, 12 bytes (trailers; HPACK: 1 header field",
            "    grpc-status: 0   # OK\n",
        ],
    );
    // HPACK's saving is told for each header block.
    assert!(text.contains("bytes as text → "), "{text}");
}

#[test]
fn explain_json_is_one_object_per_line_with_the_path_and_the_field_values() {
    let server = Server::start(&[]);
    let output = run(&[
        "hello",
        "--addr",
        &server.addr(),
        "--name",
        "json please",
        "--explain=json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "hello, json please\n");
    let frames: Vec<serde_json::Value> = stderr(&output)
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: not JSON: {line}"))
        })
        .collect();
    let path = serde_json::json!([":path", "/packages.GreetService/sayHello"]);
    let headers = frames
        .iter()
        .position(|frame| {
            frame["type"] == "HEADERS"
                && frame["dir"] == "send"
                && frame["headers"]
                    .as_array()
                    .is_some_and(|headers| headers.contains(&path))
        })
        .expect("a HEADERS frame with the path");
    let data = frames
        .iter()
        .position(|frame| {
            frame["type"] == "DATA"
                && frame["dir"] == "send"
                && frame["messages"][0]["fields"][0]["value"] == "json please"
        })
        .expect("a DATA frame with the name's field");
    assert!(headers < data);
    let message = &frames[data]["messages"][0];
    assert_eq!(message["compressed"], false);
    assert_eq!(message["length"], 13);
    assert_eq!(message["fields"][0]["name"], "name");
    assert_eq!(message["fields"][0]["wire_type"], "LEN");
    assert!(frames.iter().any(|frame| frame["type"] == "HEADERS"
        && frame["role"] == "trailers"
        && frame["headers"]
            .as_array()
            .is_some_and(|h| h.contains(&serde_json::json!(["grpc-status", "0"])))));
}

#[test]
fn over_tls_the_decrypted_frames_are_shown_and_said_to_be_inside_tls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).expect("write cert");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write key");
    let cert = cert.to_string_lossy().into_owned();
    let server = Server::start(&["--tls-cert", &cert, "--tls-key", &key.to_string_lossy()]);
    let addr = format!("https://localhost:{}", server.port);
    let output = run(&[
        "hello",
        "--addr",
        &addr,
        "--ca",
        &cert,
        "--name",
        "tls",
        "--explain",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "hello, tls\n");
    assert_in_order(
        &stderr(&output),
        &[
            "* connection 1: TLS: what follows is the decrypted HTTP/2 inside the TLS connection",
            "→ preface PRI * HTTP/2.0",
            "    :scheme: https\n",
            "    :path: /packages.GreetService/sayHello\n",
            "field 1 (name), wire type 2 (LEN), 3 bytes: \"tls\"",
            "    grpc-status: 0   # OK\n",
        ],
    );
    // The certificate is still checked: without --ca it is not trusted.
    let untrusted = run(&["hello", "--addr", &addr, "--explain"]);
    assert_eq!(
        untrusted.status.code(),
        Some(64 + 14),
        "{}",
        stderr(&untrusted)
    );
    assert!(
        stderr(&untrusted).contains("not trusted"),
        "{}",
        stderr(&untrusted)
    );
}

#[test]
fn over_a_unix_socket_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("grpc.sock");
    let _server = UdsServer::start(&path);
    let addr = format!("unix://{}", path.display());
    let output = run(&["hello", "--addr", &addr, "--explain"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "hello, world\n");
    assert_in_order(
        &stderr(&output),
        &[
            "* connection 1: plaintext HTTP/2 over a Unix socket",
            "    :path: /packages.GreetService/sayHello\n",
            "field 1 (name), wire type 2 (LEN), 5 bytes: \"world\"",
            "field 1 (msg), wire type 2 (LEN), 12 bytes: \"hello, world\"",
            "    grpc-status: 0   # OK\n",
        ],
    );
}

#[test]
fn a_watch_stream_shows_each_quote_annotated_then_the_trailers() {
    let server = Server::start(&[]);
    let output = run(&[
        "watch",
        "--addr",
        &server.addr(),
        "--symbol",
        "ABC",
        "--count",
        "3",
        "--interval",
        "10ms",
        "--explain",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 3, "{}", stdout(&output));
    let text = stderr(&output);
    let mut needles = vec![
        "    :path: /packages.StockService/watch\n",
        "gRPC message: compressed=0, length=",
        ", packages.WatchRequest\n",
        "   field 1 (symbol), wire type 2 (LEN), 3 bytes: \"ABC\"\n",
        "10 03   field 2 (count), wire type 0 (VARINT): 3\n",
    ];
    let quotes: Vec<String> = (1..=3)
        .map(|seq| format!("10 0{seq}   field 2 (seq), wire type 0 (VARINT): {seq}\n"))
        .collect();
    for quote in &quotes {
        needles.extend([
            "← DATA stream 1, ",
            ", packages.Quote\n",
            "   field 1 (symbol), wire type 2 (LEN), 3 bytes: \"ABC\"\n",
            quote.as_str(),
            "   field 3 (price), wire type 1 (I64): ",
            "   field 4 (time_unix_ms), wire type 0 (VARINT): ",
        ]);
    }
    needles.extend([
        "← HEADERS stream 1, END_STREAM",
        "    grpc-status: 0   # OK\n",
    ]);
    assert_in_order(&text, &needles);
    assert_eq!(text.matches(", packages.Quote\n").count(), 3, "{text}");
}

#[test]
fn call_explain_annotates_by_the_schema_reflection_gave() {
    let server = Server::start(&[]);
    let output = run(&[
        "call",
        "--addr",
        &server.addr(),
        "packages.GreetService/sayHello",
        "-d",
        r#"{"name":"reflected"}"#,
        "-o",
        "json",
        "--explain",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "{\"msg\":\"hello, reflected\"}\n");
    assert_in_order(
        &stderr(&output),
        &[
            // The reflection exchange itself, annotated from its own schema.
            "    :path: /grpc.reflection.v1.ServerReflection/ServerReflectionInfo\n",
            ", grpc.reflection.v1.ServerReflectionRequest\n",
            "field 4 (file_containing_symbol), wire type 2 (LEN), 21 bytes: \"packages.GreetService\"",
            ", grpc.reflection.v1.ServerReflectionResponse\n",
            // Then the call.
            "    :path: /packages.GreetService/sayHello\n",
            ", packages.helloRequest\n",
            "field 1 (name), wire type 2 (LEN), 9 bytes: \"reflected\"",
            "field 1 (msg), wire type 2 (LEN), 16 bytes: \"hello, reflected\"",
            "    grpc-status: 0   # OK\n",
        ],
    );
}

#[test]
fn compressed_messages_are_said_compressed_and_opened() {
    let server = Server::start(&[]);
    let output = run(&[
        "hello",
        "--addr",
        &server.addr(),
        "--compress",
        "gzip",
        "--explain",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_in_order(
        &stderr(&output),
        &[
            "    grpc-encoding: gzip\n",
            "   gRPC message: compressed=1, length=",
            " (gzip, 7 bytes opened), packages.helloRequest\n",
            "field 1 (name), wire type 2 (LEN), 5 bytes: \"world\"",
        ],
    );
}

#[test]
fn explain_is_for_one_connection_and_one_call() {
    let two = run(&["hello", "--addr", "127.0.0.1:1,127.0.0.1:2", "--explain"]);
    assert_eq!(two.status.code(), Some(2), "{}", stderr(&two));
    assert!(stderr(&two).contains("--explain shows one connection"));
    let bench = run(&["bench", "hello", "-n", "1", "--explain"]);
    assert_eq!(bench.status.code(), Some(2), "{}", stderr(&bench));
    let bad = run(&["hello", "--explain=yaml"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn a_refused_call_shows_trailers_only_with_the_status_named_and_the_message_decoded() {
    let server = Server::start(&["--token", "sesame"]);
    let output = run(&["hello", "--addr", &server.addr(), "--explain"]);
    assert_eq!(output.status.code(), Some(64 + 16), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_in_order(
        &stderr(&output),
        &[
            "← HEADERS stream 1, END_STREAM, END_HEADERS",
            "(trailers-only; HPACK: ",
            "    grpc-status: 16   # UNAUTHENTICATED\n",
            "    grpc-message: missing%20or%20invalid%20bearer%20token   # \"missing or invalid bearer token\" (percent-encoded)\n",
            "error: UNAUTHENTICATED: missing or invalid bearer token",
        ],
    );
    // With the token: the call goes through, and the token is not shown.
    let output = run(&[
        "hello",
        "--addr",
        &server.addr(),
        "--token",
        "sesame",
        "--explain",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("    authorization: <hidden>\n"));
    assert!(!stderr(&output).contains("sesame"));
}

/// A peer that answers the preface with a SETTINGS frame and then frames
/// of the wrong size: the explanation says malformed, and the client
/// fails as it would without `--explain` (no panic).
#[test]
fn a_hostile_servers_malformed_frames_are_said_malformed() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let peer = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().expect("accept");
        let mut preface = [0u8; 24];
        socket
            .read_exact(&mut preface)
            .expect("the client's preface");
        let mut wire = vec![0, 0, 0, 4, 0, 0, 0, 0, 0]; // SETTINGS, empty
        wire.extend_from_slice(&[0, 0, 3, 8, 0, 0, 0, 0, 0, 1, 2, 3]); // WINDOW_UPDATE of 3 bytes
        wire.extend_from_slice(&[0, 0, 2, 6, 0, 0, 0, 0, 0, 1, 2]); // PING of 2 bytes
        socket.write_all(&wire).expect("write");
        // Until the client gives up on the connection (bounded).
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("read timeout");
        let mut rest = Vec::new();
        let _ = socket.read_to_end(&mut rest);
    });
    let output = run(&[
        "hello",
        "--addr",
        &addr.to_string(),
        "--timeout",
        "5s",
        "--explain",
    ]);
    peer.join().expect("the peer");
    let text = stderr(&output);
    assert_ne!(output.status.code(), Some(101), "a panic:\n{text}");
    assert_ne!(output.status.code(), Some(0), "{text}");
    assert_in_order(
        &text,
        &[
            "← SETTINGS, 0 bytes\n",
            "← WINDOW_UPDATE, 3 bytes\n    malformed: WINDOW_UPDATE is not 4 bytes\n",
        ],
    );
}

/// An HTTP/1 server: its answer is said not to be HTTP/2, shown as text,
/// and not waited for as a frame.
#[test]
fn an_http1_answer_is_said_not_http2() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let peer = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().expect("accept");
        let mut preface = [0u8; 24];
        socket
            .read_exact(&mut preface)
            .expect("the client's preface");
        socket
            .write_all(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n")
            .expect("write");
    });
    let output = run(&["hello", "--addr", &addr.to_string(), "--explain"]);
    peer.join().expect("the peer");
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(64 + 14), "{text}");
    assert!(
        text.contains("← preface, 24 bytes\n    malformed: this side does not open with a SETTINGS frame, not HTTP/2? First bytes 485454502f312e31")
            && text.contains("(\"HTTP/1.1 400 Bad Request\")"),
        "{text}"
    );
}
