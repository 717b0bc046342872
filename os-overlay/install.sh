#!/usr/bin/env bash
# Installs kubelet-wrapper into an image root with exactly the steps of the
# ebuild's src_install (app-admin/kubelet-wrapper/kubelet-wrapper-*.ebuild),
# for image builds without Portage.
#
#   os-overlay/install.sh [--allow-unpinned] DESTDIR [BINDIR]
#
# DESTDIR  the image root, e.g. /build/rootfs (created if missing)
# BINDIR   the directory holding the built kubelet-wrapper and
#          kubelet-wrapperctl; default: docs/image-build.md's quickest build, the
#          one the ebuild makes (C runtime linked statically), in
#          target/<machine>-unknown-linux-gnu/release of this repository:
#            KUBELET_WRAPPER_RELEASE=<release> \
#            RUSTFLAGS='-C target-feature=+crt-static' \
#            cargo build --release --locked --target <machine>-unknown-linux-gnu
#
# The binaries must be pinned to a release (KUBELET_WRAPPER_RELEASE at build
# time): an unpinned wrapper reads the release from os-release at run time
# and guesses on a host it does not know. The script asks the built
# kubelet-wrapperctl (`defaults list`), so it runs where the binaries run,
# and checks that kubelet-wrapper holds the same release string (which
# catches a wrapper left from another build, unless that release is also
# the name of a defaults file). --allow-unpinned installs whatever BINDIR
# holds, pinned or not, and says so.
#
# The example unit it installs (/usr/share/kubelet-wrapper/kubelet.service)
# is the one for the engine the binaries run, which `kubelet-wrapperctl
# --version` names: app-admin/kubelet-wrapper/files/kubelet-ENGINE.service.
#
# Portage strips the binaries after src_install; this script does not
# (the release profile strips them already). tests/portage.rs runs this
# script and the ebuild's phases (pkgcore's pebuild, the real eclasses) into
# two roots and fails when they differ: change both together. Files that
# kubelet-wrapperctl generates (man pages, completions) belong in both.
set -euo pipefail

usage() {
  echo "usage: $0 [--allow-unpinned] DESTDIR [BINDIR]" >&2
  exit 2
}
allow_unpinned=
if [ "${1-}" = --allow-unpinned ]; then
  allow_unpinned=1
  shift
fi
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ] || [ -z "$1" ]; then
  usage
fi

here=$(cd "$(dirname "$0")" && pwd)
# the source tree (man pages and completions), as the ebuild's ${S}
src=$here/..
destdir=$1
triple=$(uname -m)-unknown-linux-gnu
bindir=${2:-$here/../target/$triple/release}
files=$here/app-admin/kubelet-wrapper/files
build="KUBELET_WRAPPER_RELEASE=<release> RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --locked --target $triple"

for bin in kubelet-wrapper kubelet-wrapperctl; do
  if [ ! -f "$bindir/$bin" ] || [ ! -x "$bindir/$bin" ]; then
    echo "$0: $bindir/$bin: no such executable; build it with $build" >&2
    exit 1
  fi
done

# The release the binaries are pinned to: the first line of `defaults
# list` is "pinned release: RELEASE (uses FILE)" or "pinned release: auto ...".
if listing=$(env -i PATH=/usr/bin:/bin "$bindir/kubelet-wrapperctl" defaults list 2>&1); then
  first=${listing%%$'\n'*}
else
  first="cannot run $bindir/kubelet-wrapperctl defaults list (built for another machine?): ${listing%%$'\n'*}"
fi
pin=
if [[ $first =~ ^pinned\ release:\ ([0-9]+\.[0-9]+\.[0-9]+)( |$) ]]; then
  pin=${BASH_REMATCH[1]}
  if ! grep -qaF -- "$pin" "$bindir/kubelet-wrapper"; then
    echo "$0: $bindir/kubelet-wrapperctl is pinned to $pin but $bindir/kubelet-wrapper" \
      "is not: they come from different builds; build both with $build" >&2
    exit 1
  fi
