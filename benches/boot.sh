#!/usr/bin/env bash
# The booted node's figures (issue 18; see docs/performance.md). Not part of
# CI: per engine a release ships (rkt fly on 2512.3.0, podman on 3000.0.0,
# docker on 3033.2.0), the image's example unit (through the wrapper)
# beside a hand-written unit of the same engine (the same unit, ExecStart=
# the command the wrapper execs, and its preparatory commands as
# ExecStartPre=): boot to the kubelet's healthz, `systemctl start` to healthz,
# `systemctl stop`, `systemctl reboot` to both pods Running; and the OS
# update from 2512.3.0 to 3000.0.0 under a CoreOS-era unit, and back.
#
#   KW_NODE_KIT=DIR bash benches/boot.sh [ROUNDS]
#
# Needs the node kit (KW_NODE_KIT, or ../shared/node-kit beside the
# repository), what tests/run.sh installs (mmdebstrap, systemd-nspawn), and
# root. Each round is a fresh node booted with systemd as PID 1
# (tests/boot/node.sh); the wrappers are release builds. ROUNDS (default 3)
# of each. The table goes to target/bench-results/boot.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KW_NODE_KIT:-}" ] && [ -d ../shared/node-kit ]; then
  KW_NODE_KIT=$(cd ../shared/node-kit && pwd)
fi
[ -n "${KW_NODE_KIT:-}" ] || { echo "benches/boot.sh: set KW_NODE_KIT to the node kit's directory" >&2; exit 1; }
export KW_NODE_KIT
mkdir -p target/bench-results
export KW_BOOT_BENCH_OUT=$PWD/target/bench-results/boot.md
cargo test --locked --quiet --test boot -- --bench "${1:-3}"
echo "benches/boot.sh: table in $KW_BOOT_BENCH_OUT"
