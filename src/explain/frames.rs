//! A small HTTP/2 frame reader (RFC 9113 §4): bytes in as they crossed
//! the wire, whole frames out. It keeps at most one frame's bytes (a
//! frame is at most 2^24 - 1 bytes long), dropping each once read.

/// What a client sends before its first frame.
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The 9-byte frame header: 24-bit length, type, flags, 31-bit stream id.
const HEADER_LEN: usize = 9;

/// One frame as read off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub kind: u8,
    pub flags: u8,
    pub stream: u32,
    pub payload: Vec<u8>,
}

/// What the reader yields: the client preface (or something else where it
/// should have been), then frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Preface,
    /// The client's first bytes were not the preface, or the server's
    /// first frame not a SETTINGS frame (not HTTP/2): its first bytes.
    /// The rest of that direction is dropped unread.
    BadPreface(Vec<u8>),
    Frame(Frame),
}

/// Frame types, by number.
pub mod kind {
    pub const DATA: u8 = 0x0;
    pub const HEADERS: u8 = 0x1;
    pub const PRIORITY: u8 = 0x2;
    pub const RST_STREAM: u8 = 0x3;
    pub const SETTINGS: u8 = 0x4;
    pub const PUSH_PROMISE: u8 = 0x5;
    pub const PING: u8 = 0x6;
    pub const GOAWAY: u8 = 0x7;
    pub const WINDOW_UPDATE: u8 = 0x8;
    pub const CONTINUATION: u8 = 0x9;
}

/// Flag bits (their meaning depends on the frame type).
pub mod flag {
    pub const END_STREAM: u8 = 0x1;
    pub const ACK: u8 = 0x1;
    pub const END_HEADERS: u8 = 0x4;
    pub const PADDED: u8 = 0x8;
    pub const PRIORITY: u8 = 0x20;
}

/// The name of a frame type.
pub fn kind_name(kind: u8) -> String {
    match kind {
        kind::DATA => "DATA".into(),
        kind::HEADERS => "HEADERS".into(),
        kind::PRIORITY => "PRIORITY".into(),
        kind::RST_STREAM => "RST_STREAM".into(),
        kind::SETTINGS => "SETTINGS".into(),
        kind::PUSH_PROMISE => "PUSH_PROMISE".into(),
        kind::PING => "PING".into(),
        kind::GOAWAY => "GOAWAY".into(),
        kind::WINDOW_UPDATE => "WINDOW_UPDATE".into(),
        kind::CONTINUATION => "CONTINUATION".into(),
        other => format!("UNKNOWN_0x{other:02x}"),
    }
}

/// The names of the flags set on a frame of this type.
pub fn flag_names(kind: u8, flags: u8) -> Vec<&'static str> {
    let known: &[(u8, &str)] = match kind {
        kind::DATA => &[(flag::END_STREAM, "END_STREAM"), (flag::PADDED, "PADDED")],
        kind::HEADERS => &[
            (flag::END_STREAM, "END_STREAM"),
            (flag::END_HEADERS, "END_HEADERS"),
            (flag::PADDED, "PADDED"),
            (flag::PRIORITY, "PRIORITY"),
        ],
        kind::PUSH_PROMISE => &[(flag::END_HEADERS, "END_HEADERS"), (flag::PADDED, "PADDED")],
        kind::CONTINUATION => &[(flag::END_HEADERS, "END_HEADERS")],
        kind::SETTINGS | kind::PING => &[(flag::ACK, "ACK")],
        _ => &[],
    };
    known
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| *name)
        .collect()
}

/// The name of a SETTINGS parameter (RFC 9113 §6.5.2, RFC 8441).
pub fn setting_name(id: u16) -> String {
    match id {
        0x1 => "HEADER_TABLE_SIZE".into(),
        0x2 => "ENABLE_PUSH".into(),
        0x3 => "MAX_CONCURRENT_STREAMS".into(),
        0x4 => "INITIAL_WINDOW_SIZE".into(),
        0x5 => "MAX_FRAME_SIZE".into(),
        0x6 => "MAX_HEADER_LIST_SIZE".into(),
        0x8 => "ENABLE_CONNECT_PROTOCOL".into(),
        other => format!("UNKNOWN_0x{other:x}"),
    }
}

/// The name of an HTTP/2 error code (RST_STREAM, GOAWAY).
pub fn error_name(code: u32) -> String {
    const NAMES: [&str; 14] = [
        "NO_ERROR",
        "PROTOCOL_ERROR",
        "INTERNAL_ERROR",
        "FLOW_CONTROL_ERROR",
        "SETTINGS_TIMEOUT",
        "STREAM_CLOSED",
        "FRAME_SIZE_ERROR",
        "REFUSED_STREAM",
        "CANCEL",
        "COMPRESSION_ERROR",
        "CONNECT_ERROR",
        "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY",
        "HTTP_1_1_REQUIRED",
    ];
    usize::try_from(code)
        .ok()
        .and_then(|index| NAMES.get(index))
        .map_or_else(|| format!("UNKNOWN_0x{code:x}"), |name| (*name).to_owned())
}

/// Reads one direction of a connection incrementally.
#[derive(Debug)]
pub struct FrameReader {
    buffer: Vec<u8>,
    /// The client direction starts with the preface.
    expect_preface: bool,
    /// The server direction starts with a SETTINGS frame.
    expect_settings: bool,
    /// Not HTTP/2: everything is dropped.
    lost: bool,
}

