//! Dispatch: a parsed command becomes a plain configuration, runs on the
//! right runtime, and its result goes to `output` (stdout). Errors travel
//! back to `main`, which hands them to `exit`.

use std::io::Write;

use anyhow::Context as _;
use clap::CommandFactory;

use crate::{
    bench::{self, BenchConfig, Stop, Workload},
    cli::{BenchArgs, BenchWorkload, Cli, ClientArgs, Command, ServeArgs},
    client::{self, CallOptions, ClientTls, ScriptSource},
    exit::{Interrupted, UsageError},
    output::{Format, Printer},
    server::{self, Limits, Listen, ServeConfig, ServeOptions, TlsFiles},
};

/// The output format a command asked for (errors are printed in it too).
pub fn output_format(command: &Command) -> Format {
    match command {
        Command::Hello(args) => args.client.output,
        Command::Stream(args) => args.client.output,
        Command::Bench(args) => args.client.output,
        Command::Serve(_) | Command::Completions(_) => Format::Text,
    }
}

/// Runs one subcommand to completion.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            let options = serve_options(&args);
            runtime(args.workers.map(usize::from))?.block_on(server::run(options, |bound| {
                let mut stdout = std::io::stdout().lock();
                // Scripts wait for this line; if nobody reads it, serve anyway.
                let _ = writeln!(stdout, "listening on {bound}").and_then(|()| stdout.flush());
            }))
        }
        Command::Hello(args) => {
            let options = call_options(&args.client)?;
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            client_runtime()?.block_on(client::hello(&options, &args.name, &mut printer))
        }
        Command::Stream(args) => {
            let options = call_options(&args.client)?;
            let messages = match &args.script {
                Some(path) => {
                    let source = ScriptSource::from_arg(path);
                    let text = source.read()?;
                    client::parse_script(&source.to_string(), &text)?
                }
                None => client::scripted_sequence(args.count, args.role.into(), &args.data),
            };
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            client_runtime()?.block_on(client::stream(
                &options,
                messages,
                args.interval,
                &mut printer,
            ))
        }
        Command::Bench(args) => bench_command(&args),
        Command::Completions(args) => {
            let mut stdout = std::io::stdout().lock();
            clap_complete::generate(args.shell, &mut Cli::command(), "grpc-demo", &mut stdout);
            stdout.flush()?;
            Ok(())
        }
    }
}

/// `grpc-demo bench`: run, print the report, and exit by it.
fn bench_command(args: &BenchArgs) -> anyhow::Result<()> {
    let workload = match args.workload {
        BenchWorkload::Hello => {
            let stream_only: Vec<&str> = [
                ("--messages", args.stream.messages.is_some()),
                ("--hold", args.stream.hold.is_some()),
            ]
            .into_iter()
            .filter_map(|(flag, given)| given.then_some(flag))
            .collect();
            if !stream_only.is_empty() {
                let what = if stream_only.len() == 1 {
                    "is a `bench stream` flag"
                } else {
                    "are `bench stream` flags"
                };
                return Err(UsageError(format!(
                    "{} {what}; `bench hello` makes one unary call per RPC",
                    stream_only.join(" and ")
                ))
                .into());
            }
            Workload::Hello
        }
        BenchWorkload::Stream => Workload::Stream {
            messages: args.stream.messages.unwrap_or(10),
            hold: args.stream.hold,
        },
    };
    let load = &args.load;
    let config = BenchConfig {
        call: call_options(&args.client)?,
        workload,
        concurrency: load.concurrency as usize,
        connections: load.connections as usize,
        stop: match (load.total, load.duration) {
            (_, Some(duration)) => Stop::Duration(duration),
            (Some(total), None) => Stop::Total(total),
            (None, None) => Stop::Total(1000),
        },
        warmup: load.warmup,
        rate: load.rate,
        payload_size: load.payload_size,
        count_errors: load.count_errors,
    };
    let report = runtime(None)?.block_on(run_bench(&config))?;
    let mut stdout = std::io::stdout().lock();
    match args.client.output {
        Format::Text => write!(stdout, "{}", report.to_text())?,
        Format::Json => writeln!(stdout, "{}", report.to_json())?,
    }
    stdout.flush()?;
    if report.interrupted {
        return Err(Interrupted.into());
    }
    if let Some(limit) = load.max_error_rate {
        if report.error_rate() > limit {
            anyhow::bail!(
                "{} of {} RPCs failed ({:.2}%), above --max-error-rate {limit}",
                report.failed(),
                report.count,
                report.error_rate() * 100.0
            );
        }
    }
    Ok(())
}

