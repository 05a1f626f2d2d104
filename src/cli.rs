//! Command-line definitions (clap derive) and nothing else.
//!
//! Conventions: long flags everywhere; a short flag only where it is earned by
//! frequent use or by grpcurl/curl habit (`-H`, `-o`, `-v`); value names are
//! plain upper-case words (zsh completion carries them unescaped, where a
//! quote, colon or space breaks the subcommand's completion); every default
//! shown in `--help`; values that can be checked
//! without a network (addresses, durations, headers) are parsed here, so a
//! bad one is a usage error (exit 2) before anything is sent.

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::{
    client::{parse_header, Header, Target},
    defaults,
    exit::EXIT_CODES_HELP,
    logging::{AccessLogTarget, LogFormat},
    output::Format,
    proto::Role,
    registry::EtcdName,
};

#[derive(Debug, Parser)]
#[command(
    name = "grpc-demo",
    version,
    about = "gRPC server and scriptable client for the tutorial's four gRPC patterns",
    after_help = EXIT_CODES_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// More on stderr: clients show the request metadata, response headers
    /// and trailers (like grpcurl -v); the server logs more (-vv: debug).
    /// RUST_LOG, when set, wins.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve GreetService, MessageService, StockService, ReportService, health and reflection.
    #[command(
        after_help = "Prints `listening on IP:PORT` on stdout once it accepts connections; logs go to stderr.\nSIGINT/SIGTERM: stop accepting, let in-flight RPCs finish (up to --shutdown-timeout), exit 0."
    )]
    Serve(ServeArgs),
    /// Call GreetService.sayHello once and print the greeting.
    #[command(after_help = EXIT_CODES_HELP)]
    Hello(HelloArgs),
    /// Run one MessageService.iter_message stream and print each response as it arrives.
    #[command(after_help = EXIT_CODES_HELP, mut_arg("timeout", stream_timeout))]
    Stream(StreamArgs),
    /// Call StockService.watch and print each quote as it arrives (server streaming).
    #[command(after_help = EXIT_CODES_HELP, mut_arg("timeout", stream_timeout))]
    Watch(WatchArgs),
    /// Stream readings to ReportService.report and print its summary (client streaming).
    #[command(after_help = EXIT_CODES_HELP, mut_arg("timeout", stream_timeout))]
    Report(ReportArgs),
    /// Call any method of any gRPC service, messages as proto3 JSON (like grpcurl).
    #[command(after_help = CALL_HELP)]
    Call(CallArgs),
    /// List the services of a schema, or the methods of one (like grpcurl list).
    #[command(after_help = EXIT_CODES_HELP)]
    List(ListArgs),
    /// Print a service, method, message or enum as .proto source (like grpcurl describe).
    #[command(after_help = EXIT_CODES_HELP)]
    Describe(DescribeArgs),
    /// Check grpc.health.v1 (like grpc_health_probe): exit 0 SERVING, 1 otherwise.
    #[command(after_help = HEALTH_HELP)]
    Health(HealthArgs),
    /// Load-test the server (like ghz): latency percentiles, RPCs/s, statuses.
    // Every bench flag is global, so it goes before or after the workload
    // name (`bench -n 10 hello`, `bench hello -n 10`).
    #[command(
        after_help = BENCH_HELP,
        mut_args(|arg| arg.global(true)),
        mut_arg("timeout", |arg| arg
            .help("Deadline of each RPC (e.g. 500ms, 2s); 0s: none; it also bounds the -z drain [default: 10s]")),
        mut_arg("output", |arg| arg
            .help(BENCH_OUTPUT_HELP)
            .long_help(BENCH_OUTPUT_HELP)
            .hide_possible_values(true)),
        // One call's wire, not a load test's (refused if given).
        mut_arg("explain", |arg| arg.hide(true)),
    )]
    Bench(BenchArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

const CALL_HELP: &str = "\
The schema comes from --proto files, else --protoset files, else the
server's reflection (v1, then v1alpha).

Exit codes:
  0       success
  1       local error: unknown service, method or field (with the closest
          name), bad JSON (with line:column), no reflection on the server
  2       usage error: bad flag or value, METHOD missing
  64+N    the RPC failed with gRPC status N (its error details, if any,
          follow the error line)";

const HEALTH_HELP: &str = "\
Exit codes:
  0       SERVING
  1       NOT_SERVING, UNKNOWN or SERVICE_UNKNOWN (--watch: the last status)
  2       usage error
  64+N    the health RPC failed with gRPC status N: 69 NOT_FOUND (no such
          service), 76 UNIMPLEMENTED (no health service), 78 UNAVAILABLE
          (no server)";

const BENCH_HELP: &str = "\
Flags go before or after the workload name (`bench -n 10 hello`).

Exit codes: 0 when the run completed (whatever the RPCs' statuses), 1 when
the share of failed RPCs is above --max-error-rate, 64+N when the server
cannot be reached at all (N the gRPC status), 130 when stopped by Ctrl-C
(after printing the report of what ran).";

const BENCH_OUTPUT_HELP: &str = "The report on stdout: text (ghz-style summary, \
    latency distribution, histogram, statuses) or json (one object, durations in µs)";

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub workload: BenchWorkload,

    #[command(flatten)]
    pub load: LoadArgs,

    #[command(flatten)]
    pub client: ClientArgs,

    // Last: its help heading holds for the arguments after it.
    #[command(flatten)]
    pub stream: BenchStreamArgs,
}

#[derive(Debug, Subcommand)]
pub enum BenchWorkload {
    /// Unary: GreetService.sayHello.
    #[command(after_help = BENCH_HELP)]
    Hello,
    /// Bidi: MessageService.iter_message, ping-pong, START…END per stream.
    #[command(after_help = BENCH_HELP)]
    Stream,
    /// Server streaming: StockService.watch, quotes as fast as flow control
    /// allows (--messages quotes per stream).
    #[command(after_help = BENCH_HELP)]
    Watch,
    /// Client streaming: ReportService.report, readings as fast as flow
    /// control allows (--messages readings per stream).
    #[command(after_help = BENCH_HELP)]
    Report,
    /// Any method of any service (like ghz --call): unary, or one stream
    /// per RPC sending DATA's messages; the schema as for `grpc-demo call`.
    #[command(after_help = BENCH_HELP)]
    Call(BenchCallArgs),
}

#[derive(Debug, Args)]
pub struct BenchCallArgs {
    /// The method: SERVICE/METHOD or SERVICE.METHOD.
    #[arg(value_name = "METHOD")]
    pub method: String,

    /// The request message(s) as proto3 JSON: inline, @FILE or @- (read
    /// whole before the run). A stream sends them all on every RPC.
    #[arg(short = 'd', long = "data", value_name = "DATA")]
    pub data: Option<String>,

    #[command(flatten)]
    pub schema: SchemaArgs,
}

/// Flags of `bench stream` only. They are bench-wide (global) like the
/// others so that they may precede the workload name; `bench hello` rejects
/// them after parsing, instead of clap suggesting an unrelated flag.
#[derive(Debug, Args)]
#[command(next_help_heading = "Stream workloads (bench stream, watch, report)")]
pub struct BenchStreamArgs {
    /// Messages per stream.
    #[arg(long, help = bench_messages_help(), value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub messages: Option<u32>,

    /// bench stream only: keep each stream open and idle this long after
    /// START is answered (measures what many open streams cost the server).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub hold: Option<Duration>,
}

/// The shape of the load.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// RPCs (streams) in flight at once.
    #[arg(short, long, default_value_t = defaults::BENCH_CONCURRENCY, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub concurrency: u32,

    /// HTTP/2 connections; the in-flight work is spread evenly over them.
    #[arg(long, default_value_t = defaults::BENCH_CONNECTIONS, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub connections: u32,

    /// Stop after N RPCs (streams).
    #[arg(short = 'n', long, conflicts_with = "duration", help = bench_total_help(), value_parser = clap::value_parser!(u64).range(1..), value_name = "N")]
    pub total: Option<u64>,

    /// Stop after this long (e.g. 10s), sharp: RPCs still in flight then are
    /// cancelled and reported apart, neither OK nor failed.
    #[arg(short = 'z', long, value_parser = parse_duration, value_name = "DURATION")]
    pub duration: Option<Duration>,

    /// Run this long first without counting.
    #[arg(long, default_value = "0s", value_parser = parse_duration, value_name = "DURATION")]
    pub warmup: Duration,

    /// Open loop: start R RPCs per second on a fixed schedule; latency is
    /// measured from the scheduled start, so queueing is not hidden. The
    /// report gives the rate achieved and how far behind schedule it fell.
    #[arg(long, value_parser = parse_rate, value_name = "R")]
    pub rate: Option<f64>,

    /// Size in bytes of the name (hello), data (stream) or device (report) field.
    #[arg(long, default_value_t = 0, value_name = "BYTES")]
    pub payload_size: usize,

    /// Exit 1 when more than this share (0 to 1) of the RPCs failed.
    #[arg(long, value_parser = parse_share, value_name = "F")]
    pub max_error_rate: Option<f64>,

    /// Put failed RPCs in the latency histogram too (as ghz's
    /// --count-errors); by default it holds successful RPCs only and
    /// failures are counted apart, by status and message.
    #[arg(long)]
    pub count_errors: bool,

    /// The server's Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics,
    /// `serve --metrics-addr`): its counters for the benchmarked method,
    /// its CPU time and memory during the run go into the report.
    #[arg(long, value_parser = crate::bench::MetricsUrl::parse, value_name = "URL")]
    pub metrics_url: Option<crate::bench::MetricsUrl>,

    #[command(flatten)]
    pub sweep: SweepArgs,
}

