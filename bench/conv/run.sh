#!/usr/bin/env bash
# conv2d at the conv4 encoder's shapes (3x3, stride 1, padding 1, 64 filters),
# Meta vs PyTorch, one thread each: per layer and batch size, ms per call of the
# forward, of forward + weight gradient, and of forward + both gradients, and
# the ratio Meta / PyTorch (< 1: Meta faster). Best of RUNS runs per figure.
#
#   bench/conv/run.sh
#   BATCHES=600 RUNS=7 NO_BUILD=1 bench/conv/run.sh
#
# Environment:
#   SCRATCH    swift scratch path (default .build-bench); META overrides the binary
#   NO_BUILD=1 skip the release build
#   PY         python with torch (default /tmp/peers/bin/python; see bench/maml_sine/setup_peers.sh)
#   BATCHES    comma-separated batch sizes (default 600,75,5)
#   RUNS       timed runs per figure (default 5); MIN_S seconds per run at least (default 0.1)
#   OUT        directory for the raw outputs (default /tmp/conv_bench)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SCRATCH="${SCRATCH:-.build-bench}"
META="${META:-$ROOT/$SCRATCH/release/meta}"
PY="${PY:-/tmp/peers/bin/python}"
BATCHES="${BATCHES:-600,75,5}"
RUNS="${RUNS:-5}"
MIN_S="${MIN_S:-0.1}"
OUT="${OUT:-/tmp/conv_bench}"

if ! [[ "$RUNS" =~ ^[0-9]+$ ]] || [ "$RUNS" -lt 1 ]; then
  echo "run.sh: RUNS must be a positive integer (got $RUNS)" >&2; exit 2
fi
if ! [[ "$BATCHES" =~ ^[0-9]+(,[0-9]+)*$ ]]; then
  echo "run.sh: BATCHES must be comma-separated integers (got $BATCHES)" >&2; exit 2
fi
mkdir -p "$OUT"

if [ -z "${NO_BUILD:-}" ]; then
  echo "building meta (release, $SCRATCH) ..." >&2
  (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product meta) >"$OUT/build.log" 2>&1 \
    || { echo "run.sh: release build failed, see $OUT/build.log" >&2; exit 1; }
fi
[ -x "$META" ] || { echo "run.sh: no meta binary at $META" >&2; exit 1; }

opts=(--batches "$BATCHES" --runs "$RUNS" --min-s "$MIN_S")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "meta ..." >&2
"$META" --threads 1 "$HERE/conv_bench.meta" "${opts[@]}" >"$OUT/meta.txt" 2>&1 \
  || { echo "run.sh: meta failed, see $OUT/meta.txt" >&2; exit 1; }
: >"$OUT/torch.txt"
if [ -x "$PY" ] && "$PY" -c 'import torch' 2>/dev/null; then
  echo "torch ..." >&2
  "$PY" "$HERE/conv_torch.py" "${opts[@]}" --threads 1 >"$OUT/torch.txt" 2>&1 \
    || echo "run.sh: torch failed, see $OUT/torch.txt" >&2
else
  echo "PyTorch: not available (PY=$PY)" >&2
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "conv2d 3x3/1/1, 64 filters, 1 thread, best of $RUNS runs (ms per call)"
echo "cpu:  $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "load: $load_before before, $load_after after (1/5/15 min)"
echo
python3 - "$OUT/meta.txt" "$OUT/torch.txt" <<'PYEOF'
import sys

def read(path):
    rows = {}
    for line in open(path):
        f = line.split()
        if len(f) == 5 and f[0] == "CONV":
            rows[(int(f[1]), int(f[2]), f[3])] = float(f[4])
    return rows

meta, torch = read(sys.argv[1]), read(sys.argv[2])
shapes = {1: "1x28x28", 2: "64x14x14", 3: "64x7x7", 4: "64x3x3"}
print(f"{'layer':<6}{'input':<10}{'N':>5}  {'op':<8}{'Meta ms':>10}{'torch ms':>10}{'ratio':>8}")
order = sorted(meta, key=lambda k: (-k[1], k[0], ["fwd", "grad_w", "grad_xw"].index(k[2])))
for key in order:
    layer, n, op = key
    m, t = meta[key], torch.get(key)
    ts = f"{t:.2f}" if t else "-"
    ratio = f"{m / t:.2f}" if t else "-"
    print(f"{layer:<6}{shapes.get(layer, '?'):<10}{n:>5}  {op:<8}{m:>10.2f}{ts:>10}{ratio:>8}")
for n in sorted({k[1] for k in meta}, reverse=True):
    ms = sum(v for k, v in meta.items() if k[1] == n and k[2] == "grad_xw")
    ts = sum(v for k, v in torch.items() if k[1] == n and k[2] == "grad_xw")
    line = f"N={n}: sum of grad_xw over the layers: Meta {ms:.1f} ms"
    if ts:
        line += f", torch {ts:.1f} ms, ratio {ms / ts:.2f}"
    print(line)
PYEOF
echo
echo "raw: $OUT/meta.txt $OUT/torch.txt"
