#!/usr/bin/env bash
# The attacks of tests/attacks/attack.py against `grpc-demo serve` (default
# flags, release build), each for SECONDS (default 15) from 127.0.0.2 while
# a well-behaved client on 127.0.0.1 keeps calling: `grpc-demo bench hello`
# (-c 4, one connection opened before the attack) and one `hello` on a new
# connection every 100 ms. Not part of CI (SECURITY.md has a run).
#
# usage: bench/attacks.sh [SECONDS]     GRPC_DEMO=path overrides the binary
#        SOURCE=127.0.0.1 bench/attacks.sh   the attacker on the good client's
#        address (per-address fairness then protects nothing: as behind a proxy)
#        ONLY=made-you-reset,settings-flood  some attacks
#
# Per attack: the server alive after it; RSS idle (after a warm-up), peak
# (VmHWM) and 3 s after;
# server CPU during the attack (share of one core); the good client's
# success (bench, and new connections) and its p50/p99 during vs before (and
# the p99 of a `hello` on a new connection, as a fresh process, ms); the
# log lines the attack caused (all levels, not about 127.0.0.1) per second.
set -euo pipefail

seconds=${1:-15}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${GRPC_DEMO:-$root/target/release/grpc-demo}
[ -x "$bin" ] || { echo "no $bin: cargo build --release first" >&2; exit 1; }
# SERVER=cpp attacks the C++ callback server of bench/compare.sh instead
# (built by it; capped at 4 GiB of address space so that it cannot take
# the machine down); the good client and the attacker stay the same.
if [ "${SERVER:-grpc-demo}" = cpp ]; then
  cpp=$root/target/bench/cpp-server
  [ -x "$cpp" ] || { echo "no $cpp: run bench/compare.sh first" >&2; exit 1; }
  server_cmd=(bash -c 'ulimit -v 4194304; exec "$0" 0' "$cpp")
else
  server_cmd=("$bin" serve --host 127.0.0.1 --port 0)
fi
python=$(bash "$root/tests/interop/setup.sh" 2>/dev/null | sed -n 's/^PYTHON=//p')
attack_py=$root/tests/attacks/attack.py
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# name | attack.py arguments
attacks=(
  "rapid-reset|rapid-reset --connections 10"
  "made-you-reset|made-you-reset --connections 10"
  "stall-preface|stall-preface --connections 1000"
  "stall-headers|stall-headers --connections 1000"
  "idle-connections|idle-connections --connections 1000"
  "idle-streams|idle-streams --connections 1000"
  "zero-window|zero-window --connections 4 --streams 256"
  "large-response|large-response --connections 4 --streams 300"
  "announced-length|announced-length --connections 8 --streams 256"
  "continuation-flood|continuation-flood --connections 10"
  "ping-flood|ping-flood --connections 10"
  "settings-flood|settings-flood --connections 10"
)

kib() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The p99 of a file of microsecond figures, in ms (nearest rank).
p99_ms() { sort -n "$1" | awk '{v[NR]=$1} END {i=int(NR*0.99+0.999); if (i<1) i=1; printf "%.1f", v[i]/1000}'; }
json() { "$python" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

printf '%-19s %5s %8s %8s %8s %5s %14s %11s %17s %17s %15s %8s\n' \
  attack alive "idle MiB" "peak" "after" cpu "bench ok" "new conns" "p50 ms bef/dur" "p99 ms bef/dur" "new p99 bef/dur" "lines/s"
for entry in "${attacks[@]}"; do
  name=${entry%%|*}
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
  read -r -a args <<<"${entry#*|}"
  "${server_cmd[@]}" >"$work/out" 2>"$work/log" &
  server_pid=$!
  for _ in $(seq 100); do grep -q listening "$work/out" && break; sleep 0.05; done
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/out")
  addr=127.0.0.1:$port
  "$bin" bench hello -z 3s -c 4 -o json --addr "$addr" >"$work/before.json"
  # New-connection hellos before the attack, timed (ms), for their p99.
  : >"$work/fresh-before" ; : >"$work/fresh-during"
  for _ in $(seq 20); do
    t0=$(date +%s%N)
    "$bin" hello --name good --timeout 5s --addr "$addr" >/dev/null 2>&1 || true
    echo $(( ($(date +%s%N) - t0) / 1000 )) >>"$work/fresh-before"
  done
  idle=$(( $(kib "$server_pid" VmRSS) / 1024 ))
  log_before=$(wc -l <"$work/log")
  ticks_before=$(cpu_ticks "$server_pid")
  "$python" "$attack_py" "${args[@]}" --reconnect --source "${SOURCE:-127.0.0.2}" --port "$port" --duration "$seconds" >"$work/attack.json" &
  attack_pid=$!
  "$bin" bench hello -z "$((seconds))s" -c 4 -o json --addr "$addr" >"$work/during.json" &
  bench_pid=$!
  fresh_ok=0 fresh_total=0
  for _ in $(seq $((seconds * 10))); do
    kill -0 "$attack_pid" 2>/dev/null || break
    t0=$(date +%s%N)
    if [ "$("$bin" hello --name good --timeout 5s --addr "$addr" 2>/dev/null)" = "hello, good" ]; then
      fresh_ok=$((fresh_ok + 1))
    fi
    echo $(( ($(date +%s%N) - t0) / 1000 )) >>"$work/fresh-during"
    fresh_total=$((fresh_total + 1))
    sleep 0.1
  done
  wait "$attack_pid" || true
  wait "$bench_pid" || true
  ticks_after=$(cpu_ticks "$server_pid")
  alive=no
  [ "$("$bin" hello --name after --timeout 5s --addr "$addr" 2>/dev/null)" = "hello, after" ] && alive=yes
  peak=$(( $(kib "$server_pid" VmHWM) / 1024 ))
  sleep 3
  after=$(( $(kib "$server_pid" VmRSS) / 1024 ))
  hz=$(getconf CLK_TCK)
  cpu=$(( (ticks_after - ticks_before) * 100 / hz / seconds ))
  lines=$(tail -n +"$((log_before + 1))" "$work/log" | grep -vc 'peer=127\.0\.0\.1:' || true)
  bench_ok=$(json "$work/during.json" "f\"{d['ok']}/{d['ok'] + d['failed']}\"")
  p50=$(json "$work/before.json" "d['latency_us']['p50'] / 1000")/$(json "$work/during.json" "d['latency_us']['p50'] / 1000")
  p99=$(json "$work/before.json" "d['latency_us']['p99'] / 1000")/$(json "$work/during.json" "d['latency_us']['p99'] / 1000")
  fresh_p99=$(p99_ms "$work/fresh-before")/$(p99_ms "$work/fresh-during")
  printf '%-19s %5s %8s %8s %8s %4s%% %14s %11s %17s %17s %15s %8s\n' \
    "$name" "$alive" "$idle" "$peak" "$after" "$cpu" "$bench_ok" "$fresh_ok/$fresh_total" "$p50" "$p99" "$fresh_p99" \
    "$(( lines / (seconds + 3) ))"
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
done
