"""Reductions (sum mean logsumexp max min argmax argmin), elementwise max/min,
softmax and log_softmax: every axis form, keepdims, 0-d and empty inputs,
NaN and infinities, ties, non-contiguous inputs and large sums."""

import torch

from .core import Case, F, T, fill, randn

NAN, INF = float("nan"), float("inf")


def _axis(a):
    return "" if a is None else f"axis: {a}"


def _torch_reduce(kind, x, axis, keepdims):
    """PyTorch's reduction with NumPy's axis semantics (None: every axis)."""
    dims = None if axis is None else (tuple(axis) if isinstance(axis, list) else (axis,))
    if kind == "sum":
        return x.sum() if dims is None and not keepdims else x.sum(dim=dims, keepdim=keepdims)
    if kind == "mean":
        return x.mean() if dims is None and not keepdims else x.mean(dim=dims, keepdim=keepdims)
    if kind == "logsumexp":
        return torch.logsumexp(x, dim=dims if dims is not None else tuple(range(x.dim())), keepdim=keepdims)
    if kind in ("max", "min"):
        f = torch.amax if kind == "max" else torch.amin
        if dims is None and not keepdims:
            return x.max() if kind == "max" else x.min()
        return f(x, dim=dims if dims is not None else tuple(range(x.dim())), keepdim=keepdims)
    if kind in ("argmax", "argmin"):
        f = torch.argmax if kind == "argmax" else torch.argmin
        return f(x) if dims is None else f(x, dim=dims[0], keepdim=keepdims)
    raise ValueError(kind)


def _meta(kind, axis, keepdims, method=True, src="x"):
    args = ", ".join(a for a in [_axis(axis), "keepdims: true" if keepdims else ""] if a)
    return f"{src}.{kind}({args})" if method else f"{kind}({src}{', ' + args if args else ''})"


FORMS = [  # (suffix, shape, axis, keepdims)
    ("all", (3, 4), None, False),
    ("axis0", (3, 4), 0, False),
    ("axis1", (3, 4), 1, False),
    ("axis_neg1", (2, 3, 4), -1, False),
    ("axis1_rank3", (2, 3, 4), 1, False),
    ("axis_list", (2, 3, 4), [0, 2], False),
    ("keepdims", (3, 4), 1, True),
    ("keepdims_all", (3, 4), None, True),
    ("0d", (), None, False),
    ("1d", (5,), 0, False),
    ("size1_axis", (3, 1), 1, False),
    ("empty_axis0", (0, 3), 0, False),
    ("empty_axis1", (0, 3), 1, False),
    ("empty_all", (0, 3), None, False),
    ("bad_axis", (3, 4), 2, False),
]


def reduction_cases(rng):
    out = []
    for kind in ["sum", "mean", "logsumexp", "max", "min", "argmax", "argmin"]:
        for suffix, shape, axis, keep in FORMS:
            if kind.startswith("arg") and isinstance(axis, list):
                continue
            if kind.startswith("arg") and keep and axis is None:
                continue
            out.append(Case(f"{kind}_{suffix}", _meta(kind, axis, keep),
                            lambda x, k=kind, a=axis, kd=keep: _torch_reduce(k, x, a, kd),
                            {"x": T(randn(rng, *shape))}))
        out += [
            Case(f"{kind}_function", _meta(kind, 0, False, method=False),
                 lambda x, k=kind: _torch_reduce(k, x, 0, False), {"x": T(randn(rng, 3, 4))}),
            Case(f"{kind}_transposed", _meta(kind, 0, False, src="x.T"),
                 lambda x, k=kind: _torch_reduce(k, x.T, 0, False), {"x": T(randn(rng, 3, 4))}),
            Case(f"{kind}_strided", _meta(kind, 1, False, src="x[::2, 1::2]"),
                 lambda x, k=kind: _torch_reduce(k, x[::2, 1::2], 1, False), {"x": T(randn(rng, 5, 6))}),
            Case(f"{kind}_nan", _meta(kind, None, False), lambda x, k=kind: _torch_reduce(k, x, None, False),
                 {"x": T([1.0, NAN, -2.0, 3.0])}, order=1),
            Case(f"{kind}_nan_axis", _meta(kind, 1, False), lambda x, k=kind: _torch_reduce(k, x, 1, False),
                 {"x": T([[1.0, NAN, -2.0], [0.5, 3.0, -1.0], [NAN, NAN, 1.0]])}, order=1),
            Case(f"{kind}_inf", _meta(kind, 1, False), lambda x, k=kind: _torch_reduce(k, x, 1, False),
                 {"x": T([[1.0, INF, -2.0], [-INF, 3.0, -1.0], [-INF, -INF, -INF], [INF, -INF, 0.0]])}, order=1),
            Case(f"{kind}_ties", _meta(kind, None, False), lambda x, k=kind: _torch_reduce(k, x, None, False),
                 {"x": T([3.0, 1.0, 3.0, -1.0, -1.0])}),
            Case(f"{kind}_ties_axis", _meta(kind, 1, False), lambda x, k=kind: _torch_reduce(k, x, 1, False),
                 {"x": T([[3.0, 1.0, 3.0], [-1.0, 2.0, -1.0]])}),
        ]
    return out


