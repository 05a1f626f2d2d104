//! What was read, as text for a reader (an arrow, the frame, its details
//! indented under it) or as one JSON object per line for tools
//! (docs/explain.md describes both).

use serde_json::{json, Map, Value};

use super::{
    frames::PREFACE,
    protobuf::{self, Field, FieldValue},
    Direction,
};

/// `--explain`'s format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ExplainFormat {
    #[default]
    Text,
    Json,
}

/// A field's bytes shown on its line at most (then `…`).
const HEX_SHOWN: usize = 24;

/// One thing to print: a frame (or the preface), or a note.
#[derive(Debug)]
pub struct Event {
    direction: Option<Direction>,
    kind: String,
    stream: u32,
    length: usize,
    flags: Vec<&'static str>,
    detail: Detail,
}

#[derive(Debug)]
pub enum Detail {
    None,
    Note(String),
    Preface,
    Malformed(String),
    Settings(Vec<(String, u32)>),
    WindowUpdate(u32),
    Ping(String),
    Reset(u32),
    GoAway {
        last_stream: u32,
        code: u32,
        debug: String,
    },
    /// HEADERS without END_HEADERS: the block goes on in CONTINUATION.
    Continued,
    Headers {
        headers: Vec<(String, String)>,
        hpack_bytes: usize,
        text_bytes: usize,
        /// "trailers" or "trailers-only".
        role: Option<&'static str>,
    },
    Data {
        messages: Vec<MessageView>,
        /// A message begun, not finished: (bytes so far, announced length).
        partial: Option<(usize, u32)>,
    },
}

/// One gRPC message as shown.
#[derive(Debug)]
pub struct MessageView {
    pub prefix: [u8; 5],
    pub compressed: bool,
    pub length: u32,
    pub type_name: Option<String>,
    /// The `grpc-encoding` a compressed message was opened with.
    pub encoding: Option<String>,
    pub opened_length: Option<usize>,
    pub fields: Vec<Field>,
    /// Why (part of) the message is not annotated.
    pub note: Option<String>,
}

impl Event {
    pub fn new(
        direction: Direction,
        kind: &str,
        stream: u32,
        length: usize,
        flags: Vec<&'static str>,
        detail: Detail,
    ) -> Self {
        Self {
            direction: Some(direction),
            kind: kind.to_owned(),
            stream,
            length,
            flags,
            detail,
        }
    }

    pub fn note(text: String) -> Self {
        Self {
            direction: None,
            kind: "note".to_owned(),
            stream: 0,
            length: 0,
            flags: Vec::new(),
            detail: Detail::Note(text),
        }
    }
}

/// The event's line(s), each ending in a newline.
pub fn render(event: &Event, format: super::ExplainFormat) -> String {
    match format {
        ExplainFormat::Text => text(event),
        ExplainFormat::Json => {
            let mut line = json_of(event).to_string();
            line.push('\n');
            line
        }
    }
}

fn arrow(direction: Option<Direction>) -> &'static str {
    match direction {
        Some(Direction::Send) => "→",
        Some(Direction::Receive) => "←",
        None => "*",
    }
}

/// What a gRPC header's value means, where the value alone does not say
/// it to a learner (text only: JSON keeps the values as sent).
fn gloss(name: &str, value: &str) -> Option<String> {
    match name {
        "grpc-status" => {
            let code = value.parse::<i32>().ok()?;
            let known = (0..=16).contains(&code);
            Some(if known {
                crate::status::code_name(tonic::Code::from_i32(code)).to_owned()
            } else {
                "not a gRPC status code".to_owned()
            })
        }
        "grpc-timeout" => {
            // Digits, then the unit: Hours, Minutes, Seconds, milli, micro, nano.
            // Split by characters: a hostile value need not be ASCII.
            let unit_char = value.chars().last()?;
            let (amount, unit) = value.split_at(value.len() - unit_char.len_utf8());
            let amount: u64 = amount.parse().ok()?;
            let nanos_per: u64 = match unit {
                "H" => 3_600_000_000_000,
                "M" => 60_000_000_000,
                "S" => 1_000_000_000,
                "m" => 1_000_000,
                "u" => 1_000,
                "n" => 1,
                _ => return None,
            };
            let left = std::time::Duration::from_nanos(amount.checked_mul(nanos_per)?);
            Some(format!(
                "the deadline: {} left",
                humantime::format_duration(left)
            ))
        }
        "grpc-message" => {
            let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
            (decoded != value).then(|| format!("{decoded:?} (percent-encoded)"))
        }
        _ => None,
    }
}

/// `1 byte`, `2 bytes`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `0a 09 7a …`: at most [`HEX_SHOWN`] bytes.
fn spaced_hex(bytes: &[u8]) -> String {
    let shown: Vec<String> = bytes
        .iter()
        .take(HEX_SHOWN)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let mut text = shown.join(" ");
    if bytes.len() > HEX_SHOWN {
        text.push_str(" …");
    }
    text
}

