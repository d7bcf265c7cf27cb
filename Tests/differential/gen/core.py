"""The case model and its PyTorch evaluation: inputs, reference outputs,
first- and second-order gradients, and the JSON encoding the Swift tests read.

A case is a Meta expression over named inputs plus the same computation written
with PyTorch. The reference is computed by PyTorch in the inputs' dtype (float32
by default, so overflow and rounding behave as PyTorch's float32 does).

Gradients: with a fixed random weight `w` shaped like the output,
  grad  = d sum(out * w) / d input                         (first order)
  grad2 = d sum_i sum(grad_i * v_i) / d input              (a Hessian-vector product)
for the inputs listed in `wrt`.
"""

import math

import numpy as np
import torch

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int64": torch.int64,
    "bool": torch.bool,
}

# Default tolerances per dtype: |got - expected| <= rtol*|expected| + atol*scale,
# scale = max(1, largest finite |expected| of the array).
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-12, 1e-13)}


class Input:
    """One named input: a tensor (explicit data or a fill), a Float, an Int or a List."""

    def __init__(self, kind, value, dtype="float32", shape=None):
        self.kind, self.value, self.dtype, self.shape = kind, value, dtype, shape

    def torch(self, requires_grad=False):
        if self.kind == "tensor":
            t = torch.tensor(np.asarray(self.value), dtype=DTYPES[self.dtype]).reshape(self.shape)
        elif self.kind == "fill":
            t = torch.full(self.shape, self.value, dtype=DTYPES[self.dtype])
        elif self.kind in ("float", "int", "list"):
            return self.value
        else:
            raise ValueError(self.kind)
        return t.requires_grad_(requires_grad)

    def encode(self):
        if self.kind == "tensor":
            return encode_tensor(np.asarray(self.value).reshape(self.shape), self.dtype)
        if self.kind == "fill":
            return {"dtype": self.dtype, "shape": list(self.shape), "fill": enc_scalar(self.value, self.dtype)}
        if self.kind == "float":
            return {"float": enc_scalar(self.value, "float64")}
        if self.kind == "int":
            return {"int": int(self.value)}
        if all(isinstance(v, int) for v in self.value):
            return {"list": self.value, "of": "int"}
        return {"list": [enc_scalar(v, "float64") for v in self.value], "of": "float"}


def T(data, dtype="float32", shape=None):
    """A tensor input from nested lists or an array (float32 unless told)."""
    a = np.asarray(data, dtype=np.float64 if dtype in ("float32", "float64") else None)
    if dtype == "float32":
        a = a.astype(np.float32)
    elif dtype == "int64":
        a = a.astype(np.int64)
    elif dtype == "bool":
        a = a.astype(bool)
    return Input("tensor", a, dtype, list(a.shape) if shape is None else list(shape))


def fill(value, shape, dtype="float32"):
    """A tensor of one repeated value: stored as {"fill": v}, so large inputs stay small."""
    return Input("fill", value, dtype, list(shape))


def F(x):
    """A Meta Float."""
    return Input("float", float(x))


def I(n):
    """A Meta Int."""
    return Input("int", int(n))


def L(xs):
    """A Meta List of numbers."""
    return Input("list", list(xs))


def enc_scalar(x, dtype):
    if dtype == "bool":
        return bool(x)
    if dtype == "int64":
        return int(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if dtype == "float32":
        # The shortest text that reads back to the same float32.
        return float(str(np.float32(x)))
    return x


def encode_tensor(a, dtype):
    """{"dtype", "shape", "data"}; a large tensor of one repeated value as {"fill": v} instead."""
    a = np.asarray(a)
    flat = [enc_scalar(v, dtype) for v in a.reshape(-1).tolist()]
    if len(flat) > 64 and all(v == flat[0] for v in flat):
        return {"dtype": dtype, "shape": list(a.shape), "fill": flat[0]}
    return {"dtype": dtype, "shape": list(a.shape), "data": flat}


def dtype_name(t):
    for k, v in DTYPES.items():
        if t.dtype == v:
            return k
    raise ValueError(f"unsupported dtype {t.dtype}")


def encode_value(v):
    """A PyTorch result as the fixture's expected value."""
    if isinstance(v, torch.Tensor):
        return encode_tensor(v.detach().cpu().numpy(force=True), dtype_name(v))
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, int):
        return {"int": v}
    if isinstance(v, float):
        return {"float": enc_scalar(v, "float64")}
    if isinstance(v, str):
        return {"string": v}
    if isinstance(v, (list, tuple)):
        return {"list": [encode_value(x) for x in v]}
    raise TypeError(f"cannot encode {type(v)}")


