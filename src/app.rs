//! Dispatch: a parsed command becomes a plain configuration, runs on the
//! right runtime, and its result goes to `output` (stdout). Errors travel
//! back to `main`, which hands them to `exit`.

use std::io::Write;

use anyhow::Context as _;

use crate::{
    bench::{self, BenchConfig, Stop, Workload},
    cli::{BenchArgs, BenchWorkload, ClientArgs, Command, ServeArgs},
    client::{self, CallOptions, ClientTls, Outbound, ScriptSource},
    defaults,
    output::{Format, Printer},
    proto::HelloRequest,
    server::{self, ConnectionAge, Limits, Listen, ServeFlags, TlsFiles, TokenSource},
    status::{Interrupted, UsageError},
};

/// The output format a command asked for (errors are printed in it too).
pub fn output_format(command: &Command) -> Format {
    match command {
        Command::Hello(args) => args.client.output,
        Command::Stream(args) => args.client.output,
        Command::Watch(args) => args.client.output,
        Command::Report(args) => args.client.output,
        Command::Bench(args) => args.client.output,
        Command::Call(args) => args.client.output,
        Command::List(args) => args.client.output,
        Command::Describe(args) => args.client.output,
        Command::Health(args) => args.client.output,
        Command::Serve(_) | Command::Completions(_) => Format::Text,
    }
}

