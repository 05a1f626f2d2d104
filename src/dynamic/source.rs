//! `describe`: a service, method, message or enum written back as .proto
//! source (fields with their types and numbers, `map<…>`, `oneof`,
//! `optional`, `stream`), with the comments of the source file when the
//! schema kept them (protoc's and protox's source info; grpcurl shows them
//! too) and the options set on each element.

use std::fmt::Write as _;

use prost_reflect::{
    DynamicMessage, EnumDescriptor, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor,
    MethodDescriptor, ServiceDescriptor, Value,
};

use super::lookup::Symbol;

/// The .proto source of `symbol`, ending with a newline.
pub fn describe(symbol: &Symbol) -> String {
    let mut out = String::new();
    match symbol {
        Symbol::Service(service) => service_source(&mut out, service),
        Symbol::Method(method) => {
            let file = method.parent_file();
            leading(&mut out, &file, method.path(), "");
            let _ = writeln!(
                out,
                "{}{}",
                rpc_line(method),
                trailing(&file, method.path())
            );
        }
        Symbol::Message(message) => message_source(&mut out, message, 0),
        Symbol::Enum(enumeration) => enum_source(&mut out, enumeration, 0),
    }
    out
}

/// `describe -o json`: the symbol's name, kind, file and .proto source,
/// and its descriptor (google.protobuf.*DescriptorProto) in proto3 JSON.
pub fn describe_json(symbol: &Symbol) -> serde_json::Value {
    use prost::Message as _;
    let (name, kind, file, type_name, bytes) = match symbol {
        Symbol::Service(service) => (
            service.full_name().to_owned(),
            "service",
            service.parent_file(),
            "ServiceDescriptorProto",
            service.service_descriptor_proto().encode_to_vec(),
        ),
        Symbol::Method(method) => (
            format!("{}.{}", method.parent_service().full_name(), method.name()),
            "method",
            method.parent_file(),
            "MethodDescriptorProto",
            method.method_descriptor_proto().encode_to_vec(),
        ),
        Symbol::Message(message) => (
            message.full_name().to_owned(),
            "message",
            message.parent_file(),
            "DescriptorProto",
            message.descriptor_proto().encode_to_vec(),
        ),
        Symbol::Enum(enumeration) => (
            enumeration.full_name().to_owned(),
            "enum",
            enumeration.parent_file(),
            "EnumDescriptorProto",
            enumeration.enum_descriptor_proto().encode_to_vec(),
        ),
    };
    // descriptor.proto is in prost-reflect's own pool of well-known types.
    let descriptor = prost_reflect::DescriptorPool::global()
        .get_message_by_name(&format!("google.protobuf.{type_name}"))
        .and_then(|descriptor| DynamicMessage::decode(descriptor, bytes.as_slice()).ok())
        .and_then(|message| serde_json::to_value(&message).ok())
        .unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "symbol": name,
        "kind": kind,
        "file": file.name(),
        "source": describe(symbol),
        "descriptor": descriptor,
    })
}

fn service_source(out: &mut String, service: &ServiceDescriptor) {
    let _ = writeln!(out, "// {}", service.full_name());
    let file = service.parent_file();
    leading(out, &file, service.path(), "");
    let _ = writeln!(out, "service {} {{", service.name());
    option_lines(out, &service.options(), "  ");
    for method in service.methods() {
        leading(out, &file, method.path(), "  ");
        let _ = writeln!(
            out,
            "  {}{}",
            rpc_line(&method),
            trailing(&file, method.path())
        );
    }
    out.push_str("}\n");
}

fn rpc_line(method: &MethodDescriptor) -> String {
    let stream = |yes: bool| if yes { "stream " } else { "" };
    let options = options_of(&method.options());
    let end = if options.is_empty() {
        ";".to_owned()
    } else {
        let body: String = options
            .iter()
            .map(|option| format!(" option {option};"))
            .collect();
        format!(" {{{body} }}")
    };
    format!(
        "rpc {}({}.{}) returns ({}.{}){end}",
        method.name(),
        stream(method.is_client_streaming()),
        method.input().full_name(),
        stream(method.is_server_streaming()),
        method.output().full_name()
    )
    .replace("(.", "(")
    .replace("stream .", "stream ")
}

