//! W3C Trace Context (`traceparent`, <https://www.w3.org/TR/trace-context/>):
//! parsing the header a client sent, making new ids, writing the header our
//! clients send.
//!
//! Ids come from fastrand's per-thread wyrand generator: unique enough for
//! tracing, a few nanoseconds each, no lock and no system call on the RPC
//! path.

/// The header's name.
pub const TRACEPARENT: &str = "traceparent";

/// One request's place in a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    pub trace_id: [u8; 16],
    /// The caller's span (the `parent-id` of the header), if it sent one.
    pub parent_span_id: Option<[u8; 8]>,
    /// The `sampled` flag: whether the caller records this trace.
    pub sampled: bool,
}

impl TraceContext {
    /// The trace of an incoming request: the caller's, when its
    /// `traceparent` is valid, or a new one (sampled).
    pub fn continue_or_start(traceparent: Option<&[u8]>) -> Self {
        traceparent.and_then(parse).unwrap_or_else(|| Self {
            trace_id: new_trace_id(),
            parent_span_id: None,
            sampled: true,
        })
    }

    /// The trace id as 32 lowercase hex digits.
    pub fn trace_id_hex(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        hex_into(&self.trace_id, &mut out);
        out
    }
}

/// A `traceparent` for a new trace, started by a client: version 00, a new
/// trace id and span id, sampled.
pub fn new_traceparent() -> String {
    let trace_id = new_trace_id();
    let span_id = new_span_id();
    let mut trace = [0u8; 32];
    let mut span = [0u8; 16];
    hex_into(&trace_id, &mut trace);
    hex_into(&span_id, &mut span);
    format!(
        "00-{}-{}-01",
        std::str::from_utf8(&trace).unwrap_or_default(),
        std::str::from_utf8(&span).unwrap_or_default()
    )
}

/// `version-traceid-parentid-flags`: version 00 exactly so, a later version
/// may append fields; ff is invalid, as are all-zero ids and upper case.
fn parse(value: &[u8]) -> Option<TraceContext> {
    if value.len() < 55 || value[2] != b'-' || value[35] != b'-' || value[52] != b'-' {
        return None;
    }
    let version = unhex::<1>(&value[..2])?[0];
    if version == 0xff
        || (version == 0 && value.len() != 55)
        || (value.len() > 55 && value[55] != b'-')
    {
        return None;
    }
    let trace_id = unhex::<16>(&value[3..35])?;
    let parent = unhex::<8>(&value[36..52])?;
    let flags = unhex::<1>(&value[53..55])?[0];
    if trace_id == [0; 16] || parent == [0; 8] {
        return None;
    }
    Some(TraceContext {
        trace_id,
        parent_span_id: Some(parent),
        sampled: flags & 1 == 1,
    })
}

fn unhex<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
    fn digit(byte: u8) -> Option<u8> {
        match byte {
            b'0'..=b'9' => Some(byte - b'0'),
            b'a'..=b'f' => Some(byte - b'a' + 10),
            _ => None,
        }
    }
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (index, pair) in text.chunks_exact(2).enumerate() {
        out[index] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

fn hex_into(bytes: &[u8], out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (index, byte) in bytes.iter().enumerate() {
        out[2 * index] = DIGITS[usize::from(byte >> 4)];
        out[2 * index + 1] = DIGITS[usize::from(byte & 0xf)];
    }
}

/// A random, non-zero trace id.
pub fn new_trace_id() -> [u8; 16] {
    loop {
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&fastrand::u64(..).to_be_bytes());
        id[8..].copy_from_slice(&fastrand::u64(..).to_be_bytes());
        if id != [0; 16] {
            return id;
        }
    }
}

/// A random, non-zero span id.
pub fn new_span_id() -> [u8; 8] {
    loop {
        let id = fastrand::u64(..).to_be_bytes();
        if id != [0; 8] {
            return id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn a_valid_traceparent_is_continued() {
        let context = TraceContext::continue_or_start(Some(VALID.as_bytes()));
        assert_eq!(&context.trace_id_hex(), b"4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(
            context.parent_span_id,
            Some([0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7])
        );
        assert!(context.sampled);
        let unsampled = VALID.replace("-01", "-00");
        assert!(!parse(unsampled.as_bytes()).expect("valid").sampled);
        // A later version may add fields.
        assert!(parse(format!("01{}-what-ever", &VALID[2..]).as_bytes()).is_some());
    }

    #[test]
    fn invalid_traceparents_start_a_new_trace() {
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            assert!(parse(bad.as_bytes()).is_none(), "{bad}");
            let context = TraceContext::continue_or_start(Some(bad.as_bytes()));
            assert_eq!(context.parent_span_id, None, "{bad}");
            assert_ne!(context.trace_id, [0; 16]);
        }
    }

    #[test]
    fn new_traceparents_are_valid_and_differ() {
        let first = new_traceparent();
        let second = new_traceparent();
        assert_ne!(first, second);
        for value in [&first, &second] {
            let context = parse(value.as_bytes()).expect("valid");
            assert!(context.sampled, "{value}");
            assert_eq!(&context.trace_id_hex()[..], &value.as_bytes()[3..35]);
        }
    }
}