elif [ -n "$allow_unpinned" ]; then
  echo "$0: warning: installing binaries that are not pinned to a release ($first)" >&2
else
  echo "$0: $bindir: not pinned to a release ($first): build with" \
    "KUBELET_WRAPPER_RELEASE set to the image's release ($build)," \
    "or pass --allow-unpinned to install it anyway" >&2
  exit 1
fi

# The engine they run, for the unit: `--version` says "... (release R,
# engine E, source S)"; an unpinned build names the engines of every
# release it may select, joined by `|`.
engine=
if version=$(env -i PATH=/usr/bin:/bin "$bindir/kubelet-wrapperctl" --version 2>&1) &&
  [[ $version =~ \(release\ [^,]*,\ engine\ ([a-z|-]+), ]]; then
  engine=${BASH_REMATCH[1]}
fi
IFS='|' read -r -a engines <<< "$engine"
for e in "${engines[@]}"; do
  if [ ! -f "$files/kubelet-$e.service" ]; then
    echo "$0: $bindir/kubelet-wrapperctl runs $e, for which there is no example unit" \
      "(app-admin/kubelet-wrapper/files/kubelet-ENGINE.service) (--version: ${version%%$'\n'*});" \
      "pin the build to a release whose engine has a unit" >&2
    exit 1
  fi
done
if [ "${#engines[@]}" -eq 0 ]; then
  echo "$0: $bindir/kubelet-wrapperctl does not name the engine it runs" \
    "(--version: ${version%%$'\n'*}); pin the build to a release whose engine has a unit" >&2
  exit 1
elif [ "${#engines[@]}" -gt 1 ]; then
  echo "$0: warning: the releases an unpinned build may select run ${engine//|/ or }:" \
    "installing each one's example unit as /usr/share/kubelet-wrapper/kubelet-ENGINE.service" >&2
fi

umask 022
# exeinto /usr/lib/coreos; doexe kubelet-wrapper
install -D -m 0755 "$bindir/kubelet-wrapper" "$destdir/usr/lib/coreos/kubelet-wrapper"
# dobin kubelet-wrapperctl
install -D -m 0755 "$bindir/kubelet-wrapperctl" "$destdir/usr/bin/kubelet-wrapperctl"
# newtmpfiles kubelet-wrapper.tmpfiles kubelet-wrapper.conf
install -D -m 0644 "$files/kubelet-wrapper.tmpfiles" "$destdir/usr/lib/tmpfiles.d/kubelet-wrapper.conf"
# insinto /usr/share/kubelet-wrapper; newins kubelet-${engine}.service kubelet.service
# (an unpinned build: each engine's as kubelet-${engine}.service)
if [ "${#engines[@]}" -eq 1 ]; then
  install -D -m 0644 "$files/kubelet-$engine.service" "$destdir/usr/share/kubelet-wrapper/kubelet.service"
else
  for e in "${engines[@]}"; do
    install -D -m 0644 "$files/kubelet-$e.service" "$destdir/usr/share/kubelet-wrapper/kubelet-$e.service"
  done
fi
# doman docs/man/*.1
for page in "$src"/docs/man/*.1; do
  install -D -m 0644 "$page" "$destdir/usr/share/man/man1/${page##*/}"
done
# newbashcomp completions/kubelet-wrapperctl kubelet-wrapperctl
install -D -m 0644 "$src/completions/kubelet-wrapperctl" "$destdir/usr/share/bash-completion/completions/kubelet-wrapperctl"
# dozshcomp completions/_kubelet-wrapperctl
install -D -m 0644 "$src/completions/_kubelet-wrapperctl" "$destdir/usr/share/zsh/site-functions/_kubelet-wrapperctl"
# dofishcomp completions/kubelet-wrapperctl.fish
install -D -m 0644 "$src/completions/kubelet-wrapperctl.fish" "$destdir/usr/share/fish/vendor_completions.d/kubelet-wrapperctl.fish"
if [ -n "$pin" ]; then
  echo "installed kubelet-wrapper pinned to release $pin ($engine) into $destdir"
fi
