//! `grpc-demo health`: grpc.health.v1 Check, or Watch with `--watch`
//! (grpc_health_probe's job). SERVING is success; NOT_SERVING and UNKNOWN
//! are [`NotServing`] (exit 1); a failed RPC keeps its status (64 + N).

use std::io::Write;

use tonic_health::pb::{
    health_check_response::ServingStatus, health_client::HealthClient, HealthCheckRequest,
};

use super::{balance, configured_client, describe_status, CallOptions, Deadline};
use crate::{output::Printer, status::Interrupted};

/// The service reported something other than SERVING.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{service} is {status}")]
pub struct NotServing {
    pub service: String,
    pub status: String,
}

/// Checks (or with `watch`, follows) the health of `service` ("" for the
/// server as a whole), printing each status on its own line.
pub async fn health<W: Write>(
    options: &CallOptions,
    service: &str,
    watch: bool,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    // --watch follows the server for as long as it runs, unless --timeout
    // was given.
    let deadline = if watch && !options.timeout_given {
        Deadline::new(std::time::Duration::ZERO)
    } else {
        Deadline::new(options.timeout)
    };
    let request = HealthCheckRequest {
        service: service.to_owned(),
    };
    let named = if service.is_empty() {
        "the server".to_owned()
    } else {
        service.to_owned()
    };
    let run = deadline.run(async {
        let channel = balance::open(options).await?;
        let mut client = configured_client!(HealthClient::new(channel), options);
        let request = options.request(request, deadline.remaining());
        let failed = |status| describe_status(status, Some(options));
        if !watch {
            let response = client.check(request).await.map_err(failed)?.into_inner();
            return report(response.status, &named, printer);
        }
        let mut changes = client.watch(request).await.map_err(failed)?.into_inner();
        let mut last = None;
        while let Some(change) = changes.message().await.map_err(failed)? {
            deadline.check()?;
            printer.text(&status_name(change.status))?;
            last = Some(change.status);
        }
        match last {
            Some(status) => report_quietly(status, &named),
            None => Ok(()),
        }
    });
    tokio::select! {
        result = run => result,
        _ = tokio::signal::ctrl_c() => Err(Interrupted.into()),
    }
}

fn report<W: Write>(status: i32, named: &str, printer: &mut Printer<W>) -> anyhow::Result<()> {
    printer.text(&status_name(status))?;
    report_quietly(status, named)
}

fn report_quietly(status: i32, named: &str) -> anyhow::Result<()> {
    if status == ServingStatus::Serving as i32 {
        return Ok(());
    }
    Err(NotServing {
        service: named.to_owned(),
        status: status_name(status),
    }
    .into())
}

/// `SERVING`, `NOT_SERVING`, `UNKNOWN`, `SERVICE_UNKNOWN`.
fn status_name(status: i32) -> String {
    ServingStatus::try_from(status)
        .map(|status| status.as_str_name().to_owned())
        .unwrap_or_else(|_| format!("status {status}"))
}
