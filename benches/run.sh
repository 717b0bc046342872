#!/usr/bin/env bash
# The benchmark suite of issue 5 (see docs/performance.md). Not part of CI or
# `cargo test`: timing needs a quiet machine and takes a few minutes.
#
#   bash benches/run.sh                 everything; the report goes to
#                                       target/bench-results/summary.md
#   bash benches/run.sh compare A B...  whole-process A/B of wrapper binaries
#                                       (e.g. before and after a change), with
#                                       KW_BENCH_ARGS more kubelet flags (0)
#
# Knobs (environment): KW_BENCH_ROUNDS (30), KW_BENCH_RUNS (60 runs per
# command per round), KW_BENCH_WARMUP (10 per command per round), KW_BENCH_RELEASE (2512.3.0, the
# release the wrapper is pinned to), KW_BENCH_OUT (target/bench-results).
#
# Every run of the wrapper and of the shell baseline happens in a private
# mount namespace (`unshare -m`, `unshare -rm` when not root) where /etc, /var
# and /run are overlays whose writable layer is a tmpfs: the programs read
# the host's files (ld.so.cache, ...) but the directories they create never
# reach the host and vanish with the namespace.
#
# Whole-process timings come from hyperfine (`-N`: no shell in between), in
# rounds: each round runs every command, in alternating order, so a burst of
# load on the machine hits all of them alike. Reported: the median over all
# runs, the interquartile range, and the ratio of medians per round (its
# median and range over the rounds).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${KW_BENCH_OUT:-$ROOT/target/bench-results}
ROUNDS=${KW_BENCH_ROUNDS:-30}
RUNS=${KW_BENCH_RUNS:-60}
WARMUP=${KW_BENCH_WARMUP:-10}
RELEASE=${KW_BENCH_RELEASE:-2512.3.0}
BIN=$OUT/bin
RAW=$OUT/raw
TARGET=x86_64-unknown-linux-gnu
export ROOT OUT ROUNDS RUNS WARMUP RELEASE BIN RAW

# The admin layer of every whole-process run: the engine is /bin/true, so it
# costs (almost) nothing, and one kubelet flag.
export KUBELET_IMAGE_TAG=v1.18.0_coreos.0
export RKT=/bin/true
KUBELET_FLAG=--kubeconfig=/etc/kubernetes/kubeconfig

die() {
  echo "benches/run.sh: $*" >&2
  exit 1
}

# --- tools -------------------------------------------------------------------

