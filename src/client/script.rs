//! `stream --script`: MessageRequests as proto3 JSON, one per line.

use std::{
    fmt,
    io::Read,
    path::{Path, PathBuf},
};

use anyhow::Context;
use prost_reflect::{DeserializeOptions, DynamicMessage};

use crate::proto::{self, MessageRequest};

/// Where a script comes from: a file, or stdin for `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptSource {
    Stdin,
    File(PathBuf),
    /// Given on the command line (`report -d '…'`).
    Inline(String),
}

impl ScriptSource {
    pub fn from_arg(path: &Path) -> Self {
        if path == Path::new("-") {
            Self::Stdin
        } else {
            Self::File(path.to_owned())
        }
    }

    /// grpcurl's `-d`: the text itself, `@FILE`, or `@-` for stdin.
    pub fn from_data(data: &str) -> Self {
        match data.strip_prefix('@') {
            Some(path) => Self::from_arg(Path::new(path)),
            None => Self::Inline(data.to_owned()),
        }
    }

    /// Reads the whole script; errors name the file.
    pub fn read(&self) -> anyhow::Result<String> {
        let mut bytes = Vec::new();
        match self {
            Self::Stdin => {
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .context("reading script from stdin")?;
            }
            Self::File(path) => {
                bytes = std::fs::read(path)
                    .with_context(|| format!("reading script {}", path.display()))?;
            }
            Self::Inline(text) => return Ok(text.clone()),
        }
        String::from_utf8(bytes).map_err(|err| {
            anyhow::anyhow!(
                "script {self} is not UTF-8 text (invalid byte at offset {})",
                err.utf8_error().valid_up_to()
            )
        })
    }
}

impl fmt::Display for ScriptSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stdin => f.write_str("<stdin>"),
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Inline(_) => f.write_str("-d"),
        }
    }
}

/// A line of a script that is not a MessageRequest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}:{}{message}", column.map(|c| format!("{c}: ")).unwrap_or_else(|| " ".to_owned()))]
pub struct ScriptError {
    pub source_name: String,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, where the JSON parser knows it.
    pub column: Option<usize>,
    pub message: String,
}

/// Proto3 JSON that is not the message it should be: why, and where in the
/// text (1-based line and column) when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl JsonError {
    fn from_serde(err: &serde_json::Error) -> Self {
        let text = err.to_string();
        if err.line() == 0 {
            return Self {
                position: None,
                message: text,
            };
        }
        // serde_json appends the position to its message; it is reported
        // apart, as FILE:LINE:COLUMN.
        let suffix = format!(" at line {} column {}", err.line(), err.column());
        let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
        Self {
            position: Some((err.line(), err.column())),
            message,
        }
    }
}

/// Parses one proto3-JSON object as the message `T` and converts it
/// to `T`. Enum values are accepted by name in any case (`"agent"` as well
/// as `"AGENT"`), as the CLI's `--role agent` is.
pub fn parse_json<T: prost::Name + Default>(text: &str) -> Result<T, JsonError> {
    let descriptor = proto::message_descriptor::<T>();
    let options = DeserializeOptions::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed =
        DynamicMessage::deserialize_with_options(descriptor.clone(), &mut deserializer, &options)
            .and_then(|dynamic| deserializer.end().map(|()| dynamic));
    let dynamic = match parsed {
        Ok(dynamic) => dynamic,
        Err(err) => {
            // A second chance for enum names in another case; any other
            // error is reported as the first parse found it, with its
            // position.
            let first = JsonError::from_serde(&err);
            upper_case_enums(&descriptor, text)
                .and_then(|value| {
                    DynamicMessage::deserialize_with_options(descriptor.clone(), value, &options)
                        .ok()
                })
                .ok_or(first)?
        }
    };
    dynamic.transcode_to::<T>().map_err(|err| JsonError {
        position: None,
        message: err.to_string(),
    })
}