fn text(event: &Event) -> String {
    let arrow = arrow(event.direction);
    let mut head = format!("{arrow} {}", event.kind);
    match &event.detail {
        Detail::Note(text) => return format!("{arrow} {text}\n"),
        Detail::Preface => {
            let shown = String::from_utf8_lossy(&PREFACE[..14]);
            return format!("{arrow} preface {shown} ({} bytes)\n", PREFACE.len());
        }
        _ => {}
    }
    if event.stream != 0 {
        head.push_str(&format!(" stream {}", event.stream));
    }
    for flag in &event.flags {
        head.push_str(&format!(", {flag}"));
    }
    head.push_str(&format!(", {}", plural(event.length, "byte")));
    let mut body = String::new();
    match &event.detail {
        Detail::None | Detail::Note(_) | Detail::Preface => {}
        Detail::Malformed(reason) => body.push_str(&format!("    {reason}\n")),
        Detail::Settings(settings) => {
            if !settings.is_empty() {
                let pairs: Vec<String> = settings
                    .iter()
                    .map(|(name, value)| format!("{name}={value}"))
                    .collect();
                head.push_str(&format!(": {}", pairs.join(" ")));
            }
        }
        Detail::WindowUpdate(increment) => head.push_str(&format!(": +{increment}")),
        Detail::Ping(opaque) => head.push_str(&format!(": {opaque}")),
        Detail::Reset(code) => head.push_str(&format!(": {}", super::frames::error_name(*code))),
        Detail::GoAway {
            last_stream,
            code,
            debug,
        } => {
            head.push_str(&format!(
                ": last stream {last_stream}, {}",
                super::frames::error_name(*code)
            ));
            if !debug.is_empty() {
                head.push_str(&format!(", {debug:?}"));
            }
        }
        Detail::Continued => head.push_str(" (the header block goes on in CONTINUATION)"),
        Detail::Headers {
            headers,
            hpack_bytes,
            text_bytes,
            role,
        } => {
            let role = role.map(|role| format!("{role}; ")).unwrap_or_default();
            head.push_str(&format!(
                " ({role}HPACK: {}, {text_bytes} bytes as text → {hpack_bytes} bytes)",
                plural(headers.len(), "header field")
            ));
            for (name, value) in headers {
                match gloss(name, value) {
                    Some(gloss) => body.push_str(&format!("    {name}: {value}   # {gloss}\n")),
                    None => body.push_str(&format!("    {name}: {value}\n")),
                }
            }
        }
        Detail::Data { messages, partial } => {
            for message in messages {
                message_text(message, &mut body);
            }
            if let Some((so_far, length)) = partial {
                body.push_str(&format!(
                    "    (a gRPC message goes on in the next DATA frame: {so_far} of {length} bytes so far)\n"
                ));
            }
        }
    }
    format!("{head}\n{body}")
}

fn message_text(message: &MessageView, out: &mut String) {
    let mut line = format!(
        "    {}   gRPC message: compressed={}, length={}",
        spaced_hex(&message.prefix),
        u8::from(message.compressed),
        message.length
    );
    if let Some(encoding) = &message.encoding {
        line.push_str(&format!(" ({encoding}"));
        if let Some(opened) = message.opened_length {
            line.push_str(&format!(", {opened} bytes opened"));
        }
        line.push(')');
    }
    if let Some(type_name) = &message.type_name {
        line.push_str(&format!(", {type_name}"));
    }
    out.push_str(&line);
    out.push('\n');
    fields_text(&message.fields, 6, out);
    if message.fields.is_empty() && message.note.is_none() {
        out.push_str(
            "      (no fields: each is at its default value, which proto3 does not send)\n",
        );
    }
    if let Some(note) = &message.note {
        out.push_str(&format!("      {note}\n"));
    }
}

fn fields_text(fields: &[Field], indent: usize, out: &mut String) {
    for field in fields {
        let name = field.name.as_deref().unwrap_or("unknown");
        let mut line = format!(
            "{:indent$}{}   field {} ({name}), wire type {}",
            "",
            spaced_hex(&field.bytes),
            field.number,
            protobuf::wire_type_label(field.wire_type),
        );
        match &field.value {
            FieldValue::Scalar { text, .. } if field.wire_type == 2 => {
                line.push_str(&format!(", {text}"));
            }
            FieldValue::Scalar { text, .. } => line.push_str(&format!(": {text}")),
            FieldValue::Message {
                type_name, length, ..
            } => line.push_str(&format!(", {}: {type_name}", plural(*length, "byte"))),
            FieldValue::Packed { length, values } => {
                let values: Vec<String> = values.iter().map(Value::to_string).collect();
                line.push_str(&format!(
                    ", {}, packed: [{}]",
                    plural(*length, "byte"),
                    values.join(", ")
                ));
            }
        }
        out.push_str(&line);
        out.push('\n');
        if let FieldValue::Message { fields, .. } = &field.value {
            fields_text(fields, indent + 2, out);
        }
    }
}

