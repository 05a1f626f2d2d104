//! `--explain`: what went over the connection for a call, on stderr as it
//! happens. The client's connector wraps the connection's I/O in a
//! [`Tap`] (above TLS: the bytes are the decrypted HTTP/2); each chunk read
//! or written is fed, in the order the tap saw it, to this connection's
//! reader: HTTP/2 frames (frames.rs), their header blocks decoded (HPACK,
//! one decoder per direction), gRPC messages reassembled from DATA frames
//! (grpc.rs) and annotated field by field from the schema (protobuf.rs),
//! printed as text or JSON lines (render.rs). Bytes are parsed and
//! dropped as they come: a long stream holds at most one frame and one
//! message (up to `--max-message-size`).
//!
//! Arrows: `→` the client sent it, `←` the server did.

mod frames;
mod grpc;
mod protobuf;
mod render;
mod tap;

use std::{
    collections::HashMap,
    io::Write,
    sync::{Arc, Mutex, MutexGuard},
};

use prost_reflect::{DescriptorPool, MessageDescriptor, MethodDescriptor};

use frames::{be_u32, flag, kind, FrameReader, Item};
pub use render::ExplainFormat;
pub(crate) use tap::Tap;

/// Who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to server (`→`).
    Send,
    /// Server to client (`←`).
    Receive,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Self::Send => 0,
            Self::Receive => 1,
        }
    }
}

/// The `--explain` of one command: where the lines go, in what format,
/// and the schemas messages are read with. Cloned into each connection.
#[derive(Clone)]
pub struct Explain(Arc<Shared>);

struct Shared {
    format: ExplainFormat,
    /// Largest message kept for annotating (`--max-message-size`).
    limit: usize,
    /// Schemas learnt during the command (`call`'s, from reflection or
    /// files), looked at before our own.
    schemas: Mutex<Vec<DescriptorPool>>,
    sink: Mutex<Box<dyn Write + Send>>,
    connections: Mutex<usize>,
}

impl std::fmt::Debug for Explain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explain")
            .field("format", &self.0.format)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How a connection is carried, for the line that opens its explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Carrier {
    Tcp,
    Unix,
    /// The tap reads above TLS.
    Tls,
}

impl Explain {
    /// Lines to stderr.
    pub fn new(format: ExplainFormat, limit: usize) -> Self {
        Self::to_writer(format, limit, Box::new(std::io::stderr()))
    }

    pub fn to_writer(format: ExplainFormat, limit: usize, sink: Box<dyn Write + Send>) -> Self {
        Self(Arc::new(Shared {
            format,
            limit,
            schemas: Mutex::default(),
            sink: Mutex::new(sink),
            connections: Mutex::new(0),
        }))
    }

    /// Messages of this schema's methods are annotated too (`call`).
    pub fn add_schema(&self, pool: DescriptorPool) {
        lock(&self.0.schemas).push(pool);
    }

    /// Wraps a new connection's I/O; says how it is carried.
    pub(crate) fn tap<T>(&self, io: T, carrier: Carrier) -> Tap<T> {
        let number = {
            let mut connections = lock(&self.0.connections);
            *connections += 1;
            *connections
        };
        let text = match carrier {
            Carrier::Tcp => "plaintext HTTP/2 over TCP".to_owned(),
            Carrier::Unix => "plaintext HTTP/2 over a Unix socket".to_owned(),
            Carrier::Tls => "TLS: what follows is the decrypted HTTP/2 inside the TLS connection (read above TLS, after the handshake)".to_owned(),
        };
        self.emit(&render::Event::note(format!("connection {number}: {text}")));
        Tap::new(io, Arc::new(Mutex::new(Connection::new(self.clone()))))
    }

    fn emit(&self, event: &render::Event) {
        let line = render::render(event, self.0.format);
        let mut sink = lock(&self.0.sink);
        // stderr gone: nothing to tell anyone.
        let _ = sink.write_all(line.as_bytes()).and_then(|()| sink.flush());
    }

    /// The method a `:path` names, in the command's schemas, ours, then
    /// reflection's and health's.
    fn method(&self, path: &str) -> Option<MethodDescriptor> {
        let (service, method) = path.strip_prefix('/')?.split_once('/')?;
        let find = |pool: &DescriptorPool| {
            pool.get_service_by_name(service)?
                .methods()
                .find(|candidate| candidate.name() == method)
        };
        if let Some(found) = lock(&self.0.schemas).iter().find_map(find) {
            return Some(found);
        }
        known_pools().iter().find_map(find)
    }
}

