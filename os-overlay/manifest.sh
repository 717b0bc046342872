#!/usr/bin/env bash
# Writes the Manifest of app-admin/kubelet-wrapper: one DIST line (size,
# BLAKE2B, SHA512, as Portage writes them) for every file the ebuild's
# SRC_URI names.
#
#   os-overlay/manifest.sh [-o FILE] [-t TARBALL]
#
# -o FILE     where to write it (default: the package's Manifest)
# -t TARBALL  the release tarball to record (default: made by
#             os-overlay/dist.sh from the tag v<version> when this checkout
#             has it, else from the checkout: before the release is tagged,
#             the tarball the release commit will have)
#
# It records:
# - the release tarball;
# - every crate of Cargo.lock, from cargo's download cache
#   ($CARGO_HOME/registry/cache; `cargo fetch --locked` fills it), each
#   checked against the checksum Cargo.lock records.
#
# tests/overlay.rs runs it and fails when the committed Manifest differs.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
pkgdir=$here/app-admin/kubelet-wrapper
out=$pkgdir/Manifest
tarball=
while [ "$#" -gt 0 ]; do
  case $1 in
    -o) out=${2:?-o needs a file} ;;
    -t) tarball=${2:?-t needs a file} ;;
    *)
      echo "usage: $0 [-o FILE] [-t TARBALL]" >&2
      exit 2
      ;;
  esac
  shift 2
done

cache=${CARGO_HOME:-$HOME/.cargo}/registry/cache
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)
if [ -n "$tarball" ]; then
  [ -f "$tarball" ] || {
    echo "$0: $tarball: no such file" >&2
    exit 1
  }
  [ "${tarball##*/}" = "kubelet-wrapper-$version.tar.gz" ] || {
    echo "$0: $tarball: the release tarball is kubelet-wrapper-$version.tar.gz" >&2
    exit 1
  }
  ln -s "$(cd "$(dirname "$tarball")" && pwd)/${tarball##*/}" "$tmp/"
else
  ref=()
  if git -C "$repo" rev-parse --verify --quiet "refs/tags/v$version" >/dev/null; then
    ref=(--ref "v$version")
  fi
  bash "$here/dist.sh" "${ref[@]}" "$tmp" >/dev/null
fi

# name, version and checksum of each registry package of Cargo.lock
awk '
  /^\[\[package\]\]/ { name = ""; version = ""; source = ""; sum = "" }
  /^name = /     { name = $3 }
  /^version = /  { version = $3 }
  /^source = /   { source = $3 }
  /^checksum = / { sum = $3 }
  /^$/ && source ~ /^"registry\+/ { print name, version, sum; source = "" }
  END { if (source ~ /^"registry\+/) print name, version, sum }
' "$repo/Cargo.lock" | tr -d '"' >"$tmp/crates"

missing=()
while read -r name version sum; do
  crate=$name-$version.crate
  found=
  for f in "$cache"/*/"$crate"; do
    [ -f "$f" ] && found=$f && break
  done
  if [ -z "$found" ]; then
    missing+=("$crate")
    continue
  fi
  if [ "$(sha256sum <"$found" | cut -d' ' -f1)" != "$sum" ]; then
    echo "$0: $found does not have the checksum Cargo.lock records ($sum)" >&2
    exit 1
  fi
  ln -s "$found" "$tmp/$crate"
done <"$tmp/crates"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "$0: not in $cache: ${missing[*]}; run cargo fetch --locked" >&2
  exit 1
fi

for f in "$tmp"/*.crate "$tmp"/*.tar.gz; do
  printf 'DIST %s %s BLAKE2B %s SHA512 %s\n' "${f##*/}" "$(stat -L -c %s "$f")" \
    "$(b2sum <"$f" | cut -d' ' -f1)" "$(sha512sum <"$f" | cut -d' ' -f1)"
done | sort >"$tmp/Manifest"
cp "$tmp/Manifest" "$out"
