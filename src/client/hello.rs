//! `grpc-demo hello`: one GreetService.sayHello call.

use std::io::Write;

use tokio::time::Instant;

use super::{connect, describe_status, with_deadline, CallOptions};
use crate::{
    output::Printer,
    proto::{greet_service_client::GreetServiceClient, HelloRequest},
};

/// Greets `name` and prints the response.
pub async fn hello<W: Write>(
    options: &CallOptions,
    name: &str,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + options.timeout;
    let response = with_deadline(options.timeout, async {
        let channel = connect(options).await?;
        let mut client = GreetServiceClient::new(channel)
            .max_decoding_message_size(options.max_message_size)
            .max_encoding_message_size(options.max_message_size);
        // Compressed responses are asked for only with --compress: for
        // small messages compression costs more than it saves.
        if let Some(encoding) = options.compression {
            client = client.send_compressed(encoding).accept_compressed(encoding);
        }
        let request = options.request(
            HelloRequest {
                name: name.to_owned(),
            },
            deadline.saturating_duration_since(Instant::now()),
        );
        let response = client
            .say_hello(request)
            .await
            .map_err(|status| describe_status(status, Some(options)))?;
        Ok(response.into_inner())
    })
    .await?;
    printer.hello(&response)?;
    Ok(())
}
