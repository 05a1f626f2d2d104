//! One protobuf message's bytes, field by field, named from the schema
//! (prost-reflect) where it has the field: the tag's number and wire type,
//! then the value as that field's type reads it (varint, zigzag, fixed,
//! strings, nested messages, packed repeated). What the schema does not
//! know is shown as unknown; bytes that do not parse end the list with
//! the reason, never a panic.

use prost_reflect::{Kind, MessageDescriptor};
use serde_json::{json, Value};

/// Nested messages deeper than this are shown as bytes.
const MAX_DEPTH: usize = 32;

/// One field as it is on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Where the field's tag starts, in the message.
    pub offset: usize,
    pub number: u64,
    /// From the schema; `None`: unknown.
    pub name: Option<String>,
    pub wire_type: u8,
    /// The bytes shown on the field's line: the whole field, except for a
    /// nested message (tag and length only: its fields follow).
    pub bytes: Vec<u8>,
    pub value: FieldValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A number, bool, enum, string or bytes: shown as `text`, `json` for
    /// `--explain=json`.
    Scalar { text: String, json: Value },
    /// A nested message, its own fields under it.
    Message {
        type_name: String,
        length: usize,
        fields: Vec<Field>,
    },
    /// Packed repeated numbers.
    Packed { length: usize, values: Vec<Value> },
}

/// The fields of `bytes`, read as `descriptor` (or with no schema), and
/// the reason the rest could not be read, if any.
pub fn annotate(
    bytes: &[u8],
    descriptor: Option<&MessageDescriptor>,
) -> (Vec<Field>, Option<String>) {
    annotate_at(bytes, descriptor, 0, &std::cell::Cell::new(MAX_FIELDS))
}

/// Fields annotated per message, nested ones included: a message of a few
/// megabytes of two-byte fields would otherwise be millions of lines.
const MAX_FIELDS: usize = 10_000;

fn annotate_at(
    bytes: &[u8],
    descriptor: Option<&MessageDescriptor>,
    depth: usize,
    budget: &std::cell::Cell<usize>,
) -> (Vec<Field>, Option<String>) {
    let mut fields = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        if budget.get() == 0 {
            return (
                fields,
                Some(format!(
                    "{} more bytes not annotated (over {MAX_FIELDS} fields)",
                    bytes.len() - offset
                )),
            );
        }
        budget.set(budget.get() - 1);
        match read_field(bytes, offset, descriptor, depth, budget) {
            Ok((field, next)) => {
                fields.push(field);
                offset = next;
            }
            Err(reason) => {
                return (
                    fields,
                    Some(format!("malformed at byte {offset}: {reason}")),
                )
            }
        }
    }
    (fields, None)
}

/// A varint at `offset`: its value and the offset after it.
pub fn read_varint(bytes: &[u8], offset: usize) -> Result<(u64, usize), String> {
    let mut value: u64 = 0;
    for index in 0..10 {
        let Some(&byte) = bytes.get(offset + index) else {
            return Err("varint runs past the end".into());
        };
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Ok((value, offset + index + 1));
        }
    }
    Err("varint longer than 10 bytes".into())
}

pub fn wire_type_name(wire_type: u8) -> &'static str {
    match wire_type {
        0 => "VARINT",
        1 => "I64",
        2 => "LEN",
        3 => "SGROUP",
        4 => "EGROUP",
        5 => "I32",
        _ => "invalid",
    }
}

/// The name of a wire type, as the protobuf encoding guide spells it.
pub fn wire_type_label(wire_type: u8) -> String {
    format!("{wire_type} ({})", wire_type_name(wire_type))
}

