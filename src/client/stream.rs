//! `grpc-demo stream`: one MessageService.iter_message conversation.

use std::{
    io::{BufRead, Write},
    pin::Pin,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio_stream::{Stream, StreamExt};

use super::{
    balance, check_request_size, configured_client, describe_status, parse_script_line,
    CallOptions, Deadline, ScriptSource,
};
use crate::{
    output::Printer,
    proto::{message_service_client::MessageServiceClient, MessageRequest, MsgType, Role},
    status::Interrupted,
};

/// The scripted sequence `--count` sends: START, PROGRESS…, END, numbered
/// from 0. `count` below 2 still yields START and END.
pub fn counted_sequence(
    count: u32,
    role: Role,
    data: &str,
) -> impl Iterator<Item = MessageRequest> + Send + 'static {
    let last = count.max(2) - 1;
    let data = data.to_owned();
    (0..=last).map(move |index| counted_message(index, last, role, &data))
}

/// Message `index` of a counted sequence whose last index is `last`.
fn counted_message(index: u32, last: u32, role: Role, data: &str) -> MessageRequest {
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
}

/// What a stream sends.
#[derive(Debug)]
pub enum Outbound {
    /// `--count`: made one by one as they are sent, so any count runs in
    /// the same memory.
    Counted {
        count: u32,
        role: Role,
        data: String,
    },
    /// Messages known before the call: a `--script FILE` checked whole
    /// beforehand.
    Messages(Vec<MessageRequest>),
    /// `--script -`: each line of stdin is parsed and sent as it is read, so
    /// a live pipe gets its answers as it goes.
    Stdin,
}

/// Sends the outbound messages (with `interval` between two sends), then
/// half-closes, printing each response as it arrives. A bad stdin line or an
/// over-size message ends the sending (half-close); the answers to what was
/// sent are still printed, then the error is returned.
pub async fn stream<W: Write>(
    options: &CallOptions,
    outbound: Outbound,
    interval: Duration,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    let deadline = Deadline::new(options.timeout);
    let stopped: Arc<Mutex<Option<anyhow::Error>>> = Arc::default();
    let limit = options.max_message_size;
    let messages: Pin<Box<dyn Stream<Item = MessageRequest> + Send>> = match outbound {
        Outbound::Counted { count, role, data } => {
            // The same message but for its index and type: the last one,
            // with the largest index, is the largest. Refused before
            // connecting.
            let last = count.max(2) - 1;
            check_request_size(&counted_message(last, last, role, &data), limit)?;
            Box::pin(tokio_stream::iter(counted_sequence(count, role, &data)))
        }
        Outbound::Messages(messages) => {
            // Everything is known: refuse before connecting.
            for message in &messages {
                check_request_size(message, limit)?;
            }
            Box::pin(tokio_stream::iter(messages))
        }
        Outbound::Stdin => {
            let stop = Arc::clone(&stopped);
            Box::pin(stdin_lines().map_while(move |line| match line {
                Ok(message) => match check_request_size(&message, limit) {
                    Ok(()) => Some(message),
                    Err(err) => {
                        stop_with(&stop, err.into());
                        None
                    }
                },
                Err(err) => {
                    stop_with(&stop, err);
                    None
                }
            }))
        }
    };
    let call = deadline.run(async {
        let channel = balance::open(options).await?;
        let mut client = configured_client!(MessageServiceClient::new(channel), options);
        // `throttle` spaces the items out; the first one goes at once.
        let outbound = messages.throttle(interval);
        let request = options.request(outbound, deadline.remaining());
        let response = client
            .iter_message(request)
            .await
            .map_err(|status| describe_status(status, Some(options)))?;
        options.show_headers(response.metadata());
        let mut inbound = response.into_inner();
        while let Some(response) = inbound
            .message()
            .await
            .map_err(|status| describe_status(status, Some(options)))?
        {
            deadline.check()?;
            printer.message(&response)?;
        }
        if let Ok(Some(trailers)) = inbound.trailers().await {
            options.show_trailers(&trailers);
        }
        Ok(())
    });
    // Ctrl-C ends the conversation at once (exit 130); dropping the call
    // cancels the stream on the server.
    tokio::select! {
        result = call => result?,
        _ = tokio::signal::ctrl_c() => return Err(Interrupted.into()),
    }
    match stopped.lock().ok().and_then(|mut slot| slot.take()) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

fn stop_with(slot: &Mutex<Option<anyhow::Error>>, err: anyhow::Error) {
    if let Ok(mut slot) = slot.lock() {
        slot.get_or_insert(err);
    }
}

/// The MessageRequests of stdin, one per non-blank line, each as soon as its
/// line is read. A blocking thread reads; the bounded channel holds back a
/// fast producer while the server is slow.
fn stdin_lines() -> impl Stream<Item = anyhow::Result<MessageRequest>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    std::thread::spawn(move || {
        let source = ScriptSource::Stdin.to_string();
        let mut lines = std::io::stdin().lock();
        let mut buffer = Vec::new();
        for number in 1.. {
            buffer.clear();
            let item = match lines.read_until(b'\n', &mut buffer) {
                Ok(0) => return,
                Ok(_) => match std::str::from_utf8(&buffer) {
                    Ok(line) if line.trim().is_empty() => continue,
                    Ok(line) => {
                        parse_script_line(&source, number, line.trim_end_matches(['\n', '\r']))
                            .map_err(anyhow::Error::from)
                    }
                    Err(_) => Err(anyhow::anyhow!("{source}:{number}: not UTF-8 text")),
                },
                Err(err) => Err(anyhow::Error::from(err).context("reading script from stdin")),
            };
            let failed = item.is_err();
            if sender.blocking_send(item).is_err() || failed {
                return;
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(receiver)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counted_sequence_is_start_progress_end() {
        let messages: Vec<_> = counted_sequence(4, Role::Agent, "x").collect();
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
        let messages: Vec<_> = counted_sequence(2, Role::Customer, "").collect();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].msg_type, MsgType::Start as i32);
        assert_eq!(messages[1].msg_type, MsgType::End as i32);
    }
}
