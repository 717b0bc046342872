#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each) with
# cargo-fuzz (libFuzzer). The stable toolchain is enough: RUSTC_BOOTSTRAP
# lets cargo-fuzz use its sanitizer flags. Crashes land in
# fuzz/artifacts/TARGET/; the corpus grows in fuzz/corpus/TARGET/, seeded with
# the committed release files for defaults_json.
#   usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(admin_plan words version_select defaults_json os_release mount_args normalize escape engine_args unit_parse dropin_tree shell_script)
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
mkdir -p corpus/defaults_json
cp ../defaults/*.json corpus/defaults_json/
status=0
for t in "${targets[@]}"; do
  echo "== $t (${seconds}s)"
  log="$(mktemp)"
  if ! RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" -- -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    status=1
    tail -n 40 "$log"
  fi
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" || true
  rm -f "$log"
done
exit "$status"
