#!/usr/bin/env bash
# One MAML-TRPO meta-iteration on 2-D navigation, Meta vs its PyTorch twin
# (bench/metarl/maml_trpo_torch.py), one thread each, on this machine: 20 goals ×
# 20 trajectories × 100 steps, one inner policy-gradient step, a TRPO outer step
# with 10 conjugate-gradient iterations and a line search. Runs both ROUNDS times,
# alternating, ITERATIONS meta-iterations each after one warm-up, and prints the
# median seconds per meta-iteration and the ratio.
#
#   bench/metarl/run.sh
#   ROUNDS=3 ITERATIONS=5 NO_BUILD=1 META=.build/release/meta bench/metarl/run.sh
#
# Environment:
#   SCRATCH    swift scratch path (default .build-bench); META overrides the binary
#   NO_BUILD=1 skip the release build
#   PY         python with torch (default /tmp/peers/bin/python)
#   ROUNDS     alternating rounds (default 2); ITERATIONS timed per round (default 3)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SCRATCH="${SCRATCH:-.build-bench}"
META="${META:-$ROOT/$SCRATCH/release/meta}"
PY="${PY:-/tmp/peers/bin/python}"
ROUNDS="${ROUNDS:-2}"
ITERATIONS="${ITERATIONS:-3}"
for v in ROUNDS ITERATIONS; do
  if ! [[ "${!v}" =~ ^[0-9]+$ ]] || [ "${!v}" -lt 1 ]; then echo "run.sh: $v must be a positive integer" >&2; exit 2; fi
done
if [ -z "${NO_BUILD:-}" ]; then
  echo "building meta (release, $SCRATCH) ..."
  (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product meta) >/tmp/metarl_build.log 2>&1 \
    || { echo "run.sh: release build failed, see /tmp/metarl_build.log" >&2; exit 1; }
fi
[ -x "$META" ] || { echo "run.sh: no meta binary at $META" >&2; exit 1; }
"$PY" -c "import torch" 2>/dev/null || { echo "run.sh: $PY has no torch (python3 -m venv /tmp/peers && /tmp/peers/bin/pip install torch)" >&2; exit 1; }

meta_times=(); torch_times=()
for round in $(seq "$ROUNDS"); do
  # Drop the warm-up line (the first) of each run.
  mapfile -t m < <("$META" --threads 1 --quiet "$HERE/maml_trpo_step.meta" "$ITERATIONS" | tail -n +2)
  mapfile -t t < <(OMP_NUM_THREADS=1 "$PY" "$HERE/maml_trpo_torch.py" --threads 1 --time-only $((ITERATIONS + 1)) | tail -n +2)
  echo "round $round: meta ${m[*]}  |  pytorch ${t[*]}"
  meta_times+=("${m[@]}"); torch_times+=("${t[@]}")
done
python3 - "${#meta_times[@]}" "${meta_times[@]}" "${torch_times[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1]); xs = [float(v) for v in sys.argv[2:]]
meta, torch = xs[:n], xs[n:]
if not meta or not torch:
    sys.exit("run.sh: a side printed no timings")
m, t = statistics.median(meta), statistics.median(torch)
print(f"seconds per meta-iteration (median of {len(meta)} / {len(torch)}): Meta {m:.3f}  PyTorch {t:.3f}")
print(f"Meta is {t / m:.2f}x PyTorch's speed (one thread each)")
PY
