#!/usr/bin/env bash
# Makes sure the shells the completion tests run are installed: bash (always
# there), zsh and fish from Debian's packages, installed only when missing.
# Prints where each one is, as KEY=VALUE lines on stdout (BASH, ZSH, FISH).
# A failed install fails the tests; it never skips them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="${CARGO_TARGET_DIR:-$root/target}/completions"
mkdir -p "$out"

# One installer at a time, even if several test binaries start together.
exec 9>"$out/.lock"
flock 9

missing=()
command -v zsh >/dev/null || missing+=(zsh)
command -v fish >/dev/null || missing+=(fish)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: ${missing[*]} not installed, and installing needs root (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Wait (bounded) for another apt/dpkg run instead of failing on its lock.
  apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
  apt-get "${apt_opts[@]}" update -qq >&2
  apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

echo "BASH=$(command -v bash)"
echo "ZSH=$(command -v zsh)"
echo "FISH=$(command -v fish)"
bash --version | head -n 1 >&2
zsh --version >&2
fish --version >&2
