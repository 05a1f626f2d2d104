//! Helpers for end-to-end tests: the real `grpc-demo` binary as a
//! subprocess, in a scrubbed environment, ended by PID.
#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Child, Command, ExitStatus, Output, Stdio},
    sync::{mpsc, Arc, Mutex},
    thread,
    time::{Duration, Instant},
};

pub const BIN: &str = env!("CARGO_BIN_EXE_grpc-demo");

/// A `grpc-demo` command with none of our environment variables leaking in.
pub fn grpc_demo() -> Command {
    let mut command = Command::new(BIN);
    command
        .env_remove("GRPC_DEMO_ADDR")
        .env_remove("GRPC_DEMO_PORT")
        .env_remove("GRPC_DEMO_TOKEN")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    command
}

/// Runs a client to completion; its own `--timeout` bounds it.
pub fn run(args: &[&str]) -> Output {
    grpc_demo().args(args).output().expect("running grpc-demo")
}

/// Runs `grpc-demo ARGS` (e.g. a `serve` that should stop at once with a
/// usage error) for at most `limit`: one still running then is killed (by
/// PID) and the test fails, rather than hanging.
pub fn run_bounded(args: &[&str], limit: Duration) -> Output {
    let child = grpc_demo()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning grpc-demo");
    let pid = i32::try_from(child.id()).expect("pid fits i32");
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let Ok(output) = finished.recv_timeout(limit) else {
        // SAFETY: kill(2) on the PID of a child we started and still own.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        panic!("grpc-demo {args:?} still running after {limit:?}");
    };
    output.expect("waiting for grpc-demo")
}

/// Waits until something accepts TCP connections on `addr`, at most
/// `limit`.
pub fn wait_for_port(addr: &str, limit: Duration) -> bool {
    wait_until(limit, || std::net::TcpStream::connect(addr).is_ok())
}

/// Runs a client with `stdin` as its standard input.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = grpc_demo()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning grpc-demo");
    let mut input = child.stdin.take().expect("piped stdin");
    input.write_all(stdin.as_bytes()).expect("writing stdin");
    drop(input);
    child.wait_with_output().expect("waiting for grpc-demo")
}

