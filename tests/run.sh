#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine, as root: installs what the
# tests run when it is missing (the real engines for the end-to-end tests,
# busybox-static and gcc for the probe image, systemd and shellcheck for the
# os-overlay checks and the unit reader, dash for the POSIX scripts
# `render --format shell` writes, fish and zsh for the completions), then
# runs `cargo test --locked`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in unshare:util-linux mount:mount find:findutils tar:tar gcc:gcc \
            podman:podman runc:runc systemd-nspawn:systemd-container \
            systemd-analyze:systemd systemd-tmpfiles:systemd shellcheck:shellcheck \
            setpriv:util-linux dash:dash fish:fish zsh:zsh; do
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
