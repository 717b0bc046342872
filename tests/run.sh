#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine, as root: installs what the
# tests run when it is missing (the real engines for the end-to-end tests,
# containerd and iproute2 for the real-node tests, busybox-static and gcc
# for the images, systemd and shellcheck for the os-overlay checks), then
# runs `cargo test --locked`. The real-node tests (tests/node.rs) also need
# the node kit: set KW_NODE_KIT to its directory (.ci/run does), or they
# report their cases as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in unshare:util-linux nsenter:util-linux mount:mount find:findutils tar:tar gcc:gcc \
            podman:podman runc:runc systemd-nspawn:systemd-container \
            systemd-analyze:systemd systemd-tmpfiles:systemd shellcheck:shellcheck \
            containerd:containerd ctr:containerd ip:iproute2 xz:xz-utils \
            iptables:iptables timeout:coreutils; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
# the probe image needs the static busybox, not the dynamic one
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "tests/run.sh: missing ${need[*]}: run as root, or install them (apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo test --locked