/// `grpc-demo stream --count COUNT --interval INTERVAL` against `server`,
/// still running, with stdout and stderr piped.
pub fn spawn_slow_stream(server: &Server, count: &str, interval: &str) -> Child {
    grpc_demo()
        .args([
            "stream",
            "--count",
            count,
            "--interval",
            interval,
            "--addr",
            &server.addr(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning grpc-demo stream")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `grpc-demo serve` on a free loopback port, killed on drop if still running.
pub struct Server {
    child: KillOnDrop,
    host: &'static str,
    pub port: u16,
    log: Log,
}

impl Server {
    pub fn start(extra_args: &[&str]) -> Self {
        Self::start_on(0, extra_args)
    }

    /// On a given port (0: any free one).
    pub fn start_on(port: u16, extra_args: &[&str]) -> Self {
        Self::start_at("127.0.0.1", port, extra_args)
    }

    /// On a given loopback address and port.
    pub fn start_at(host: &'static str, port: u16, extra_args: &[&str]) -> Self {
        let mut command = grpc_demo();
        command
            .args(["serve", "--host", host, "--port", &port.to_string()])
            .args(extra_args);
        Self::start_command(host, command)
    }

    /// On a free loopback port, with `env` set (e.g. RUST_LOG).
    pub fn start_with_env(env: &[(&str, &str)], extra_args: &[&str]) -> Self {
        let mut command = grpc_demo();
        command
            .envs(env.iter().copied())
            .args(["serve", "--host", "127.0.0.1", "--port", "0"])
            .args(extra_args);
        Self::start_command("127.0.0.1", command)
    }

    /// `command` (a `grpc-demo serve` listening on `host`, with whatever
    /// flags and environment the test gave it), waited for until it
    /// announces its port.
    pub fn start_command(host: &'static str, mut command: Command) -> Self {
        // Held (and so killed on a panic) from the start.
        let mut child = KillOnDrop(
            command
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawning grpc-demo serve"),
        );
        let stdout = child.0.stdout.take().expect("piped stdout");
        let (line_tx, line_rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = line_tx.send(line);
        });
        let log = Log::collect(child.0.stderr.take().expect("piped stderr"));
        let line = line_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server announced its port");
        let port = parse_listening_line(&line);
        Self {
            child,
            host,
            port,
            log,
        }
    }

    pub fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    pub fn pid(&self) -> i32 {
        self.child.pid()
    }

    pub fn signal(&self, signal: i32) {
        self.child.signal(signal);
    }

    /// Waits for the server to exit, at most `limit`.
    pub fn wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        self.child.wait(limit)
    }

    /// Everything the server wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.text()
    }

    /// Waits until the log contains `needle`, at most `limit`.
    pub fn wait_for_log(&self, needle: &str, limit: Duration) -> bool {
        self.log.wait_for(needle, limit)
    }
}

/// What a child writes to one of its pipes, collected line by line by a
/// thread, to be read or waited on.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<String>>);

impl Log {
    pub fn collect(pipe: impl Read + Send + 'static) -> Self {
        let log = Self::default();
        let sink = log.clone();
        thread::spawn(move || {
            let mut reader = BufReader::new(pipe);
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if let Ok(mut text) = sink.0.lock() {
                    text.push_str(&line);
                }
                line.clear();
            }
        });
        log
    }

    /// Everything collected so far.
    pub fn text(&self) -> String {
        self.0.lock().map(|text| text.clone()).unwrap_or_default()
    }

    /// Waits until the text contains `needle`, at most `limit`.
    pub fn wait_for(&self, needle: &str, limit: Duration) -> bool {
        wait_until(limit, || self.text().contains(needle))
    }
}

/// Polls `done` every 20 ms until it is true (true) or `limit` passes
/// (false): for waiting on an event the test can only observe.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if done() {
            return true;
        }
        if started.elapsed() >= limit {
            return false;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// `grpc-demo serve --uds PATH`, ended with SIGTERM on `stop` or drop.
pub struct UdsServer {
    child: KillOnDrop,
    log: Log,
}

impl UdsServer {
    pub fn start(path: &std::path::Path) -> Self {
        Self::start_with(path, &[])
    }

    /// With more `serve` flags.
    pub fn start_with(path: &std::path::Path, extra_args: &[&str]) -> Self {
        let mut child = grpc_demo()
            .args(["serve", "--uds"])
            .arg(path)
            .args(extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning grpc-demo serve --uds");
        let log = Log::collect(child.stderr.take().expect("piped stderr"));
        let mut out = child.stdout.take().expect("piped stdout");
        let line = read_line(&mut out).expect("server announced its socket");
        assert_eq!(line, format!("listening on {}", path.display()));
        Self {
            child: KillOnDrop(child),
            log,
        }
    }

    /// Everything the server wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.text()
    }

    /// Waits until the log contains `needle`, at most `limit`.
    pub fn wait_for_log(&self, needle: &str, limit: Duration) -> bool {
        self.log.wait_for(needle, limit)
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(&mut self) {
        self.child.stop();
    }
}

/// `listening on 127.0.0.1:41234` → 41234.
pub fn parse_listening_line(line: &str) -> u16 {
    let line = line.trim_end();
    assert!(
        line.starts_with("listening on "),
        "unexpected first line {line:?}"
    );
    line.rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"))
}

/// Reads one line from a child's stdout (the child's own `--timeout` bounds
/// the wait).
pub fn read_line(reader: &mut impl Read) -> Option<String> {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while reader.read(&mut byte).ok()? == 1 {
        if byte[0] == b'\n' {
            return Some(String::from_utf8_lossy(&bytes).into_owned());
        }
        bytes.push(byte[0]);
    }
    None
}

/// The tools a test setup script installed: the `KEY=PATH` lines it
/// printed.
pub struct Installed(std::collections::HashMap<String, std::path::PathBuf>);

impl Installed {
    pub fn get(&self, key: &str) -> std::path::PathBuf {
        self.0
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("the setup script printed no {key}="))
    }
}

/// Runs a test setup script (`tests/*/setup.sh`, relative to the crate:
/// installs a peer when it is missing, prints `KEY=PATH` lines), bounded
/// at 15 minutes (apt and pip can be slow on a fresh machine).
pub fn run_setup(script: &str) -> Installed {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    let child = Command::new("bash")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("running {script}: {err}"));
    let pid = i32::try_from(child.id()).expect("pid fits i32");
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let Ok(output) = finished.recv_timeout(Duration::from_secs(900)) else {
        // SAFETY: kill(2) on the PID of a child we started and still own.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        panic!("{script} took more than 15 minutes");
    };
    let output = output.unwrap_or_else(|err| panic!("waiting for {script}: {err}"));
    assert!(
        output.status.success(),
        "{script} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Installed(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| (key.to_owned(), value.into()))
            .collect(),
    )
}

