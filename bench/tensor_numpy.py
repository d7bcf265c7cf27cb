"""NumPy peer of tensor-bench: the same ops on the same shapes, same timing
method (calibrate calls so one sample takes >= --min-time seconds, take --reps
samples, report median and best per call), as in /work/shared/bench/numpy_bench.py.
NumPy's element-wise ops are single-threaded; BLAS is pinned to 1 thread
through its environment variables.

usage: python3 bench/tensor_numpy.py [--reps 7] [--min-time 0.1] [--json]
"""
import argparse
import json
import os

# BLAS threads are read when NumPy is imported: pin them to 1 first.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402

import timing  # noqa: E402  (bench/timing.py, beside this script)

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=7)
ap.add_argument("--min-time", type=float, default=0.1)
ap.add_argument("--json", action="store_true")
args = ap.parse_args()


def measure(fn):
    return timing.measure(fn, args.reps, args.min_time)


rng = np.random.default_rng(0)


def t(*shape):
    return rng.uniform(-2, 2, size=shape).astype(np.float32)


x, y, bias, w = t(10, 40), t(10, 40), t(40), t(40, 40)
col25, col10, row = t(25, 1), t(10, 1), t(1, 40)
two = np.float32(2)
small = [
    ("add [10,40]+[10,40]", lambda: x + y),
    ("bias add [10,40]+[40]", lambda: x + bias),
    ("scalar mul 2*[10,40]", lambda: two * x),
    ("relu [10,40]", lambda: np.maximum(x, 0)),
    ("tanh [10,40]", lambda: np.tanh(x)),
    ("exp [10,40]", lambda: np.exp(x)),
    ("sigmoid [10,40]", lambda: 1 / (1 + np.exp(-x))),
    ("sum [10,40]", lambda: x.sum()),
    ("matmul [10,40]@[40,40]", lambda: x @ w),
    ("matmul [25,1]@[1,40]", lambda: col25 @ row),
    ("matmul [10,1]@[1,40]", lambda: col10 @ row),
]
N = 1 << 20
a, b, c = t(N), t(N), t(N)
positive = np.abs(a) + np.float32(0.5)
square = a.reshape(1024, 1024)
large = [
    ("a*b+c (allocating)", lambda: a * b + c),
    ("a+b (allocating)", lambda: a + b),
    ("exp(a)", lambda: np.exp(a)),
    ("tanh(a)", lambda: np.tanh(a)),
    ("sigmoid(a)", lambda: 1 / (1 + np.exp(-a))),
    ("log(|a|+0.5)", lambda: np.log(positive)),
    ("sum(a)", lambda: a.sum()),
    ("max(a)", lambda: a.max()),
    ("sum rows [1024,1024] axis 1", lambda: square.sum(axis=1)),
    ("sum cols [1024,1024] axis 0", lambda: square.sum(axis=0)),
    ("sum(a.T) [1024,1024]", lambda: square.T.sum()),
    ("bias grad [1024,1024]->[1024]", lambda: square.sum(axis=0)),
]

rows = []


def run():
    for group, ops in (("small", small), ("1M", large)):
        for name, fn in ops:
            med, best = measure(fn)
            rows.append(dict(group=group, op=name, threads=1, us_median=med * 1e6, us_best=best * 1e6))
            if not args.json:
                print(f"{group:5s}  {name:28s} median {med * 1e6:10.3f} us   best {best * 1e6:10.3f} us")


run()
if args.json:
    print("RESULT " + json.dumps(dict(numpy=np.__version__, rows=rows)))