fn message_source(out: &mut String, message: &MessageDescriptor, depth: usize) {
    let pad = "  ".repeat(depth);
    if depth == 0 {
        let _ = writeln!(out, "// {}", message.full_name());
    }
    let file = message.parent_file();
    leading(out, &file, message.path(), &pad);
    let _ = writeln!(out, "{pad}message {} {{", message.name());
    option_lines(out, &message.options(), &format!("{pad}  "));
    let mut oneofs_done = Vec::new();
    for field in message.fields() {
        match field.containing_oneof() {
            Some(oneof) if !oneof.is_synthetic() => {
                if oneofs_done.contains(&oneof.name().to_owned()) {
                    continue;
                }
                oneofs_done.push(oneof.name().to_owned());
                leading(out, &file, oneof.path(), &format!("{pad}  "));
                let _ = writeln!(out, "{pad}  oneof {} {{", oneof.name());
                for member in oneof.fields() {
                    leading(out, &file, member.path(), &format!("{pad}    "));
                    let _ = writeln!(
                        out,
                        "{pad}    {}{}",
                        field_line(&member),
                        trailing(&file, member.path())
                    );
                }
                let _ = writeln!(out, "{pad}  }}");
            }
            _ => {
                leading(out, &file, field.path(), &format!("{pad}  "));
                let _ = writeln!(
                    out,
                    "{pad}  {}{}",
                    field_line(&field),
                    trailing(&file, field.path())
                );
            }
        }
    }
    // Message ranges are end-exclusive; `max` is 536,870,911 (2^29 - 1).
    let ranges: Vec<String> = message
        .reserved_ranges()
        .map(|range| match range.end - range.start {
            1 => range.start.to_string(),
            _ if range.end >= 536_870_912 => format!("{} to max", range.start),
            _ => format!("{} to {}", range.start, range.end - 1),
        })
        .collect();
    reserved_lines(out, &ranges, message.reserved_names(), &pad);
    for nested in message.child_messages().filter(|m| !m.is_map_entry()) {
        message_source(out, &nested, depth + 1);
    }
    for nested in message.child_enums() {
        enum_source(out, &nested, depth + 1);
    }
    let _ = writeln!(out, "{pad}}}");
}

fn field_line(field: &FieldDescriptor) -> String {
    let type_name = if field.is_map() {
        match field.kind() {
            Kind::Message(entry) => format!(
                "map<{}, {}>",
                kind_name(&entry.map_entry_key_field().kind()),
                kind_name(&entry.map_entry_value_field().kind())
            ),
            other => kind_name(&other),
        }
    } else {
        let label = if field.is_list() {
            "repeated "
        } else if field
            .containing_oneof()
            .is_some_and(|oneof| oneof.is_synthetic())
        {
            "optional "
        } else {
            ""
        };
        format!("{label}{}", kind_name(&field.kind()))
    };
    let options = options_of(&field.options());
    let options = if options.is_empty() {
        String::new()
    } else {
        format!(" [{}]", options.join(", "))
    };
    format!(
        "{type_name} {} = {}{options};",
        field.name(),
        field.number()
    )
}

fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Message(message) => message.full_name().to_owned(),
        Kind::Enum(enumeration) => enumeration.full_name().to_owned(),
        scalar => format!("{scalar:?}").to_lowercase(),
    }
}

/// The source location of the element at `path` in `file`, if the schema
/// kept source info.
fn location<'a>(
    file: &'a FileDescriptor,
    path: &[i32],
) -> Option<&'a prost_types::source_code_info::Location> {
    file.file_descriptor_proto()
        .source_code_info
        .as_ref()?
        .location
        .iter()
        .find(|location| location.path == path)
}

/// The comments before the element at `path` (detached ones too), as
/// `//` lines indented by `pad`.
fn leading(out: &mut String, file: &FileDescriptor, path: &[i32], pad: &str) {
    let Some(location) = location(file, path) else {
        return;
    };
    for detached in &location.leading_detached_comments {
        comment_lines(out, detached, pad);
        out.push('\n');
    }
    if let Some(comment) = &location.leading_comments {
        comment_lines(out, comment, pad);
    }
}

fn comment_lines(out: &mut String, comment: &str, pad: &str) {
    for line in comment.trim_end_matches('\n').lines() {
        let line = line.trim_end();
        if line.is_empty() {
            let _ = writeln!(out, "{pad}//");
        } else {
            let _ = writeln!(out, "{pad}//{line}");
        }
    }
}