/// The JSON object with the string values of enum fields upper-cased, or
/// `None` when there is nothing to change.
fn upper_case_enums(
    descriptor: &prost_reflect::MessageDescriptor,
    text: &str,
) -> Option<serde_json::Value> {
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = value.as_object_mut()?;
    let mut changed = false;
    for field in descriptor.fields() {
        if !matches!(field.kind(), prost_reflect::Kind::Enum(_)) {
            continue;
        }
        for key in [field.json_name(), field.name()] {
            if let Some(serde_json::Value::String(name)) = object.get_mut(key) {
                let upper = name.to_ascii_uppercase();
                if upper != *name {
                    *name = upper;
                    changed = true;
                }
            }
        }
    }
    changed.then_some(value)
}

/// Parses line `line` (1-based) of a script as a MessageRequest.
pub fn parse_script_line(
    source_name: &str,
    line: usize,
    text: &str,
) -> Result<MessageRequest, ScriptError> {
    parse_json(text).map_err(|err| ScriptError {
        source_name: source_name.to_owned(),
        line,
        column: err.position.map(|(_, column)| column),
        message: err.message,
    })
}

/// Parses every non-blank line as a proto3-JSON MessageRequest. Fails on the
/// first bad line, so nothing is sent from a broken script.
pub fn parse_script(source_name: &str, text: &str) -> Result<Vec<MessageRequest>, ScriptError> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| parse_script_line(source_name, index + 1, line))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{MsgType, Role};

    #[test]
    fn good_lines_parse_with_enum_names_and_blank_lines_skipped() {
        let text = r#"{"msgType":"START","msgIndex":0}

{"msgType":"PROGRESS","msgIndex":1,"role":"AGENT","data":"hi"}
   
{"msgType":2,"msgIndex":2}
"#;
        let messages = parse_script("s.jsonl", text).expect("valid script");
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[0].msg_type, MsgType::Start as i32);
        assert_eq!(messages[1].msg_index, 1);
        assert_eq!(messages[1].role, Role::Agent as i32);
        assert_eq!(messages[1].data, "hi");
        assert_eq!(messages[2].msg_type, MsgType::End as i32);
    }

    #[test]
    fn a_bad_line_is_named_by_file_and_line_number() {
        let text = "{\"msgType\":\"START\",\"msgIndex\":0}\n\n{\"msgType\":\"BOGUS\"}\n";
        let err = parse_script("s.jsonl", text).expect_err("bad enum");
        assert_eq!(err.line, 3);
        assert!(err.to_string().starts_with("s.jsonl:3:18: "), "{err}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = parse_script("x", "{\"msgTyp\":\"START\"}").expect_err("unknown field");
        assert_eq!(err.line, 1);
        assert!(err.message.contains("msgTyp"), "{err}");
    }

    #[test]
    fn non_json_and_trailing_garbage_are_refused() {
        assert_eq!(parse_script("x", "{}\nnot json").expect_err("bad").line, 2);
        assert_eq!(parse_script("x", "{} {}").expect_err("trailing").line, 1);
        assert_eq!(parse_script("x", "[1]").expect_err("array").line, 1);
    }

    #[test]
    fn wrong_value_types_are_refused() {
        let err = parse_script("x", "{\"msgIndex\":\"one\"}").expect_err("bad int");
        assert_eq!(err.line, 1);
        assert!(err.message.contains("invalid digit"), "{err}");
    }

    #[test]
    fn a_bad_enum_value_is_named_by_line_and_column() {
        let text = "{\"msgType\":\"START\"}\n{\"msgType\":\"PROGRES\",\"msgIndex\":1}\n";
        let err = parse_script("bad.jsonl", text).expect_err("bad enum");
        assert_eq!(
            err.to_string(),
            "bad.jsonl:2:20: unrecognized enum value 'PROGRES'"
        );
    }

    #[test]
    fn enum_names_are_accepted_in_any_case() {
        let messages = parse_script(
            "x",
            "{\"msgType\":\"progress\",\"role\":\"agent\",\"msgIndex\":1}",
        )
        .expect("lower-case enum names");
        assert_eq!(messages[0].msg_type, MsgType::Progress as i32);
        assert_eq!(messages[0].role, Role::Agent as i32);
    }
}