def issue_cases(rng):
    return [
        Case("max_nan_in_stack", "stack([tensor(1.0), nan, tensor(-2.0)]).max()",
             lambda nan: torch.stack([torch.tensor(1.0), torch.tensor(nan), torch.tensor(-2.0)]).max(),
             {"nan": F(NAN)}, note="issue 14: NaN dropped by max"),
        Case("argmax_nan_in_stack", "stack([tensor(1.0), nan, tensor(-2.0)]).argmax()",
             lambda nan: torch.stack([torch.tensor(1.0), torch.tensor(nan), torch.tensor(-2.0)]).argmax(),
             {"nan": F(NAN)}, note="issue 14: argmax ignores NaN"),
        Case("max_nan_first", "max(nan, tensor(0.0))", lambda nan: torch.maximum(torch.tensor(nan), torch.tensor(0.0)),
             {"nan": F(NAN)}, note="issue 14: max(nan, t) drops the NaN"),
        Case("max_nan_second", "max(tensor(0.0), nan)", lambda nan: torch.maximum(torch.tensor(0.0), torch.tensor(nan)),
             {"nan": F(NAN)}),
        Case("sum_large_fill", "full([1000000], 0.1).sum()", lambda: torch.full((1000000,), 0.1).sum(),
             tol=(1e-6, 0), note="issue 14: naive float32 summation gives 100060"),
        Case("sum_large_transposed", "full([100000], 0.1).reshape([1000, 100]).T.sum()",
             lambda: torch.full((100000,), 0.1).reshape(1000, 100).T.sum(), tol=(1e-6, 0)),
        Case("softmax_large_sum", "softmax(zeros([1000000])).sum()", lambda: torch.softmax(torch.zeros(1000000), 0).sum(),
             tol=(1e-6, 0)),
        Case("mean_large_input", "x.mean()", lambda x: x.mean(), {"x": fill(0.1, [1000000])}, tol=(1e-6, 0)),
        Case("sum_large_axis", "x.sum(axis: 0)", lambda x: x.sum(0), {"x": fill(0.1, [200000, 2])}, tol=(1e-6, 0)),
        Case("logsumexp_large", "x.logsumexp()", lambda x: torch.logsumexp(x, 0), {"x": fill(-3.0, [1000000])},
             tol=(1e-6, 1e-6)),
        Case("logsumexp_zeros_empty_axis0", "zeros([0, 3]).logsumexp(axis: 0)",
             lambda: torch.logsumexp(torch.zeros(0, 3), 0), note="issue 14: errors (naming max) instead of -inf"),
        Case("sum_alternating_cancel", "x.sum()", lambda x: x.sum(),
             {"x": T([1e8, 1.0, -1e8, 1.0] * 8)}, tol=(1e-6, 1e-6)),
        Case("max_elementwise", "max(x, y)", torch.maximum, {"x": T(randn(rng, 3, 4)), "y": T(randn(rng, 4))}),
        Case("min_elementwise", "min(x, y)", torch.minimum, {"x": T(randn(rng, 3, 1)), "y": T(randn(rng, 3, 4))}),
        Case("max_elementwise_ties", "max(x, y)", torch.maximum, {"x": T([1.0, 2.0, 3.0]), "y": T([1.0, 0.0, 3.0])}),
        Case("max_elementwise_nan", "max(x, y)", torch.maximum,
             {"x": T([NAN, 1.0, NAN]), "y": T([0.0, NAN, NAN])}, order=1),
        Case("min_elementwise_nan", "min(x, y)", torch.minimum,
             {"x": T([NAN, 1.0, NAN]), "y": T([0.0, NAN, NAN])}, order=1),
        Case("max_tensor_number", "max(x, 0)", lambda x: torch.maximum(x, torch.tensor(0.0)), {"x": T(randn(rng, 5))}),
        Case("max_keepdims_broadcast", "x - x.max(axis: 1, keepdims: true)",
             lambda x: x - x.amax(1, keepdim=True), {"x": T(randn(rng, 3, 4))}),
        Case("argmax_keepdims_axis1", "x.argmax(axis: 1, keepdims: true)", lambda x: x.argmax(1, keepdim=True),
             {"x": T(randn(rng, 3, 4))}),
        Case("argmax_all_3d", "x.argmax()", lambda x: x.argmax(), {"x": T(randn(rng, 2, 3, 4))}),
        Case("sum_repeated_axis", "x.sum(axis: [0, 0])", lambda x: x.sum((0, 0)), {"x": T(randn(rng, 3, 4))}),
    ]


