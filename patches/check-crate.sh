#!/usr/bin/env bash
# patches/CRATE is the published crate plus the patch files named, applied in
# order (patches/README.md says what each changes and why).
#   patches/check-crate.sh CRATE PATCH...   exit 1 (and show the difference)
#                                           unless patches/CRATE is exactly that (.ci/run)
#   e.g. patches/check-crate.sh etcd-client etcd-client.patch
# The crate is the .crate file cargo keeps in its registry cache (checked by
# cargo against the crates.io index when it was downloaded); when it is not
# there yet, `cargo fetch` of a throwaway project puts it there. (h2, whose
# patches/update-h2.sh also rebuilds the tree for an upgrade, has its own.)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: check-crate.sh CRATE PATCH...}
shift
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/$name/Cargo.toml" | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cached_crate() {
  { find "${CARGO_HOME:-$HOME/.cargo}/registry/cache" -name "$name-$version.crate" 2>/dev/null || true; } | head -n 1
}

crate=$(cached_crate)
if [ -z "$crate" ]; then
  mkdir -p "$work/fetch/src"
  cat > "$work/fetch/Cargo.toml" <<TOML
[package]
name = "fetch-$name"
version = "0.0.0"
edition = "2021"

[dependencies]
$name = "=$version"

[workspace]
TOML
  touch "$work/fetch/src/lib.rs"
  (cd "$work/fetch" && cargo fetch --quiet)
  crate=$(cached_crate)
  [ -n "$crate" ] || { echo "check-crate.sh: cargo fetch left no $name-$version.crate" >&2; exit 1; }
fi

mkdir "$work/crate"
tar -xzf "$crate" -C "$work/crate"
fresh="$work/crate/$name-$version"
# Not part of the source, as for h2: the crate's own .gitignore (it would
# hide files from our git) and the Cargo.lock packaged for its development.
rm -f "$fresh/.gitignore" "$fresh/Cargo.lock"
for patch in "$@"; do
  (cd "$fresh" && patch --quiet -p1 --no-backup-if-mismatch --forward < "$here/$patch") ||
    { echo "check-crate.sh: $patch does not apply to $name $version" >&2; exit 1; }
done

if diff -r -u "$fresh" "$here/$name" > "$work/difference"; then
  echo "patches/$name is $name $version from crates.io plus $*" >&2
  exit 0
fi
sed "s|$fresh|crates.io $name $version + patches|; s|$here/$name|patches/$name|" "$work/difference" >&2
echo "check-crate.sh: patches/$name is NOT $name $version from crates.io plus $* (difference above)" >&2
exit 1
