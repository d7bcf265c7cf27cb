"""NumPy side of bench/ops/run.sh: the same ops as bench/ops/ops.meta on 1M
float32 elements, timed with bench/timing.py. Where NumPy has no such op, the
expression a NumPy user writes (PyTorch's formula): softplus log1p(exp(x)),
gelu's tanh form, elu where(x > 0, x, expm1(x)), silu x / (1 + exp(-x)).
NumPy has no erf, so exact gelu is compared with that same tanh form.
Prints `ROW name median_us best_us`.

usage: python3 bench/ops/ops_numpy.py [reps] [min_time]
"""
import os
import sys

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

import timing  # noqa: E402

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 7
min_time = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
rng = np.random.default_rng(0)
n = 1 << 20
a = rng.uniform(-2, 2, n).astype(np.float32)
b = rng.uniform(-2, 2, n).astype(np.float32)
positive = np.abs(a) + np.float32(0.5)
m = a.reshape(1024, 1024)
k = np.float32(np.sqrt(2 / np.pi))


def gelu_tanh(x):
    return np.float32(0.5) * x * (1 + np.tanh(k * (x + np.float32(0.044715) * x * x * x)))


rows = [
    ("prod", lambda: np.prod(a)),
    ("var", lambda: np.var(a)),
    ("std", lambda: np.std(a)),
    ("norm p=2", lambda: np.linalg.norm(a)),
    ("norm p=1", lambda: np.linalg.norm(a, 1)),
    ("norm p=inf", lambda: np.linalg.norm(a, np.inf)),
    ("var axis=1 [1024,1024]", lambda: m.var(axis=1)),
    ("prod axis=0 [1024,1024]", lambda: m.prod(axis=0)),
    ("cumsum", lambda: np.cumsum(a)),
    ("cumprod", lambda: np.cumprod(a)),
    ("cumsum axis=0 [1024,1024]", lambda: np.cumsum(m, axis=0)),
    ("log1p(|a|+0.5)", lambda: np.log1p(positive)),
    ("expm1", lambda: np.expm1(a)),
    ("atan2", lambda: np.arctan2(a, b)),
    ("softplus", lambda: np.log1p(np.exp(a))),
    ("gelu (tanh form)", lambda: gelu_tanh(a)),
    ("gelu (exact)", lambda: gelu_tanh(a)),
    ("elu", lambda: np.where(a > 0, a, np.expm1(a))),
    ("silu", lambda: a / (1 + np.exp(-a))),
    ("isnan", lambda: np.isnan(a)),
    ("isinf", lambda: np.isinf(a)),
    ("isfinite", lambda: np.isfinite(a)),
    ("maximum", lambda: np.maximum(a, b)),
    ("minimum", lambda: np.minimum(a, b)),
    ("a // b", lambda: a // b),
    ("a % b", lambda: a % b),
    ("flip + 0", lambda: np.flip(a) + np.float32(0)),
    ("pad 1 each side", lambda: np.pad(a, 1)),
    ("sort", lambda: (np.sort(a, kind="stable"), np.argsort(a, kind="stable"))),
    ("argsort", lambda: np.argsort(a, kind="stable")),
    ("topk 10", lambda: np.sort(np.partition(a, n - 10)[n - 10:])[::-1]),
]
with np.errstate(all="ignore"):
    for name, fn in rows:
        median, best = timing.measure(fn, reps, min_time)
        print("ROW", name.replace(" ", "_"), median * 1e6, best * 1e6, flush=True)
