//! Memory the server holds for what is open and idle: connections that send
//! nothing, and streams that wait for their next message (issue 22). The
//! server's resident memory is read from /proc before and while they are
//! held; the figures of a release build are in BENCHMARKS.md ("memory per
//! idle stream and per idle connection"). These are debug builds, so the
//! limits leave room for their larger futures, and still fail without what
//! made them small (patches/README.md, "Idle memory"; src/codec.rs).

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::Stdio,
    time::Duration,
};

use common::{
    grpc_demo, metrics_port, proc_status_kib, run, stdout, wait_for_sample, KillOnDrop, Server,
};

/// The client's HTTP/2 connection preface, then an empty SETTINGS frame.
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// Reads frames until the server's SETTINGS acknowledgement: by then the
/// server has read the client's preface and settings, and written and
/// flushed its own frames.
fn read_until_settings_ack(socket: &mut TcpStream) {
    let mut header = [0u8; 9];
    loop {
        socket
            .read_exact(&mut header)
            .expect("reading a frame header from the server");
        let len =
            usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
        let mut payload = vec![0u8; len];
        socket
            .read_exact(&mut payload)
            .expect("reading a frame payload from the server");
        let (kind, flags) = (header[3], header[4]);
        if kind == 0x4 && flags & 0x1 != 0 {
            return;
        }
    }
}

/// The server's resident memory, in KiB.
fn rss_kib(server: &Server) -> u64 {
    proc_status_kib(server.pid(), "VmRSS")
}

#[test]
fn an_idle_connection_holds_no_read_or_write_buffer() {
    // Each connection had an 8 KiB read and a 16 KiB write buffer for its
    // whole life, of which the pages its first read and write touched
    // stayed resident: 13.3–13.5 KiB per idle connection here (a debug
    // build), 5.0 once both are given back while it waits.
    const CONNECTIONS: usize = 600;
    const LIMIT_KIB: f64 = 9.0;
    let server = Server::start(&[
        "--max-connections",
        "1000",
        "--max-connections-per-ip",
        "1000",
    ]);
    // Whatever the first connections make once (the runtime's and the
    // allocator's first pages) is made before the count starts.
    let mut warm: Vec<TcpStream> = (0..20).map(|_| connect(&server)).collect();
    for socket in &mut warm {
        read_until_settings_ack(socket);
    }
    let before = rss_kib(&server);
    let mut sockets: Vec<TcpStream> = (0..CONNECTIONS).map(|_| connect(&server)).collect();
    for socket in &mut sockets {
        read_until_settings_ack(socket);
    }
    let held = rss_kib(&server);
    let per_connection = held.saturating_sub(before) as f64 / CONNECTIONS as f64;
    assert!(
        per_connection < LIMIT_KIB,
        "{per_connection:.1} KiB per idle connection ({before} KiB before {CONNECTIONS} connections, {held} KiB with them), over {LIMIT_KIB} KiB"
    );
    // Still serving, over a connection that has been idle and now talks.
    let output = run(&["hello", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, world\n");
}

fn connect(server: &Server) -> TcpStream {
    let mut socket = TcpStream::connect(server.addr()).expect("connecting to the server");
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("read timeout");
    socket.write_all(PREFACE).expect("sending the preface");
    socket
}

#[test]
fn an_idle_stream_holds_no_codec_buffers_or_frame_queue_room() {
    // An open bidi stream (START answered, then nothing) held two 1 KiB
    // codec buffers, and its connection kept room in its frame queues for
    // every frame of the burst that opened the streams: 5.2–5.4 KiB per idle
    // stream here (a debug build, 400 streams per connection), 3.45–3.5
    // since (most of the rest is h2's, hyper's and tonic's per-stream state).
    const STREAMS: usize = 2000;
    // 400 streams per connection: the burst that opens them queues more
    // frames than a connection keeps room for once its queues empty.
    const CONNECTIONS: usize = 5;
    let server = Server::start(&[
        "--metrics-addr",
        "127.0.0.1:0",
        "--access-log",
        "off",
        "--max-concurrent-streams",
        "1000",
    ]);
    let metrics = metrics_port(&server);
    let addr = server.addr();
    // One stream first, so what the first stream makes once is not counted.
    let output = run(&[
        "bench",
        "stream",
        "--addr",
        &addr,
        "-n",
        "1",
        "--messages",
        "2",
    ]);
    assert!(output.status.success(), "{output:?}");
    let before = rss_kib(&server);
    let streams = STREAMS.to_string();
    let connections = CONNECTIONS.to_string();
    let bench = KillOnDrop(
        grpc_demo()
            .args([
                "bench",
                "stream",
                "--addr",
                &addr,
                "--messages",
                "2",
                "--hold",
                "60s",
                "-c",
                &streams,
                "-n",
                &streams,
                "--connections",
                &connections,
                "-o",
                "json",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting bench"),
    );
    wait_for_sample(metrics, "grpc_server_in_flight_streams", STREAMS as f64);
    let held = rss_kib(&server);
    drop(bench);
    let per_stream = held.saturating_sub(before) as f64 / STREAMS as f64;
    const LIMIT_KIB: f64 = 4.3;
    assert!(
        per_stream < LIMIT_KIB,
        "{per_stream:.2} KiB per idle stream ({before} KiB before {STREAMS} streams, {held} KiB with them), over {LIMIT_KIB} KiB"
    );
}
