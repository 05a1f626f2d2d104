//! The one place that turns an outcome into an exit code and a stderr line:
//! errors are only downcast here, never built (statuses live in status.rs).
//!
//! Convention (grpcurl's, documented here and in `--help`):
//! 0 success, 1 local error, 2 usage error (clap), 64 + gRPC status code for
//! a failed RPC (78 UNAVAILABLE, 68 DEADLINE_EXCEEDED, 76 UNIMPLEMENTED, …).

use std::io;

use crate::{
    output::Format,
    status::{code_name, Interrupted, RpcError, UsageError},
};

pub const SUCCESS: u8 = 0;
pub const LOCAL_ERROR: u8 = 1;
pub const USAGE_ERROR: u8 = 2;
/// A failed RPC exits with this plus its gRPC status code.
pub const RPC_ERROR_BASE: u8 = 64;
/// Stopped by SIGINT (128 + 2, as a shell reports a process Ctrl-C killed).
pub const INTERRUPTED: u8 = 130;

/// The help text's summary of the exit codes.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0       success (also when stdout is closed early, e.g. by `| head -1`)
  1       local error: unreadable file, bad script line, cannot bind
  2       usage error: bad flag or value
  64+N    the RPC failed with gRPC status N, for example
          65 CANCELLED, 68 DEADLINE_EXCEEDED, 72 RESOURCE_EXHAUSTED,
          76 UNIMPLEMENTED, 77 INTERNAL, 78 UNAVAILABLE, 80 UNAUTHENTICATED";

/// What the process should do with an error: its exit code, and the line to
/// print on stderr (none for a closed stdout, which is not a failure).
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub code: u8,
    pub line: Option<String>,
}

/// Maps any error from a subcommand to its exit code and stderr line.
pub fn outcome(err: &anyhow::Error, format: Format) -> Outcome {
    if is_broken_pipe(err) {
        return Outcome {
            code: SUCCESS,
            line: None,
        };
    }
    if err.is::<Interrupted>() {
        return Outcome {
            code: INTERRUPTED,
            line: None,
        };
    }
    if let Some(usage) = err.downcast_ref::<UsageError>() {
        return usage_outcome(&usage.0, format);
    }
    if let Some(rpc) = err.downcast_ref::<RpcError>() {
        let code = RPC_ERROR_BASE + rpc.code as u8;
        let line = match format {
            Format::Text | Format::Csv => std::iter::once(format!("error: {rpc}"))
                .chain(
                    rpc.details
                        .iter()
                        .map(|detail| format!("  {}", detail.text_line())),
                )
                .collect::<Vec<_>>()
                .join("\n"),
            Format::Json => {
                let mut object =
                    json_object(code_name(rpc.code), Some(rpc.code as i32), &rpc.message);
                if !rpc.details.is_empty() {
                    object["details"] = rpc
                        .details
                        .iter()
                        .map(|detail| detail.json.clone())
                        .collect();
                }
                object.to_string()
            }
        };
        return Outcome {
            code,
            line: Some(line),
        };
    }
    // `{:#}` joins the context chain on one line: "reading script x: No such file".
    let message = format!("{err:#}");
    let line = match format {
        Format::Text | Format::Csv => format!("error: {message}"),
        Format::Json => json_line("LOCAL_ERROR", None, &message),
    };
    Outcome {
        code: LOCAL_ERROR,
        line: Some(line),
    }
}

/// A usage error (flags that do not fit, a bad value): exit 2, the line as
/// text or, with `-o json`, as the same object as every other error.
pub fn usage_outcome(message: &str, format: Format) -> Outcome {
    let line = match format {
        Format::Text | Format::Csv => format!("error: {message}"),
        Format::Json => json_line("USAGE_ERROR", None, message),
    };
    Outcome {
        code: USAGE_ERROR,
        line: Some(line),
    }
}

/// clap's own usage error (an unknown flag, a bad value) under `-o json`:
/// its first line, without the `error: ` clap puts in front, as the JSON
/// error object.
pub fn clap_error_as_json(err: &clap::Error) -> Outcome {
    let rendered = err.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    usage_outcome(first.strip_prefix("error: ").unwrap_or(first), Format::Json)
}

/// Whether the command line asks for `-o json` (read before clap's parse,
/// which may have failed): `-o json`, `-ojson`, `-o=json`, `--output json`,
/// `--output=json`.
pub fn asks_for_json<I: IntoIterator<Item = std::ffi::OsString>>(args: I) -> bool {
    let args: Vec<String> = args
        .into_iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    args.iter().enumerate().any(|(at, arg)| {
        matches!(arg.as_str(), "-ojson" | "-o=json" | "--output=json")
            || (matches!(arg.as_str(), "-o" | "--output")
                && args.get(at + 1).is_some_and(|next| next == "json"))
    })
}