/// `bench --sweep`: the run repeated at several settings.
#[derive(Debug, Args)]
#[command(next_help_heading = "Sweep (one run per setting, a row each)")]
pub struct SweepArgs {
    /// Run once per value of a setting: rate=1k..100k (open loop; spread
    /// over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or
    /// concurrency=1..1024; connections=1,4,16,64 (-c in flight spread
    /// over them; -c at least the most connections). Each step is a whole
    /// run (--warmup, then -z or -n); a row per step as it ends (text,
    /// -o json, -o csv).
    #[arg(long, value_parser = crate::bench::sweep::SweepSpec::parse, value_name = "SWEEP")]
    pub sweep: Option<crate::bench::sweep::SweepSpec>,

    /// Steps of a --sweep range.
    #[arg(long, default_value_t = 10, requires = "sweep", value_parser = clap::value_parser!(u32).range(2..=1000), value_name = "N")]
    pub steps: u32,

    /// How a --sweep range is spread: linear (equal steps) or log (equal
    /// ratios, e.g. concurrency=1..1024).
    #[arg(long, value_enum, default_value_t = crate::bench::sweep::Scale::Linear, requires = "sweep", value_name = "SCALE")]
    pub steps_scale: crate::bench::sweep::Scale,

    /// End the sweep after the first step where this holds: p50, p90, p99
    /// or p99.9 above a duration (p99>50ms), or errors above a share
    /// (errors>1%). Repeatable; any one ends it.
    #[arg(long, value_parser = crate::bench::sweep::StopAt::parse, requires = "sweep", value_name = "CONDITION")]
    pub stop_at: Vec<crate::bench::sweep::StopAt>,