/// The runtime for the server and the load generator: `workers` threads
/// (default: the cores this process may run on). With one, a current-thread
/// runtime: measured up to 2x faster than a one-worker multi-thread runtime
/// on one core, as it never hands tasks between threads.
fn runtime(workers: Option<usize>) -> anyhow::Result<tokio::runtime::Runtime> {
    let workers = workers.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let mut builder = if workers <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(workers);
        builder
    };
    Ok(builder.enable_all().build()?)
}

/// Runs the benchmark with a progress bar on stderr when it is a terminal.
/// The first Ctrl-C stops it (the report then covers what ran); a second
/// one exits at once with 130.
async fn run_bench(config: &BenchConfig) -> anyhow::Result<bench::Report> {
    use std::io::IsTerminal;
    let interrupt = interrupt_signal()?;
    if !std::io::stderr().is_terminal() {
        return bench::run(config, None, interrupt).await;
    }
    let bar = match config.stop {
        Stop::Total(total) => indicatif::ProgressBar::new(total),
        Stop::Duration(_) => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    let progress = |done: u64| bar.set_position(done);
    let report = bench::run(config, Some(&progress), interrupt).await;
    bar.finish_and_clear();
    report
}

/// Turns true on the first SIGINT; the second exits the process at once.
fn interrupt_signal() -> anyhow::Result<tokio::sync::watch::Receiver<bool>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut sigint = signal(SignalKind::interrupt()).context("installing SIGINT handler")?;
    let (interrupted, receiver) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if sigint.recv().await.is_none() {
            return;
        }
        let _ = interrupted.send(true);
        if sigint.recv().await.is_some() {
            eprintln!("second Ctrl-C: exiting at once");
            std::process::exit(i32::from(crate::exit::INTERRUPTED));
        }
    });
    Ok(receiver)
}

/// A client makes one call: a single-threaded runtime starts fastest.
fn client_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn serve_options(args: &ServeArgs) -> ServeOptions {
    ServeOptions {
        listen: match &args.uds {
            Some(path) => Listen::Unix(path.clone()),
            None => Listen::Tcp {
                host: args.host,
                port: args.port,
            },
        },
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
                client_ca: args.tls_client_ca.clone(),
            }),
            _ => None,
        },
        token_file: args.token_file.clone(),
        token: args.token.clone(),
        config: ServeConfig {
            shutdown_timeout: args.shutdown_timeout,
            reflection: !args.no_reflection,
            tls: None,
            token: None,
            limits: Limits {
                max_message_size: args.max_message_size,
                max_concurrent_streams: args.max_concurrent_streams,
                max_connections: args.max_connections as usize,
                keepalive_interval: args.keepalive_interval,
                keepalive_timeout: args.keepalive_timeout,
                idle_stream_timeout: args.idle_stream_timeout,
            },
        },
    }
}

fn call_options(args: &ClientArgs) -> anyhow::Result<CallOptions> {
    use crate::cli::Compression;
    use tonic::codec::CompressionEncoding;
    let options = CallOptions {
        target: args.addr.clone(),
        timeout: args.timeout,
        connect_timeout: args.connect_timeout,
        headers: args.headers.clone(),
        compression: match args.compress {
            Compression::None => None,
            Compression::Gzip => Some(CompressionEncoding::Gzip),
            Compression::Zstd => Some(CompressionEncoding::Zstd),
        },
        token: args.token.clone().filter(|token| !token.is_empty()),
        max_message_size: args.max_message_size,
        tls: ClientTls {
            ca: args.ca.clone(),
            cert: args.cert.clone(),
            key: args.key.clone(),
            server_name: args.server_name.clone(),
        },
    };
    options.validate()?;
    Ok(options)
}
