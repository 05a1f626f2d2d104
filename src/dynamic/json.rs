//! Requests as proto3 JSON (protobuf's JSON mapping, through prost-reflect's
//! serde support): zero or more messages, concatenated or one per line, and
//! errors that say where (`-d:LINE:COLUMN`, `FILE:LINE:COLUMN`).

use std::io::Read;

use prost_reflect::{DynamicMessage, MessageDescriptor};
use serde::de::IgnoredAny;

/// Parses every message of `text` as `descriptor`. `origin` names the text
/// in errors (`-d`, a file name, `<stdin>`).
pub fn parse_messages(
    descriptor: &MessageDescriptor,
    origin: &str,
    text: &str,
) -> anyhow::Result<Vec<DynamicMessage>> {
    // First the boundaries of the JSON values (syntax errors are found
    // here, with their position in the whole text), then each value as the
    // message (errors shifted to the whole text's position).
    let mut boundaries = Vec::new();
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<IgnoredAny>();
    let mut start = 0;
    while let Some(value) = values.next() {
        value.map_err(|err| positioned(origin, &err, (1, 1)))?;
        let end = values.byte_offset();
        boundaries.push((start, end));
        start = end;
    }
    boundaries
        .into_iter()
        .map(|(start, end)| {
            let mut deserializer = serde_json::Deserializer::from_str(&text[start..end]);
            DynamicMessage::deserialize(descriptor.clone(), &mut deserializer).map_err(|err| {
                let err = positioned(origin, &err, line_and_column(text, start));
                with_field_suggestion(descriptor, err)
            })
        })
        .collect()
}

/// Reads messages from `input` one by one, each returned as soon as its
/// closing brace is read (for `-d @-` on a live pipe). Errors say where in
/// the whole input, as [`parse_messages`]'s do: each value's text is kept
/// until it is read as the message.
pub struct JsonMessages<R: Read> {
    descriptor: MessageDescriptor,
    origin: String,
    values:
        serde_json::StreamDeserializer<'static, serde_json::de::IoRead<Recorded<R>>, IgnoredAny>,
    /// The bytes read and not yet taken as a value's text.
    recorded: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    /// Where the last value ended: its byte offset, and its line and column.
    end: usize,
    position: (usize, usize),
}

/// A reader that keeps a copy of what it reads.
pub struct Recorded<R> {
    inner: R,
    copy: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl<R: Read> Read for Recorded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut copy) = self.copy.lock() {
            copy.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }
}

impl<R: Read> JsonMessages<R> {
    pub fn new(descriptor: MessageDescriptor, origin: &str, input: R) -> Self {
        let recorded = std::sync::Arc::default();
        let reader = Recorded {
            inner: input,
            copy: std::sync::Arc::clone(&recorded),
        };
        Self {
            descriptor,
            origin: origin.to_owned(),
            values: serde_json::Deserializer::from_reader(reader).into_iter(),
            recorded,
            end: 0,
            position: (1, 1),
        }
    }
}

impl<R: Read> Iterator for JsonMessages<R> {
    type Item = anyhow::Result<DynamicMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Err(err) = self.values.next()? {
            // serde_json's own position is already in the whole input.
            return Some(Err(positioned(&self.origin, &err, (1, 1))));
        }
        let end = self.values.byte_offset();
        // This value's text (and the blank before it): the first `end -
        // self.end` bytes kept; what was read past it stays for the next.
        let text: Vec<u8> = match self.recorded.lock() {
            Ok(mut recorded) => {
                let len = (end - self.end).min(recorded.len());
                recorded.drain(..len).collect()
            }
            Err(_) => Vec::new(),
        };
        let text = String::from_utf8_lossy(&text);
        let start = self.position;
        self.end = end;
        let (lines, column) = line_and_column(&text, text.len());
        self.position = if lines == 1 {
            (start.0, start.1 + column - 1)
        } else {
            (start.0 + lines - 1, column)
        };
        let mut deserializer = serde_json::Deserializer::from_str(&text);
        Some(
            DynamicMessage::deserialize(self.descriptor.clone(), &mut deserializer).map_err(
                |err| {
                    with_field_suggestion(&self.descriptor, positioned(&self.origin, &err, start))
                },
            ),
        )
    }
}