    /// Draw the sweep as an SVG plot: latency percentiles against the rate
    /// achieved (rate sweeps), throughput and latency against concurrency
    /// or connections. Written at the end, also after Ctrl-C.
    #[arg(long, requires = "sweep", value_name = "FILE")]
    pub plot: Option<std::path::PathBuf>,

    /// The server's name in the plot's title (e.g. "tonic 0.14, one core")
    /// [default: its address].
    #[arg(long, requires = "plot", value_name = "NAME")]
    pub plot_server: Option<String>,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "'{text}' is not a positive number of RPCs per second"
        )),
    }
}

fn parse_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!("'{text}' is not a share from 0 to 1 (e.g. 0.01)")),
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TCP port to listen on; 0 picks a free one [env: GRPC_DEMO_PORT]
    /// [default: 50000]
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,

    /// Address to bind, or a name resolved to its first address
    /// (`localhost`). The default `::` is dual stack, falling back to
    /// 0.0.0.0 where IPv6 is unavailable.
    #[arg(long, default_value_t = defaults::HOST, value_parser = parse_host, value_name = "ADDR")]
    pub host: IpAddr,

    /// On SIGINT/SIGTERM, how long in-flight RPCs may run before they are cut.
    #[arg(long, default_value = duration_text(defaults::SHUTDOWN_TIMEOUT), value_parser = parse_duration, value_name = "DURATION")]
    pub shutdown_timeout: Duration,

    /// On SIGINT/SIGTERM, first report NOT_SERVING on health for this long
    /// while still serving new connections and RPCs, so that health-watching
    /// clients and balancers move away before the listener closes.
    #[arg(long, default_value = duration_text(defaults::DRAIN_DELAY), value_parser = parse_duration, value_name = "DURATION")]
    pub drain_delay: Duration,

    /// Do not serve the gRPC reflection services.
    #[arg(long)]
    pub no_reflection: bool,

    /// Listen on a Unix domain socket at PATH instead of TCP (a stale
    /// socket file is replaced; any other file is left alone).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["port", "host"])]
    pub uds: Option<PathBuf>,

    /// Serve TLS with this PEM certificate (chain).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Mutual TLS: require client certificates signed by this PEM CA.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,

    /// Require `authorization: Bearer <token>` on the application services,
    /// the token being the first line of FILE. Health and reflection stay
    /// open.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// The token itself (prefer --token-file: a command line is visible to
    /// other users).
    #[arg(
        long,
        env = "GRPC_DEMO_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        conflicts_with = "token_file"
    )]
    pub token: Option<String>,

    /// Largest message accepted or sent, each way (e.g. 4MiB, 100MiB).
    #[arg(long, default_value = size_text(defaults::MAX_MESSAGE_SIZE), value_parser = parse_size, value_name = "SIZE")]
    pub max_message_size: usize,

    /// HTTP/2 concurrent streams allowed per connection.
    #[arg(long, default_value_t = defaults::MAX_CONCURRENT_STREAMS, value_name = "N")]
    pub max_concurrent_streams: u32,

    /// Open connections at once; more are closed as they arrive.
    #[arg(long, default_value_t = defaults::MAX_CONNECTIONS, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub max_connections: u32,

    /// Bytes of request messages the server holds at once, over all
    /// connections (messages still arriving and open streams' buffers);
    /// beyond it, streams get RESOURCE_EXHAUSTED. At least --max-message-size.
    #[arg(long, default_value = size_text(defaults::MAX_REQUEST_BUFFER), value_parser = parse_size, value_name = "SIZE")]
    pub max_request_buffer: usize,

    /// Bytes of responses the server owes at once, over all connections
    /// (sent to HTTP/2, not yet taken by the client's flow-control window);
    /// a quarter per client address. A client over it that owes a MiB or
    /// more gets RESOURCE_EXHAUSTED for new streams. At least
    /// --max-message-size.
    #[arg(long, default_value = size_text(defaults::MAX_RESPONSE_BUFFER), value_parser = parse_size, value_name = "SIZE")]
    pub max_response_buffer: usize,

    /// Close a connection that owes a MiB or more of responses and reads
    /// none of them for this long (a zero receive window).
    #[arg(long, default_value = duration_text(defaults::UNREAD_RESPONSE_TIMEOUT), value_parser = parse_duration, value_name = "DURATION")]
    pub unread_response_timeout: Duration,

    /// Open connections per client address; more are closed as they
    /// arrive (one host cannot take every connection).
    #[arg(long, default_value_t = defaults::MAX_CONNECTIONS_PER_IP, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub max_connections_per_ip: u32,

    /// Close a connection that has not sent the HTTP/2 preface and its
    /// SETTINGS within this long (under TLS: that has not finished its TLS
    /// handshake within it, nor then sent the preface within it).
    #[arg(long, default_value = duration_text(defaults::HANDSHAKE_TIMEOUT), value_parser = parse_duration, value_name = "DURATION")]
    pub handshake_timeout: Duration,

    /// Close a connection that starts a HEADERS block (request headers) and
    /// does not finish it within this long.
    #[arg(long, default_value = duration_text(defaults::HEADER_TIMEOUT), value_parser = parse_duration, value_name = "DURATION")]
    pub header_timeout: Duration,

    /// Send GOAWAY to a connection with no RPC in flight for this long, and
    /// close it (0s: never). When --max-connections is reached, the
    /// connection idle the longest is closed first to make room.
    #[arg(long, default_value = duration_text(defaults::MAX_CONNECTION_IDLE), value_parser = parse_duration, value_name = "DURATION")]
    pub max_connection_idle: Duration,

    /// Send HTTP/2 PINGs this often and drop a peer that does not answer
    /// [default: off; TCP keep-alive (60s) still drops dead hosts].
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub keepalive_interval: Option<Duration>,

    /// With --keepalive-interval: drop a connection whose PING goes
    /// unanswered this long.
    #[arg(long, default_value = duration_text(defaults::KEEPALIVE_TIMEOUT), value_parser = parse_duration, value_name = "DURATION")]
    pub keepalive_timeout: Duration,

    /// End a stream whose client sends nothing for this long (checked every
    /// quarter of it: ended after 1 to 1.25 times this).
    #[arg(long, default_value = duration_text(defaults::IDLE_STREAM_TIMEOUT), value_parser = parse_duration, value_name = "DURATION")]
    pub idle_stream_timeout: Duration,

    /// SO_REUSEPORT: let several `serve` processes listen on the same port;
    /// the kernel spreads new connections over them.
    #[arg(long, conflicts_with = "uds")]
    pub reuse_port: bool,

    /// Send each connection a GOAWAY after this long (± 10% jitter, drawn
    /// per process), so that long-lived clients reconnect and spread over
    /// replicas started since [default: never].
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub max_connection_age: Option<Duration>,

    /// After --max-connection-age's GOAWAY, how long RPCs in flight may
    /// still run before the connection is closed [default: until they end].
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", requires = "max_connection_age")]
    pub max_connection_age_grace: Option<Duration>,

    /// Serve Prometheus metrics at http://ADDR/metrics, a listener of its
    /// own (e.g. 127.0.0.1:9464 or localhost:9464; port 0 takes a free one,
    /// logged) [default: off].
    #[arg(long, value_parser = parse_socket_addr, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Upper bounds, in seconds, of the grpc_server_handling_seconds
    /// histogram's buckets, comma-separated and increasing.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = buckets_text(&defaults::METRICS_BUCKETS),
        value_name = "SECONDS"
    )]
    pub metrics_buckets: Vec<f64>,

    /// Export one span per RPC over OTLP/gRPC to this collector, plaintext
    /// (e.g. http://127.0.0.1:4317); batched, never delaying an RPC
    /// [default: off].
    #[arg(long, value_parser = parse_otlp_endpoint, value_name = "URL")]
    pub otlp_endpoint: Option<String>,

    /// Publish this replica in etcd once serving, as etcd's gRPC naming
    /// does: key SERVICE/ADDR, value {"Addr":"ADDR","Metadata":null}, under
    /// a lease kept alive (e.g. etcd://127.0.0.1:2379/greeter). On
    /// SIGTERM the key is deleted first, before NOT_SERVING and GOAWAY
    /// [default: off].
    #[arg(long, value_parser = EtcdName::parse, value_name = "URL", conflicts_with = "uds")]
    pub register: Option<EtcdName>,

    /// With --register: the lease's time to live; a replica that dies
    /// without draining leaves the registry after this long (whole
    /// seconds, at least 1s).
    #[arg(long, default_value = duration_text(defaults::REGISTER_TTL), value_parser = parse_register_ttl, value_name = "DURATION", requires = "register")]
    pub register_ttl: Duration,

    /// With --register: the HOST:PORT callers dial [default: the bound
    /// address; required when binding a wildcard address such as ::].
    #[arg(long, value_parser = parse_advertise_addr, value_name = "ADDR", requires = "register")]
    pub advertise_addr: Option<String>,

    /// Where the access log (one line per RPC) goes: stderr, off, or a FILE,
    /// appended to and reopened on SIGHUP (for logrotate).
    #[arg(long, default_value = defaults::ACCESS_LOG, value_parser = AccessLogTarget::parse, value_name = "TARGET")]
    pub access_log: AccessLogTarget,

    /// Log lines as text, or as JSON objects (one a line, the same fields),
    /// for log shippers; the access log too.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT")]
    pub log_format: LogFormat,

    /// Runtime worker threads [default: the number of cores].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..), value_name = "N")]
    pub workers: Option<u16>,

    /// Also serve gRPC-Web (over HTTP/1.1 as well as HTTP/2) on the same
    /// port, and a page at / that calls sayHello and watch from the browser.
    #[arg(long)]
    pub web: bool,

    /// With --web, let pages from ORIGIN (e.g. http://localhost:8080) call
    /// the server (CORS); repeatable. Default: only the page served here.
    #[arg(long, value_name = "ORIGIN", requires = "web", value_parser = crate::server::web::parse_origin)]
    pub web_origin: Vec<http::HeaderValue>,
}

