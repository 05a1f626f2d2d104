//! `grpc-demo watch`: one StockService.watch stream, quotes printed as they
//! arrive.

use std::{future::Future, io::Write};

use tokio::time::Instant;

use super::{balance, configured_client, describe_status, with_deadline, CallOptions};
use crate::{
    exit::Interrupted,
    output::Printer,
    proto::{stock_service_client::StockServiceClient, WatchRequest},
};

/// Watches `request.symbol` until `request.count` quotes came, the server
/// ends the stream, the deadline passes or the user presses Ctrl-C (then
/// [`Interrupted`], with nothing printed after).
pub async fn watch<W: Write>(
    options: &CallOptions,
    request: WatchRequest,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let call = within_deadline(options, async {
        let channel = balance::open(options).await?;
        let mut client = configured_client!(StockServiceClient::new(channel), options);
        let request = stream_request(options, request, started);
        let mut quotes = client
            .watch(request)
            .await
            .map_err(|status| describe_status(status, Some(options)))?
            .into_inner();
        while let Some(quote) = quotes
            .message()
            .await
            .map_err(|status| describe_status(status, Some(options)))?
        {
            printer.quote(&quote)?;
        }
        Ok(())
    });
    // Returning drops the call, which cancels the stream on the server.
    tokio::select! {
        result = call => result,
        _ = tokio::signal::ctrl_c() => Err(Interrupted.into()),
    }
}

/// Runs `call` under `--timeout`, or with no deadline when it is zero (the
/// default of the streaming commands).
pub(crate) async fn within_deadline<T>(
    options: &CallOptions,
    call: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    if options.timeout.is_zero() {
        call.await
    } else {
        with_deadline(options.timeout, call).await
    }
}

/// A request with our metadata, carrying the remaining deadline as
/// `grpc-timeout` only when there is one.
pub(crate) fn stream_request<T>(
    options: &CallOptions,
    message: T,
    started: Instant,
) -> tonic::Request<T> {
    let remaining = options.timeout.saturating_sub(started.elapsed());
    let mut request = options.request(message, remaining);
    if options.timeout.is_zero() {
        request.metadata_mut().remove("grpc-timeout");
    }
    request
}
