#!/usr/bin/env bash
# The real node's start-up times (issue 9; see docs/performance.md). Not part
# of CI: per engine, from starting the wrapper to the kubelet's healthz
# (read-only port :10255/healthz) and to its first pod Running, next to the
# same engine started the way a hand-written unit starts it (the engine
# command itself; on podman after a separate `podman rm`).
#
#   KW_NODE_KIT=DIR bash benches/node.sh [ROUNDS]
#
# Needs the node kit (KW_NODE_KIT, or ../shared/node-kit beside the
# repository) and what tests/run.sh installs; runs as root. Each run is a
# fresh namespaced node (tests/node/case.sh); the wrappers are release
# builds pinned to 3000.0.0 (podman), 4230.2.0 (docker), 2512.3.0 (rkt fly) and the test
# release 3100.0.0 (systemd-nspawn). ROUNDS (default 5) runs of each, in
# alternation. The table goes to target/bench-results/node.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KW_NODE_KIT:-}" ] && [ -d ../shared/node-kit ]; then
  KW_NODE_KIT=$(cd ../shared/node-kit && pwd)
fi
[ -n "${KW_NODE_KIT:-}" ] || { echo "benches/node.sh: set KW_NODE_KIT to the node kit's directory" >&2; exit 1; }
export KW_NODE_KIT
mkdir -p target/bench-results
export KW_NODE_BENCH_OUT=$PWD/target/bench-results/node.md
cargo test --locked --quiet --test node -- --bench "${1:-5}"
echo "benches/node.sh: table in $KW_NODE_BENCH_OUT"