/// Flags shared by every client subcommand.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT],
    /// unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or
    /// etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in
    /// that etcd, watched: `serve --register`).
    /// Repeat it or give a comma list for several endpoints: RPCs are then
    /// balanced over those that are up [env: GRPC_DEMO_ADDR] [default:
    /// http://localhost:50000]
    // Read from the environment by `Target::resolve`, not by clap, so that a
    // bad value there is reported under the variable's name.
    #[arg(long, value_parser = Target::parse, value_name = "ADDR", value_delimiter = ',', action = clap::ArgAction::Append)]
    pub addr: Vec<Target>,

    /// Watch grpc.health.v1 on each endpoint and send nothing to one that is
    /// not SERVING [default: on with several endpoints or dns:///]
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub health_check: Option<bool>,

    /// Send a unary RPC again (to any endpoint, after a backoff) when it
    /// failed UNAVAILABLE before a server processed it, up to N times
    /// [default: 0 with one endpoint, 2 with several]
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,

    /// Deadline for the whole RPC, connection included (e.g. 500ms, 2s);
    /// 0s: none [default: 10s; none for call's streaming methods and health
    /// --watch]
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Option<Duration>,

    /// How long connecting may take: TCP, TLS and the server's first HTTP/2
    /// bytes (a listener that accepts but never answers is UNAVAILABLE).
    #[arg(long, default_value = duration_text(defaults::CONNECT_TIMEOUT), value_parser = parse_duration, value_name = "DURATION")]
    pub connect_timeout: Duration,

    /// Request metadata as 'key: value'; repeatable.
    #[arg(short = 'H', long = "header", value_parser = parse_header, value_name = "HEADER")]
    pub headers: Vec<Header>,

    /// Output format on stdout (and of the error line on stderr).
    #[arg(short, long, value_enum, default_value_t = Format::Text, value_name = "FORMAT")]
    pub output: Format,

    /// Compress requests with this encoding; compressed responses are always accepted.
    #[arg(long, value_enum, default_value_t = Compression::None, value_name = "ENCODING")]
    pub compress: Compression,

    /// Bearer token sent as `authorization: Bearer TOKEN`.
    #[arg(
        long,
        env = "GRPC_DEMO_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,

    /// Largest message sent or accepted (e.g. 4MiB, 100MiB).
    #[arg(long, default_value = size_text(defaults::MAX_MESSAGE_SIZE), value_parser = parse_size, value_name = "SIZE")]
    pub max_message_size: usize,

    /// Trust this PEM CA for an https:// address instead of the public roots.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,

    /// Present this PEM client certificate (mutual TLS).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// The PEM private key of --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Check the server certificate against NAME instead of the address's host.
    #[arg(long, value_name = "NAME")]
    pub server_name: Option<String>,

    /// Do not check the server certificate at all (test servers with
    /// self-signed certificates). Warned on stderr.
    #[arg(long)]
    pub insecure: bool,

    /// Send NAME as :authority instead of the address's host:port; over
    /// TLS also the name checked in the certificate (unless --server-name).
    #[arg(long, value_parser = parse_authority, value_name = "NAME")]
    pub authority: Option<String>,

    /// Show on stderr what goes over the connection, as it goes: HTTP/2
    /// frames (→ sent, ← received) with their headers decoded, and each
    /// protobuf message's bytes annotated field by field. Over TLS, the
    /// decrypted bytes. text, or json: one object per line (docs/explain.md)
    #[arg(long, value_enum, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "text")]
    pub explain: Option<crate::explain::ExplainFormat>,
}