fn read_field(
    bytes: &[u8],
    offset: usize,
    descriptor: Option<&MessageDescriptor>,
    depth: usize,
    budget: &std::cell::Cell<usize>,
) -> Result<(Field, usize), String> {
    let (tag, after_tag) = read_varint(bytes, offset)?;
    let number = tag >> 3;
    let wire_type = (tag & 0x7) as u8;
    if number == 0 {
        return Err("field number 0".into());
    }
    let field = descriptor.and_then(|message| {
        u32::try_from(number)
            .ok()
            .and_then(|number| message.get_field(number))
    });
    let name = field.as_ref().map(|field| field.name().to_owned());
    // The schema's kind, if the wire type is the one it expects (a field
    // sent with another wire type is shown as the wire type reads).
    let kind = field.as_ref().map(|field| field.kind());
    let scalar = |text: String, json: Value| FieldValue::Scalar { text, json };
    let (value, end, shown_end) = match wire_type {
        0 => {
            let (raw, end) = read_varint(bytes, after_tag)?;
            let (text, json) = varint_value(raw, kind.as_ref());
            (scalar(text, json), end, end)
        }
        1 => {
            let end = after_tag + 8;
            let slice = bytes
                .get(after_tag..end)
                .ok_or("fixed64 runs past the end")?;
            let raw = u64::from_le_bytes(slice.try_into().map_err(|_| "fixed64")?);
            let (text, json) = fixed64_value(raw, kind.as_ref());
            (scalar(text, json), end, end)
        }
        5 => {
            let end = after_tag + 4;
            let slice = bytes
                .get(after_tag..end)
                .ok_or("fixed32 runs past the end")?;
            let raw = u32::from_le_bytes(slice.try_into().map_err(|_| "fixed32")?);
            let (text, json) = fixed32_value(raw, kind.as_ref());
            (scalar(text, json), end, end)
        }
        2 => {
            let (length, start) = read_varint(bytes, after_tag)?;
            let length = usize::try_from(length).map_err(|_| "length too large")?;
            let end = start
                .checked_add(length)
                .filter(|end| *end <= bytes.len())
                .ok_or_else(|| {
                    format!(
                        "length {length} runs past the end ({} bytes left)",
                        bytes.len() - start
                    )
                })?;
            let payload = &bytes[start..end];
            match kind {
                Some(Kind::Message(nested)) if depth < MAX_DEPTH => {
                    let (fields, error) = annotate_at(payload, Some(&nested), depth + 1, budget);
                    if let Some(error) = error {
                        return Err(format!("in field {number}: {error}"));
                    }
                    let value = FieldValue::Message {
                        type_name: nested.full_name().to_owned(),
                        length,
                        fields,
                    };
                    (value, end, start)
                }
                Some(kind) if field.as_ref().is_some_and(|f| f.is_list()) && is_packable(&kind) => {
                    let values = packed_values(payload, &kind)?;
                    (FieldValue::Packed { length, values }, end, end)
                }
                Some(Kind::String) => {
                    let text = String::from_utf8_lossy(payload);
                    (
                        scalar(
                            format!("{}: {text:?}", super::render::plural(length, "byte")),
                            json!(text),
                        ),
                        end,
                        end,
                    )
                }
                Some(Kind::Bytes) => (
                    scalar(super::render::plural(length, "byte"), json!(hex(payload))),
                    end,
                    end,
                ),
                // Unknown: printable UTF-8 is shown as text.
                _ => match std::str::from_utf8(payload) {
                    Ok(text) if !text.chars().any(char::is_control) => (
                        scalar(
                            format!("{}: {text:?}", super::render::plural(length, "byte")),
                            json!(text),
                        ),
                        end,
                        end,
                    ),
                    _ => (
                        scalar(super::render::plural(length, "byte"), json!(hex(payload))),
                        end,
                        end,
                    ),
                },
            }
        }
        3 | 4 => return Err("groups (wire types 3 and 4) are not shown".into()),
        other => return Err(format!("invalid wire type {other}")),
    };
    Ok((
        Field {
            offset,
            number,
            name,
            wire_type,
            bytes: bytes[offset..shown_end].to_vec(),
            value,
        },
        end,
    ))
}

fn is_packable(kind: &Kind) -> bool {
    !matches!(kind, Kind::String | Kind::Bytes | Kind::Message(_))
}

fn packed_values(mut payload: &[u8], kind: &Kind) -> Result<Vec<Value>, String> {
    let mut values = Vec::new();
    while !payload.is_empty() {
        let (json, used) = match kind {
            Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => {
                let slice = payload.get(..8).ok_or("packed fixed64 runs past the end")?;
                let raw = u64::from_le_bytes(slice.try_into().map_err(|_| "fixed64")?);
                (fixed64_value(raw, Some(kind)).1, 8)
            }
            Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => {
                let slice = payload.get(..4).ok_or("packed fixed32 runs past the end")?;
                let raw = u32::from_le_bytes(slice.try_into().map_err(|_| "fixed32")?);
                (fixed32_value(raw, Some(kind)).1, 4)
            }
            _ => {
                let (raw, used) = read_varint(payload, 0)?;
                (varint_value(raw, Some(kind)).1, used)
            }
        };
        values.push(json);
        payload = &payload[used..];
    }
    Ok(values)
}

