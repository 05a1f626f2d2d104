#!/usr/bin/env bash
# Makes sure the registry tests/registry.rs runs is installed: Debian's
# etcd (etcd-server, and etcd-client for etcdctl), installed with apt-get
# only when missing. The package's service is never used: the tests start
# etcd themselves on loopback ports they pick, with a data dir of their own.
# Prints where they are, as KEY=VALUE lines on stdout (ETCD, ETCDCTL).
# A failed install fails the tests; it never skips them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="${CARGO_TARGET_DIR:-$root/target}/etcd"
mkdir -p "$out"

# One installer at a time, even if several test binaries start together.
exec 9>"$out/.lock"
flock 9

etcd=$(command -v etcd || true)
etcdctl=$(command -v etcdctl || true)
if [ -z "$etcd" ] || [ -z "$etcdctl" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: etcd not installed, and installing needs root (apt-get install etcd-server etcd-client)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Wait (bounded) for another apt/dpkg run instead of failing on its lock.
  apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
  apt-get "${apt_opts[@]}" update -qq >&2
  # Where systemd runs, the package starts its own etcd on 2379: the tests
  # never use it (theirs listen on ports they pick).
  apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends etcd-server etcd-client >&2
  etcd=$(command -v etcd)
  etcdctl=$(command -v etcdctl)
fi

echo "ETCD=$etcd"
echo "ETCDCTL=$etcdctl"
"$etcd" --version >&2