fn parse_authority(text: &str) -> Result<String, String> {
    text.parse::<http::uri::Authority>()
        .map(|_| text.to_owned())
        .map_err(|err| format!("'{text}' is not a valid authority (HOST or HOST:PORT): {err}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

#[derive(Debug, Args)]
#[command(mut_arg("output", |arg| arg.help(
    "text: the greeting alone; json: the response as one line of proto3 JSON (errors on stderr in the same format)"
)))]
pub struct HelloArgs {
    /// The name to greet.
    #[arg(long, default_value = "world", value_name = "NAME")]
    pub name: String,

    /// The request as proto3 JSON (grpcurl's -d): '{"name":"x"}', @FILE, or
    /// @- for stdin. Instead of --name.
    #[arg(
        short = 'd',
        long = "data",
        conflicts_with = "name",
        value_name = "DATA"
    )]
    pub data: Option<String>,

    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, Args)]
#[command(mut_arg("output", |arg| arg.help(
    "text: CODE<TAB>MESSAGE per response; json: one line of proto3 JSON per response (NDJSON; errors on stderr in the same format)"
)))]
pub struct StreamArgs {
    /// Number of messages: START, PROGRESS…, END (at least 2).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(2..), value_name = "N")]
    pub count: u32,

    /// Role of every generated message (any case).
    #[arg(long, value_enum, ignore_case = true, default_value_t = RoleArg::Customer, value_name = "ROLE")]
    pub role: RoleArg,

