#!/usr/bin/env bash
# patches/etcd-client is the published etcd-client crate plus
# patches/etcd-client.patch (its build script on protox: patches/README.md).
#   patches/check-etcd-client.sh   exit 1 (and show the difference) unless it is exactly that (.ci/run)
# The crate is the .crate file cargo keeps in its registry cache (checked by
# cargo against the crates.io index when it was downloaded); when it is not
# there yet, `cargo fetch` of a throwaway project puts it there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/etcd-client/Cargo.toml" | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cached_crate() {
  { find "${CARGO_HOME:-$HOME/.cargo}/registry/cache" -name "etcd-client-$version.crate" 2>/dev/null || true; } | head -n 1
}

crate=$(cached_crate)
if [ -z "$crate" ]; then
  mkdir -p "$work/fetch/src"
  cat > "$work/fetch/Cargo.toml" <<TOML
[package]
name = "fetch-etcd-client"
version = "0.0.0"
edition = "2021"

[dependencies]
etcd-client = "=$version"

[workspace]
TOML
  touch "$work/fetch/src/lib.rs"
  (cd "$work/fetch" && cargo fetch --quiet)
  crate=$(cached_crate)
  [ -n "$crate" ] || { echo "check-etcd-client.sh: cargo fetch left no etcd-client-$version.crate" >&2; exit 1; }
fi

mkdir "$work/crate"
tar -xzf "$crate" -C "$work/crate"
fresh="$work/crate/etcd-client-$version"
# Not part of the source, as for h2: the crate's own .gitignore (it would
# hide files from our git) and the Cargo.lock packaged for its development.
rm -f "$fresh/.gitignore" "$fresh/Cargo.lock"
(cd "$fresh" && patch --quiet -p1 --no-backup-if-mismatch --forward < "$here/etcd-client.patch") ||
  { echo "check-etcd-client.sh: etcd-client.patch does not apply to etcd-client $version" >&2; exit 1; }

if diff -r -u "$fresh" "$here/etcd-client" > "$work/difference"; then
  echo "patches/etcd-client is etcd-client $version from crates.io plus etcd-client.patch" >&2
  exit 0
fi
sed "s|$fresh|crates.io etcd-client $version + patch|; s|$here/etcd-client|patches/etcd-client|" "$work/difference" >&2
echo "check-etcd-client.sh: patches/etcd-client is NOT etcd-client $version from crates.io plus etcd-client.patch (difference above)" >&2
exit 1
