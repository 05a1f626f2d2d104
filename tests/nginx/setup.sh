#!/usr/bin/env bash
# Makes sure the balancer tests/nginx.rs runs is installed: Debian's
# nginx (with its built-in gRPC proxy module), installed with apt-get only
# when missing. The package's service is never used: the tests run nginx as
# themselves with their own prefix, config, pid and log files.
# Prints where it is, as KEY=VALUE lines on stdout (NGINX).
# A failed install fails the tests; it never skips them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="${CARGO_TARGET_DIR:-$root/target}/nginx"
mkdir -p "$out"

# One installer at a time, even if several test binaries start together.
exec 9>"$out/.lock"
flock 9

nginx=$(PATH="$PATH:/usr/sbin:/sbin" command -v nginx || true)
if [ -z "$nginx" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: nginx not installed, and installing needs root (apt-get install nginx)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Wait (bounded) for another apt/dpkg run instead of failing on its lock.
  apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
  apt-get "${apt_opts[@]}" update -qq >&2
  apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends nginx >&2
  nginx=$(PATH="$PATH:/usr/sbin:/sbin" command -v nginx)
fi

echo "NGINX=$nginx"
"$nginx" -v >&2