fn zigzag(raw: u64) -> i64 {
    ((raw >> 1) as i64) ^ -((raw & 1) as i64)
}

/// A varint as the field's type reads it: text and JSON.
fn varint_value(raw: u64, kind: Option<&Kind>) -> (String, Value) {
    match kind {
        Some(Kind::Sint32 | Kind::Sint64) => {
            let value = zigzag(raw);
            (format!("{value} (zigzag {raw})"), json!(value))
        }
        Some(Kind::Int32) => {
            let value = raw as i32;
            (value.to_string(), json!(value))
        }
        Some(Kind::Int64) => {
            let value = raw as i64;
            (value.to_string(), json!(value))
        }
        Some(Kind::Uint32) => {
            let value = raw as u32;
            (value.to_string(), json!(value))
        }
        Some(Kind::Bool) => {
            let value = raw != 0;
            (value.to_string(), json!(value))
        }
        Some(Kind::Enum(descriptor)) => {
            let number = raw as i32;
            match descriptor.get_value(number) {
                Some(value) => (format!("{number} ({})", value.name()), json!(value.name())),
                None => (format!("{number} (not in the enum)"), json!(number)),
            }
        }
        _ => (raw.to_string(), json!(raw)),
    }
}

fn fixed64_value(raw: u64, kind: Option<&Kind>) -> (String, Value) {
    match kind {
        Some(Kind::Double) => {
            let value = f64::from_bits(raw);
            (value.to_string(), json!(value))
        }
        Some(Kind::Sfixed64) => {
            let value = raw as i64;
            (value.to_string(), json!(value))
        }
        _ => (raw.to_string(), json!(raw)),
    }
}

fn fixed32_value(raw: u32, kind: Option<&Kind>) -> (String, Value) {
    match kind {
        Some(Kind::Float) => {
            let value = f32::from_bits(raw);
            (value.to_string(), json!(value))
        }
        Some(Kind::Sfixed32) => {
            let value = raw as i32;
            (value.to_string(), json!(value))
        }
        _ => (raw.to_string(), json!(raw)),
    }
}

