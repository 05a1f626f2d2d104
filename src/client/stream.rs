//! `grpc-demo stream`: one MessageService.iter_message conversation.

use std::{io::Write, time::Duration};

use tokio::time::Instant;
use tokio_stream::StreamExt;

use super::{connect, describe_status, with_deadline, CallOptions};
use crate::{
    output::Printer,
    proto::{message_service_client::MessageServiceClient, MessageRequest, MsgType, Role},
};

/// The scripted sequence `--count` sends: START, PROGRESS…, END, numbered
/// from 0. `count` below 2 still yields START and END.
pub fn scripted_sequence(count: u32, role: Role, data: &str) -> Vec<MessageRequest> {
    let last = count.max(2) - 1;
    (0..=last)
        .map(|index| {
            let msg_type = match index {
                0 => MsgType::Start,
                i if i == last => MsgType::End,
                _ => MsgType::Progress,
            };
            MessageRequest {
                msg_type: msg_type as i32,
                msg_index: i32::try_from(index).unwrap_or(i32::MAX),
                role: role as i32,
                data: data.to_owned(),
            }
        })
        .collect()
}

/// Sends `messages` (with `interval` between two sends), then half-closes,
/// printing each response as it arrives.
pub async fn stream<W: Write>(
    options: &CallOptions,
    messages: Vec<MessageRequest>,
    interval: Duration,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + options.timeout;
    with_deadline(options.timeout, async {
        let channel = connect(options).await?;
        let mut client = MessageServiceClient::new(channel)
            .max_decoding_message_size(options.max_message_size)
            .max_encoding_message_size(options.max_message_size);
        // Compressed responses are asked for only with --compress: for
        // small messages compression costs more than it saves.
        if let Some(encoding) = options.compression {
            client = client.send_compressed(encoding).accept_compressed(encoding);
        }
        // `throttle` spaces the items out; the first one goes at once.
        let outbound = tokio_stream::iter(messages).throttle(interval);
        let request = options.request(outbound, deadline.saturating_duration_since(Instant::now()));
        let mut inbound = client
            .iter_message(request)
            .await
            .map_err(|status| describe_status(status, Some(options)))?
            .into_inner();
        while let Some(response) = inbound
            .message()
            .await
            .map_err(|status| describe_status(status, Some(options)))?
        {
            printer.message(&response)?;
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripted_sequence_is_start_progress_end() {
        let messages = scripted_sequence(4, Role::Agent, "x");
        let kinds: Vec<(i32, i32)> = messages.iter().map(|m| (m.msg_type, m.msg_index)).collect();
        assert_eq!(
            kinds,
            vec![
                (MsgType::Start as i32, 0),
                (MsgType::Progress as i32, 1),
                (MsgType::Progress as i32, 2),
                (MsgType::End as i32, 3)
            ]
        );
        assert!(messages
            .iter()
            .all(|m| m.role == Role::Agent as i32 && m.data == "x"));
    }

    #[test]
    fn two_messages_are_start_and_end() {
        let messages = scripted_sequence(2, Role::Customer, "");
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].msg_type, MsgType::Start as i32);
        assert_eq!(messages[1].msg_type, MsgType::End as i32);
    }
}