    /// The data field of every generated message.
    #[arg(long, default_value = "", value_name = "STR")]
    pub data: String,

    /// Pause between two sends.
    #[arg(long, default_value = "0s", value_parser = parse_duration, value_name = "DURATION")]
    pub interval: Duration,

    /// Send the MessageRequests in FILE instead (one proto3-JSON object per
    /// line, blank lines skipped). A FILE is checked whole before anything is
    /// sent; `-` reads stdin and sends each line as it is read.
    #[arg(long, conflicts_with_all = ["count", "role", "data"], value_name = "FILE")]
    pub script: Option<PathBuf>,

    #[command(flatten)]
    pub client: ClientArgs,
}

/// `stream`, `watch` and `report` may stream for as long as the user
/// wants: no deadline unless one is asked for.
fn stream_timeout(arg: clap::Arg) -> clap::Arg {
    arg.default_value("0s")
        .help("Deadline for the whole stream, connection included (e.g. 30s); 0s: none")
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The stock symbol: 1 to 12 characters A-Z, 0-9 or '.' (upper-cased).
    #[arg(long, required_unless_present = "data", value_name = "SYMBOL")]
    pub symbol: Option<String>,

    /// How many quotes; 0 watches until Ctrl-C.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub count: u32,

    /// Time between two quotes (whole milliseconds; 0s: as fast as the server can send).
    #[arg(long, default_value = "1s", value_parser = parse_duration, value_name = "DURATION")]
    pub interval: Duration,

    /// The request as proto3 JSON (grpcurl's -d):
    /// '{"symbol":"AAPL","count":5,"intervalMs":200}', @FILE, or @- for
    /// stdin. Instead of --symbol, --count and --interval; a field left out
    /// is 0 (count: until Ctrl-C; intervalMs: as fast as the server can send).
    #[arg(
        short = 'd',
        long = "data",
        conflicts_with_all = ["symbol", "count", "interval"],
        value_name = "DATA"
    )]
    pub data: Option<String>,

    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The device name of the synthetic readings.
    #[arg(long, default_value = "sensor-1", value_name = "NAME")]
    pub device: String,

    /// How many synthetic readings to send.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub count: u64,

    /// Pause between two sends.
    #[arg(long, default_value = "0s", value_parser = parse_duration, value_name = "DURATION")]
    pub interval: Duration,

    /// Send the Readings in FILE instead, as they are read (one proto3-JSON
    /// object per line, blank lines skipped; `-` reads stdin).
    #[arg(long, conflicts_with_all = ["device", "count"], value_name = "FILE")]
    pub readings: Option<PathBuf>,

    /// The readings as proto3 JSON (grpcurl's -d for a client stream): one
    /// Reading per line, '{"device":"a","value":1}', @FILE, or @- for stdin
    /// (as --readings). Instead of --device, --count and --readings.
    #[arg(
        short = 'd',
        long = "data",
        conflicts_with_all = ["device", "count", "readings"],
        value_name = "DATA"
    )]
    pub data: Option<String>,

    #[command(flatten)]
    pub client: ClientArgs,
}