/// Runs one subcommand to completion.
pub fn run(command: Command, verbose: bool) -> anyhow::Result<()> {
    let sweeping = matches!(&command, Command::Bench(args) if args.load.sweep.sweep.is_some());
    if output_format(&command) == Format::Csv && !sweeping {
        return Err(UsageError(
            "-o csv is for bench --sweep (a line per step); use -o json".into(),
        )
        .into());
    }
    match command {
        Command::Serve(args) => {
            server::telemetry::metrics::check_buckets(&args.metrics_buckets).map_err(UsageError)?;
            let flags = serve_flags(&args)?;
            let runtime = runtime(args.workers.map(usize::from))?;
            let served = runtime.block_on(server::run(flags, |bound| {
                let mut stdout = std::io::stdout().lock();
                // Scripts wait for this line; if nobody reads it, serve anyway.
                let _ = writeln!(stdout, "listening on {bound}").and_then(|()| stdout.flush());
            }));
            // RPCs still running after the shutdown timeout end with the
            // runtime's tasks: their access lines are written now.
            drop(runtime);
            server::flush_access_log();
            served
        }
        Command::Hello(args) => {
            let options = call_options(&args.client, verbose)?;
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            let request = match &args.data {
                Some(data) => client::hello_request_from_json(data)?,
                None => HelloRequest {
                    name: args.name.clone(),
                },
            };
            client_runtime()?.block_on(client::hello(&options, request, &mut printer))
        }
        Command::Stream(args) => {
            let options = call_options(&args.client, verbose)?;
            let messages = match args.script.as_deref().map(ScriptSource::from_arg) {
                Some(ScriptSource::Stdin) => Outbound::Stdin,
                Some(source) => {
                    let text = source.read()?;
                    Outbound::Messages(client::parse_script(&source.to_string(), &text)?)
                }
                None => Outbound::Counted {
                    count: args.count,
                    role: args.role.into(),
                    data: args.data.clone(),
                },
            };
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            client_runtime()?.block_on(client::stream(
                &options,
                messages,
                args.interval,
                &mut printer,
            ))
        }
        Command::Watch(args) => {
            let options = call_options(&args.client, verbose)?;
            let request = match &args.data {
                Some(data) => client::request_from_json(data)?,
                None => crate::proto::WatchRequest {
                    // clap requires --symbol without -d.
                    symbol: args.symbol.unwrap_or_default(),
                    count: args.count,
                    interval_ms: u32::try_from(args.interval.as_millis()).unwrap_or(u32::MAX),
                },
            };
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            client_runtime()?.block_on(client::watch(&options, request, &mut printer))
        }
        Command::Report(args) => {
            let options = call_options(&args.client, verbose)?;
            let source = match (&args.data, &args.readings) {
                (Some(data), _) => Some(ScriptSource::from_data(data)),
                (None, Some(path)) => Some(ScriptSource::from_arg(path)),
                (None, None) => None,
            };
            let readings = match source {
                Some(source) => client::Readings::Lines {
                    source,
                    interval: args.interval,
                },
                None => client::Readings::Synthetic {
                    device: args.device,
                    count: args.count,
                    interval: args.interval,
                },
            };
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            client_runtime()?.block_on(client::report(&options, readings, &mut printer))
        }
        Command::Call(args) => {
            let options = call_options(&args.client, verbose)?;
            let request = client::CallRequest {
                method: args.method.clone(),
                data: args.data.as_deref().map(ScriptSource::from_data),
                schema: args.schema.source(),
                emit_defaults: args.emit_defaults,
            };
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            client_runtime()?.block_on(client::call(&options, request, &mut printer))
        }
        Command::List(args) => {
            let options = call_options(&args.client, verbose)?;
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            client_runtime()?.block_on(client::list(
                &options,
                &args.schema.source(),
                args.service.as_deref(),
                &mut printer,
            ))
        }
        Command::Describe(args) => {
            let options = call_options(&args.client, verbose)?;
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            client_runtime()?.block_on(client::describe(
                &options,
                &args.schema.source(),
                &args.symbol,
                &mut printer,
            ))
        }
        Command::Health(args) => {
            let options = call_options(&args.client, verbose)?;
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            client_runtime()?.block_on(client::health(
                &options,
                &args.service,
                args.watch,
                &mut printer,
            ))
        }
        Command::Bench(args) => bench_command(&args),
        Command::Completions(args) => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&crate::completions::script(args.shell))?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// `grpc-demo bench`: run, print the report, and exit by it.
fn bench_command(args: &BenchArgs) -> anyhow::Result<()> {
    if args.client.explain.is_some() {
        return Err(UsageError(
            "--explain explains one call: use it with hello, stream, watch, report or call, not bench"
                .into(),
        )
        .into());
    }
    let runtime = runtime(None)?;
    let workload = match &args.workload {
        BenchWorkload::Call(call) => {
            let flags = [
                ("--messages", args.stream.messages.is_some()),
                ("--hold", args.stream.hold.is_some()),
                ("--payload-size", args.load.payload_size > 0),
            ];
            if let Some((flag, _)) = flags.iter().find(|(_, given)| *given) {
                return Err(UsageError(format!(
                    "{flag} does not apply to `bench call`: -d gives the messages"
                ))
                .into());
            }
            let options = call_options(&args.client, false)?;
            let data = call.data.as_deref().map(ScriptSource::from_data);
            let (method, messages) = runtime.block_on(client::resolve_call(
                &options,
                &call.schema.source(),
                &call.method,
                data.as_ref(),
            ))?;
            Workload::Call(std::sync::Arc::new(bench::DynamicCall::new(
                method, messages,
            )?))
        }
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
            messages: match args.stream.messages {
                Some(1) => {
                    return Err(UsageError(
                        "--messages: a bench stream has at least 2 messages (START and END)".into(),
                    )
                    .into())
                }
                given => given.unwrap_or(defaults::BENCH_STREAM_MESSAGES),
            },
            hold: args.stream.hold,
        },
        BenchWorkload::Watch | BenchWorkload::Report if args.stream.hold.is_some() => {
            return Err(UsageError("--hold is a `bench stream` flag".into()).into());
        }
        BenchWorkload::Watch => Workload::Watch {
            quotes: args.stream.messages.unwrap_or(defaults::BENCH_WATCH_QUOTES),
        },
        BenchWorkload::Report => Workload::Report {
            readings: args
                .stream
                .messages
                .unwrap_or(defaults::BENCH_REPORT_READINGS),
        },
    };
    let load = &args.load;
    let config = BenchConfig {
        call: call_options(&args.client, false)?,
        workload,
        concurrency: load.concurrency as usize,
        connections: load.connections as usize,
        stop: match (load.total, load.duration) {
            (_, Some(duration)) => Stop::Duration(duration),
            (Some(total), None) => Stop::Total(total),
            (None, None) => Stop::Total(defaults::BENCH_TOTAL),
        },
        warmup: load.warmup,
        rate: load.rate,
        payload_size: load.payload_size,
        count_errors: load.count_errors,
        metrics_url: load.metrics_url.clone(),
    };
    if let Some(spec) = &load.sweep.sweep {
        return sweep_command(args, &config, spec, &runtime);
    }
    let report = runtime.block_on(run_bench(&config))?;
    Printer::new(args.client.output, std::io::stdout().lock()).document(&report)?;
    if report.interrupted {
        return Err(Interrupted.into());
    }
    if let Some(limit) = load.max_error_rate {
        report.check_error_rate(limit)?;
    }
    Ok(())
}