need_tools() {
  local pkgs=()
  command -v hyperfine >/dev/null || pkgs+=(hyperfine)
  [ -x /usr/bin/time ] || pkgs+=(time)
  command -v gcc >/dev/null || pkgs+=(gcc libc6-dev)
  command -v jq >/dev/null || pkgs+=(jq)
  command -v unshare >/dev/null || pkgs+=(util-linux)
  if [ "${#pkgs[@]}" -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${pkgs[*]}: install them (Debian: apt-get install -y ${pkgs[*]})"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
  case "$ROOT/:$OUT/" in
  /etc/* | /var/* | /run/* | *:/etc/* | *:/var/* | *:/run/*)
    die "the checkout or KW_BENCH_OUT is below /etc, /var or /run, where the benchmarks' writes are thrown away; move it"
    ;;
  esac
}

# --- builds ------------------------------------------------------------------

# The wrapper as an image build makes it (docs/image-build.md), dynamically linked, and the
# same with the C runtime linked statically (docs/performance.md). Each has a
# target directory of its own, so they do not rebuild each other or the
# developer's build.
build() {
  mkdir -p "$BIN" "$RAW"
  echo "building kubelet-wrapper pinned to $RELEASE ..." >&2
  KUBELET_WRAPPER_RELEASE=$RELEASE CARGO_TARGET_DIR=$ROOT/target/bench \
    cargo build --release --locked --quiet --bins
  cp "$ROOT/target/bench/release/kubelet-wrapper" "$BIN/wrapper"
  cp "$ROOT/target/bench/release/kubelet-wrapperctl" "$BIN/kubelet-wrapperctl"
  KUBELET_WRAPPER_RELEASE=$RELEASE CARGO_TARGET_DIR=$ROOT/target/bench-static \
    RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build --release --locked --quiet --bin kubelet-wrapper --target "$TARGET"
  cp "$ROOT/target/bench-static/$TARGET/release/kubelet-wrapper" "$BIN/wrapper-static"
  gcc -O2 -s -static -o "$BIN/trampoline" benches/trampoline.c
  gcc -O2 -s -o "$BIN/trampoline-dyn" benches/trampoline.c
  # An engine that costs less memory than /bin/true, to see the wrapper's own
  # peak RSS (the kernel keeps the maximum across execve).
  printf 'int main(void) { return 0; }\n' | gcc -O2 -s -static -x c -o "$BIN/noop" -
  cp benches/coreos-kubelet-wrapper.bash "$BIN/bash-wrapper"
  chmod 0755 "$BIN/bash-wrapper"
}

# --- the namespace -------------------------------------------------------------

# Runs this script again as `__inside FUNCTION ARGS...` in a private mount
# namespace with /etc, /var and /run writable only in the namespace.
in_namespace() {
  local flags=-m
  [ "$(id -u)" = 0 ] || flags=-rm
  unshare "$flags" bash "$ROOT/benches/run.sh" __inside "$@"
}

enter_namespace() {
  local layers=$OUT/namespace d
  mount --make-rprivate /
  mkdir -p "$layers"
  mount -t tmpfs -o mode=0700 kw-bench "$layers"
  for d in etc var run; do
    mkdir -p "$layers/$d/upper" "$layers/$d/work"
    mount -t overlay kw-bench -o "lowerdir=/$d,upperdir=$layers/$d/upper,workdir=$layers/$d/work" "/$d" ||
      die "cannot put an overlay over /$d in a private mount namespace (kernel without overlayfs?)"
  done
  # shared, as systemd leaves a node's mounts at boot: the wrapper finds
  # /var/lib/kubelet shared and binds nothing (these copies are peers of
  # nothing on the host)
  mount --make-rshared /
}

# --- statistics ----------------------------------------------------------------

# hyperfine JSON files -> "round<TAB>command<TAB>seconds" lines.
times_tsv() {
  local f r
  for f in "$@"; do
    r=${f##*-r}
    r=${r%.json}
    jq -r --arg r "$r" '.results[] | .command as $c | .times[] | "\($r)\t\($c)\t\(.)"' "$f"
  done
}

# stdin: "group<TAB>seconds"; stdout: "group<TAB>n<TAB>median<TAB>p25<TAB>p75<TAB>min" in µs.
quantiles() {
  sort -t $'\t' -k1,1 -k2,2g | awk -F '\t' -v OFS='\t' '
    function q(p,   h, lo) { h = (n - 1) * p + 1; lo = int(h); return v[lo] + (h - lo) * (v[lo + (lo < n)] - v[lo]) }
    function flush() { if (n) printf "%s\t%d\t%.0f\t%.0f\t%.0f\t%.0f\n", g, n, q(0.5) * 1e6, q(0.25) * 1e6, q(0.75) * 1e6, v[1] * 1e6 }
    $1 != g { flush(); g = $1; n = 0 }
    { v[++n] = $2 }
    END { flush() }'
}

# Runs hyperfine ROUNDS times over NAME=COMMAND pairs, alternating the
# order, into $RAW/TAG-rN.json.
interleaved() {
  local tag=$1
  shift
  local pairs=("$@") r i args
  rm -f "$RAW/$tag"-r*.json
  for ((r = 0; r < ROUNDS; r++)); do
    args=()
    for ((i = 0; i < ${#pairs[@]}; i++)); do
      local k=$i
      ((r % 2)) && k=$((${#pairs[@]} - 1 - i))
      args+=(-n "${pairs[k]%%=*}" "${pairs[k]#*=}")
    done
    hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS" \
      --export-json "$RAW/$tag-r$r.json" "${args[@]}" >/dev/null 2>"$RAW/hyperfine.log" ||
      die "hyperfine failed: $(cat "$RAW/hyperfine.log")"
  done
}

# Markdown table of TAG: each command's median and IQR over all runs.
table() {
  local tag=$1
  echo "| command | runs | median µs | IQR µs | min µs |"
  echo "|---|---:|---:|---:|---:|"
  times_tsv "$RAW/$tag"-r*.json | cut -f2,3 | quantiles |
    awk -F '\t' '{ printf "| %s | %d | %d | %d–%d | %d |\n", $1, $2, $3, $4, $5, $6 }'
}

# The ratio of the medians of A and B in each round: "median [min–max]".
ratio() {
  local tag=$1 a=$2 b=$3
  times_tsv "$RAW/$tag"-r*.json | awk -F '\t' -v OFS='\t' '{ print $1 "|" $2, $3 }' | quantiles |
    awk -F '\t' -v a="$a" -v b="$b" '
      { split($1, k, "|"); m[k[1], k[2]] = $3; rounds[k[1]] = 1 }
      END {
        n = 0
        for (r in rounds) if ((r, a) in m && (r, b) in m && m[r, b] > 0) x[++n] = m[r, a] / m[r, b]
        for (i = 2; i <= n; i++) { t = x[i]; for (j = i - 1; j >= 1 && x[j] > t; j--) x[j + 1] = x[j]; x[j + 1] = t }
        med = (n % 2) ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
        printf "%.2f [%.2f–%.2f]", med, x[1], x[n]
      }'
}

# The median of one command over all runs of TAG, in µs.
median() {
  times_tsv "$RAW/$1"-r*.json | awk -F '\t' -v OFS='\t' -v c="$2" '$2 == c { print $2, $3 }' | quantiles | cut -f3
}

# --- the measurements (inside the namespace) -------------------------------------

# All three must execute the same engine command.
check_same_argv() {
  local out=$OUT/argv
  mkdir -p "$out"
  RKT=/bin/echo "$BIN/wrapper" "$KUBELET_FLAG" >"$out/wrapper" 2>/dev/null
  RKT=/bin/echo "$BIN/wrapper-static" "$KUBELET_FLAG" >"$out/wrapper-static" 2>/dev/null
  RKT=/bin/echo "$BIN/trampoline" "$KUBELET_FLAG" >"$out/trampoline"
  RKT=/bin/echo "$BIN/bash-wrapper" "$KUBELET_FLAG" >"$out/bash" 2>/dev/null
  for f in wrapper-static trampoline bash; do
    cmp -s "$out/wrapper" "$out/$f" || die "$f does not run the wrapper's command: diff $out/wrapper $out/$f"
  done
}

measure_whole() {
  check_same_argv
  interleaved whole \
    "trampoline=$BIN/trampoline $KUBELET_FLAG" \
    "trampoline-dyn=$BIN/trampoline-dyn $KUBELET_FLAG" \
    "wrapper=$BIN/wrapper $KUBELET_FLAG" \
    "wrapper-static=$BIN/wrapper-static $KUBELET_FLAG" \
    "bash=$BIN/bash-wrapper $KUBELET_FLAG" \
    "true=/bin/true"
}

# First start: the four directories do not exist yet (removed before each run).
measure_first_start() {
  local clean="rm -rf /etc/kubernetes /var/lib/docker /var/lib/kubelet /run/kubelet" r
  rm -f "$RAW"/first-r*.json
  for ((r = 0; r < ROUNDS; r++)); do
    local order=(wrapper wrapper-static bash-wrapper)
    ((r % 2)) && order=(bash-wrapper wrapper-static wrapper)
    local args=()
    for c in "${order[@]}"; do args+=(-n "${c/bash-wrapper/bash}" "$BIN/$c $KUBELET_FLAG"); done
    hyperfine -N --style none --warmup 5 --runs $((RUNS / 4)) --prepare "$clean" \
      --export-json "$RAW/first-r$r.json" "${args[@]}" >/dev/null 2>"$RAW/hyperfine.log" ||
      die "hyperfine failed: $(cat "$RAW/hyperfine.log")"
  done
}

flags() {
  local n=$1 i
  for ((i = 1; i <= n; i++)); do printf ' --kubelet-flag-%04d=value' "$i"; done
}

measure_scaling() {
  local pairs=() n
  for n in 10 100 1000; do
    pairs+=("trampoline $n=$BIN/trampoline$(flags "$n")")
    pairs+=("wrapper $n=$BIN/wrapper$(flags "$n")")
    pairs+=("wrapper-static $n=$BIN/wrapper-static$(flags "$n")")
  done
  interleaved scaling "${pairs[@]}"
}

# Maximum resident set size (KiB) as /usr/bin/time -v reports it, median of 21 runs.
max_rss() {
  local i
  for ((i = 0; i < 21; i++)); do
    /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'
  done | sort -n | sed -n 11p
}

measure_rss() {
  local engine label c
  for engine in /bin/true "$BIN/noop"; do
    label=$engine
    [ "$engine" = /bin/true ] || label="static no-op"
    for c in trampoline wrapper wrapper-static bash-wrapper; do
      printf '%s\t%s\t%s\n' "${c/bash-wrapper/bash}" "$label" "$(RKT=$engine max_rss "$BIN/$c" "$KUBELET_FLAG")"
    done
    printf '%s\t%s\t%s\n' "engine alone" "$label" "$(max_rss "$engine")"
  done >"$OUT/rss.tsv"
}

inside() {
  enter_namespace
  "$@"
}

# --- the report ------------------------------------------------------------------

machine() {
  echo "- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) online CPUs"
  echo "- kernel: $(uname -r); $(ldd --version | head -1); $(rustc --version); $(gcc --version | head -1); $(hyperfine --version)"
  echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

sizes() {
  echo "| binary | bytes | MiB |"
  echo "|---|---:|---:|"
  local f s
  for f in wrapper wrapper-static kubelet-wrapperctl trampoline trampoline-dyn; do
    # already stripped by the release profile / gcc -s; strip a copy to be sure
    strip -o "$OUT/stripped" "$BIN/$f"
    s=$(stat -c %s "$OUT/stripped")
    awk -v f="$f" -v s="$s" 'BEGIN { printf "| %s | %d | %.2f |\n", f, s, s / 1048576 }'
  done
  rm -f "$OUT/stripped"
}

# The crate has no lock file of its own (benches/inproc/Cargo.toml): it gets
# the main one, so cargo only adds the bench crate itself to it.
in_process() {
  cp Cargo.lock benches/inproc/Cargo.lock
  CARGO_TARGET_DIR=$ROOT/target/bench-inproc \
    cargo run --release --quiet --manifest-path benches/inproc/Cargo.toml
}

report() {
  local w s t b
  w=$(median whole wrapper)
  s=$(median whole wrapper-static)
  t=$(median whole trampoline)
  b=$(median whole bash)
  cat <<EOF
# kubelet-wrapper benchmarks

$(date -u +%Y-%m-%dT%H:%MZ), release pinned to $RELEASE, RKT=/bin/true, one kubelet flag.
$ROUNDS rounds x $RUNS runs per command (warm-up $WARMUP), order alternating per round.

$(machine)

## Whole process (directories already exist: a restart)

$(table whole)

| ratio (per-round medians) | median [range over rounds] | target |
|---|---|---|
| wrapper / trampoline | $(ratio whole wrapper trampoline) | <= 1.25 |
| wrapper-static / trampoline | $(ratio whole wrapper-static trampoline) | <= 1.25 |
| wrapper / trampoline-dyn | $(ratio whole wrapper trampoline-dyn) | |
| bash / wrapper | $(ratio whole bash wrapper) | >= 5 |
| bash / wrapper-static | $(ratio whole bash wrapper-static) | >= 5 |

Cost above the floor (median - trampoline median): wrapper $((w - t)) µs,
wrapper-static $((s - t)) µs, bash $((b - t)) µs.

## Whole process, first start (directories removed before each run)

$(table first)

| ratio | median [range over rounds] |
|---|---|
| bash / wrapper | $(ratio first bash wrapper) |
| bash / wrapper-static | $(ratio first bash wrapper-static) |

## Kubelet arguments: 10, 100, 1000

$(table scaling)

$(scaling_summary)

## Peak memory (/usr/bin/time -v, maximum resident set size, median of 21)

| program | engine (RKT) | max RSS KiB |
|---|---|---:|
$(awk -F '\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$OUT/rss.tsv")

The kernel keeps the maximum across execve, so each figure is the larger of
the program and its engine; with the static no-op engine it is the
program's own.

## Stripped sizes

$(sizes)

## In process (plan + render)

$(cat "$OUT/inproc.md")
EOF
}

scaling_summary() {
  local c n m
  echo "| command | 10 | 100 | 1000 | µs per argument, 10→100 | 100→1000 |"
  echo "|---|---:|---:|---:|---:|---:|"
  for c in trampoline wrapper wrapper-static; do
    local med=()
    for n in 10 100 1000; do med+=("$(median scaling "$c $n")"); done
    awk -v c="$c" -v a="${med[0]}" -v b="${med[1]}" -v d="${med[2]}" \
      'BEGIN { printf "| %s | %d | %d | %d | %.2f | %.2f |\n", c, a, b, d, (b - a) / 90, (d - b) / 900 }'
  done
  echo
  echo "| extra over the trampoline | 10 | 100 | 1000 |"
  echo "|---|---:|---:|---:|"
  for c in wrapper wrapper-static; do
    printf '| %s |' "$c"
    for n in 10 100 1000; do
      m=$(($(median scaling "$c $n") - $(median scaling "trampoline $n")))
      printf ' %d µs (%s) |' "$m" "$(ratio scaling "$c $n" "trampoline $n")"
    done
    echo
  done
}

compare() {
  [ "$#" -ge 2 ] || die "usage: benches/run.sh compare WRAPPER_BINARY WRAPPER_BINARY..."
  mkdir -p "$RAW"
  local pairs=() f i=0 args
  args="$KUBELET_FLAG$(flags "${KW_BENCH_ARGS:-0}")"
  for f in "$@"; do
    [ -x "$f" ] || die "$f: not an executable"
    i=$((i + 1))
    pairs+=("$i:$(basename "$f")=$(realpath "$f") $args")
  done
  in_namespace interleaved compare "${pairs[@]}"
  table compare
  echo
  local j
  for ((j = 2; j <= i; j++)); do
    echo "$j / 1: $(ratio compare "$j:$(basename "${!j}")" "1:$(basename "$1")")"
  done
}

# The directories the wrapper creates, as they are on the host: the
# benchmarks must leave them as they found them.
DIRS=(/etc/kubernetes /var/lib/docker /var/lib/kubelet /run/kubelet)
host_dirs() {
  local d
  for d in "${DIRS[@]}"; do [ -e "$d" ] && echo "$d"; done
  return 0
}

main() {
  case "${1:-}" in
  __inside)
    shift
    inside "$@"
    return
    ;;
  compare)
    shift
    need_tools
    compare "$@"
    return
    ;;
  "") ;;
  *) die "usage: benches/run.sh [compare WRAPPER_BINARY...]" ;;
  esac
  need_tools
  local before
  before=$(host_dirs)
  build
  echo "whole-process benchmarks ($ROUNDS rounds x $RUNS runs) ..." >&2
  in_namespace measure_whole
  echo "first start ..." >&2
  in_namespace measure_first_start
  echo "scaling with the number of kubelet arguments ..." >&2
  in_namespace measure_scaling
  echo "peak memory ..." >&2
  in_namespace measure_rss
  echo "in-process plan + render ..." >&2
  in_process >"$OUT/inproc.md"
  [ "$(host_dirs)" = "$before" ] || die "the host's ${DIRS[*]} changed during the benchmarks"
  report >"$OUT/summary.md"
  cat "$OUT/summary.md"
}

main "$@"