/// Our own schema and those of the services the server adds (reflection,
/// health), decoded once.
fn known_pools() -> &'static [DescriptorPool] {
    static POOLS: std::sync::OnceLock<Vec<DescriptorPool>> = std::sync::OnceLock::new();
    POOLS.get_or_init(|| {
        let mut pools = vec![crate::proto::descriptor_pool().clone()];
        for encoded in [
            tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
            tonic_health::pb::FILE_DESCRIPTOR_SET,
        ] {
            if let Ok(pool) = DescriptorPool::decode(encoded) {
                pools.push(pool);
            }
        }
        pools
    })
}

/// A header block begun by HEADERS (or PUSH_PROMISE) and not finished.
#[derive(Debug)]
struct PendingBlock {
    stream: u32,
    /// END_STREAM of the HEADERS frame that began it.
    end_stream: bool,
    block: Vec<u8>,
}

/// One stream, as far as both directions told.
#[derive(Debug, Default)]
struct StreamState {
    method: Option<MethodDescriptor>,
    /// `grpc-encoding` of each direction.
    encoding: [Option<String>; 2],
    headers_seen: [bool; 2],
    ended: [bool; 2],
    reassembly: [grpc::Reassembler; 2],
}

/// The reading of one connection, both directions.
pub(crate) struct Connection {
    explain: Explain,
    readers: [FrameReader; 2],
    hpack: [loona_hpack::Decoder<'static>; 2],
    pending: [Option<PendingBlock>; 2],
    streams: HashMap<u32, StreamState>,
}

/// HPACK's dynamic table may grow to this at most (its default is 4 KiB).
const MAX_HPACK_TABLE: usize = 64 * 1024;
/// Decoded headers shown per block, at most (as text).
const MAX_HEADERS_SHOWN: usize = 64 * 1024;
/// A header block spread over CONTINUATION frames is kept up to this.
const MAX_HEADER_BLOCK: usize = 1024 * 1024;
/// Streams remembered at once (each ends when both sides ended it).
const MAX_STREAMS: usize = 1024;

impl Connection {
    fn new(explain: Explain) -> Self {
        let decoder = || {
            let mut decoder = loona_hpack::Decoder::new();
            decoder.set_max_allowed_table_size(MAX_HPACK_TABLE);
            decoder
        };
        Self {
            explain,
            readers: [FrameReader::new(true), FrameReader::new(false)],
            hpack: [decoder(), decoder()],
            pending: [None, None],
            streams: HashMap::new(),
        }
    }

    /// The next bytes one side sent, as the tap saw them.
    pub(crate) fn feed(&mut self, direction: Direction, bytes: &[u8]) {
        let items = self.readers[direction.index()].push(bytes);
        for item in items {
            let event = self.read(direction, item);
            self.explain.emit(&event);
        }
    }

    fn read(&mut self, direction: Direction, item: Item) -> render::Event {
        use render::{Detail, Event};
        let frame = match item {
            Item::Preface => {
                return Event::new(direction, "preface", 0, 0, Vec::new(), Detail::Preface)
            }
            Item::BadPreface(bytes) => {
                let opening = match direction {
                    Direction::Send => "the client's preface",
                    Direction::Receive => "a SETTINGS frame",
                };
                let text = format!(
                    "malformed: this side does not open with {opening}, not HTTP/2? First bytes {} ({:?}); nothing more from this side is shown",
                    protobuf::hex(&bytes),
                    String::from_utf8_lossy(&bytes),
                );
                return Event::new(
                    direction,
                    "preface",
                    0,
                    bytes.len(),
                    Vec::new(),
                    Detail::Malformed(text),
                );
            }
            Item::Frame(frame) => frame,
        };
        let detail = self
            .frame_detail(direction, &frame)
            .unwrap_or_else(|reason| Detail::Malformed(format!("malformed: {reason}")));
        Event::new(
            direction,
            &frames::kind_name(frame.kind),
            frame.stream,
            frame.payload.len(),
            frames::flag_names(frame.kind, frame.flags),
            detail,
        )
    }

