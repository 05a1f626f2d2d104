//! `describe`: a service, method, message or enum written back as .proto
//! source (fields with their types and numbers, `map<…>`, `oneof`,
//! `optional`, `stream`).

use std::fmt::Write as _;

use prost_reflect::{
    EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor, MethodDescriptor, ServiceDescriptor,
};

use super::lookup::Symbol;

/// The .proto source of `symbol`, ending with a newline.
pub fn describe(symbol: &Symbol) -> String {
    let mut out = String::new();
    match symbol {
        Symbol::Service(service) => service_source(&mut out, service),
        Symbol::Method(method) => {
            let _ = writeln!(out, "{}", rpc_line(method));
        }
        Symbol::Message(message) => message_source(&mut out, message, 0),
        Symbol::Enum(enumeration) => enum_source(&mut out, enumeration, 0),
    }
    out
}

fn service_source(out: &mut String, service: &ServiceDescriptor) {
    let _ = writeln!(out, "// {}", service.full_name());
    let _ = writeln!(out, "service {} {{", service.name());
    for method in service.methods() {
        let _ = writeln!(out, "  {}", rpc_line(&method));
    }
    out.push_str("}\n");
}

fn rpc_line(method: &MethodDescriptor) -> String {
    let stream = |yes: bool| if yes { "stream " } else { "" };
    format!(
        "rpc {}({}.{}) returns ({}.{});",
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
    let _ = writeln!(out, "{pad}message {} {{", message.name());
    let mut oneofs_done = Vec::new();
    for field in message.fields() {
        match field.containing_oneof() {
            Some(oneof) if !oneof.is_synthetic() => {
                if oneofs_done.contains(&oneof.name().to_owned()) {
                    continue;
                }
                oneofs_done.push(oneof.name().to_owned());
                let _ = writeln!(out, "{pad}  oneof {} {{", oneof.name());
                for member in oneof.fields() {
                    let _ = writeln!(out, "{pad}    {}", field_line(&member));
                }
                let _ = writeln!(out, "{pad}  }}");
            }
            _ => {
                let _ = writeln!(out, "{pad}  {}", field_line(&field));
            }
        }
    }
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
    format!("{type_name} {} = {};", field.name(), field.number())
}

fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Message(message) => message.full_name().to_owned(),
        Kind::Enum(enumeration) => enumeration.full_name().to_owned(),
        scalar => format!("{scalar:?}").to_lowercase(),
    }
}

fn enum_source(out: &mut String, enumeration: &EnumDescriptor, depth: usize) {
    let pad = "  ".repeat(depth);
    if depth == 0 {
        let _ = writeln!(out, "// {}", enumeration.full_name());
    }
    let _ = writeln!(out, "{pad}enum {} {{", enumeration.name());
    for value in enumeration.values() {
        let _ = writeln!(out, "{pad}  {} = {};", value.name(), value.number());
    }
    let _ = writeln!(out, "{pad}}}");
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
