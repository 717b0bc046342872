#!/usr/bin/env bash
# Runs one phase function of an ebuild outside Portage, for the tests:
#
#   tests/overlay/ebuild-phase.sh EBUILD PHASE ED BINDIR
#
# The ebuild is sourced with the few helpers it uses defined here as
# Portage documents them (the package manager's install helpers and the
# cargo and tmpfiles eclasses' functions), then PHASE runs with the image
# root ED. cargo_target_dir answers BINDIR, where the test has built the
# binaries; cargo_src_compile only reports the environment it would build
# in. Calling anything else fails, naming it, rather than being skipped.
set -eo pipefail

ebuild=$1 phase=$2
ED=$3 D=$3
bindir=$4

FILESDIR=$(cd "$(dirname "$ebuild")" && pwd)/files
# the unpacked source: this repository
S=$(cd "$(dirname "$0")/../.." && pwd)
P=$(basename "$ebuild" .ebuild)
PN=${P%-*} PV=${P##*-} PF=$P
CARGO_CRATE_URIS=
export ED D FILESDIR S P PN PV PF CARGO_CRATE_URIS

command_not_found_handle() {
  echo "ebuild-phase.sh: $ebuild calls $1, which this harness does not emulate; add it here as Portage defines it" >&2
  exit 127
}

die() {
  echo "die: $*" >&2
  exit 1
}
einfo() { echo "einfo: $*" >&2; }
ewarn() { echo "ewarn: $*" >&2; }
inherit() { :; }

# cargo.eclass
cargo_target_dir() { echo "$bindir"; }
cargo_src_compile() {
  echo "cargo_src_compile $* KUBELET_WRAPPER_RELEASE=${KUBELET_WRAPPER_RELEASE-(unset)}"
}
cargo_src_test() { echo "cargo_src_test $*"; }

# install helpers (PMS 12.3.9): directories 0755, doexe/dobin 0755, doins
# and dotmpfiles 0644, each into ${ED} below the current destination
umask 022
_exedir=/ _insdir=/
_put() { # MODE DIR SOURCE NAME
  [[ -f $3 ]] || die "${FUNCNAME[1]}: $3 does not exist"
  install -D -m "$1" "$3" "${ED}$2/$4"
}
exeinto() { _exedir=$1; }
doexe() { local f; for f; do _put 0755 "$_exedir" "$f" "${f##*/}"; done; }
newexe() { _put 0755 "$_exedir" "$1" "$2"; }
dobin() { local f; for f; do _put 0755 /usr/bin "$f" "${f##*/}"; done; }
newbin() { _put 0755 /usr/bin "$1" "$2"; }
insinto() { _insdir=$1; }
doins() { local f; for f; do _put 0644 "$_insdir" "$f" "${f##*/}"; done; }
newins() { _put 0644 "$_insdir" "$1" "$2"; }
dodir() { local d; for d; do install -d -m 0755 "${ED}$d"; done; }
keepdir() { local d; for d; do install -d -m 0755 "${ED}$d"; : >"${ED}$d/.keep_${CATEGORY:-app-admin}_${PN}-${SLOT:-0}"; done; }
# tmpfiles.eclass, systemd.eclass
dotmpfiles() { local f; for f; do [[ $f == *.conf ]] || die "dotmpfiles: $f does not end in .conf"; _put 0644 /usr/lib/tmpfiles.d "$f" "${f##*/}"; done; }
newtmpfiles() { [[ $2 == *.conf ]] || die "newtmpfiles: $2 does not end in .conf"; _put 0644 /usr/lib/tmpfiles.d "$1" "$2"; }
systemd_dounit() { local f; for f; do _put 0644 /usr/lib/systemd/system "$f" "${f##*/}"; done; }
# doman (PMS: the section from the name's suffix), shell-completion.eclass
doman() { local f; for f; do _put 0644 "/usr/share/man/man${f##*.}" "$f" "${f##*/}"; done; }
newbashcomp() { _put 0644 /usr/share/bash-completion/completions "$1" "$2"; }
dozshcomp() { local f; for f; do _put 0644 /usr/share/zsh/site-functions "$f" "${f##*/}"; done; }
dofishcomp() { local f; for f; do _put 0644 /usr/share/fish/vendor_completions.d "$f" "${f##*/}"; done; }
tmpfiles_process() { :; }

# shellcheck source=/dev/null
source "$ebuild"
declare -F "$phase" >/dev/null || die "$ebuild defines no $phase"
cd "$S"
"$phase"
