"""Arithmetic operators (+ - * / ** @ and comparisons) with broadcasting (size-1
axes, 0-d tensors, numbers on either side), empty tensors, non-contiguous
operands, division by zero, pow's edge cases and matmul's shape rules."""

import torch

from .core import Case, F, T, randn, uniform

NAN, INF = float("nan"), float("inf")

BINARY = {
    "add": ("+", torch.add),
    "sub": ("-", torch.sub),
    "mul": ("*", torch.mul),
    "div": ("/", torch.div),
}

# (suffix, shape of x, shape of y)
BROADCASTS = [
    ("same", (3, 4), (3, 4)),
    ("row_col", (3, 1), (1, 4)),
    ("vector", (3, 4), (4,)),
    ("0d_left", (), (3, 4)),
    ("0d_right", (2, 3), ()),
    ("rank3", (2, 1, 3), (4, 1)),
    ("size1_both", (1, 1), (1,)),
    ("empty", (0, 3), (3,)),
    ("empty_broadcast", (0, 1), (1, 4)),
]


def binary_cases(rng):
    out = []
    for name, (op, fn) in BINARY.items():
        pos = name == "div"
        for suffix, xs, ys in BROADCASTS:
            x = uniform(rng, -2, 2, *xs)
            y = uniform(rng, 0.5, 2, *ys) if pos else uniform(rng, -2, 2, *ys)
            out.append(Case(f"{name}_{suffix}", f"x {op} y", fn, {"x": T(x), "y": T(y)}))
        out += [
            Case(f"{name}_transposed", f"x.T {op} y", lambda x, y, fn=fn: fn(x.T, y),
                 {"x": T(uniform(rng, 0.5, 2, 4, 3)), "y": T(uniform(rng, 0.5, 2, 3, 4))}),
            Case(f"{name}_sliced", f"x[:, 1:] {op} y[::2]", lambda x, y, fn=fn: fn(x[:, 1:], y[::2]),
                 {"x": T(uniform(rng, 0.5, 2, 3, 4)), "y": T(uniform(rng, 0.5, 2, 5, 3))}),
            Case(f"{name}_number_right", f"x {op} 2.5", lambda x, fn=fn: fn(x, 2.5), {"x": T(randn(rng, 3))}),
            Case(f"{name}_number_left", f"2.5 {op} x", lambda x, fn=fn: fn(torch.tensor(2.5), x),
                 {"x": T(uniform(rng, 0.5, 2, 3))}),
            Case(f"{name}_int_right", f"x {op} 3", lambda x, fn=fn: fn(x, 3), {"x": T(randn(rng, 3))}),
            Case(f"{name}_special", f"x {op} y", fn,
                 {"x": T([NAN, INF, INF, -INF, 0.0, 1.0, -1.0, 0.0]),
                  "y": T([1.0, INF, -INF, 2.0, 0.0, 0.0, -0.0, -0.0])}, order=1),
            Case(f"{name}_mismatch", f"x {op} y", fn, {"x": T(randn(rng, 3)), "y": T(randn(rng, 4))}),
        ]
    return out


def pow_cases(rng):
    return [
        Case("pow_int_exponent", "x ** 2", lambda x: x ** 2, {"x": T(randn(rng, 3, 4))}),
        Case("pow_float_exponent", "x ** 1.5", lambda x: x ** 1.5, {"x": T(uniform(rng, 0.5, 2, 5))}),
        Case("pow_negative_exponent", "x ** -2", lambda x: x ** -2, {"x": T(uniform(rng, 0.5, 2, 5))}),
        Case("pow_zero_exponent", "x ** 0", lambda x: x ** 0, {"x": T([0.0, 2.0, -3.0])}),
        Case("pow_half_at_zero", "x ** 0.5", lambda x: x ** 0.5, {"x": T([0.0, 4.0])}, order=1),
        Case("pow_negative_base_fraction", "x ** 0.5", lambda x: x ** 0.5, {"x": T([-1.0, 4.0])}, order=1),
        Case("pow_tensor_tensor", "x ** y", torch.pow,
             {"x": T(uniform(rng, 0.5, 2, 3, 4)), "y": T(uniform(rng, -2, 2, 3, 4))}),
        Case("pow_tensor_broadcast", "x ** y", torch.pow,
             {"x": T(uniform(rng, 0.5, 2, 3, 1)), "y": T(uniform(rng, -2, 2, 4))}),
        Case("pow_number_base", "2 ** x", lambda x: torch.pow(torch.tensor(2.0), x), {"x": T(randn(rng, 4))}),
        Case("pow_grad_base_zero", "b ** p", torch.pow, {"b": T([0.0, 2.0]), "p": T(2.0)}, wrt=["p"],
             note="issue 14: d/dp 0**p counts 0*log 0 as 0 (PyTorch 2.7725887 for the sum)"),
        Case("pow_zero_zero", "x ** y", torch.pow, {"x": T([0.0, 0.0, 2.0]), "y": T([0.0, 1.0, 0.0])}, order=1),
        Case("pow_special", "x ** 2", lambda x: x ** 2, {"x": T([NAN, INF, -INF])}, order=1),
        Case("pow_0d_exponent_tensor", "x ** p", torch.pow, {"x": T(uniform(rng, 0.5, 2, 4)), "p": T(1.7)}),
        Case("pow_large_overflow", "x ** 3", lambda x: x ** 3, {"x": T([1e13, -1e13, 2.0])}, order=1),
    ]


