#!/usr/bin/env bash
# Side-by-side benchmark of `grpc-demo serve` (default flags) against its
# peers: a bare tonic server (bench/baseline), the C++ gRPC callback server
# (bench/cpp), and the tutorial's Python servers (grpcio thread pool and
# grpc.aio). Load from h2load and `grpc-demo bench`, server pinned to core 0
# and load generator to core 1. Prints Markdown; see BENCHMARKS.md.
#
#   bench/compare.sh                 full run (about 40 minutes; watch and report ~6, memcurves ~10)
#   RUNS=1 DURATION=2 bench/compare.sh   a quick look
#   ONLY=watch,report bench/compare.sh   some sections (unary,bidi,watch,report,cost,memory,client,curves,memcurves)
#   ONLY=memcurves MEM_STEPS=2 bench/compare.sh   the memory curves' first two steps only
#
# Everything runs on loopback; every process is started here and ended by
# PID; every run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v h2load >/dev/null || need+=(nghttp2-client)
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v grpc_cpp_plugin >/dev/null || need+=(protobuf-compiler-grpc libgrpc++-dev)
pkg-config --exists grpc++ 2>/dev/null || need+=(libgrpc++-dev)
command -v taskset >/dev/null || need+=(util-linux)
# grpc-demo links jemalloc; the bare tonic floor is also run with Debian's
# jemalloc preloaded, so the allocator and the features can be told apart.
[ -e /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ] || need+=(libjemalloc2)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The bare tonic floor twice: with the compression features grpc-demo has
# (gzip, zstd), and as tonic is by default, without them (the floor the
# ratios are taken against).
cargo build --release --locked --bin grpc-demo --example baseline
mkdir -p target/bench
cp target/release/examples/baseline target/bench/baseline-compression
cargo build --release --locked --example baseline --no-default-features

# The C++ peer, built from the same protos.
out=target/bench/cpp
mkdir -p "$out"
protoc -I proto --cpp_out="$out" --grpc_out="$out" --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" \
  proto/greet.proto proto/message.proto proto/stock.proto proto/report.proto
g++ -O2 -std=c++17 -I "$out" bench/cpp/server.cc "$out"/*.cc $(pkg-config --cflags --libs grpc++ protobuf) \
  -o target/bench/cpp-server

# The Python peers and grpcurl, from the test setup (pinned, under target/).
eval "$(bash tests/interop/setup.sh 2>/dev/null | sed 's/^/export /')"

# matplotlib for the memory curves (pinned, in its own venv under target/):
# compare.py runs on that venv's Python.
plot_venv=target/bench/plot-venv
if ! cmp -s bench/plot-requirements.txt "$plot_venv/.requirements" 2>/dev/null; then
  rm -rf "$plot_venv"
  python3 -m venv "$plot_venv"
  "$plot_venv/bin/pip" install --quiet --disable-pip-version-check -r bench/plot-requirements.txt
  cp bench/plot-requirements.txt "$plot_venv/.requirements"
fi

exec "$plot_venv/bin/python" bench/compare.py "$@"
