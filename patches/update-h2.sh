#!/usr/bin/env bash
# Rebuilds patches/h2 from the published h2 crate plus patches/h2-uds-authority.diff.
#   patches/update-h2.sh            the vendored version again (to check the tree: git status stays clean)
#   patches/update-h2.sh 0.4.21     an h2 upgrade (then see patches/README.md)
#   H2_PRISTINE=1 patches/update-h2.sh 0.4.21   the crate as published, no diff applied
# The crate comes through cargo itself (`cargo vendor` of a throwaway project).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=${1:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/h2/Cargo.toml" | head -n 1)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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
(cd "$work/fetch" && cargo vendor --quiet --versioned-dirs "$work/vendor" > /dev/null)

fresh="$work/vendor/h2-$version"
rm -f "$fresh/.cargo-checksum.json" "$fresh/Cargo.lock"  # cargo's bookkeeping, unused here
if [ "${H2_PRISTINE:-}" = 1 ]; then
  applied="as published (no diff applied)"
else
  patch --quiet --directory "$fresh" -p1 --no-backup-if-mismatch < "$here/h2-uds-authority.diff"
  applied="with h2-uds-authority.diff applied"
fi
rm -rf "$here/h2"
mv "$fresh" "$here/h2"
echo "patches/h2 is now h2 $version $applied" >&2
