#!/usr/bin/env bash
# Instructions per unary sayHello in the server, counted by callgrind (the
# same count whatever else the machine is doing): the slope between 2,000
# and 22,000 RPCs from h2load, 4 connections x 16 streams, so that start-up
# and shutdown cancel out. Usage: bench/callgrind.sh [BINARY [SERVE FLAGS...]]
# (default target/release/grpc-demo, --workers 1). Needs valgrind, h2load.
set -euo pipefail
bin=${1:-target/release/grpc-demo}
shift || true
flags=("$@")
[ ${#flags[@]} -eq 0 ] && flags=(--workers 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# helloRequest{name: "world"} in a gRPC frame.
printf '\x00\x00\x00\x00\x07\x0a\x05world' >"$work/body"

# Total instructions of one server run that answers $1 RPCs.
instructions() {
  local n=$1 out="$work/callgrind.$1"
  valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$bin" serve --host 127.0.0.1 --port 0 "${flags[@]}" \
    >"$work/stdout" 2>"$work/stderr" &
  local pid=$! port=""
  for _ in $(seq 600); do
    port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/stdout")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "server did not start: $(cat "$work/stderr")" >&2; kill "$pid"; exit 1; }
  h2load -n "$n" -c 4 -m 16 -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$work/body" "http://127.0.0.1:$port/packages.GreetService/sayHello" |
    grep -E '^requests:' >&2
  kill -INT "$pid"
  wait "$pid" || true
  sed -n 's/^totals: \([0-9]*\).*/\1/p' "$out"
}

small=$(instructions 2000)
large=$(instructions 22000)
echo "instructions per unary RPC: $(((large - small) / 20000)) ($small at 2,000 RPCs, $large at 22,000)"