/// `grpc-demo bench --sweep`: one run per setting, a row each as it ends,
/// then the plot; exit as a bench run does (130 after Ctrl-C, 1 when a
/// step failed more than --max-error-rate).
fn sweep_command(
    args: &BenchArgs,
    config: &BenchConfig,
    spec: &bench::sweep::SweepSpec,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<()> {
    use bench::sweep::{Ended, Rows, Scale, Setting};
    let sweep = &args.load.sweep;
    if spec.setting == Setting::Rate && args.load.rate.is_some() {
        return Err(UsageError("--rate and --sweep rate=… both set the rate".into()).into());
    }
    if let Some(path) = &sweep.plot {
        if path.extension().and_then(|ext| ext.to_str()) != Some("svg") {
            return Err(UsageError(format!(
                "--plot {}: the plot is drawn as SVG (FILE.svg); a browser or rsvg-convert makes a PNG of it",
                path.display()
            ))
            .into());
        }
    }
    if spec.setting == Setting::Connections && config.call.is_balanced() {
        return Err(UsageError(
            "--sweep connections=… needs one endpoint: through the balancer (several --addr, dns:///, etcd://) bench opens one connection per endpoint"
                .into(),
        )
        .into());
    }
    let values = spec.steps(sweep.steps, sweep.steps_scale);
    bench::sweep::check(spec.setting, &values, config.concurrency).map_err(UsageError)?;
    let mut progress = SweepProgress {
        rows: Rows::new(args.client.output),
        setting: spec.setting,
        terminal: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let (steps, ended) = runtime.block_on(async {
        let interrupt = interrupt_signal()?;
        bench::sweep::run(
            config,
            spec.setting,
            &values,
            &sweep.stop_at,
            interrupt,
            &mut progress,
        )
        .await
    })?;
    if let Some(path) = &sweep.plot {
        let stop = match config.stop {
            Stop::Duration(duration) => format!("-z {}", humantime::format_duration(duration)),
            Stop::Total(total) => format!("-n {total}"),
        };
        let connections = format!("{} connection(s)", config.connections);
        let fixed = match spec.setting {
            Setting::Rate => format!("c={}, {connections}", config.concurrency),
            Setting::Concurrency => format!("closed loop, {connections}"),
            Setting::Connections => match config.rate {
                Some(rate) => format!("rate {rate}/s, c={}", config.concurrency),
                None => format!("closed loop, c={}", config.concurrency),
            },
        };
        let title = format!(
            "grpc-demo bench {} against {}: {fixed}, {stop} per step",
            config.workload.name(),
            sweep.plot_server.clone().unwrap_or_else(|| args
                .client
                .addr
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")),
        );
        bench::plot::write(
            path,
            &title,
            spec.setting,
            sweep.steps_scale == Scale::Log,
            &steps,
        )?;
    }
    match ended {
        Ended::Interrupted => return Err(Interrupted.into()),
        Ended::StoppedAt(why) => eprintln!(
            "sweep ended after step {} of {}: {why} (--stop-at)",
            steps.len(),
            values.len()
        ),
        Ended::Done => {}
    }
    if let Some(limit) = args.load.max_error_rate {
        for step in &steps {
            step.report.check_error_rate(limit)?;
        }
    }
    Ok(())
}

/// A sweep's rows on stdout, and on a terminal which step is running.
struct SweepProgress {
    rows: bench::sweep::Rows,
    setting: bench::sweep::Setting,
    terminal: bool,
}

impl bench::sweep::Progress for SweepProgress {
    fn starting(&mut self, index: usize, count: usize, value: f64) {
        if self.terminal {
            eprint!(
                "\rstep {index} of {count}: {}={value} …",
                self.setting.name()
            );
        }
    }

    fn finished(&mut self, step: &bench::sweep::Step) -> anyhow::Result<()> {
        if self.terminal {
            // Clear the progress line before the row.
            eprint!("\r\x1b[K");
        }
        self.rows.write(&mut std::io::stdout().lock(), step)?;
        Ok(())
    }
}

/// The runtime for the server and the load generator: `workers` threads
/// (default: the cores this process may run on). With one, a current-thread
/// runtime, which never hands tasks between threads (BENCHMARKS.md, "What
/// was changed", first two rows).
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

/// `serve`'s logging flags.
pub fn log_options(args: &ServeArgs) -> crate::logging::LogOptions {
    crate::logging::LogOptions {
        format: args.log_format,
        access_log: args.access_log.clone(),
    }
}

/// `--port`, else `GRPC_DEMO_PORT` (empty: unset), else the default; a bad
/// variable is a usage error that names it.
fn serve_port(flag: Option<u16>) -> Result<u16, UsageError> {
    if let Some(port) = flag {
        return Ok(port);
    }
    let name = crate::defaults::PORT_ENV;
    match std::env::var(name) {
        Ok(text) if text.is_empty() => Ok(crate::defaults::PORT),
        Ok(text) => text.trim().parse().map_err(|_| {
            UsageError(format!(
                "{name}: invalid port '{text}' (a number from 0 to 65535)"
            ))
        }),
        Err(std::env::VarError::NotPresent) => Ok(crate::defaults::PORT),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(UsageError(format!("{name}: not valid UTF-8")))
        }
    }
}

fn serve_flags(args: &ServeArgs) -> Result<ServeFlags, UsageError> {
    Ok(ServeFlags {
        listen: match &args.uds {
            Some(path) => Listen::Unix(path.clone()),
            None => Listen::Tcp {
                host: args.host,
                port: serve_port(args.port)?,
            },
        },
        reuse_port: args.reuse_port,
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
                client_ca: args.tls_client_ca.clone(),
            }),
            _ => None,
        },
        token: match (&args.token_file, &args.token) {
            (Some(path), _) => TokenSource::File(path.clone()),
            (None, Some(token)) => TokenSource::Value(token.clone()),
            (None, None) => TokenSource::None,
        },
        shutdown_timeout: args.shutdown_timeout,
        drain_delay: args.drain_delay,
        reflection: !args.no_reflection,
        limits: Limits {
            max_message_size: args.max_message_size,
            max_concurrent_streams: args.max_concurrent_streams,
            max_connections: args.max_connections as usize,
            keepalive_interval: args.keepalive_interval,
            keepalive_timeout: args.keepalive_timeout,
            idle_stream_timeout: args.idle_stream_timeout,
            max_connection_age: args
                .max_connection_age
                .map(|age| ConnectionAge::new(age, args.max_connection_age_grace)),
            max_connections_per_ip: args.max_connections_per_ip as usize,
            max_request_buffer: args.max_request_buffer,
            max_response_buffer: args.max_response_buffer,
            unread_response_timeout: args.unread_response_timeout,
            handshake_timeout: args.handshake_timeout,
            header_timeout: args.header_timeout,
            max_connection_idle: Some(args.max_connection_idle).filter(|idle| !idle.is_zero()),
            ..Limits::default()
        },
        metrics: args
            .metrics_addr
            .map(|addr| server::telemetry::metrics::MetricsOptions {
                addr,
                buckets: args.metrics_buckets.clone(),
            }),
        otlp_endpoint: args.otlp_endpoint.clone(),
        access_log: args.access_log.clone(),
        register: match &args.register {
            Some(name) => {
                let bound_is_wildcard = args.uds.is_none() && args.host.is_unspecified();
                if bound_is_wildcard && args.advertise_addr.is_none() {
                    return Err(UsageError(format!(
                        "--register: the bound address {} is a wildcard, callers cannot dial it: give --advertise-addr HOST:PORT (or --host a dialable address)",
                        args.host
                    )));
                }
                Some(server::registry::Registration {
                    name: name.clone(),
                    advertise: args.advertise_addr.clone(),
                    ttl: args.register_ttl,
                })
            }
            None => None,
        },
        web: args.web.then(|| server::web::WebOptions {
            origins: args.web_origin.clone(),
        }),
    })
}