def comparison_cases(rng):
    out = []
    for name, op, fn in [("gt", ">", torch.gt), ("ge", ">=", torch.ge), ("lt", "<", torch.lt),
                         ("le", "<=", torch.le), ("eq", "==", torch.eq), ("ne", "!=", torch.ne)]:
        out += [
            Case(f"cmp_{name}", f"x {op} y", fn,
                 {"x": T([1.0, 2.0, 3.0, NAN, INF, -INF]), "y": T([2.0, 2.0, 1.0, NAN, INF, 0.0])}, order=0),
            Case(f"cmp_{name}_broadcast", f"x {op} y", fn,
                 {"x": T(randn(rng, 3, 1).round(0)), "y": T(randn(rng, 4).round(0))}, order=0),
            Case(f"cmp_{name}_number", f"x {op} 0", lambda x, fn=fn: fn(x, 0), {"x": T([-1.0, 0.0, 1.0, NAN])},
                 order=0),
        ]
    out.append(Case("cmp_mask_times", "(x > 0) * x", lambda x: (x > 0) * x, {"x": T(randn(rng, 3, 4))}))
    return out


MATMUL = [
    ("2d_2d", (3, 4), (4, 5)),
    ("1d_2d", (4,), (4, 5)),
    ("2d_1d", (3, 4), (4,)),
    ("1d_1d", (4,), (4,)),
    ("batched_2d", (2, 3, 4), (4, 5)),
    ("batched_batched", (2, 3, 4), (2, 4, 5)),
    ("batch_broadcast", (1, 3, 4), (2, 4, 5)),
    ("rank4", (2, 1, 2, 3), (3, 3, 2)),
    ("empty_inner", (3, 0), (0, 4)),
    ("empty_rows", (0, 4), (4, 5)),
    ("1x1", (1, 1), (1, 1)),
    ("mismatch", (3, 4), (5, 2)),
    ("0d", (), (3,)),
]


def matmul_cases(rng):
    out = [Case(f"matmul_{s}", "x @ y", torch.matmul, {"x": T(randn(rng, *a)), "y": T(randn(rng, *b))},
                tol=(1e-5, 1e-5)) for s, a, b in MATMUL]
    out += [
        Case("matmul_function", "matmul(x, y)", torch.matmul, {"x": T(randn(rng, 3, 4)), "y": T(randn(rng, 4, 2))}),
        Case("matmul_method", "x.matmul(y)", torch.matmul, {"x": T(randn(rng, 3, 4)), "y": T(randn(rng, 4, 2))}),
        Case("matmul_transposed_left", "x.T @ y", lambda x, y: x.T @ y,
             {"x": T(randn(rng, 4, 3)), "y": T(randn(rng, 4, 2))}),
        Case("matmul_transposed_right", "x @ y.T", lambda x, y: x @ y.T,
             {"x": T(randn(rng, 3, 4)), "y": T(randn(rng, 2, 4))}),
        Case("matmul_sliced", "x[:, ::2] @ y[1:]", lambda x, y: x[:, ::2] @ y[1:],
             {"x": T(randn(rng, 3, 8)), "y": T(randn(rng, 5, 2))}),
        Case("matmul_large_k", "x @ y", torch.matmul,
             {"x": T(randn(rng, 2, 300)), "y": T(randn(rng, 300, 3))}, tol=(1e-4, 1e-5)),
        Case("matmul_nan", "x @ y", torch.matmul, {"x": T([[1.0, NAN], [1.0, 2.0]]), "y": T([[1.0], [0.0]])},
             order=1),
        Case("matmul_inf_times_zero", "x @ y", torch.matmul, {"x": T([[INF, 1.0]]), "y": T([[0.0], [1.0]])},
             order=0),
        Case("matmul_number", "x @ 2", lambda x: torch.matmul(x, torch.tensor(2.0)), {"x": T(randn(rng, 3))}),
    ]
    return out


def scalar_float_cases(rng):
    """Meta Floats mixed with tensors."""
    return [
        Case("float_times_tensor", "s * x", lambda s, x: s * x, {"s": F(0.25), "x": T(randn(rng, 3))}),
        Case("nan_float_plus_tensor", "s + x", lambda s, x: s + x, {"s": F(NAN), "x": T(randn(rng, 3))}),
        Case("inf_float_minus_tensor", "x - s", lambda s, x: x - s, {"s": F(INF), "x": T(randn(rng, 3))}),
    ]


GROUPS = {
    "arithmetic": lambda rng: binary_cases(rng) + pow_cases(rng) + comparison_cases(rng) + matmul_cases(rng)
    + scalar_float_cases(rng)
}