def softmax_cases(rng):
    out = []
    for name, fn in [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)]:
        out += [
            Case(f"{name}_default_axis", f"{name}(x)", lambda x, fn=fn: fn(x, -1), {"x": T(randn(rng, 3, 4))}),
            Case(f"{name}_axis0", f"{name}(x, axis: 0)", lambda x, fn=fn: fn(x, 0), {"x": T(randn(rng, 3, 4))}),
            Case(f"{name}_rank3_axis1", f"x.{name}(axis: 1)", lambda x, fn=fn: fn(x, 1),
                 {"x": T(randn(rng, 2, 3, 4))}),
            Case(f"{name}_1d", f"{name}(x)", lambda x, fn=fn: fn(x, 0), {"x": T(randn(rng, 6))}),
            Case(f"{name}_0d", f"{name}(x)", lambda x, fn=fn: fn(x, -1), {"x": T(0.7)}),
            Case(f"{name}_empty", f"{name}(x)", lambda x, fn=fn: fn(x, -1), {"x": T(randn(rng, 0, 3))}),
            Case(f"{name}_empty_axis", f"{name}(x)", lambda x, fn=fn: fn(x, -1), {"x": T(randn(rng, 3, 0))}),
            Case(f"{name}_transposed", f"{name}(x.T)", lambda x, fn=fn: fn(x.T, -1), {"x": T(randn(rng, 3, 4))}),
            Case(f"{name}_shifted", f"{name}(x)", lambda x, fn=fn: fn(x, -1), {"x": T(randn(rng, 2, 5) + 1000)},
                 tol=(1e-5, 1e-5)),
            Case(f"{name}_masked", f"{name}(x)", lambda x, fn=fn: fn(x, -1),
                 {"x": T([[1.0, -INF, 2.0], [-INF, 0.0, -INF]])}, order=1),
            Case(f"{name}_all_masked", f"{name}(x)", lambda x, fn=fn: fn(x, -1),
                 {"x": T([[-INF, -INF], [0.0, 1.0]])}, order=1),
            Case(f"{name}_inf", f"{name}(x)", lambda x, fn=fn: fn(x, -1), {"x": T([[INF, 1.0], [INF, INF]])}, order=1),
            Case(f"{name}_nan", f"{name}(x)", lambda x, fn=fn: fn(x, -1), {"x": T([[NAN, 1.0], [0.0, 1.0]])}, order=1),
            Case(f"{name}_overflow", f"{name}(x)", lambda x, fn=fn: fn(x, -1), {"x": T([1e39, 1.0])}, order=1,
                 note="issue 14: softmax([1e39, 1.0]) gives [nan, 0.] (PyTorch [nan, nan])"),
            Case(f"{name}_huge_finite", f"{name}(x)", lambda x, fn=fn: fn(x, -1), {"x": T([3e38, 1.0, -3e38])},
                 order=1),
            Case(f"{name}_bad_axis", f"{name}(x, axis: 2)", lambda x, fn=fn: fn(x, 2), {"x": T(randn(rng, 3, 4))}),
        ]
    return out


GROUPS = {
    "reductions": lambda rng: reduction_cases(rng) + issue_cases(rng),
    "softmax": softmax_cases,
}