impl FrameReader {
    /// `client`: the client-to-server direction, which opens with the preface.
    pub fn new(client: bool) -> Self {
        Self {
            buffer: Vec::new(),
            expect_preface: client,
            expect_settings: !client,
            lost: false,
        }
    }

    /// Takes the next bytes of this direction and returns every item they
    /// complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Item> {
        if self.lost {
            return Vec::new();
        }
        self.buffer.extend_from_slice(bytes);
        let mut items = Vec::new();
        let mut start = 0;
        loop {
            let rest = &self.buffer[start..];
            if self.expect_preface {
                if rest.len() < PREFACE.len() && PREFACE.starts_with(rest) {
                    break;
                }
                self.expect_preface = false;
                if rest.starts_with(PREFACE) {
                    items.push(Item::Preface);
                    start += PREFACE.len();
                    continue;
                }
                return self.lose(items);
            }
            let Some(header) = rest.get(..HEADER_LEN) else {
                break;
            };
            if self.expect_settings {
                if header[3] != kind::SETTINGS {
                    return self.lose(items);
                }
                self.expect_settings = false;
            }
            let length =
                usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
            let Some(payload) = rest.get(HEADER_LEN..HEADER_LEN + length) else {
                break;
            };
            items.push(Item::Frame(Frame {
                kind: header[3],
                flags: header[4],
                stream: u32::from_be_bytes([header[5], header[6], header[7], header[8]])
                    & 0x7fff_ffff,
                payload: payload.to_vec(),
            }));
            start += HEADER_LEN + length;
        }
        self.buffer.drain(..start);
        items
    }

    /// Not HTTP/2: says so with the first bytes, and drops the rest.
    fn lose(&mut self, mut items: Vec<Item>) -> Vec<Item> {
        let shown = self.buffer.len().min(24);
        items.push(Item::BadPreface(self.buffer[..shown].to_vec()));
        self.lost = true;
        self.buffer = Vec::new();
        items
    }

    /// Bytes received that do not make a whole frame yet.
    #[cfg(test)]
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }
}

/// `payload` without its padding (PADDED flag: a pad-length byte first,
/// that many bytes of padding last), or why it cannot be.
pub fn unpadded(flags: u8, payload: &[u8]) -> Result<&[u8], String> {
    if flags & flag::PADDED == 0 {
        return Ok(payload);
    }
    let (&pad, rest) = payload
        .split_first()
        .ok_or("PADDED but no pad length byte")?;
    let pad = usize::from(pad);
    rest.len()
        .checked_sub(pad)
        .map(|end| &rest[..end])
        .ok_or_else(|| format!("padding of {pad} bytes is longer than the frame"))
}

/// Reads a big-endian u32 at `offset`, if there.
pub fn be_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    let slice = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_be_bytes([slice[0], slice[1], slice[2], slice[3]]))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// One frame's bytes (also for mod.rs's tests).
    pub(in crate::explain) fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = payload.len();
        let mut bytes = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
        bytes.extend_from_slice(&stream.to_be_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    #[test]
    fn the_preface_and_frames_come_out_whole_however_the_bytes_are_cut() {
        let mut wire = PREFACE.to_vec();
        wire.extend(frame(kind::SETTINGS, 0, 0, &[0, 2, 0, 0, 0, 0]));
        wire.extend(frame(kind::PING, flag::ACK, 0, &[1; 8]));
        let mut reader = FrameReader::new(true);
        let mut items = Vec::new();
        for byte in &wire {
            items.extend(reader.push(std::slice::from_ref(byte)));
        }
        assert_eq!(items.len(), 3);
        assert_eq!(items[0], Item::Preface);
        assert!(
            matches!(&items[1], Item::Frame(f) if f.kind == kind::SETTINGS && f.payload.len() == 6)
        );
        assert!(
            matches!(&items[2], Item::Frame(f) if f.kind == kind::PING && f.flags == flag::ACK)
        );
        assert_eq!(reader.pending(), 0);
    }

    #[test]
    fn a_truncated_frame_waits_and_a_bad_preface_is_said() {
        let mut reader = FrameReader::new(false);
        assert_eq!(reader.push(&frame(kind::SETTINGS, 0, 0, &[])).len(), 1);
        // Announces 100 bytes, brings 3.
        assert!(reader
            .push(&frame(kind::DATA, 0, 1, &[0; 100])[..12])
            .is_empty());
        assert_eq!(reader.pending(), 12);
        let mut client = FrameReader::new(true);
        assert!(matches!(
            client.push(b"GET / HTTP/1.1\r\n\r\n\r\n\r\n")[0],
            Item::BadPreface(_)
        ));
        // An HTTP/1 answer is not read as a 4 MB frame to wait for.
        let mut server = FrameReader::new(false);
        let items = server.push(b"HTTP/1.1 400 Bad Request\r\n");
        assert!(matches!(&items[..], [Item::BadPreface(bytes)] if bytes.starts_with(b"HTTP/1.1")));
        assert!(server.push(b"more").is_empty());
        assert_eq!(server.pending(), 0);
    }

    #[test]
    fn padding_longer_than_the_frame_is_an_error_not_a_panic() {
        assert!(unpadded(flag::PADDED, &[5, 1, 2]).is_err());
        assert!(unpadded(flag::PADDED, &[]).is_err());
        assert_eq!(unpadded(flag::PADDED, &[1, 7, 0]), Ok(&[7u8][..]));
        assert_eq!(be_u32(&[0, 0, 1], 0), None);
    }
}