/// The comment after the element at `path` on its line, as ` // …`.
fn trailing(file: &FileDescriptor, path: &[i32]) -> String {
    location(file, path)
        .and_then(|location| location.trailing_comments.as_deref())
        .map(|comment| {
            let text = comment.split_whitespace().collect::<Vec<_>>().join(" ");
            format!(" // {text}")
        })
        .filter(|comment| comment != " // ")
        .unwrap_or_default()
}

/// `option NAME = VALUE;` lines for a service, message or enum.
fn option_lines(out: &mut String, options: &DynamicMessage, pad: &str) {
    for option in options_of(options) {
        let _ = writeln!(out, "{pad}option {option};");
    }
}

/// The options set in `options` (a google.protobuf.*Options message) as
/// `NAME = VALUE`, custom options (extensions) as `(full.name) = VALUE`.
fn options_of(options: &DynamicMessage) -> Vec<String> {
    let standard = options
        .fields()
        .map(|(field, value)| format!("{} = {}", field.name(), option_value(&field.kind(), value)));
    let custom = options.extensions().map(|(extension, value)| {
        format!(
            "({}) = {}",
            extension.full_name(),
            option_value(&extension.kind(), value)
        )
    });
    standard.chain(custom).collect()
}

fn option_value(kind: &Kind, value: &Value) -> String {
    match (kind, value) {
        (Kind::Enum(enumeration), Value::EnumNumber(number)) => enumeration
            .get_value(*number)
            .map_or_else(|| number.to_string(), |value| value.name().to_owned()),
        (_, Value::Message(message)) => format!("{{ {message} }}"),
        (_, value) => value.to_string(),
    }
}

fn enum_source(out: &mut String, enumeration: &EnumDescriptor, depth: usize) {
    let pad = "  ".repeat(depth);
    if depth == 0 {
        let _ = writeln!(out, "// {}", enumeration.full_name());
    }
    let file = enumeration.parent_file();
    leading(out, &file, enumeration.path(), &pad);
    let _ = writeln!(out, "{pad}enum {} {{", enumeration.name());
    option_lines(out, &enumeration.options(), &format!("{pad}  "));
    for value in enumeration.values() {
        leading(out, &file, value.path(), &format!("{pad}  "));
        let options = options_of(&value.options());
        let options = if options.is_empty() {
            String::new()
        } else {
            format!(" [{}]", options.join(", "))
        };
        let _ = writeln!(
            out,
            "{pad}  {} = {}{options};{}",
            value.name(),
            value.number(),
            trailing(&file, value.path())
        );
    }
    // Enum ranges are inclusive.
    let ranges: Vec<String> = enumeration
        .reserved_ranges()
        .map(|range| match (*range.start(), *range.end()) {
            (start, end) if start == end => start.to_string(),
            (start, i32::MAX) => format!("{start} to max"),
            (start, end) => format!("{start} to {end}"),
        })
        .collect();
    reserved_lines(out, &ranges, enumeration.reserved_names(), &pad);
    let _ = writeln!(out, "{pad}}}");
}

/// `reserved 2, 15, 9 to 11;` and `reserved "foo", "bar";`, as protoc's
/// syntax writes them.
fn reserved_lines<'a>(
    out: &mut String,
    ranges: &[String],
    names: impl Iterator<Item = &'a str>,
    pad: &str,
) {
    if !ranges.is_empty() {
        let _ = writeln!(out, "{pad}  reserved {};", ranges.join(", "));
    }
    let names: Vec<String> = names.map(|name| format!("{name:?}")).collect();
    if !names.is_empty() {
        let _ = writeln!(out, "{pad}  reserved {};", names.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamic::find_symbol;

    #[test]
    fn a_service_reads_as_proto_source() {
        let pool = crate::proto::descriptor_pool();
        let text = describe(&find_symbol(pool, "packages.MessageService").expect("service"));
        assert!(
            text.contains("rpc iter_message(stream packages.MessageRequest) returns (stream packages.MessageResponse);"),
            "{text}"
        );
    }

    #[test]
    fn scalar_kinds_are_proto_keywords() {
        assert_eq!(kind_name(&Kind::Int64), "int64");
        assert_eq!(kind_name(&Kind::Sfixed32), "sfixed32");
        assert_eq!(kind_name(&Kind::Bytes), "bytes");
    }
}