/// Where the schema of `call`, `list` and `describe` comes from.
#[derive(Debug, Args)]
#[command(next_help_heading = "Schema (default: the server's reflection)")]
pub struct SchemaArgs {
    /// Compile these .proto files (repeatable); google/protobuf's
    /// well-known imports need no -I.
    #[arg(long = "proto", value_name = "FILE", conflicts_with = "protosets")]
    pub protos: Vec<PathBuf>,

    /// Import path for --proto (repeatable) [default: each file's folder].
    #[arg(
        short = 'I',
        long = "import-path",
        value_name = "DIR",
        requires = "protos"
    )]
    pub import_paths: Vec<PathBuf>,

    /// Read the schema from these FileDescriptorSets (`protoc
    /// --descriptor_set_out --include_imports`), repeatable.
    #[arg(long = "protoset", value_name = "FILE")]
    pub protosets: Vec<PathBuf>,

    /// Metadata for the reflection calls instead of the call's own -H
    /// headers, as 'key: value'; repeatable (--token still goes on both).
    #[arg(long = "reflect-header", value_parser = parse_header, value_name = "HEADER")]
    pub reflect_headers: Vec<Header>,
}

impl SchemaArgs {
    pub fn source(&self) -> crate::client::SchemaSource {
        use crate::client::SchemaSource;
        if !self.protos.is_empty() {
            SchemaSource::Protos {
                files: self.protos.clone(),
                includes: self.import_paths.clone(),
            }
        } else if !self.protosets.is_empty() {
            SchemaSource::Protosets(self.protosets.clone())
        } else {
            SchemaSource::Reflection {
                headers: (!self.reflect_headers.is_empty()).then(|| self.reflect_headers.clone()),
            }
        }
    }
}

#[derive(Debug, Args)]
#[command(mut_arg("output", |arg| arg.help(
    "text: each response as indented proto3 JSON; json: each response as one line of proto3 JSON (errors on stderr in the same format)"
)))]
pub struct CallArgs {
    /// The method: SERVICE/METHOD or SERVICE.METHOD, the service by its full
    /// name (e.g. packages.GreetService/sayHello).
    #[arg(value_name = "METHOD")]
    pub method: String,

    /// The request message(s) as proto3 JSON: inline, @FILE, or @- for
    /// stdin. Client and bidi streams take any number of messages
    /// (concatenated or one per line); with @- each is sent as soon as it is
    /// read. Without -d a unary call sends an empty message.
    #[arg(short = 'd', long = "data", value_name = "DATA")]
    pub data: Option<String>,

    /// Print fields at their default value too (0, "", false, empty lists).
    #[arg(long)]
    pub emit_defaults: bool,

    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten)]
    pub schema: SchemaArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// List this service's methods instead of the services.
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten)]
    pub schema: SchemaArgs,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// A service, method (SERVICE.METHOD), message or enum, by full name.
    #[arg(value_name = "SYMBOL")]
    pub symbol: String,

    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten)]
    pub schema: SchemaArgs,
}

