#!/usr/bin/env bash
# One Omniglot training step, Meta vs PyTorch eager, one thread each, on this machine:
# ProtoNet 60-way 5-shot 5-query episode (fwd + bwd + Adam) and MAML 5-way 1-shot
# meta-iteration (meta-batch 32, first and second order). Random data of the right
# shapes on both sides (bench/omniglot/step.meta; ../shared/bench/conv_torch.py).
# Prints median seconds per step and the ratio Meta time / PyTorch time (< 1: Meta faster).
#
#   bench/omniglot/run.sh
#   RUNS=7 TARGET_S=3 ROUNDS=2 NO_BUILD=1 bench/omniglot/run.sh
#
# Environment:
#   SCRATCH    swift scratch path (default .build-bench); META overrides the binary
#   NO_BUILD=1 skip the release build
#   PEERS_DIR  the peer scripts (default ../shared/bench next to the repository)
#   PY         python with torch (default /tmp/peers/bin/python)
#   RUNS       timed runs per row (default 5); TARGET_S seconds per run (default 3)
#   WARMUP     untimed steps first (default 3)
#   ROUNDS     run every row this many times, alternating, keep each row's best median (default 1)
#   WORKS      the workloads (default "proto60 maml1 maml2")
#   OUT        directory for the raw logs (default /tmp/omniglot_bench); the peers run there
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SCRATCH="${SCRATCH:-.build-bench}"
META="${META:-$ROOT/$SCRATCH/release/meta}"
PEERS_DIR="${PEERS_DIR:-$ROOT/../shared/bench}"
PY="${PY:-/tmp/peers/bin/python}"
RUNS="${RUNS:-5}"
TARGET_S="${TARGET_S:-3}"
WARMUP="${WARMUP:-3}"
ROUNDS="${ROUNDS:-1}"
WORKS="${WORKS:-proto60 maml1 maml2}"
OUT="${OUT:-/tmp/omniglot_bench}"

for v in RUNS WARMUP ROUNDS; do
  if ! [[ "${!v}" =~ ^[0-9]+$ ]] || [ "${!v}" -lt 1 ]; then
    echo "run.sh: $v must be a positive integer (got ${!v})" >&2; exit 2
  fi
done
for w in $WORKS; do
  case "$w" in proto60|maml1|maml2) ;; *) echo "run.sh: unknown workload '$w' (proto60, maml1, maml2)" >&2; exit 2;; esac
done
mkdir -p "$OUT"

if [ -z "${NO_BUILD:-}" ]; then
  echo "building meta (release, $SCRATCH) ..."
  (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product meta) >"$OUT/build.log" 2>&1 \
    || { echo "run.sh: release build failed, see $OUT/build.log" >&2; exit 1; }
fi
[ -x "$META" ] || { echo "run.sh: no meta binary at $META" >&2; exit 1; }
have_torch=0
[ -x "$PY" ] && [ -f "$PEERS_DIR/conv_torch.py" ] && "$PY" -c 'import torch' 2>/dev/null && have_torch=1

# The median seconds per step of the last RESULT line of a log, or nothing.
parse() {
  sed -n 's/^RESULT //p' "$1" | tail -1 | python3 -c '
import json, sys
text = sys.stdin.read().strip()
if text:
    print(1.0 / json.loads(text)["median_its"])'
}

declare -A best
# measure KEY LOG COMMAND...: keeps the lowest median over the rounds.
measure() {
  local key="$1" log="$OUT/$2.round$round.log" s; shift 2
  echo "round $round: $key ..." >&2
  if "$@" >"$log" 2>&1 && s=$(parse "$log") && [ -n "$s" ]; then
    if [ -z "${best[$key]:-}" ] || python3 -c "import sys; sys.exit(0 if $s < ${best[$key]} else 1)"; then
      best[$key]="$s"
    fi
  else
    echo "  failed, see $log" >&2
  fi
}

opts=(--runs "$RUNS" --target-s "$TARGET_S" --warmup "$WARMUP")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
for round in $(seq 1 "$ROUNDS"); do
  for w in $WORKS; do
    measure "meta $w" "meta_$w" "$META" --threads 1 "$HERE/step.meta" --work "$w" "${opts[@]}"
    if [ $have_torch = 1 ]; then
      measure "torch $w" "torch_$w" \
        bash -c 'cd "$1" && shift && exec "$@"' _ "$OUT" "$PY" "$PEERS_DIR/conv_torch.py" --work "$w" --threads 1 "${opts[@]}"
    fi
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "Omniglot training step, 1 thread, $RUNS runs x ~${TARGET_S}s after $WARMUP warm-up steps, best of $ROUNDS round(s)"
echo "cpu:  $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "date: $started (start)"
echo "load: $load_before before, $load_after after (1/5/15 min)"
[ $have_torch = 1 ] || echo "PyTorch: not available (PY=$PY, PEERS_DIR=$PEERS_DIR)"
echo
printf '%-44s %12s %12s %12s\n' "step" "Meta ms" "PyTorch ms" "Meta/PyTorch"
for w in $WORKS; do
  case "$w" in
    proto60) label="ProtoNet 60-way 5-shot 5-query episode" ;;
    maml1)   label="MAML 5-way 1-shot, batch 32, first order" ;;
    maml2)   label="MAML 5-way 1-shot, batch 32, second order" ;;
  esac
  m="${best[meta $w]:-}"; t="${best[torch $w]:-}"
  python3 - "$label" "$m" "$t" <<'EOF'
import sys
label, m, t = sys.argv[1], sys.argv[2], sys.argv[3]
ms = lambda s: f"{float(s) * 1000:.1f}" if s else "-"
ratio = f"{float(m) / float(t):.2f}" if m and t else "-"
print(f"{label:<44} {ms(m):>12} {ms(t):>12} {ratio:>12}")
EOF
done
echo
echo "raw RESULT lines: $OUT/*.log"
