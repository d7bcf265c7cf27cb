"""NumPy float32 matmul GFLOP/s for square n, timed exactly like meta-bench.

Timing (same as bench/meta-bench): one warm-up call, then the number of calls
per sample doubles until one sample takes >= --min-time seconds, then --reps
samples; median and best per-call time are reported. C is preallocated
(np.matmul(a, b, out=c)), as meta-bench writes into an existing C.

The BLAS thread count is fixed through OPENBLAS_NUM_THREADS / OMP_NUM_THREADS,
which must be set before NumPy is imported, so one process runs one thread count.

usage: python3 bench/matmul_numpy.py --threads 1 [--sizes 64,128] [--reps 7] [--json]
"""
import argparse
import json
import os
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--sizes", default="64,128,256,512,1024,2048")
ap.add_argument("--reps", type=int, default=7)
ap.add_argument("--min-time", type=float, default=0.2)
ap.add_argument("--json", action="store_true")
args = ap.parse_args()
if "numpy" in sys.modules:
    sys.exit("numpy already imported: thread count cannot be set")
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402  (after the thread variables, on purpose)

import timing  # noqa: E402  (bench/timing.py, beside this script)


def measure(fn):
    return timing.measure(fn, args.reps, args.min_time)


rng = np.random.default_rng(0)
rows = []
print(f"numpy {np.__version__} matmul float32, threads {args.threads}, median / best of {args.reps}")
print("threads      n   GFLOP/s(med)  GFLOP/s(best)     ms(med)")
for n in (int(s) for s in args.sizes.split(",")):
    a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    c = np.empty((n, n), np.float32)
    med, best = measure(lambda: np.matmul(a, b, out=c))
    flops = 2.0 * n ** 3
    row = dict(threads=args.threads, n=n, gflops_median=flops / med / 1e9, gflops_best=flops / best / 1e9)
    rows.append(row)
    print(f"{args.threads:7d}{n:7d}{row['gflops_median']:14.1f}{row['gflops_best']:15.1f}{med * 1e3:12.3f}")
if args.json:
    print("RESULT " + json.dumps(dict(numpy=np.__version__, matmul=rows)))
