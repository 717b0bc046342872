#!/usr/bin/env bash
# Makes the release tarball the ebuild's SRC_URI names,
# kubelet-wrapper-VERSION.tar.gz (VERSION from Cargo.toml), in OUTDIR:
#
#   os-overlay/dist.sh [--ref REF] OUTDIR
#
# --ref REF  the files of a commit or tag (the release: --ref v0.1.0)
# without    the files of this checkout as they are on disk: tracked ones
#            and new ones git does not ignore (the release commit's tarball
#            before it is tagged, or a tarball for a build before the first
#            tagged release)
#
# The bytes depend on the files' contents, names and executable bits only:
# names sorted, owner root, every time stamp 2000-01-01, modes 0644/0755,
# gzip without a name or time. So the tarball of a commit made from a
# checkout and the tarball of its tag are the same file, and the Manifest
# (os-overlay/manifest.sh) can record its digest before it is uploaded.
# os-overlay/ itself is left out: it holds that Manifest, and the ebuild
# takes its files from the overlay, not from the tarball.
set -euo pipefail
export LC_ALL=C

usage() {
  echo "usage: $0 [--ref REF] OUTDIR" >&2
  exit 2
}
ref=
if [ "${1-}" = --ref ]; then
  [ "$#" -ge 2 ] || usage
  ref=$2
  shift 2
fi
if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  usage
fi
outdir=$1

repo=$(cd "$(dirname "$0")/.." && pwd)
if ! git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  echo "$0: $repo is not a git checkout: the tarball holds the files git knows" >&2
  exit 1
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir "$staging/src"
if [ -n "$ref" ]; then
  git -C "$repo" rev-parse --verify --quiet "$ref^{commit}" >/dev/null || {
    echo "$0: $ref: no such commit or tag" >&2
    exit 1
  }
  git -C "$repo" archive --format=tar "$ref" -- . ':(exclude)os-overlay' |
    tar -x -C "$staging/src"
else
  (cd "$repo" &&
    git ls-files -z --cached --others --exclude-standard -- . ':(exclude)os-overlay' |
    while IFS= read -r -d '' f; do
      # a tracked file deleted in the checkout is not part of it
      [ -e "$f" ] || [ -L "$f" ] || continue
      printf '%s\0' "$f"
    done |
    tar --null --no-recursion -T - -cf - |
    tar -x -C "$staging/src")
fi

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$staging/src/Cargo.toml" | head -n 1)
[ -n "$version" ] || {
  echo "$0: no version in Cargo.toml" >&2
  exit 1
}
p=kubelet-wrapper-$version
mv "$staging/src" "$staging/$p"

mkdir -p "$outdir"
tar -C "$staging" --sort=name --format=gnu --owner=0 --group=0 --numeric-owner \
  --mode='u=rwX,go=rX' --mtime=@946684800 -cf - "$p" |
  gzip -9 -n >"$outdir/$p.tar.gz.part"
mv "$outdir/$p.tar.gz.part" "$outdir/$p.tar.gz"
echo "$outdir/$p.tar.gz"
