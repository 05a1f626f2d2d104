#!/usr/bin/env bash
# Makes sure Prometheus and promtool are installed (Debian's package
# `prometheus`, installed only when missing) and prints where they are, as
# KEY=VALUE lines on stdout (PROMETHEUS, PROMTOOL). A failed install fails the
# tests; it never skips them. The package's own service is not used (on a
# machine with systemd it runs on :9090; the tests run their own instance on
# a free loopback port).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="${CARGO_TARGET_DIR:-$root/target}/prometheus"
mkdir -p "$out"

# One installer at a time, even if several test binaries start together.
exec 9>"$out/.lock"
flock 9

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: prometheus not installed, and installing needs root (apt-get install prometheus)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Wait (bounded) for another apt/dpkg run instead of failing on its lock.
  apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
  apt-get "${apt_opts[@]}" update -qq >&2
  apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends prometheus >&2
fi

echo "PROMETHEUS=$(command -v prometheus)"
echo "PROMTOOL=$(command -v promtool)"
prometheus --version 2>&1 | head -n 1 >&2
