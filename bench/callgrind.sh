#!/usr/bin/env bash
# Instructions per RPC in the server, counted by callgrind (the same count
# whatever else the machine is doing): the slope between a small and a large
# run of h2load (4 connections x 16 streams), so that start-up and shutdown
# cancel out. The server runs on one core (taskset), as in compare.sh.
#   bench/callgrind.sh [BINARY [SERVE FLAGS...]]   (default target/release/grpc-demo, --workers 1)
#   KIND=unary|bidi|report|watch                   (default unary)
#     unary:  sayHello{name "world"}; 2,000 and 22,000 RPCs
#     bidi:   iter_message, START, PROGRESS, END in one go; 2,000 and 12,000 streams
#     report: 1,000 readings per stream; 200 and 1,200 streams (per reading: divide by 1,000)
#     watch:  1,000 quotes per stream (interval 0); 100 and 600 streams (per quote: divide by 1,000)
# Needs valgrind, h2load.
set -euo pipefail
bin=${1:-target/release/grpc-demo}
shift || true
flags=("$@")
[ ${#flags[@]} -eq 0 ] && flags=(--workers 1)
kind=${KIND:-unary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The request body of one RPC, in gRPC frames.
python3 - "$kind" "$work/body" <<'PY'
import struct, sys
def varint(n):
    out = b""
    while True:
        low, n = n & 0x7F, n >> 7
        if not n:
            return out + bytes([low])
        out += bytes([low | 0x80])
def frame(message):
    return b"\x00" + struct.pack(">I", len(message)) + message
def message_request(kind, index):
    return (b"\x08" + varint(kind) if kind else b"") + (b"\x10" + varint(index) if index else b"")
kind, path = sys.argv[1:]
body = {
    "unary": frame(b"\x0a\x05world"),
    "bidi": b"".join(frame(message_request(t, i)) for i, t in enumerate([0, 1, 2])),
    "report": b"".join(frame(b"\x0a\x05bench" + (b"\x11" + struct.pack("<d", i) if i else b"")) for i in range(1000)),
    "watch": frame(b"\x0a\x05BENCH\x10" + varint(1000)),
}[kind]
open(path, "wb").write(body)
PY
case $kind in
  unary) path=/packages.GreetService/sayHello; small=2000; large=22000; windows=() ;;
  bidi) path=/packages.MessageService/iter_message; small=2000; large=12000; windows=() ;;
  report) path=/packages.ReportService/report; small=200; large=1200; windows=(-w 21 -W 23) ;;
  watch) path=/packages.StockService/watch; small=100; large=600; windows=(-w 21 -W 23) ;;
  *) echo "KIND must be unary, bidi, report or watch" >&2; exit 2 ;;
esac

# Total instructions of one server run that answers $1 RPCs.
instructions() {
  local n=$1 out="$work/callgrind.$1"
  taskset -c 1 valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$bin" serve --host 127.0.0.1 --port 0 "${flags[@]}" \
    >"$work/stdout" 2>"$work/stderr" &
  local pid=$! port=""
  for _ in $(seq 600); do
    port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/stdout")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "server did not start: $(cat "$work/stderr")" >&2; kill "$pid"; exit 1; }
  taskset -c 0 h2load -n "$n" -c 4 -m 16 "${windows[@]}" -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$work/body" "http://127.0.0.1:$port$path" |
    grep -E '^requests:' >&2
  kill -INT "$pid"
  wait "$pid" || true
  sed -n 's/^totals: \([0-9]*\).*/\1/p' "$out"
}

a=$(instructions "$small")
b=$(instructions "$large")
echo "instructions per $kind RPC: $(((b - a) / (large - small))) ($a at $small, $b at $large)"
