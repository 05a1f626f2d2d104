#!/usr/bin/env bash
# Makes sure the browser tests/web.rs drives is installed: Debian's
# chromium, run headless, installed with apt-get only when missing.
# Prints where it is, as KEY=VALUE lines on stdout (CHROMIUM).
# A failed install fails the tests; it never skips them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="${CARGO_TARGET_DIR:-$root/target}/web"
mkdir -p "$out"

# One installer at a time, even if several test binaries start together.
exec 9>"$out/.lock"
flock 9

chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: chromium not installed, and installing needs root (apt-get install chromium)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Wait (bounded) for another apt/dpkg run instead of failing on its lock.
  apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
  apt-get "${apt_opts[@]}" update -qq >&2
  # Fonts so that the screenshot has readable text.
  apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
  chromium=$(command -v chromium)
fi

echo "CHROMIUM=$chromium"
"$chromium" --version >&2 || true
