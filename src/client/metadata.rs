//! Request metadata: `-H 'key: value'` entries (`-bin` keys carry base64
//! binary values) and the `-v` display of what was sent and received.

use std::str::FromStr;

use tonic::metadata::{
    AsciiMetadataKey, AsciiMetadataValue, BinaryMetadataKey, BinaryMetadataValue, KeyAndValueRef,
    MetadataMap,
};

/// One `-H 'key: value'` metadata entry. A key ending in `-bin` is binary
/// metadata: its value is base64 (padded or not) and is sent as the bytes it
/// encodes, as gRPC specifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header {
    Ascii(AsciiMetadataKey, AsciiMetadataValue),
    Binary(BinaryMetadataKey, BinaryMetadataValue),
}

impl Header {
    pub fn key(&self) -> &str {
        match self {
            Self::Ascii(key, _) => key.as_str(),
            Self::Binary(key, _) => key.as_str(),
        }
    }
}

/// Parses `key: value`; the key is lower-cased, surrounding spaces trimmed.
pub fn parse_header(text: &str) -> Result<Header, String> {
    let (key, value) = text
        .split_once(':')
        .ok_or_else(|| format!("header '{text}' is not 'key: value'"))?;
    let key = key.trim().to_ascii_lowercase();
    let value = value.trim();
    if key.ends_with("-bin") {
        let name = BinaryMetadataKey::from_str(&key)
            .map_err(|_| format!("header name '{key}' is not a valid metadata key"))?;
        use base64::Engine;
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        let bytes = engine
            .decode(value)
            .map_err(|err| format!("value of binary header '{key}' must be base64 ({err})"))?;
        return Ok(Header::Binary(
            name,
            BinaryMetadataValue::from_bytes(&bytes),
        ));
    }
    let name = AsciiMetadataKey::from_str(&key)
        .map_err(|_| format!("header name '{key}' is not a valid metadata key"))?;
    let value = AsciiMetadataValue::try_from(value)
        .map_err(|_| format!("header value of '{key}' must be printable ASCII (binary values go in a '-bin' header, base64)"))?;
    Ok(Header::Ascii(name, value))
}

/// Prints metadata as grpcurl's `-v` does, on stderr (stdout is for data).
/// The bearer token is not shown.
pub(super) fn show_metadata(title: &str, metadata: &MetadataMap) {
    use std::fmt::Write as _;
    let mut text = format!("\n{title}:\n");
    if metadata.is_empty() {
        text.push_str("(empty)\n");
    }
    for entry in metadata.iter() {
        let _ = match entry {
            KeyAndValueRef::Ascii(key, _) if key.as_str() == "authorization" => {
                writeln!(text, "{key}: <hidden>")
            }
            KeyAndValueRef::Ascii(key, value) => {
                writeln!(text, "{key}: {}", value.to_str().unwrap_or("<not ASCII>"))
            }
            KeyAndValueRef::Binary(key, value) => {
                use base64::Engine;
                let bytes = value.to_bytes().unwrap_or_default();
                writeln!(
                    text,
                    "{key}: {}",
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                )
            }
        };
    }
    eprint!("{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse_as_key_colon_value() {
        let Header::Ascii(key, value) = parse_header("X-Trace-Id: abc 123").expect("valid") else {
            panic!("an ASCII header");
        };
        assert_eq!(key.as_str(), "x-trace-id");
        assert_eq!(value, "abc 123");
        // Only the first colon splits.
        let Header::Ascii(_, value) = parse_header("when: 12:30").expect("valid") else {
            panic!("an ASCII header");
        };
        assert_eq!(value, "12:30");
    }

    #[test]
    fn binary_headers_are_base64_padded_or_not() {
        for text in ["x-id-bin: aGVsbG8=", "x-id-bin: aGVsbG8"] {
            let Header::Binary(key, value) = parse_header(text).expect(text) else {
                panic!("{text}: a binary header");
            };
            assert_eq!(key.as_str(), "x-id-bin");
            assert_eq!(value.to_bytes().expect("decodes").as_ref(), b"hello");
        }
        let err = parse_header("x-id-bin: not base64!").expect_err("bad base64");
        assert!(err.contains("must be base64"), "{err}");
    }

    #[test]
    fn bad_headers_are_refused() {
        assert!(parse_header("no-colon").is_err());
        assert!(parse_header("bad key: v").is_err());
        assert!(parse_header(": v").is_err());
        assert!(parse_header("k: line\nbreak").is_err());
    }
}
