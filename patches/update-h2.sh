#!/usr/bin/env bash
# patches/h2 is the published h2 crate plus patches/*.diff, applied in name order.
#   patches/update-h2.sh --check       exit 1 (and show the difference) unless patches/h2 is exactly that (.ci/run)
#   patches/update-h2.sh               rebuild patches/h2 at its current version
#   patches/update-h2.sh 0.4.21        an h2 upgrade (then see patches/README.md)
#   H2_PRISTINE=1 patches/update-h2.sh 0.4.21   the crate as published, no diff applied
# The crate is the .crate file cargo keeps in its registry cache (checked by cargo
# against the crates.io index when it was downloaded); when it is not there yet,
# `cargo fetch` of a throwaway project puts it there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
check=
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
version=${1:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/h2/Cargo.toml" | head -n 1)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cached_crate() {
  { find "${CARGO_HOME:-$HOME/.cargo}/registry/cache" -name "h2-$version.crate" 2>/dev/null || true; } | head -n 1
}

crate=$(cached_crate)
if [ -z "$crate" ]; then
  mkdir -p "$work/fetch/src"
  cat > "$work/fetch/Cargo.toml" <<TOML
[package]
name = "fetch-h2"
version = "0.0.0"
edition = "2021"

[dependencies]
h2 = "=$version"

[workspace]
TOML
  touch "$work/fetch/src/lib.rs"
  (cd "$work/fetch" && cargo fetch --quiet)
  crate=$(cached_crate)
  [ -n "$crate" ] || { echo "update-h2.sh: cargo fetch left no h2-$version.crate" >&2; exit 1; }
fi

mkdir "$work/crate"
tar -xzf "$crate" -C "$work/crate"
fresh="$work/crate/h2-$version"
# Not part of the source: h2's own .gitignore (it would hide files from our
# git) and the Cargo.lock packaged for h2's development.
rm -f "$fresh/.gitignore" "$fresh/Cargo.lock"

diffs=()
if [ "${H2_PRISTINE:-}" != 1 ]; then
  for diff in "$here"/*.diff; do
    if command -v patch > /dev/null; then
      apply() { patch --quiet --directory "$fresh" -p1 --no-backup-if-mismatch --forward < "$diff"; }
    else
      apply() { (cd "$fresh" && git apply -p1 "$diff"); }
    fi
    apply || { echo "update-h2.sh: $(basename "$diff") does not apply to h2 $version (see patches/README.md)" >&2; exit 1; }
    diffs+=("$(basename "$diff")")
  done
fi

if [ -n "$check" ]; then
  if diff -r -u "$fresh" "$here/h2" > "$work/difference"; then
    echo "patches/h2 is h2 $version from crates.io plus ${diffs[*]}" >&2
    exit 0
  fi
  sed "s|$fresh|crates.io h2 $version + diffs|; s|$here/h2|patches/h2|" "$work/difference" >&2
  echo "update-h2.sh --check: patches/h2 is NOT h2 $version from crates.io plus ${diffs[*]} (difference above)" >&2
  exit 1
fi

rm -rf "$here/h2"
mv "$fresh" "$here/h2"
echo "patches/h2 is now h2 $version with ${diffs[*]:-no diff} applied" >&2