/// `--compress`: tonic's encoding (a build without the `compression`
/// feature has none).
fn compression(
    compress: crate::cli::Compression,
) -> Result<Option<tonic::codec::CompressionEncoding>, UsageError> {
    use crate::cli::Compression;
    match compress {
        Compression::None => Ok(None),
        #[cfg(feature = "compression")]
        Compression::Gzip => Ok(Some(tonic::codec::CompressionEncoding::Gzip)),
        #[cfg(feature = "compression")]
        Compression::Zstd => Ok(Some(tonic::codec::CompressionEncoding::Zstd)),
        #[cfg(not(feature = "compression"))]
        Compression::Gzip | Compression::Zstd => Err(UsageError(
            "--compress: this build has no compression (built without the `compression` feature)"
                .into(),
        )),
    }
}

fn call_options(args: &ClientArgs, verbose: bool) -> anyhow::Result<CallOptions> {
    let mut targets = client::Target::resolve_all(&args.addr)?.into_iter();
    let target = targets.next().context("no address")?;
    let options = CallOptions {
        target,
        timeout: args.timeout.unwrap_or(crate::defaults::TIMEOUT),
        timeout_given: args.timeout.is_some(),
        connect_timeout: args.connect_timeout,
        headers: args.headers.clone(),
        compression: compression(args.compress)?,
        token: args.token.clone().filter(|token| !token.is_empty()),
        max_message_size: args.max_message_size,
        tls: ClientTls {
            ca: args.ca.clone(),
            cert: args.cert.clone(),
            key: args.key.clone(),
            server_name: args.server_name.clone(),
            insecure: args.insecure,
        },
        authority: args.authority.clone(),
        verbose,
        balancing: client::balance::Balancing {
            more: targets.collect(),
            health_check: args.health_check,
            retries: args.retries,
        },
        explain: args
            .explain
            .map(|format| crate::explain::Explain::new(format, args.max_message_size)),
    };
    options.validate()?;
    Ok(options)
}