/// The JSON error object every failure is printed as with `-o json`.
fn json_line(code: &str, code_number: Option<i32>, message: &str) -> String {
    json_object(code, code_number, message).to_string()
}

fn json_object(code: &str, code_number: Option<i32>, message: &str) -> serde_json::Value {
    serde_json::json!({
        "code": code,
        "code_number": code_number,
        "message": message,
    })
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;

    #[test]
    fn rpc_failures_exit_64_plus_their_status_code() {
        let cases = [
            (Code::Unavailable, 78),
            (Code::DeadlineExceeded, 68),
            (Code::Unimplemented, 76),
            (Code::ResourceExhausted, 72),
            (Code::Unauthenticated, 80),
            (Code::Cancelled, 65),
        ];
        for (code, exit) in cases {
            let err = anyhow::Error::new(RpcError::new(code, "why"));
            assert_eq!(outcome(&err, Format::Text).code, exit, "{code:?}");
        }
    }

    #[test]
    fn the_text_line_names_the_status_and_the_cause() {
        let err = anyhow::Error::new(RpcError::new(
            Code::Unavailable,
            "connection refused (http://localhost:1)",
        ));
        assert_eq!(
            outcome(&err, Format::Text).line.as_deref(),
            Some("error: UNAVAILABLE: connection refused (http://localhost:1)")
        );
    }

    #[test]
    fn the_json_line_is_parseable() {
        let err = anyhow::Error::new(RpcError::new(
            Code::DeadlineExceeded,
            "deadline of 1s exceeded",
        ));
        let line = outcome(&err, Format::Json).line.unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(value["code"], "DEADLINE_EXCEEDED");
        assert_eq!(value["code_number"], 4);
        assert_eq!(value["message"], "deadline of 1s exceeded");
    }

    #[test]
    fn an_rpc_error_keeps_its_code_under_context() {
        let err = anyhow::Error::new(RpcError::new(Code::Unimplemented, "no such method"))
            .context("calling sayHello");
        assert_eq!(outcome(&err, Format::Text).code, 76);
    }

    #[test]
    fn local_errors_exit_1_with_their_context_on_one_line() {
        let err = anyhow::Error::new(io::Error::new(io::ErrorKind::NotFound, "No such file"))
            .context("reading script missing.jsonl");
        let outcome = outcome(&err, Format::Text);
        assert_eq!(outcome.code, 1);
        assert_eq!(
            outcome.line.as_deref(),
            Some("error: reading script missing.jsonl: No such file")
        );
    }

    #[test]
    fn a_closed_stdout_is_quiet_success() {
        let err = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe)).context("writing");
        assert_eq!(
            outcome(&err, Format::Text),
            Outcome {
                code: 0,
                line: None
            }
        );
    }

    #[test]
    fn an_interrupted_bench_exits_130_silently() {
        // The report was printed; nothing more to say on stderr.
        let outcome = outcome(&anyhow::Error::new(Interrupted), Format::Text);
        assert_eq!(
            outcome,
            Outcome {
                code: 130,
                line: None
            }
        );
    }

    #[test]
    fn usage_errors_exit_2_as_text_or_json() {
        let err = anyhow::Error::new(UsageError("--ca needs an https:// address".into()));
        let text = outcome(&err, Format::Text);
        assert_eq!(text.code, 2);
        assert_eq!(
            text.line.as_deref(),
            Some("error: --ca needs an https:// address")
        );
        let json = outcome(&err, Format::Json);
        assert_eq!(json.code, 2);
        assert_eq!(
            json.line.as_deref(),
            Some(
                r#"{"code":"USAGE_ERROR","code_number":null,"message":"--ca needs an https:// address"}"#
            )
        );
    }

    #[test]
    fn json_is_asked_for_in_every_spelling_of_the_flag() {
        let asks = |line: &str| asks_for_json(line.split(' ').map(std::ffi::OsString::from));
        for yes in [
            "x -o json",
            "x --output json",
            "x --output=json",
            "x -ojson",
            "x -o=json",
        ] {
            assert!(asks(yes), "{yes}");
        }
        for no in ["x -o text", "x --data json", "x -o", "x json"] {
            assert!(!asks(no), "{no}");
        }
    }
}
