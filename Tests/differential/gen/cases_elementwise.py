"""Elementwise maps of one tensor that Meta has today, each on random data, a 0-d
tensor, an empty tensor, non-contiguous views (a transpose, a slice, a strided
slice), special values (NaN, +-inf, +-0) and extreme magnitudes."""

import torch
import torch.nn.functional as F_

from .core import Case, T, randn, uniform

NAN, INF = float("nan"), float("inf")
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0]

# name -> (Meta function spelling, PyTorch function, domain of the random data)
UNARY = {
    "exp": ("exp", torch.exp, (-3, 3)),
    "log": ("log", torch.log, (0.1, 4)),
    "sqrt": ("sqrt", torch.sqrt, (0.1, 4)),
    "tanh": ("tanh", torch.tanh, (-3, 3)),
    "sigmoid": ("sigmoid", torch.sigmoid, (-4, 4)),
    "relu": ("relu", torch.relu, (-2, 2)),
    "abs": ("abs", torch.abs, (-2, 2)),
    "sin": ("sin", torch.sin, (-4, 4)),
    "cos": ("cos", torch.cos, (-4, 4)),
    "sign": ("sign", torch.sign, (-2, 2)),
    "square": ("square", torch.square, (-2, 2)),
    "leaky_relu": ("leaky_relu", F_.leaky_relu, (-2, 2)),
}


def unary_cases(rng):
    out = []
    for name, (meta, fn, (lo, hi)) in UNARY.items():
        out += [
            Case(f"{name}_random", f"{meta}(x)", fn, {"x": T(uniform(rng, lo, hi, 3, 4))}),
            Case(f"{name}_method", f"x.{meta}()", fn, {"x": T(uniform(rng, lo, hi, 5))}),
            Case(f"{name}_0d", f"{meta}(x)", fn, {"x": T(uniform(rng, lo, hi))}),
            Case(f"{name}_empty", f"{meta}(x)", fn, {"x": T(uniform(rng, lo, hi, 0, 3))}),
            Case(f"{name}_transposed", f"{meta}(x.T)", lambda x, fn=fn: fn(x.T), {"x": T(uniform(rng, lo, hi, 3, 4))}),
            Case(f"{name}_column_slice", f"{meta}(x[:, 1:3])", lambda x, fn=fn: fn(x[:, 1:3]),
                 {"x": T(uniform(rng, lo, hi, 3, 4))}),
            Case(f"{name}_strided", f"{meta}(x[::2, ::3])", lambda x, fn=fn: fn(x[::2, ::3]),
                 {"x": T(uniform(rng, lo, hi, 5, 7))}),
            Case(f"{name}_special", f"{meta}(x)", fn, {"x": T(SPECIAL)}, order=1),
        ]
    return out


def extra_cases(rng):
    x34 = lambda: T(randn(rng, 3, 4))  # noqa: E731
    return [
        Case("neg", "-x", torch.neg, {"x": x34()}),
        Case("neg_special", "-x", torch.neg, {"x": T(SPECIAL)}, order=1),
        Case("exp_overflow", "exp(x)", torch.exp, {"x": T([80.0, 88.0, 89.0, 100.0, -104.0, -110.0])}),
        Case("log_zero_negative", "log(x)", torch.log, {"x": T([0.0, -0.0, -1.0, 1e-45, 3.4e38])}, order=1),
        Case("sqrt_zero_negative", "sqrt(x)", torch.sqrt, {"x": T([0.0, -1.0, 1e-30, 4.0])}, order=1),
        Case("sigmoid_extreme", "sigmoid(x)", torch.sigmoid, {"x": T([-100.0, -30.0, 0.0, 30.0, 100.0])}),
        Case("tanh_extreme", "tanh(x)", torch.tanh, {"x": T([-50.0, -10.0, 10.0, 50.0])}),
        Case("relu_at_zero", "relu(x)", torch.relu, {"x": T([-1.0, 0.0, -0.0, 2.0])}),
        Case("abs_at_zero", "abs(x)", torch.abs, {"x": T([-1.0, 0.0, 2.0])}),
        Case("relu_nan", "relu(x)", torch.relu, {"x": T([NAN, 1.0, -1.0])}, order=1,
             note="issue 14: relu(nan) gives 0 with gradient 0"),
        Case("leaky_relu_slope", "leaky_relu(x, 0.2)", lambda x: F_.leaky_relu(x, 0.2), {"x": x34()}),
        Case("leaky_relu_named_slope", "leaky_relu(x, slope: 0.3)", lambda x: F_.leaky_relu(x, 0.3), {"x": x34()}),
        Case("leaky_relu_method_slope", "x.leaky_relu(0.1)", lambda x: F_.leaky_relu(x, 0.1), {"x": x34()}),
        Case("clamp_both", "clamp(x, -0.5, 0.5)", lambda x: torch.clamp(x, -0.5, 0.5), {"x": x34()}),
        Case("clamp_min_named", "x.clamp(min: 0)", lambda x: torch.clamp(x, min=0), {"x": x34()}),
        Case("clamp_max_named", "clamp(x, max: 0.25)", lambda x: torch.clamp(x, max=0.25), {"x": x34()}),
        Case("clamp_at_bounds", "clamp(x, -1, 1)", lambda x: torch.clamp(x, -1, 1),
             {"x": T([-2.0, -1.0, 0.0, 1.0, 2.0])}),
        Case("clamp_special", "clamp(x, -1, 1)", lambda x: torch.clamp(x, -1, 1), {"x": T(SPECIAL)}, order=1),
        Case("clamp_0d", "clamp(x, 0, 1)", lambda x: torch.clamp(x, 0, 1), {"x": T(1.5)}),
        Case("square_large", "square(x)", torch.square, {"x": T([1e19, 2e19, -1e20])}),
        Case("sin_large", "sin(x)", torch.sin, {"x": T([1000.0, 1e5, -3e4])}, tol=(1e-4, 1e-5)),
        Case("exp_3d_permuted", "exp(x.transpose([2, 0, 1]))", lambda x: torch.exp(x.permute(2, 0, 1)),
             {"x": T(randn(rng, 2, 3, 4))}),
        Case("tanh_row_of_3d", "tanh(x[1])", lambda x: torch.tanh(x[1]), {"x": T(randn(rng, 2, 3, 4))}),
    ]


GROUPS = {"elementwise": lambda rng: unary_cases(rng) + extra_cases(rng)}