    fn frame_detail(
        &mut self,
        direction: Direction,
        frame: &frames::Frame,
    ) -> Result<render::Detail, String> {
        use render::Detail;
        let payload = frame.payload.as_slice();
        let side = direction.index();
        if self.pending[side].is_some() && frame.kind != kind::CONTINUATION {
            self.pending[side] = None;
            return Err("a header block was not finished by CONTINUATION".into());
        }
        Ok(match frame.kind {
            kind::SETTINGS => {
                if !payload.len().is_multiple_of(6) {
                    return Err(format!(
                        "SETTINGS of {} bytes, not a multiple of 6",
                        payload.len()
                    ));
                }
                Detail::Settings(
                    payload
                        .chunks_exact(6)
                        .map(|setting| {
                            let id = u16::from_be_bytes([setting[0], setting[1]]);
                            let value = u32::from_be_bytes([
                                setting[2], setting[3], setting[4], setting[5],
                            ]);
                            (frames::setting_name(id), value)
                        })
                        .collect(),
                )
            }
            kind::WINDOW_UPDATE => {
                let increment = be_u32(payload, 0)
                    .filter(|_| payload.len() == 4)
                    .ok_or("WINDOW_UPDATE is not 4 bytes")?;
                Detail::WindowUpdate(increment & 0x7fff_ffff)
            }
            kind::PING => {
                if payload.len() != 8 {
                    return Err("PING is not 8 bytes".into());
                }
                Detail::Ping(protobuf::hex(payload))
            }
            kind::RST_STREAM => {
                let code = be_u32(payload, 0)
                    .filter(|_| payload.len() == 4)
                    .ok_or("RST_STREAM is not 4 bytes")?;
                self.streams.remove(&frame.stream);
                Detail::Reset(code)
            }
            kind::GOAWAY => {
                let last = be_u32(payload, 0).ok_or("GOAWAY shorter than 8 bytes")?;
                let code = be_u32(payload, 4).ok_or("GOAWAY shorter than 8 bytes")?;
                Detail::GoAway {
                    last_stream: last & 0x7fff_ffff,
                    code,
                    debug: String::from_utf8_lossy(&payload[8..]).into_owned(),
                }
            }
            kind::HEADERS | kind::PUSH_PROMISE => {
                let mut block = frames::unpadded(frame.flags, payload)?;
                if frame.kind == kind::HEADERS && frame.flags & flag::PRIORITY != 0 {
                    block = block.get(5..).ok_or("PRIORITY fields past the end")?;
                } else if frame.kind == kind::PUSH_PROMISE {
                    block = block.get(4..).ok_or("promised stream id past the end")?;
                }
                let pending = PendingBlock {
                    stream: frame.stream,
                    end_stream: frame.kind == kind::HEADERS && frame.flags & flag::END_STREAM != 0,
                    block: block.to_vec(),
                };
                if frame.flags & flag::END_HEADERS == 0 {
                    self.pending[side] = Some(pending);
                    Detail::Continued
                } else {
                    self.header_block(direction, pending)?
                }
            }
            kind::CONTINUATION => {
                let Some(mut pending) = self.pending[side].take() else {
                    return Err("CONTINUATION without HEADERS before it".into());
                };
                if pending.stream != frame.stream {
                    return Err("CONTINUATION on another stream than its HEADERS".into());
                }
                if pending.block.len() + payload.len() > MAX_HEADER_BLOCK {
                    return Err(format!("header block over {MAX_HEADER_BLOCK} bytes"));
                }
                pending.block.extend_from_slice(payload);
                if frame.flags & flag::END_HEADERS == 0 {
                    self.pending[side] = Some(pending);
                    Detail::Continued
                } else {
                    self.header_block(direction, pending)?
                }
            }
            kind::DATA => {
                let data = frames::unpadded(frame.flags, payload)?;
                let detail = self.data(direction, frame.stream, data);
                if frame.flags & flag::END_STREAM != 0 {
                    self.end(direction, frame.stream);
                }
                detail
            }
            _ => Detail::None,
        })
    }

