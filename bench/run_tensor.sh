#!/usr/bin/env bash
# MetaTensor op benchmark: tensor-bench (release build) against NumPy, same
# ops, same shapes, same timing method (see bench/tensor_numpy.py). NumPy runs
# right after Meta so both see the same machine load. Small ops are timed on
# one thread; the 1M-element rows give Meta at each thread count against
# NumPy's (single-threaded) figure. Ratio = Meta median / NumPy median
# (below 1 means Meta is faster).
#
# usage: bench/run_tensor.sh [threads]        e.g. bench/run_tensor.sh 1,2
# env:   REPS (default 7), MIN_TIME (default 0.1), SCRATCH (swift build scratch path)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${1:-1,2}
REPS=${REPS:-7}
MIN_TIME=${MIN_TIME:-0.1}
SCRATCH=${SCRATCH:-.build}

swift build -c release --scratch-path "$SCRATCH" --product tensor-bench >&2
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/tensor-bench"

echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) before the run"
echo

results=$(mktemp)
trap 'rm -f "$results"' EXIT
"$BIN" --threads "$THREADS" --reps "$REPS" --min-time "$MIN_TIME" --json | sed -n 's/^RESULT /meta /p' >>"$results"
python3 bench/tensor_numpy.py --reps "$REPS" --min-time "$MIN_TIME" --json | sed -n 's/^RESULT /numpy /p' >>"$results"

python3 - "$results" <<'PY'
import json, sys
meta, numpy, version = [], {}, "?"
for line in open(sys.argv[1]):
    who, payload = line.split(" ", 1)
    data = json.loads(payload)
    if who == "meta":
        meta = data["rows"]
    else:
        version = data["numpy"]
        numpy = {(r["group"], r["op"]): r for r in data["rows"]}
print(f"{'group':6s}{'op':30s}{'thr':>4s}  {'Meta us (med/best)':>22s}  {'NumPy ' + version + ' us (med/best)':>28s}  {'Meta/NumPy':>10s}")
for r in meta:
    p = numpy.get((r["group"], r["op"]))
    if p is None:
        continue
    print(f"{r['group']:6s}{r['op']:30s}{r['threads']:4d}  {r['us_median']:11.3f} / {r['us_best']:8.3f}"
          f"  {p['us_median']:17.3f} / {p['us_best']:8.3f}  {r['us_median'] / p['us_median']:10.2f}")
PY
echo
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) after the run"