/// Open file descriptors of a process, from /proc.
pub fn fd_count(pid: i32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| dir.count())
        .expect("reading /proc/PID/fd")
}

/// A `VmRSS`/`VmHWM`-style field of /proc/PID/status, in KiB.
pub fn proc_status_kib(pid: i32, field: &str) -> u64 {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).expect("reading /proc/PID/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// A child process killed (by PID, via `Child::kill`) when dropped: every
/// process a test starts is held in one.
pub struct KillOnDrop(pub Child);

impl KillOnDrop {
    pub fn pid(&self) -> i32 {
        i32::try_from(self.0.id()).expect("pid fits i32")
    }

    /// Sends `signal` to the child (by its PID).
    pub fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on the PID of a child we started and still own.
        let rc = unsafe { libc::kill(self.pid(), signal) };
        assert_eq!(rc, 0, "kill({}, {signal})", self.pid());
    }

    /// Waits for the child to exit, at most `limit`.
    pub fn wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        let mut status = None;
        wait_until(limit, || {
            status = self.0.try_wait().expect("try_wait");
            status.is_some()
        });
        status
    }

    /// SIGTERM, then a clean exit (0) within 30 s.
    pub fn stop(&mut self) {
        self.signal(libc::SIGTERM);
        let status = self.wait(Duration::from_secs(30));
        assert_eq!(status.and_then(|status| status.code()), Some(0));
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// The HTTP/2 connection preface, an empty SETTINGS frame, and the HEADERS
/// (END_HEADERS, not END_STREAM) of a gRPC request for `path` on stream 1,
/// HPACK-encoded by hand: :method POST, :scheme http (static table), :path
/// and content-type (indexed names), te (new name); no Huffman coding.
pub fn preface_and_request_headers(path: &str) -> Vec<u8> {
    let path = path.as_bytes();
    let mut block = vec![0x83, 0x86, 0x04, path.len() as u8];
    block.extend_from_slice(path);
    block.extend_from_slice(b"\x0f\x10\x10application/grpc");
    block.extend_from_slice(b"\x00\x02te\x08trailers");
    let mut out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    out.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]); // SETTINGS
    out.extend_from_slice(&[0, 0, block.len() as u8, 1, 4, 0, 0, 0, 1]); // HEADERS, END_HEADERS, stream 1
    out.extend_from_slice(&block);
    out
}