#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The service to ask about [default: the server as a whole].
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        value_name = "NAME"
    )]
    pub service: String,

    /// Follow Health/Watch and print each status as it changes (until the
    /// server ends the stream, Ctrl-C, or --timeout if given).
    #[arg(long)]
    pub watch: bool,

    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Customer,
    Agent,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Customer => Role::Customer,
            RoleArg::Agent => Role::Agent,
        }
    }
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// How `--help` shows a default duration: `10s`, `5m`.
fn duration_text(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

/// How `--help` shows default buckets: `0.005,0.01,…,10`.
fn buckets_text(bounds: &[f64]) -> String {
    bounds
        .iter()
        .map(f64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// How `--help` shows a default size: `4MiB`, `64KiB`, `1000` (bytes).
fn size_text(bytes: usize) -> String {
    const UNITS: [(usize, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    UNITS
        .iter()
        .find(|(unit, _)| bytes >= *unit && bytes.is_multiple_of(*unit))
        .map_or_else(
            || bytes.to_string(),
            |(unit, name)| format!("{}{name}", bytes / unit),
        )
}

fn bench_total_help() -> String {
    format!(
        "Stop after N RPCs (streams) [default: {} unless --duration is given]",
        defaults::BENCH_TOTAL
    )
}

fn bench_messages_help() -> String {
    format!(
        "Messages per stream: START…END for stream (at least 2) [default: {}], quotes for watch [default: {}], readings for report [default: {}]",
        defaults::BENCH_STREAM_MESSAGES,
        defaults::BENCH_WATCH_QUOTES,
        defaults::BENCH_REPORT_READINGS
    )
}

/// Parses `4MiB`, `100MiB`, `1024` (bytes).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let size: bytesize::ByteSize = text
        .parse()
        .map_err(|err| format!("{err} (examples: 1024, 64KiB, 4MiB)"))?;
    usize::try_from(size.as_u64()).map_err(|_| "too large for this machine".to_owned())
}

/// Parses `500ms`, `2s`, `1m30s` (humantime).
/// `--otlp-endpoint`: `http://HOST:PORT` (the collector's gRPC port).
fn parse_otlp_endpoint(text: &str) -> Result<String, String> {
    let uri: http::Uri = text
        .parse()
        .map_err(|err| format!("'{text}' is not a URL: {err}"))?;
    if uri.scheme_str() != Some("http") || uri.host().is_none_or(str::is_empty) {
        return Err(format!(
            "'{text}': the collector's address is http://HOST:PORT (plaintext OTLP/gRPC)"
        ));
    }
    Ok(text.to_owned())
}

/// An IP address, or a host name resolved to its first address, as
/// `--addr` resolves names.
pub fn parse_host(text: &str) -> Result<IpAddr, String> {
    if let Ok(ip) = text.parse() {
        return Ok(ip);
    }
    resolve(text, (text, 0)).map(|addr| addr.ip())
}

/// `IP:PORT`, or `NAME:PORT` resolved to its first address.
pub fn parse_socket_addr(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    if !text.contains(':') {
        return Err(format!("'{text}' has no port (use HOST:PORT)"));
    }
    resolve(text, text)
}

fn resolve(text: &str, name: impl std::net::ToSocketAddrs) -> Result<SocketAddr, String> {
    name.to_socket_addrs()
        .map_err(|err| format!("cannot resolve '{text}': {err}"))?
        .next()
        .ok_or_else(|| format!("'{text}' resolves to no address"))
}

/// `--register-ttl`: etcd leases are whole seconds, at least one.
fn parse_register_ttl(text: &str) -> Result<Duration, String> {
    let ttl = parse_duration(text)?;
    if ttl < Duration::from_secs(1) || ttl.subsec_nanos() != 0 {
        return Err(format!(
            "'{text}' is not a whole number of seconds, at least 1s"
        ));
    }
    Ok(ttl)
}

/// `--advertise-addr`: a HOST:PORT a caller can dial.
fn parse_advertise_addr(text: &str) -> Result<String, String> {
    let authority: http::uri::Authority = text
        .parse()
        .map_err(|_| format!("'{text}' is not HOST:PORT"))?;
    match authority.port_u16() {
        Some(port) if port != 0 && !authority.host().is_empty() => {}
        _ => {
            return Err(format!(
                "'{text}' is not HOST:PORT (with a port other than 0)"
            ))
        }
    }
    let host = authority.host().trim_matches(['[', ']']);
    if host.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified()) {
        return Err(format!(
            "'{text}' is a wildcard address: callers cannot dial it"
        ));
    }
    Ok(authority.as_str().to_owned())
}

pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|err| format!("{err} (examples: 500ms, 2s, 1m)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse_humantime() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn defaults_are_shown_as_they_are_typed() {
        assert_eq!(duration_text(Duration::from_secs(300)), "5m");
        assert_eq!(duration_text(Duration::from_secs(10)), "10s");
        assert_eq!(size_text(4 * 1024 * 1024), "4MiB");
        assert_eq!(size_text(64 * 1024), "64KiB");
        assert_eq!(size_text(1000), "1000");
        assert_eq!(
            parse_size(&size_text(defaults::MAX_MESSAGE_SIZE)),
            Ok(defaults::MAX_MESSAGE_SIZE)
        );
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("4MiB"), Ok(4 * 1024 * 1024));
        assert_eq!(parse_size("100MiB"), Ok(100 * 1024 * 1024));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn script_excludes_count() {
        let result = Cli::try_parse_from(["grpc-demo", "stream", "--count", "4", "--script", "x"]);
        assert!(result.is_err());
        let result = Cli::try_parse_from(["grpc-demo", "stream", "--script", "x"]);
        assert!(result.is_ok());
    }

    #[test]
    fn count_must_be_at_least_two() {
        assert!(Cli::try_parse_from(["grpc-demo", "stream", "--count", "1"]).is_err());
        assert!(Cli::try_parse_from(["grpc-demo", "stream", "--count", "2"]).is_ok());
    }
}
