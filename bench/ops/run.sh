#!/usr/bin/env bash
# The op set's new reductions and elementwise ops on 1M float32 elements,
# Meta (bench/ops/ops.meta, release build, one thread) against NumPy
# (bench/ops/ops_numpy.py), same timing method (bench/timing.py). NumPy runs
# right after Meta so both see the same machine load. The last column is
# throughput relative to NumPy (NumPy median / Meta median: above 1 means
# Meta is faster; the issue asks for >= 0.8 on reductions and elementwise ops).
#
#   bench/ops/run.sh              REPS=7 MIN_TIME=0.1 ROUNDS=1 by default
#   ROUNDS=3 bench/ops/run.sh     Meta and NumPy alternate 3 times; each row keeps
#                                 its best median (on a shared machine one round
#                                 can be hit by load)
#   META=path/to/meta NO_BUILD=1 bench/ops/run.sh
#   PY=/tmp/peers/bin/python bench/ops/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-7}
MIN_TIME=${MIN_TIME:-0.1}
ROUNDS=${ROUNDS:-1}
SCRATCH=${SCRATCH:-.build}
PY=${PY:-python3}
if [ -z "${META:-}" ]; then
  [ -n "${NO_BUILD:-}" ] || swift build -c release --scratch-path "$SCRATCH" --product meta >&2
  META="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/meta"
fi

echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) before the run"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for _ in $(seq "$ROUNDS"); do
  "$META" --threads 1 bench/ops/ops.meta "$REPS" "$MIN_TIME" | sed -n 's/^ROW /meta /p' >>"$results"
  "$PY" bench/ops/ops_numpy.py "$REPS" "$MIN_TIME" | sed -n 's/^ROW /numpy /p' >>"$results"
done
numpy_version=$("$PY" -c 'import numpy; print(numpy.__version__)')

python3 - "$results" "$numpy_version" <<'PY'
import sys
meta, numpy = {}, {}
order = []
for line in open(sys.argv[1]):
    who, name, median, best = line.split()
    table = meta if who == "meta" else numpy
    old = table.get(name)
    row = (float(median), float(best))
    table[name] = row if old is None else (min(old[0], row[0]), min(old[1], row[1]))
    if who == "meta" and name not in order:
        order.append(name)
print(f"\n{'op (1M float32)':28s}{'Meta us (med/best)':>22s}{'NumPy ' + sys.argv[2] + ' us':>24s}{'NumPy/Meta':>12s}")
for name in order:
    m, p = meta[name], numpy.get(name)
    if p is None:
        continue
    print(f"{name.replace('_', ' '):28s}{m[0]:11.0f} / {m[1]:8.0f}{p[0]:13.0f} / {p[1]:8.0f}{p[0] / m[0]:12.2f}")
PY
echo
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) after the run"