/// An HTTP/2 connection to `addr` with one MessageService stream open and
/// answered (its response HEADERS read), so the server counts it busy, not
/// idle: a full server closes idle connections to make room, never this one.
pub fn busy_connection(addr: &str) -> std::net::TcpStream {
    let mut socket = std::net::TcpStream::connect(addr).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let out = preface_and_request_headers("/packages.MessageService/iter_message");
    socket.write_all(&out).expect("writing the request");
    // Read frames until the response HEADERS (bounded by the read timeout
    // and a frame count).
    for _ in 0..100 {
        let mut header = [0u8; 9];
        socket.read_exact(&mut header).expect("a frame header");
        let len =
            usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
        let mut payload = vec![0u8; len];
        socket.read_exact(&mut payload).expect("a frame payload");
        if header[3] == 1 {
            return socket;
        }
    }
    panic!("no response HEADERS from {addr}");
}

/// A plain HTTP/1.0 GET on loopback: (status, content type, body).
pub fn http_get(
    port: u16,
    target: &str,
    accept: Option<&str>,
) -> std::io::Result<(u16, String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let accept = accept.map_or_else(String::new, |accept| format!("Accept: {accept}\r\n"));
    write!(
        stream,
        "GET {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n{accept}\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no end of headers"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let content_type = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_default();
    Ok((status, content_type, body.to_owned()))
}

/// The metrics address the server logged (`metrics on http://ADDR/metrics`).
pub fn metrics_port(server: &Server) -> u16 {
    assert!(
        server.wait_for_log("/metrics\n", Duration::from_secs(10)),
        "no metrics address in the log:\n{}",
        server.log()
    );
    let log = server.log();
    let addr = log
        .split("metrics on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("metrics address");
    addr.rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in {addr}"))
}

/// The value of an unlabelled sample in `/metrics`, polled until it is
/// `expected` (at most 20 s).
pub fn wait_for_sample(metrics_port: u16, name: &str, expected: f64) {
    let mut last = None;
    let reached = wait_until(Duration::from_secs(20), || {
        last = http_get(metrics_port, "/metrics", None)
            .ok()
            .and_then(|(_, _, text)| {
                text.lines()
                    .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            });
        last == Some(expected)
    });
    assert!(reached, "{name} is {last:?}, never {expected}");
}

/// When each RPC of `method` (`Service/method`) in an access log was open
/// on the server, from its line's timestamp (the end) and `duration_us`.
pub fn rpc_spans(log: &str, method: &str) -> Vec<(std::time::SystemTime, std::time::SystemTime)> {
    let needle = format!(" rpc method=/packages.{method} ");
    log.lines()
        .filter(|line| line.contains(&needle))
        .map(|line| {
            let end = line
                .split_whitespace()
                .next()
                .and_then(|stamp| humantime::parse_rfc3339(stamp).ok())
                .unwrap_or_else(|| panic!("no timestamp in {line}"));
            let open = line
                .split_whitespace()
                .find_map(|word| word.strip_prefix("duration_us="))
                .and_then(|us| us.parse().ok())
                .map(Duration::from_micros)
                .unwrap_or_else(|| panic!("no duration_us in {line}"));
            (end - open, end)
        })
        .collect()
}

/// The SETTINGS a server sends first on a new HTTP/2 connection to `addr`:
/// (identifier, value) pairs.
pub fn server_settings(addr: &str) -> Vec<(u16, u32)> {
    let mut socket = TcpStream::connect(addr).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let mut out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    out.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]); // empty SETTINGS
    socket.write_all(&out).expect("writing the preface");
    let mut header = [0u8; 9];
    socket.read_exact(&mut header).expect("a frame header");
    assert_eq!(header[3], 4, "the server's first frame is SETTINGS");
    let len = usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
    let mut payload = vec![0u8; len];
    socket
        .read_exact(&mut payload)
        .expect("the SETTINGS payload");
    payload
        .chunks_exact(6)
        .map(|entry| {
            (
                u16::from_be_bytes([entry[0], entry[1]]),
                u32::from_be_bytes([entry[2], entry[3], entry[4], entry[5]]),
            )
        })
        .collect()
}