fn json_of(event: &Event) -> Value {
    let mut object = Map::new();
    if let Some(direction) = event.direction {
        let direction = match direction {
            Direction::Send => "send",
            Direction::Receive => "receive",
        };
        object.insert("dir".into(), json!(direction));
    }
    object.insert("type".into(), json!(event.kind));
    if event.direction.is_some() && !matches!(event.detail, Detail::Preface) {
        object.insert("stream".into(), json!(event.stream));
        object.insert("flags".into(), json!(event.flags));
        object.insert("length".into(), json!(event.length));
    }
    match &event.detail {
        Detail::None | Detail::Continued => {}
        Detail::Note(text) => {
            object.insert("text".into(), json!(text));
        }
        Detail::Preface => {
            object.insert("length".into(), json!(PREFACE.len()));
        }
        Detail::Malformed(reason) => {
            object.insert("malformed".into(), json!(reason));
        }
        Detail::Settings(settings) => {
            let settings: Map<String, Value> = settings
                .iter()
                .map(|(name, value)| (name.clone(), json!(value)))
                .collect();
            object.insert("settings".into(), Value::Object(settings));
        }
        Detail::WindowUpdate(increment) => {
            object.insert("increment".into(), json!(increment));
        }
        Detail::Ping(opaque) => {
            object.insert("opaque".into(), json!(opaque));
        }
        Detail::Reset(code) => {
            object.insert("error".into(), json!(super::frames::error_name(*code)));
        }
        Detail::GoAway {
            last_stream,
            code,
            debug,
        } => {
            object.insert("last_stream".into(), json!(last_stream));
            object.insert("error".into(), json!(super::frames::error_name(*code)));
            object.insert("debug".into(), json!(debug));
        }
        Detail::Headers {
            headers,
            hpack_bytes,
            text_bytes,
            role,
        } => {
            object.insert("headers".into(), json!(headers));
            object.insert("hpack_bytes".into(), json!(hpack_bytes));
            object.insert("text_bytes".into(), json!(text_bytes));
            if let Some(role) = role {
                object.insert("role".into(), json!(role));
            }
        }
        Detail::Data { messages, partial } => {
            let messages: Vec<Value> = messages.iter().map(message_json).collect();
            object.insert("messages".into(), json!(messages));
            if let Some((so_far, length)) = partial {
                object.insert(
                    "partial".into(),
                    json!({"received": so_far, "length": length}),
                );
            }
        }
    }
    Value::Object(object)
}

fn message_json(message: &MessageView) -> Value {
    let mut object = Map::new();
    object.insert("compressed".into(), json!(message.compressed));
    object.insert("length".into(), json!(message.length));
    object.insert("prefix".into(), json!(protobuf::hex(&message.prefix)));
    if let Some(type_name) = &message.type_name {
        object.insert("message_type".into(), json!(type_name));
    }
    if let Some(encoding) = &message.encoding {
        object.insert("encoding".into(), json!(encoding));
    }
    if let Some(opened) = message.opened_length {
        object.insert("opened_length".into(), json!(opened));
    }
    object.insert("fields".into(), fields_json(&message.fields));
    if let Some(note) = &message.note {
        object.insert("note".into(), json!(note));
    }
    Value::Object(object)
}

fn fields_json(fields: &[Field]) -> Value {
    Value::Array(
        fields
            .iter()
            .map(|field| {
                let mut object = Map::new();
                object.insert("number".into(), json!(field.number));
                object.insert(
                    "name".into(),
                    json!(field.name.as_deref().unwrap_or("unknown")),
                );
                object.insert(
                    "wire_type".into(),
                    json!(protobuf::wire_type_name(field.wire_type)),
                );
                object.insert("offset".into(), json!(field.offset));
                object.insert("bytes".into(), json!(protobuf::hex(&field.bytes)));
                match &field.value {
                    FieldValue::Scalar { json, .. } => {
                        object.insert("value".into(), json.clone());
                    }
                    FieldValue::Message {
                        type_name,
                        length,
                        fields,
                    } => {
                        object.insert("message_type".into(), json!(type_name));
                        object.insert("value_length".into(), json!(length));
                        object.insert("fields".into(), fields_json(fields));
                    }
                    FieldValue::Packed { length, values } => {
                        object.insert("value_length".into(), json!(length));
                        object.insert("values".into(), json!(values));
                    }
                }
                Value::Object(object)
            })
            .collect(),
    )
}