class Case:
    """A Meta expression, its PyTorch twin and what to check.

    order: 0 (value only), 1 (and first-order gradients) or 2 (and second order).
    wrt defaults to every float tensor input when order > 0.
    """

    def __init__(self, name, expr, fn, inputs=None, wrt=None, order=2, tol=None, note=None):
        self.name, self.expr, self.fn = name, expr, fn
        self.inputs = inputs or {}
        self.order = order
        if wrt is None and order > 0:
            wrt = [k for k, v in self.inputs.items() if v.kind in ("tensor", "fill") and v.dtype.startswith("float")]
        self.wrt = wrt or []
        self.tol = tol
        self.note = note


def _weights(like, rng, ones=False):
    """A fixed random weight shaped like `like` (ones for large tensors, to keep files small)."""
    if ones or like.numel() > 2000:
        return fill(1.0, list(like.shape), dtype_name(like))
    a = rng.uniform(-1.5, 1.5, size=tuple(like.shape)).round(2)
    return T(a, dtype_name(like), shape=list(like.shape))


def call(fn, tin):
    """A case's lambda takes the inputs by name; a PyTorch function, in order."""
    if getattr(fn, "__name__", "") == "<lambda>":
        return fn(**tin)
    return fn(*tin.values())


def evaluate(case, rng):
    """Runs the case in PyTorch; returns the fixture record."""
    record = {"name": case.name, "expr": case.expr, "inputs": {k: v.encode() for k, v in case.inputs.items()}}
    if case.note:
        record["note"] = case.note
    tin = {k: v.torch(requires_grad=k in case.wrt) for k, v in case.inputs.items()}
    try:
        out = call(case.fn, tin)
    except Exception as e:  # PyTorch refuses: Meta must refuse too
        record["output"] = {"error": str(e).splitlines()[0][:200]}
        return record
    record["output"] = encode_value(out)
    dtype = dtype_name(out) if isinstance(out, torch.Tensor) else "float32"
    if case.tol:
        record["tol"] = {"rtol": case.tol[0], "atol": case.tol[1]}
    else:
        record["tol"] = dict(zip(("rtol", "atol"), TOL.get(dtype, (0, 0))))
    differentiable = isinstance(out, torch.Tensor) and out.dtype.is_floating_point and out.requires_grad
    if case.order == 0 or not case.wrt or not differentiable:
        return record
    record["wrt"] = case.wrt
    xs = [tin[k] for k in case.wrt]
    # Large inputs: weights of one, so the gradients stay one repeated value (a short fixture).
    large = any(x.numel() > 2000 for x in xs)
    w = _weights(out, rng, ones=large)
    record["w"] = w.encode()
    loss = (out * w.torch()).sum()
    gs = torch.autograd.grad(loss, xs, create_graph=case.order > 1, allow_unused=True)
    gs = [torch.zeros_like(x) if g is None else g for g, x in zip(gs, xs)]
    record["grad"] = {k: encode_value(g) for k, g in zip(case.wrt, gs)}
    if case.order < 2:
        return record
    vs = [_weights(x, rng, ones=large) for x in xs]
    record["v"] = {k: v.encode() for k, v in zip(case.wrt, vs)}
    s = sum((g * v.torch()).sum() for g, v in zip(gs, vs))
    if isinstance(s, torch.Tensor) and s.requires_grad:
        hs = torch.autograd.grad(s, xs, allow_unused=True)
        hs = [torch.zeros_like(x) if h is None else h for h, x in zip(hs, xs)]
    else:  # the first-order gradient does not depend on the inputs
        hs = [torch.zeros_like(x) for x in xs]
    record["grad2"] = {k: encode_value(h) for k, h in zip(case.wrt, hs)}
    return record


def randn(rng, *shape, scale=1.0):
    """Normal data rounded to 3 decimals (short fixtures; ties stay unlikely)."""
    return (rng.standard_normal(shape) * scale).round(3)


def uniform(rng, lo, hi, *shape):
    return rng.uniform(lo, hi, size=shape).round(3)
