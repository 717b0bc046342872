#!/usr/bin/env bash
# Installs kubelet-wrapper into an image root with exactly the steps of the
# ebuild's src_install (app-admin/kubelet-wrapper/kubelet-wrapper-*.ebuild),
# for image builds without Portage.
#
#   os-overlay/install.sh DESTDIR [BINDIR]
#
# DESTDIR  the image root, e.g. /build/rootfs (created if missing)
# BINDIR   the directory holding the built kubelet-wrapper and
#          kubelet-wrapperctl; default: target/release of this repository,
#          built pinned to the image's release with
#            KUBELET_WRAPPER_RELEASE=<release> cargo build --release --locked
#
# Portage strips the binaries after src_install; this script does not
# (strip them, or build with a stripping profile, if the image needs it).
# tests/overlay.rs runs this script and the ebuild's src_install into two
# roots and fails when they differ: change both together.
set -euo pipefail

usage() {
  echo "usage: $0 DESTDIR [BINDIR]" >&2
  exit 2
}
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ] || [ -z "$1" ]; then
  usage
fi

here=$(cd "$(dirname "$0")" && pwd)
# the source tree (man pages and completions), as the ebuild's ${S}
src=$here/..
destdir=$1
bindir=${2:-$here/../target/release}
files=$here/app-admin/kubelet-wrapper/files

for bin in kubelet-wrapper kubelet-wrapperctl; do
  if [ ! -f "$bindir/$bin" ] || [ ! -x "$bindir/$bin" ]; then
    echo "$0: $bindir/$bin: no such executable; build it with" \
      "KUBELET_WRAPPER_RELEASE=<release> cargo build --release --locked" >&2
    exit 1
  fi
done

umask 022
# exeinto /usr/lib/coreos; doexe kubelet-wrapper
install -D -m 0755 "$bindir/kubelet-wrapper" "$destdir/usr/lib/coreos/kubelet-wrapper"
# dobin kubelet-wrapperctl
install -D -m 0755 "$bindir/kubelet-wrapperctl" "$destdir/usr/bin/kubelet-wrapperctl"
# newtmpfiles kubelet-wrapper.tmpfiles kubelet-wrapper.conf
install -D -m 0644 "$files/kubelet-wrapper.tmpfiles" "$destdir/usr/lib/tmpfiles.d/kubelet-wrapper.conf"
# insinto /usr/share/kubelet-wrapper; doins kubelet.service
install -D -m 0644 "$files/kubelet.service" "$destdir/usr/share/kubelet-wrapper/kubelet.service"
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