    /// The state of stream `id`, for a frame going `direction`. Only the
    /// client opens streams (push is off), so only what it sends makes a
    /// new one: frames a server sends on any other stream are read with
    /// `scratch`, kept by no one, and hold no memory afterwards.
    fn stream<'a>(
        &'a mut self,
        direction: Direction,
        id: u32,
        scratch: &'a mut StreamState,
    ) -> &'a mut StreamState {
        if direction == Direction::Receive && !self.streams.contains_key(&id) {
            return scratch;
        }
        if !self.streams.contains_key(&id) && self.streams.len() >= MAX_STREAMS {
            // Forget the oldest (lowest id).
            if let Some(&oldest) = self.streams.keys().min() {
                self.streams.remove(&oldest);
            }
        }
        self.streams.entry(id).or_default()
    }

    fn end(&mut self, direction: Direction, id: u32) {
        if let Some(stream) = self.streams.get_mut(&id) {
            stream.ended[direction.index()] = true;
            if stream.ended == [true, true] {
                self.streams.remove(&id);
            }
        }
    }

    fn header_block(
        &mut self,
        direction: Direction,
        pending: PendingBlock,
    ) -> Result<render::Detail, String> {
        let side = direction.index();
        // Decoded to the end (HPACK is stateful), but at most
        // MAX_HEADERS_SHOWN bytes of it kept: one byte of a block can
        // repeat a table entry, so a small block can stand for megabytes.
        let mut headers: Vec<(String, String)> = Vec::new();
        // As text: each `name: value` and its line end (the token counted
        // as sent, though not shown).
        let (mut text_bytes, mut kept, mut left_out) = (0usize, 0usize, 0usize);
        self.hpack[side]
            .decode_with_cb(&pending.block, |name, value| {
                let size = name.len() + value.len() + 4;
                text_bytes = text_bytes.saturating_add(size);
                if kept + size > MAX_HEADERS_SHOWN {
                    left_out += 1;
                    return;
                }
                kept += size;
                let name = String::from_utf8_lossy(&name).into_owned();
                let value = if name == "authorization" {
                    "<hidden>".to_owned()
                } else {
                    String::from_utf8_lossy(&value).into_owned()
                };
                headers.push((name, value));
            })
            .map_err(|err| format!("HPACK: {err}"))?;
        if left_out > 0 {
            headers.push((
                "…".to_owned(),
                format!("{left_out} more header fields not shown (over {MAX_HEADERS_SHOWN} bytes)"),
            ));
        }
        let method = headers
            .iter()
            .find(|(name, _)| name == ":path")
            .and_then(|(_, path)| self.explain.method(path));
        let encoding = headers
            .iter()
            .find(|(name, _)| name == "grpc-encoding")
            .map(|(_, value)| value.clone());
        let mut scratch = StreamState::default();
        let stream = self.stream(direction, pending.stream, &mut scratch);
        if method.is_some() {
            stream.method = method;
        }
        if encoding.is_some() {
            stream.encoding[side] = encoding;
        }
        let role = match (direction, pending.end_stream, stream.headers_seen[side]) {
            (Direction::Receive, true, true) => Some("trailers"),
            (Direction::Receive, true, false) => Some("trailers-only"),
            (_, false, true) => Some("trailers"),
            _ => None,
        };
        stream.headers_seen[side] = true;
        if pending.end_stream {
            self.end(direction, pending.stream);
        }
        Ok(render::Detail::Headers {
            headers,
            hpack_bytes: pending.block.len(),
            text_bytes,
            role,
        })
    }

    fn data(&mut self, direction: Direction, id: u32, bytes: &[u8]) -> render::Detail {
        let side = direction.index();
        let limit = self.explain.0.limit;
        let mut scratch = StreamState::default();
        let stream = self.stream(direction, id, &mut scratch);
        let progress = stream.reassembly[side].push(bytes, limit);
        let descriptor: Option<MessageDescriptor> =
            stream.method.as_ref().map(|method| match direction {
                Direction::Send => method.input(),
                Direction::Receive => method.output(),
            });
        let encoding = stream.encoding[side].clone();
        let messages = progress
            .messages
            .into_iter()
            .map(|message| {
                annotate_message(message, descriptor.as_ref(), encoding.as_deref(), limit)
            })
            .collect();
        render::Detail::Data {
            messages,
            partial: progress.partial,
        }
    }
}

