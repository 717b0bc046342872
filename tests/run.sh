#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine, as root: installs what the
# tests run when it is missing (the real engines for the end-to-end tests,
# busybox-static and gcc for the probe image, systemd, shellcheck and git for
# the os-overlay checks and the unit reader, dash for the POSIX scripts
# `render --format shell` writes, fish and zsh for the completions,
# containerd, docker.io and iproute2 for the real-node tests, mmdebstrap
# for the booted node's Debian system (tests/boot.rs); with KW_PORTAGE_TREE set,
# pkgcore and pkgcheck for the ebuild's checks), fetches every crate of
# Cargo.lock, then runs `cargo test --locked`. The real-node tests
# (tests/node.rs, and the booted node of tests/boot.rs, which fetches
# Debian packages for its rootfs) also need the node kit: set KW_NODE_KIT
# to its directory (.ci/run does), or they report their cases as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in unshare:util-linux nsenter:util-linux mount:mount find:findutils tar:tar gcc:gcc \
            podman:podman runc:runc systemd-nspawn:systemd-container \
            systemd-analyze:systemd systemd-tmpfiles:systemd shellcheck:shellcheck \
            dash:dash git:git b2sum:coreutils gzip:gzip \
            setpriv:util-linux fish:fish zsh:zsh bunzip2:bzip2 \
            containerd:containerd ctr:containerd ip:iproute2 xz:xz-utils \
            iptables:iptables timeout:coreutils dockerd:docker.io groff:groff-base mandoc:mandoc \
            mmdebstrap:mmdebstrap; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
# Gentoo's tools for tests/portage.rs, into a virtual environment of their
# own: the versions that work with Debian 12's bash 5.2 (current pkgcore
# wants bash 5.3)
tools=target/portage-tools
pytools=(pkgcore==0.12.29 pkgcheck==0.10.34 tree-sitter==0.24.0 tree-sitter-bash==0.23.3)
if [ -n "${KW_PORTAGE_TREE-}" ] && [ ! -x "$tools/bin/pebuild" ]; then
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
fi
# the probe image needs the static busybox, not the dynamic one
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "tests/run.sh: missing ${need[*]}: run as root, or install them (apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # the tests start their own containerd and dockerd in namespaces of their
  # own: the packages' services are not started on this machine (Debian's
  # policy-rc.d, where none is there already)
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
    own_policy=1
  fi
  apt-get install -y -qq "${need[@]}" >/dev/null
  if [ -n "$own_policy" ]; then rm -f "$policy"; fi
fi

if [ -n "${KW_PORTAGE_TREE-}" ]; then
  if ! "$tools/bin/python3" -c 'import pkgcore, pkgcheck' >/dev/null 2>&1 ||
    [ ! -x "$tools/bin/pebuild" ] || [ ! -x "$tools/bin/pkgcheck" ]; then
    rm -rf "$tools"
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet --disable-pip-version-check "${pytools[@]}"
  fi
fi
# every crate of Cargo.lock, for every platform: the ebuild's distfiles and
# the Manifest's digests (tests/overlay.rs, tests/portage.rs)
cargo fetch --locked --quiet

cargo test --locked
