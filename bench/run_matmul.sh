#!/usr/bin/env bash
# Matrix-multiply benchmark: Meta's sgemm (meta-bench, release build) against
# NumPy/OpenBLAS, same sizes, same thread counts, same timing method (see
# bench/matmul_numpy.py). Each (threads, n) row runs Meta and NumPy back to
# back, ROUNDS times alternately (Meta, NumPy, Meta, NumPy, ...), so both see
# the same machine load; each side keeps its best round (highest median), and
# the ratios Meta/NumPy are given for the medians and for the best samples.
#
# usage: bench/run_matmul.sh [sizes] [threads]     e.g. bench/run_matmul.sh 256,1024 1,2
# env:   REPS (default 7), MIN_TIME (default 0.2), ROUNDS (default 2),
#        SCRATCH (swift build scratch path, default .build)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-64,128,256,512,1024,2048}
THREADS=${2:-1,2}
REPS=${REPS:-7}
MIN_TIME=${MIN_TIME:-0.2}
ROUNDS=${ROUNDS:-2}
SCRATCH=${SCRATCH:-.build}

swift build -c release --scratch-path "$SCRATCH" --product meta-bench >&2
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/meta-bench"

echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) before the run"
echo

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for t in ${THREADS//,/ }; do
  for n in ${SIZES//,/ }; do
    for _ in $(seq "$ROUNDS"); do
      "$BIN" --threads "$t" --sizes "$n" --reps "$REPS" --min-time "$MIN_TIME" --no-small --json \
        | sed -n 's/^RESULT /meta /p' >>"$results"
      python3 bench/matmul_numpy.py --threads "$t" --sizes "$n" --reps "$REPS" --min-time "$MIN_TIME" \
        --json | sed -n 's/^RESULT /numpy /p' >>"$results"
    done
  done
done

python3 - "$results" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    who, payload = line.split(" ", 1)
    for r in json.loads(payload)["matmul"]:
        d = rows.setdefault((r["threads"], r["n"]), {})
        if who not in d or r["gflops_median"] > d[who]["gflops_median"]:
            d[who] = r
print("threads     n   Meta GFLOP/s (med/best)   NumPy GFLOP/s (med/best)   Meta/NumPy (med, best)")
for (t, n), d in sorted(rows.items()):
    m, p = d.get("meta"), d.get("numpy")
    if not (m and p):
        continue
    print(f"{t:7d}{n:6d}   {m['gflops_median']:9.1f} / {m['gflops_best']:6.1f}"
          f"       {p['gflops_median']:9.1f} / {p['gflops_best']:6.1f}"
          f"       {m['gflops_median'] / p['gflops_median']:5.2f}, {m['gflops_best'] / p['gflops_best']:5.2f}")
PY
echo
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) after the run"
echo
"$BIN" --threads 1 --sizes 64 --reps "$REPS" | sed -n '/^small products/,$p'
