#!/usr/bin/env bash
# MAML sine meta-iteration, Meta vs PyTorch vs JAX, one thread each, on this machine.
# Builds `meta` (release), runs every row RUNS times (the peers' timing method:
# warm-up, calibration, RUNS runs of ~TARGET_S seconds) and prints a table of
# median it/s and the ratio to the PyTorch eager per-task loop.
#
#   bench/maml_sine/run.sh
#   RUNS=9 TARGET_S=3 EAGER=1 bench/maml_sine/run.sh
#
# Environment:
#   SCRATCH    swift scratch path (default .build-bench); META overrides the binary
#   NO_BUILD=1 skip the release build
#   PEERS_DIR  the peer scripts (default ../shared/bench next to the repository)
#   PY         python with torch / jax (default /tmp/peers/bin/python; see setup_peers.sh)
#   RUNS       timed runs per row (default 7, at least 5); TARGET_S seconds per run (default 2)
#   ROUNDS     run every row this many times, alternating, and keep each row's best
#              median (default 1; 2 or 3 on a shared machine, where one round can be hit by load)
#   EAGER=1    also JAX without jit (eager_vmap, eager_loop: seconds per iteration, slow)
#   OUT        directory for the raw logs (default /tmp/maml_sine_bench)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SCRATCH="${SCRATCH:-.build-bench}"
META="${META:-$ROOT/$SCRATCH/release/meta}"
PEERS_DIR="${PEERS_DIR:-$ROOT/../shared/bench}"
PY="${PY:-/tmp/peers/bin/python}"
RUNS="${RUNS:-7}"
ROUNDS="${ROUNDS:-1}"
TARGET_S="${TARGET_S:-2}"
OUT="${OUT:-/tmp/maml_sine_bench}"
JAX_ENV=(env XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

if ! [[ "$RUNS" =~ ^[0-9]+$ ]] || [ "$RUNS" -lt 5 ]; then
  echo "run.sh: RUNS must be an integer of at least 5 (got $RUNS)" >&2; exit 2
fi
if ! [[ "$ROUNDS" =~ ^[0-9]+$ ]] || [ "$ROUNDS" -lt 1 ]; then
  echo "run.sh: ROUNDS must be a positive integer (got $ROUNDS)" >&2; exit 2
fi
mkdir -p "$OUT"

if [ -z "${NO_BUILD:-}" ]; then
  echo "building meta (release, $SCRATCH) ..."
  (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product meta) >"$OUT/build.log" 2>&1 \
    || { echo "run.sh: release build failed, see $OUT/build.log" >&2; exit 1; }
fi
[ -x "$META" ] || { echo "run.sh: no meta binary at $META" >&2; exit 1; }

# The it/s fields of a RESULT line: "median min max".
parse() {
  sed -n 's/^RESULT //p' "$1" | tail -1 | python3 -c '
import json, sys
text = sys.stdin.read().strip()
if text:
    d = json.loads(text)
    print(d["median_its"], d["min_its"], d["max_its"])'
}

names=(); medians=(); mins=(); maxs=(); notes=()
# The index of row NAME, added (empty) on first use.
slot() {
  local i
  for i in "${!names[@]}"; do [ "${names[$i]}" = "$1" ] && { echo "$i"; return; }; done
  echo "${#names[@]}"
}
# row NAME LOGNAME COMMAND...: runs COMMAND and keeps its RESULT figures when its
# median beats the row's earlier rounds; a failure leaves a note.
row() {
  local name="$1" log="$OUT/$2.round$round.log" i; shift 2
  echo "round $round: $name ..." >&2
  i=$(slot "$name")
  if "$@" >"$log" 2>&1 && fields=$(parse "$log") && [ -n "$fields" ]; then
    read -r med lo hi <<<"$fields"
    if [ "${medians[$i]:--}" = "-" ] || python3 -c "import sys; sys.exit(0 if $med > ${medians[$i]} else 1)"; then
      names[$i]="$name"; medians[$i]="$med"; mins[$i]="$lo"; maxs[$i]="$hi"; notes[$i]=""
    fi
  elif [ "${medians[$i]:--}" = "-" ]; then
    names[$i]="$name"; medians[$i]="-"; mins[$i]="-"; maxs[$i]="-"
    notes[$i]="failed: $(grep -m1 -i 'error' "$log" | cut -c1-70)"
  fi
}
skip() {
  local i; i=$(slot "$1")
  names[$i]="$1"; medians[$i]="-"; mins[$i]="-"; maxs[$i]="-"; notes[$i]="$2"
}

opts=(--runs "$RUNS" --target-s "$TARGET_S")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')

have_torch=0; have_jax=0
if [ -x "$PY" ] && [ -f "$PEERS_DIR/maml_sine_torch.py" ]; then
  "$PY" -c 'import torch' 2>/dev/null && have_torch=1
  "$PY" -c 'import jax' 2>/dev/null && have_jax=1
fi
why="not installed (bench/maml_sine/setup_peers.sh; PY=$PY, PEERS_DIR=$PEERS_DIR)"
jax_modes=(jit jit_loop)
[ -n "${EAGER:-}" ] && jax_modes+=(eager_vmap eager_loop)
# The peers run from $OUT so that nothing they might write lands in the repository.
in_out() { (cd "$OUT" && exec "$@"); }

for round in $(seq 1 "$ROUNDS"); do
  row "Meta stdlib maml (1 thread)" meta_stdlib "$META" --threads 1 "$HERE/maml_sine.meta" "${opts[@]}"
  row "Meta by hand, task loop (1 thread)" meta_by_hand \
    "$META" --threads 1 "$HERE/maml_sine_by_hand.meta" "${opts[@]}"
  if [ $have_torch = 1 ]; then
    for mode in loop vmap; do
      row "PyTorch eager $mode (1 thread)" "torch_$mode" \
        in_out "$PY" "$PEERS_DIR/maml_sine_torch.py" --mode "$mode" --threads 1 --bench "${opts[@]}"
    done
  else
    skip "PyTorch eager loop" "$why"; skip "PyTorch eager vmap" "$why"
  fi
  if [ $have_jax = 1 ]; then
    for mode in "${jax_modes[@]}"; do
      row "JAX $mode (XLA 1 thread, cpu 0)" "jax_$mode" \
        in_out "${JAX_ENV[@]}" taskset -c 0 "$PY" "$PEERS_DIR/maml_sine_jax.py" --mode "$mode" --bench \
        --threads-label 1 "${opts[@]}"
    done
    [ -z "${EAGER:-}" ] && skip "JAX eager_vmap / eager_loop" "skipped (EAGER=1 runs them; seconds per iteration)"
  else
    skip "JAX jit" "$why"
  fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Ratio to the PyTorch eager loop row, when it ran.
base=""
for i in "${!names[@]}"; do
  [[ "${names[$i]}" == "PyTorch eager loop"* ]] && [ "${medians[$i]}" != "-" ] && base="${medians[$i]}"
done

echo
echo "MAML sine meta-iteration (second order, meta-batch 25, K=10, 1-40-40-1 ReLU), $RUNS runs x ~${TARGET_S}s, best of $ROUNDS round(s)"
echo "cpu:  $(lscpu | sed -n 's/^Model name: *//p')"
echo "date: $started (start)"
echo "load: $load_before before, $load_after after (1/5/15 min)"
echo
printf '%-38s %10s %10s %10s %9s\n' "name" "it/s med" "min" "max" "vs torch"
for i in "${!names[@]}"; do
  med="${medians[$i]}"
  if [ "$med" = "-" ]; then
    printf '%-38s %10s  %s\n' "${names[$i]}" "-" "${notes[$i]}"
    continue
  fi
  ratio="-"
  [ -n "$base" ] && ratio=$(python3 -c "print(f'{$med / $base:.2f}x')")
  printf '%-38s %10.1f %10.1f %10.1f %9s\n' "${names[$i]}" "$med" "${mins[$i]}" "${maxs[$i]}" "$ratio"
done
echo
echo "raw RESULT lines: $OUT/*.log"
