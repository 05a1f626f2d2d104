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
}

impl ScriptSource {
    pub fn from_arg(path: &Path) -> Self {
        if path == Path::new("-") {
            Self::Stdin
        } else {
            Self::File(path.to_owned())
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
        }
    }
}

/// A line of a script that is not a MessageRequest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct ScriptError {
    pub source_name: String,
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// Parses every non-blank line as a proto3-JSON MessageRequest. Fails on the
/// first bad line, so nothing is sent from a broken script.
pub fn parse_script(source_name: &str, text: &str) -> Result<Vec<MessageRequest>, ScriptError> {
    let descriptor = proto::message_descriptor(proto::MESSAGE_REQUEST);
    let options = DeserializeOptions::new();
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let error = |message: String| ScriptError {
                source_name: source_name.to_owned(),
                line: index + 1,
                message,
            };
            let mut deserializer = serde_json::Deserializer::from_str(line);
            let dynamic = DynamicMessage::deserialize_with_options(
                descriptor.clone(),
                &mut deserializer,
                &options,
            )
            .map_err(|err| error(err.to_string()))?;
            deserializer
                .end()
                .map_err(|err| error(format!("trailing characters after the object ({err})")))?;
            dynamic
                .transcode_to::<MessageRequest>()
                .map_err(|err| error(err.to_string()))
        })
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
        assert!(err.to_string().starts_with("s.jsonl:3: "), "{err}");
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
}