/// Lower-case hex without spaces (JSON).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{message_descriptor, HelloRequest, Quote, Summary};

    fn scalar_text(field: &Field) -> &str {
        match &field.value {
            FieldValue::Scalar { text, .. } => text,
            other => panic!("not a scalar: {other:?}"),
        }
    }

    #[test]
    fn a_string_field_is_named_and_spelled_out() {
        let bytes = b"\x0a\x09zhangjian";
        let (fields, error) = annotate(bytes, Some(&message_descriptor::<HelloRequest>()));
        assert_eq!(error, None);
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].name.as_deref(), Some("name"));
        assert_eq!(fields[0].wire_type, 2);
        assert_eq!(fields[0].bytes, bytes);
        assert_eq!(scalar_text(&fields[0]), "9 bytes: \"zhangjian\"");
    }

    #[test]
    fn varints_doubles_and_unknown_fields() {
        // seq = 300, price = 1.5, then field 9 (not in Quote) = 7.
        let mut bytes = vec![0x10, 0xac, 0x02, 0x19];
        bytes.extend_from_slice(&1.5f64.to_le_bytes());
        bytes.extend_from_slice(&[0x48, 0x07]);
        let (fields, error) = annotate(&bytes, Some(&message_descriptor::<Quote>()));
        assert_eq!(error, None);
        assert_eq!(scalar_text(&fields[0]), "300");
        assert_eq!(fields[1].wire_type, 1);
        assert_eq!(scalar_text(&fields[1]), "1.5");
        assert_eq!(fields[2].name, None);
        assert_eq!(scalar_text(&fields[2]), "7");
    }

    #[test]
    fn zigzag_reads_signed_varints() {
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(1), -1);
        assert_eq!(zigzag(3), -2);
        assert_eq!(zigzag(4), 2);
        assert_eq!(varint_value(3, Some(&Kind::Sint32)).0, "-2 (zigzag 3)");
    }

    #[test]
    fn a_repeated_string_is_one_field_per_element() {
        let bytes = b"\x2a\x01a\x2a\x01b";
        let (fields, error) = annotate(bytes, Some(&message_descriptor::<Summary>()));
        assert_eq!(error, None);
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[1].name.as_deref(), Some("devices"));
    }

    /// A schema with what proto/ does not use: sint, packed, nested,
    /// fixed32, float, bytes.
    fn kitchen_sink() -> MessageDescriptor {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("sink.proto"),
            r#"syntax = "proto3";
package t;
message Inner { string label = 1; }
message Sink {
  sint32 delta = 1;
  repeated int32 values = 2;
  Inner inner = 3;
  fixed32 id = 4;
  float ratio = 5;
  bytes raw = 6;
  repeated Inner items = 7;
}"#,
        )
        .expect("write proto");
        let mut compiler = protox::Compiler::new([dir.path()]).expect("compiler");
        compiler.open_file("sink.proto").expect("compile");
        compiler
            .descriptor_pool()
            .get_message_by_name("t.Sink")
            .expect("t.Sink")
    }

    #[test]
    fn zigzag_packed_nested_fixed32_float_and_bytes() {
        let mut bytes = vec![0x08, 0x03]; // delta = -2
        bytes.extend_from_slice(&[0x12, 0x02, 0x01, 0x02]); // values = [1, 2], packed
        bytes.extend_from_slice(&[0x1a, 0x03, 0x0a, 0x01, b'x']); // inner { label: "x" }
        bytes.push(0x25);
        bytes.extend_from_slice(&7u32.to_le_bytes()); // id = 7
        bytes.push(0x2d);
        bytes.extend_from_slice(&0.5f32.to_le_bytes()); // ratio = 0.5
        bytes.extend_from_slice(&[0x32, 0x02, 0xde, 0xad]); // raw
        let (fields, error) = annotate(&bytes, Some(&kitchen_sink()));
        assert_eq!(error, None, "{fields:#?}");
        assert_eq!(scalar_text(&fields[0]), "-2 (zigzag 3)");
        assert_eq!(
            fields[1].value,
            FieldValue::Packed {
                length: 2,
                values: vec![json!(1), json!(2)]
            }
        );
        match &fields[2].value {
            FieldValue::Message {
                type_name, fields, ..
            } => {
                assert_eq!(type_name, "t.Inner");
                assert_eq!(fields[0].name.as_deref(), Some("label"));
                assert_eq!(scalar_text(&fields[0]), "1 byte: \"x\"");
            }
            other => panic!("not nested: {other:?}"),
        }
        // The nested message's line shows its tag and length only.
        assert_eq!(fields[2].bytes, [0x1a, 0x03]);
        assert_eq!(scalar_text(&fields[3]), "7");
        assert_eq!(fields[3].wire_type, 5);
        assert_eq!(scalar_text(&fields[4]), "0.5");
        assert_eq!(scalar_text(&fields[5]), "2 bytes");
        // A nested message that does not parse makes the whole one malformed.
        let (_, error) = annotate(&[0x1a, 0x02, 0x0a, 0x05], Some(&kitchen_sink()));
        assert!(error.is_some_and(|error| error.contains("in field 3")));
    }

    #[test]
    fn a_message_of_many_tiny_fields_is_annotated_up_to_a_bound() {
        // 100,000 unknown varint fields of two bytes each.
        let bytes: Vec<u8> = std::iter::repeat_n([0x08u8, 0x01], 100_000)
            .flatten()
            .collect();
        let (fields, rest) = annotate(&bytes, None);
        assert_eq!(fields.len(), MAX_FIELDS);
        assert_eq!(
            rest.as_deref(),
            Some("180000 more bytes not annotated (over 10000 fields)")
        );
    }

    #[test]
    fn malformed_bytes_are_said_and_never_panic() {
        let descriptor = message_descriptor::<HelloRequest>();
        // A bad varint (never ends), a length past the end, a truncated
        // fixed64, a field number 0, an invalid wire type.
        for (bytes, said) in [
            (&[0x08, 0xff, 0xff][..], "varint runs past the end"),
            (
                &[
                    0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                ][..],
                "longer than 10 bytes",
            ),
            (&[0x0a, 0x09, b'z'][..], "length 9 runs past the end"),
            (&[0x09, 0x01][..], "fixed64 runs past the end"),
            (&[0x00][..], "field number 0"),
            (&[0x0f][..], "invalid wire type 7"),
        ] {
            let (_, error) = annotate(bytes, Some(&descriptor));
            let error = error.unwrap_or_else(|| panic!("{bytes:02x?} not said malformed"));
            assert!(
                error.contains("malformed") && error.contains(said),
                "{error}"
            );
        }
        // Every prefix of a valid message: no panic, either fine or malformed.
        let bytes = b"\x0a\x09zhangjian";
        for end in 0..bytes.len() {
            let _ = annotate(&bytes[..end], Some(&descriptor));
            let _ = annotate(&bytes[..end], None);
        }
    }
}
