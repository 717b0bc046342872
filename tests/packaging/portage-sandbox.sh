#!/usr/bin/env bash
# Runs a command against a Portage tree that holds the os-overlay's package,
# inside the private mount namespace it is started in (tests/portage.rs runs
# it under `unshare -m`), so that nothing of the host changes:
#
#   tests/packaging/portage-sandbox.sh TREE SCRATCH PKGDIR DISTDIR COMMAND...
#
# TREE     a Portage tree (KW_PORTAGE_TREE: eclasses, profiles, licenses),
#          only read
# SCRATCH  an empty directory for everything the run writes (the tree's
#          upper layer, /etc's upper layer, PORTAGE_TMPDIR, HOME)
# PKGDIR   the package directory, put into the tree as app-admin/kubelet-wrapper
# DISTDIR  the distfiles; pkgcore renames a file whose digest is wrong, so
#          this is a copy
#
# Inside, TREE and /etc are overlays whose writes land in SCRATCH, and /var
# and /opt are fresh tmpfs: /etc/portage configures pkgcore (repos.conf, the
# tree's default/linux/ARCH/23.0 profile, make.conf plus the lines in
# $KW_MAKE_CONF), and the Rust toolchain at $KW_RUST_SYSROOT stands in for
# dev-lang/rust-bin of its version, found the way rust.eclass looks for it:
# an entry in the package database (/var/db/pkg) and /opt/rust-bin-VERSION.
# COMMAND runs in the package's directory of the tree.
set -euo pipefail

if [ "$#" -lt 5 ]; then
  echo "usage: $0 TREE SCRATCH PKGDIR DISTDIR COMMAND..." >&2
  exit 2
fi
tree=$1 scratch=$2 pkgdir=$3 distdir=$4
shift 4
sysroot=${KW_RUST_SYSROOT:?the Rust toolchain to use (rustc --print sysroot)}

case $(uname -m) in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *)
    echo "$0: no Portage profile for $(uname -m)" >&2
    exit 1
    ;;
esac
rust_version=$("$sysroot/bin/rustc" -V | cut -d' ' -f2)
if ! grep -q "^[[:space:]]*\"$rust_version\"\$" "$tree/eclass/rust.eclass"; then
  echo "$0: $tree/eclass/rust.eclass knows no Rust $rust_version (the toolchain" \
    "at $sysroot): use a toolchain whose version it lists" >&2
  exit 1
fi

mount --make-rprivate /
mkdir -p "$scratch"/{tree,tree-up,tree-work,etc-up,etc-work,tmp,home}
mount -n -t overlay kw-test \
  -o "lowerdir=$tree,upperdir=$scratch/tree-up,workdir=$scratch/tree-work" "$scratch/tree"
mount -n -t overlay kw-test \
  -o "lowerdir=/etc,upperdir=$scratch/etc-up,workdir=$scratch/etc-work" /etc
for d in /var /opt; do mount -n -t tmpfs -o mode=0755 kw-test "$d"; done

pkg=$scratch/tree/app-admin/kubelet-wrapper
rm -rf "$pkg"
mkdir -p "$scratch/tree/app-admin"
cp -r "$pkgdir" "$pkg"
grep -qx app-admin "$scratch/tree/profiles/categories" ||
  echo app-admin >>"$scratch/tree/profiles/categories"

rm -rf /etc/portage
mkdir -p /etc/portage/repos.conf /var/tmp
ln -s "$scratch/tree/profiles/default/linux/$arch/23.0" /etc/portage/make.profile
cat >/etc/portage/repos.conf/tree.conf <<EOT
[DEFAULT]
main-repo = portage-stable

[portage-stable]
location = $scratch/tree
EOT
# No sandbox and no privilege drop: this machine has neither the sandbox
# program nor a portage user, and the mount namespace keeps the host safe.
# Nothing is downloaded: a missing or broken distfile is an error.
cat >/etc/portage/make.conf <<EOT
FEATURES="-sandbox -usersandbox -userpriv -userfetch -network-sandbox -ipc-sandbox -pid-sandbox"
DISTDIR="$distdir"
PORTAGE_TMPDIR="$scratch/tmp"
FETCHCOMMAND="false \\\${URI} \\\${DISTDIR}/\\\${FILE}"
RESUMECOMMAND="false \\\${URI} \\\${DISTDIR}/\\\${FILE}"
CC="gcc"
CXX="g++"
MAKEOPTS="-j$(nproc)"
NOCOLOR="true"
${KW_MAKE_CONF-}
EOT

vdb=/var/db/pkg/dev-lang/rust-bin-$rust_version
mkdir -p "$vdb"
echo "$rust_version" >"$vdb/SLOT"
echo 8 >"$vdb/EAPI"
echo "$arch" >"$vdb/KEYWORDS"
: >"$vdb/CONTENTS"
ln -s "$sysroot" "/opt/rust-bin-$rust_version"

export HOME=$scratch/home XDG_CACHE_HOME=$scratch/home/.cache
cd "$pkg"
"$@"