/// An unknown field named with the closest field name of the request's
/// messages (its own and those nested in it): "did you mean word?".
fn with_field_suggestion(descriptor: &MessageDescriptor, err: anyhow::Error) -> anyhow::Error {
    const UNKNOWN: &str = "unrecognized field name '";
    let text = err.to_string();
    let Some(name) = text
        .split_once(UNKNOWN)
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(name, _)| name.to_owned())
    else {
        return err;
    };
    let mut known = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut pending = vec![descriptor.clone()];
    while let Some(message) = pending.pop() {
        if !seen.insert(message.full_name().to_owned()) {
            continue;
        }
        for field in message.fields() {
            known.push(field.json_name().to_owned());
            if let prost_reflect::Kind::Message(inner) = field.kind() {
                pending.push(inner);
            }
        }
    }
    let hint = super::lookup::suggestion(&name, &known);
    if hint.is_empty() {
        err
    } else {
        anyhow::anyhow!("{text}{hint}")
    }
}

/// The 1-based line and column of byte `offset` of `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = match before.rfind('\n') {
        Some(newline) => offset - newline,
        None => offset + 1,
    };
    (line, column)
}

/// serde_json's error as `invalid request in ORIGIN:LINE:COLUMN: why`, its
/// position shifted by where the parsed piece started.
fn positioned(origin: &str, err: &serde_json::Error, start: (usize, usize)) -> anyhow::Error {
    if err.line() == 0 {
        return anyhow::anyhow!("invalid request in {origin}: {err}");
    }
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    let line = start.0 + err.line() - 1;
    let column = if err.line() == 1 {
        start.1 + err.column() - 1
    } else {
        err.column()
    };
    anyhow::anyhow!("invalid request in {origin}:{line}:{column}: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor() -> MessageDescriptor {
        crate::proto::message_descriptor::<crate::proto::MessageRequest>()
    }

    #[test]
    fn messages_may_be_concatenated_or_one_per_line() {
        let text = "{\"data\":\"a\"}{\"data\":\"b\"}\n\n{\"msgIndex\":3}\n";
        let messages = parse_messages(&descriptor(), "-d", text).expect("three");
        assert_eq!(messages.len(), 3);
        assert!(parse_messages(&descriptor(), "-d", "  \n")
            .expect("none")
            .is_empty());
    }

    #[test]
    fn errors_name_the_line_and_column_in_the_whole_text() {
        let text = "{\"data\":\"a\"}\n{\"data\":\"b\",\n \"nope\":1}";
        let err = parse_messages(&descriptor(), "x.json", text).expect_err("unknown field");
        assert!(
            err.to_string().starts_with("invalid request in x.json:3:"),
            "{err}"
        );
        let err = parse_messages(&descriptor(), "-d", "{\"data\":}").expect_err("syntax");
        assert!(
            err.to_string().starts_with("invalid request in -d:1:9: "),
            "{err}"
        );
    }

    #[test]
    fn a_stream_says_where_a_message_is_wrong_as_a_whole_text_does() {
        let text = "{\"data\":\"a\"}\n  {\"data\":\"b\"} {\"data\":\"c\",\n \"nope\":1}";
        let streamed: Vec<String> = JsonMessages::new(descriptor(), "<stdin>", text.as_bytes())
            .filter_map(Result::err)
            .map(|err| err.to_string())
            .collect();
        let whole = parse_messages(&descriptor(), "<stdin>", text)
            .expect_err("unknown field")
            .to_string();
        assert_eq!(streamed, std::slice::from_ref(&whole));
        assert!(
            whole.starts_with("invalid request in <stdin>:3:"),
            "{whole}"
        );
        // A syntax error past the first line, too.
        let streamed: Vec<String> =
            JsonMessages::new(descriptor(), "<stdin>", "{}\n{}\n{\"data\":}".as_bytes())
                .filter_map(Result::err)
                .map(|err| err.to_string())
                .collect();
        assert_eq!(streamed.len(), 1);
        assert!(
            streamed[0].starts_with("invalid request in <stdin>:3:9: "),
            "{streamed:?}"
        );
    }

    #[test]
    fn a_stream_yields_each_message() {
        let input = "{\"data\":\"a\"}\n{\"data\":\"b\"}".as_bytes();
        let messages: Vec<_> = JsonMessages::new(descriptor(), "<stdin>", input).collect();
        assert_eq!(messages.len(), 2);
        assert!(messages.iter().all(Result::is_ok));
    }
}
