//! `grpc-demo watch`: one StockService.watch stream, quotes printed as they
//! arrive.

use std::io::Write;

use super::{balance, configured_client, describe_status, CallOptions, Deadline};
use crate::{
    output::Printer,
    proto::{stock_service_client::StockServiceClient, WatchRequest},
    status::Interrupted,
};

/// Watches `request.symbol` until `request.count` quotes came, the server
/// ends the stream, the deadline passes or the user presses Ctrl-C (then
/// [`Interrupted`], with nothing printed after).
pub async fn watch<W: Write>(
    options: &CallOptions,
    request: WatchRequest,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    let deadline = Deadline::new(options.timeout);
    let call = deadline.run(async {
        let channel = balance::open(options).await?;
        let mut client = configured_client!(StockServiceClient::new(channel), options);
        let request = options.request(request, deadline.remaining());
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
            deadline.check()?;
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