/// One reassembled gRPC message, opened if compressed, read as `descriptor`.
fn annotate_message(
    message: grpc::Message,
    descriptor: Option<&MessageDescriptor>,
    encoding: Option<&str>,
    limit: usize,
) -> render::MessageView {
    let mut view = render::MessageView {
        prefix: message.prefix,
        compressed: message.compressed,
        length: message.length,
        type_name: descriptor.map(|descriptor| descriptor.full_name().to_owned()),
        encoding: None,
        opened_length: None,
        fields: Vec::new(),
        note: None,
    };
    let Some(bytes) = message.bytes else {
        view.note = Some(format!(
            "not annotated: longer than {limit} bytes (--max-message-size)"
        ));
        return view;
    };
    let bytes = if message.compressed {
        let encoding = encoding.unwrap_or("identity");
        view.encoding = Some(encoding.to_owned());
        match grpc::decompress(encoding, &bytes, limit) {
            Ok(opened) => {
                view.opened_length = Some(opened.len());
                opened
            }
            Err(reason) => {
                view.note = Some(format!("malformed: {reason}"));
                return view;
            }
        }
    } else {
        bytes
    };
    let (fields, error) = protobuf::annotate(&bytes, descriptor);
    view.fields = fields;
    view.note = error;
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink the test can read.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            lock(&self.0).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&lock(&self.0)).into_owned()
        }
    }

    use frames::tests::frame;

    fn reading(format: ExplainFormat) -> (Connection, Captured) {
        let captured = Captured::default();
        let explain = Explain::to_writer(format, 1024, Box::new(captured.clone()));
        (Connection::new(explain), captured)
    }

    /// `:method: POST` and `:path` as literals without indexing.
    fn request_headers(path: &str) -> Vec<u8> {
        let mut block = vec![0x83]; // :method: POST (static index 3)
        block.push(0x04); // :path, literal without indexing, name index 4
        block.push(path.len() as u8);
        block.extend_from_slice(path.as_bytes());
        block
    }

    #[test]
    fn a_request_is_read_and_annotated() {
        let (mut connection, captured) = reading(ExplainFormat::Text);
        let mut wire = frames::PREFACE.to_vec();
        wire.extend(frame(kind::SETTINGS, 0, 0, &[0, 2, 0, 0, 0, 0]));
        wire.extend(frame(
            kind::HEADERS,
            flag::END_HEADERS,
            1,
            &request_headers("/packages.GreetService/sayHello"),
        ));
        let mut data = vec![0, 0, 0, 0, 11, 0x0a, 0x09];
        data.extend_from_slice(b"zhangjian");
        wire.extend(frame(kind::DATA, flag::END_STREAM, 1, &data));
        // Cut anywhere.
        for chunk in wire.chunks(7) {
            connection.feed(Direction::Send, chunk);
        }
        let text = captured.text();
        for expected in [
            "→ preface PRI * HTTP/2.0",
            "→ SETTINGS, 6 bytes: ENABLE_PUSH=0",
            ":path: /packages.GreetService/sayHello",
            "gRPC message: compressed=0, length=11, packages.helloRequest",
            "0a 09 7a 68 61 6e 67 6a 69 61 6e   field 1 (name), wire type 2 (LEN), 9 bytes: \"zhangjian\"",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
    }

    #[test]
    fn malformed_frames_are_said_and_never_panic() {
        let (mut connection, captured) = reading(ExplainFormat::Text);
        let mut wire = frame(kind::SETTINGS, 0, 0, &[0, 2, 0]);
        wire.extend(frame(kind::WINDOW_UPDATE, 0, 0, &[0, 0, 1]));
        wire.extend(frame(kind::GOAWAY, 0, 0, &[0, 0]));
        wire.extend(frame(kind::RST_STREAM, 0, 1, &[]));
        wire.extend(frame(kind::PING, 0, 0, &[1]));
        // An HPACK index past the tables.
        wire.extend(frame(kind::HEADERS, flag::END_HEADERS, 1, &[0xff, 0x7f]));
        wire.extend(frame(kind::CONTINUATION, flag::END_HEADERS, 3, &[0x82]));
        wire.extend(frame(kind::DATA, flag::PADDED, 1, &[200, 1]));
        // A message whose field's length runs past its end.
        wire.extend(frame(kind::DATA, 0, 1, &[0, 0, 0, 0, 2, 0x0a, 0x09]));
        // Announces 100 bytes; only 3 come.
        wire.extend_from_slice(&[0, 0, 100, 0, 0, 0, 0, 0, 1, 1, 2, 3]);
        connection.feed(Direction::Receive, &wire);
        let text = captured.text();
        assert_eq!(text.matches("malformed").count(), 9, "{text}");
        assert!(text.contains("length 9 runs past the end"), "{text}");
        // Fuzz-ish: every cut of every prefix, both directions.
        for end in 0..wire.len() {
            let (mut connection, _) = reading(ExplainFormat::Json);
            connection.feed(Direction::Send, &wire[..end]);
            connection.feed(Direction::Receive, &wire[end..]);
        }
    }

    #[test]
    fn hostile_header_values_and_hpack_bombs_are_bounded() {
        let (mut connection, captured) = reading(ExplainFormat::Text);
        let mut block = Vec::new();
        // grpc-timeout with a unit that is not ASCII, and one ending in 0xff.
        for value in ["1é".as_bytes(), &[b'1', 0xff][..]] {
            block.push(0x00); // literal without indexing, new name
            block.push(12);
            block.extend_from_slice(b"grpc-timeout");
            block.push(value.len() as u8);
            block.extend_from_slice(value);
        }
        // A 4,000-byte header put in the table, then named by its index
        // 20,000 times: 80 MB as text from 24 KB on the wire.
        block.push(0x40); // literal with incremental indexing, new name
        block.push(5);
        block.extend_from_slice(b"x-big");
        block.extend_from_slice(&[0x7f, 0xa1, 0x1e]); // 127 + 3873 = 4000
        block.extend(std::iter::repeat_n(b'a', 4000));
        block.extend(std::iter::repeat_n(0xbe, 20_000)); // index 62
        let (first, rest) = block.split_at(16_000);
        let mut wire = frame(kind::SETTINGS, 0, 0, &[]);
        wire.extend(frame(kind::HEADERS, 0, 1, first));
        wire.extend(frame(kind::CONTINUATION, flag::END_HEADERS, 1, rest));
        connection.feed(Direction::Receive, &wire);
        let text = captured.text();
        assert!(text.contains("grpc-timeout: 1é"), "{text}");
        assert!(
            text.contains("more header fields not shown"),
            "{}",
            &text[..text.len().min(2000)]
        );
        assert!(text.len() < 200 * 1024, "{} bytes shown", text.len());
    }

    #[test]
    fn a_server_keeps_no_state_on_streams_the_client_did_not_open() {
        let (mut connection, captured) = reading(ExplainFormat::Text);
        connection.feed(Direction::Receive, &frame(kind::SETTINGS, 0, 0, &[]));
        // Half a message announced as 1000 bytes, on streams nobody opened.
        for stream in (2..200).step_by(2) {
            let wire = frame(kind::DATA, 0, stream, &[0, 0, 0, 3, 232, 1, 2, 3]);
            connection.feed(Direction::Receive, &wire);
        }
        assert!(connection.streams.is_empty());
        assert!(captured.text().contains("3 of 1000 bytes so far"));
        // A stream the client opened is followed both ways, and forgotten
        // once both sides ended it.
        let headers = request_headers("/packages.GreetService/sayHello");
        connection.feed(Direction::Send, frames::PREFACE);
        connection.feed(
            Direction::Send,
            &frame(
                kind::HEADERS,
                flag::END_HEADERS | flag::END_STREAM,
                1,
                &headers,
            ),
        );
        assert_eq!(connection.streams.len(), 1);
        connection.feed(
            Direction::Receive,
            &frame(
                kind::HEADERS,
                flag::END_HEADERS | flag::END_STREAM,
                1,
                &[0x88],
            ),
        );
        assert!(connection.streams.is_empty());
    }

    #[test]
    fn json_lines_parse() {
        let (mut connection, captured) = reading(ExplainFormat::Json);
        let mut wire = frame(kind::SETTINGS, 0, 0, &[0, 3, 0, 0, 0, 100]);
        wire.extend(frame(kind::DATA, 0, 1, &[0, 0, 0, 0, 2, 0x08, 0x16]));
        connection.feed(Direction::Receive, &wire);
        let text = captured.text();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect();
        assert_eq!(lines[0]["settings"]["MAX_CONCURRENT_STREAMS"], 100);
        assert_eq!(lines[1]["messages"][0]["fields"][0]["value"], 0x16);
    }
}
