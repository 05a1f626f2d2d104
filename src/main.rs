//! Parse → init logging → run → exit code. Nothing else.

use std::{io::Write, process::ExitCode};

use clap::{CommandFactory, Parser};
use grpc_demo::{
    cli::{Cli, ClientArgs, Command},
    client::{self, CallOptions, ScriptSource},
    exit, logging,
    output::{Format, Printer},
    server::{self, ServeConfig},
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let serving = matches!(cli.command, Command::Serve(_));
    let _log_guard = logging::init(cli.verbose, serving);
    let format = match &cli.command {
        Command::Hello(args) => args.client.output,
        Command::Stream(args) => args.client.output,
        _ => Format::Text,
    };
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let outcome = exit::outcome(&err, format);
            if let Some(line) = outcome.line {
                eprintln!("{line}");
            }
            ExitCode::from(outcome.code)
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            let config = ServeConfig {
                host: args.host,
                port: args.port,
                shutdown_timeout: args.shutdown_timeout,
                reflection: !args.no_reflection,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(server::run(config, |bound_addr| {
                let mut stdout = std::io::stdout().lock();
                // Scripts wait for this line; if nobody reads it, serve anyway.
                let _ = writeln!(stdout, "listening on {bound_addr}").and_then(|()| stdout.flush());
            }))
        }
        Command::Hello(args) => {
            let options = call_options(&args.client);
            let mut printer = Printer::new(args.client.output, std::io::stdout().lock());
            client_runtime()?.block_on(client::hello(&options, &args.name, &mut printer))
        }
        Command::Stream(args) => {
            let options = call_options(&args.client);
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
        Command::Completions(args) => {
            let mut stdout = std::io::stdout().lock();
            clap_complete::generate(args.shell, &mut Cli::command(), "grpc-demo", &mut stdout);
            stdout.flush()?;
            Ok(())
        }
    }
}

/// A client makes one call: a single-threaded runtime starts fastest.
fn client_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn call_options(args: &ClientArgs) -> CallOptions {
    use grpc_demo::cli::Compression;
    use tonic::codec::CompressionEncoding;
    CallOptions {
        target: args.addr.clone(),
        timeout: args.timeout,
        connect_timeout: args.connect_timeout,
        headers: args.headers.clone(),
        compression: match args.compress {
            Compression::None => None,
            Compression::Gzip => Some(CompressionEncoding::Gzip),
            Compression::Zstd => Some(CompressionEncoding::Zstd),
        },
    }
}
