"""Dtypes, masks and truth (LANGUAGE.md §4.1): dtype names, int64 and bool
tensors, promotion as PyTorch, float64 end to end (with its tight tolerance),
boolean-mask and index-tensor selection and assignment, `...`, truth values of
tensors, and conversions of one-element tensors to numbers."""

import torch
import torch.nn.functional as F_

from .core import Case, F, T, fill, randn

NAN = float("nan")


def dtype_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    r64 = lambda *s: T(randn(rng, *s), dtype="float64")  # noqa: E731
    i64 = lambda a: T(a, dtype="int64")  # noqa: E731
    b = lambda a: T(a, dtype="bool")  # noqa: E731
    name = lambda t: str(t.dtype).replace("torch.", "")  # noqa: E731
    return [
        Case("dtype_default", "x.dtype", lambda x: name(x), {"x": r(2)}, order=0),
        Case("dtype_comparison", "(x > 0).dtype", lambda x: name(x > 0), {"x": r(2)}, order=0),
        Case("dtype_argmax", "x.argmax().dtype", lambda x: name(x.argmax()), {"x": r(3)}, order=0),
        Case("dtype_int_literal", "tensor([1, 2], dtype: \"int64\").dtype", lambda: "int64", order=0),
        Case("tensor_int64", "tensor([1, -2, 3], dtype: \"int64\")", lambda: torch.tensor([1, -2, 3]), order=0),
        Case("tensor_bool", "tensor([true, false], dtype: \"bool\")", lambda: torch.tensor([True, False]), order=0),
        Case("astype_float64", "x.astype(\"float64\")", lambda x: x.double(), {"x": r(3)}, order=0),
        Case("astype_int64_truncates", "x.astype(\"int64\")", lambda x: x.long(), {"x": T([1.7, -1.7, 0.2])}, order=0),
        Case("astype_bool", "x.astype(\"bool\")", lambda x: x.bool(), {"x": T([0.0, 2.0, NAN])}, order=0),
        Case("int64_add", "a + b", torch.add, {"a": i64([1, 2, 3]), "b": i64([10, 20, 30])}, order=0),
        Case("int64_times_int", "a * 3", lambda a: a * 3, {"a": i64([1, -2])}, order=0),
        Case("int64_true_div", "a / b", torch.div, {"a": i64([1, 7]), "b": i64([2, 2])}, order=0),
        Case("int64_floordiv", "a // b", lambda a, b: torch.div(a, b, rounding_mode="floor"),
             {"a": i64([7, -7]), "b": i64([2, 2])}, order=0),
        Case("int64_plus_float32", "a + x", torch.add, {"a": i64([1, 2]), "x": r(2)}, wrt=["x"]),
        Case("bool_times_float32", "m * x", torch.mul, {"m": b([True, False, True]), "x": r(3)}, wrt=["x"]),
        Case("float32_plus_float64", "x + y", torch.add, {"x": r(3), "y": r64(3)}, tol=(1e-6, 1e-7)),
        Case("int64_sum", "a.sum()", lambda a: a.sum(), {"a": i64([2 ** 40, 1, 2])}, order=0),
        Case("bool_sum", "m.sum()", lambda m: m.sum(), {"m": b([True, True, False])}, order=0),
        Case("float64_exp", "exp(x)", torch.exp, {"x": r64(3, 4)}),
        Case("float64_mlp", "tanh(x @ w).sum(axis: 1)", lambda x, w: torch.tanh(x @ w).sum(1),
             {"x": r64(3, 4), "w": r64(4, 2)}),
        Case("float64_softmax", "softmax(x)", lambda x: torch.softmax(x, -1), {"x": r64(2, 5)}),
        Case("float64_large_sum", "x.astype(\"float64\").sum()", lambda x: x.double().sum(), {"x": fill(0.1, [100000])},
             order=0, tol=(1e-12, 0)),
        Case("float64_precision", "x * 3", lambda x: x * 3, {"x": T([0.1, 1e-300, 1e300], dtype="float64")}),
        Case("mask_bool_input", "x[m]", lambda x, m: x[m], {"x": r(4), "m": b([True, False, True, False])}, wrt=["x"]),
        Case("index_int64_tensor", "x[i]", lambda x, i: x[i], {"x": r(4, 2), "i": i64([3, 0, 3])}, wrt=["x"]),
        Case("index_int64_2d", "x[i]", lambda x, i: x[i], {"x": r(5), "i": i64([[0, 1], [4, 4]])}, wrt=["x"]),
        Case("index_int64_beyond_2_24", "concat([zeros([16777217]), ones([1]), zeros([1])])[i]",
             lambda i: torch.cat([torch.zeros(16777217), torch.ones(1), torch.zeros(1)])[i],
             {"i": i64([16777217, 0])}, order=0, note="issue 14: indices must not pass through float32"),
        Case("index_float_tensor_refused", "x[i]", lambda x, i: x[i], {"x": r(4), "i": r(2)}, wrt=[],
             note="PyTorch refuses float indices"),
        Case("ellipsis_last", "x[..., 0]", lambda x: x[..., 0], {"x": r(2, 3, 4)}),
        Case("ellipsis_first", "x[0, ...]", lambda x: x[0, ...], {"x": r(2, 3, 4)}),
        Case("where_bool_cond", "where(m, x, y)", torch.where, {"m": b([True, False]), "x": r(2), "y": r(2)},
             wrt=["x", "y"]),
        Case("one_hot_int64", "one_hot(y, 3)", lambda y: F_.one_hot(y, 3), {"y": i64([2, 0])}, order=0),
        Case("cross_entropy_int64", "cross_entropy(x, y)", lambda x, y: F_.cross_entropy(x, y),
             {"x": r(2, 3), "y": i64([2, 0])}, wrt=["x"]),
        Case("argmax_int64_values", "x.argmax(axis: 1)", lambda x: x.argmax(1), {"x": r(3, 4)}, order=0),
        Case("comparison_values", "x > y", torch.gt, {"x": r(4), "y": r(4)}, order=0),
        Case("assign_mask", "var y = x * 1; y[y > 0] = 0.0; y", lambda x: _assign(x, lambda y: y > 0, 0.0),
             {"x": r(3, 4)}),
        Case("assign_int_slice", "var y = x * 1; y[:, 1] = v; y", lambda x, v: _assign(x, (slice(None), 1), v),
             {"x": r(3, 4), "v": r(3)}, note="issue 14: `x[:, 1] = v` is rejected today"),
        Case("assign_row", "var y = x * 1; y[1] = v; y", lambda x, v: _assign(x, 1, v), {"x": r(3, 4), "v": r(4)}),
    ]


def _assign(x, key, v):
    y = x * 1
    y[key(y) if callable(key) else key] = v
    return y


def truth_cases(rng):
    c = lambda n, e, f, **k: Case(n, e, f, order=0, **k)  # noqa: E731
    return [
        c("truth_any_zeros", "any(tensor([0.0, 0.0]))", lambda: any(torch.tensor([0.0, 0.0])),
          note="issue 14: true today"),
        c("truth_all_with_zero", "all(tensor([1.0, 0.0]))", lambda: all(torch.tensor([1.0, 0.0])),
          note="issue 14: true today"),
        c("truth_bool_zero", "bool(tensor(0.0))", lambda: bool(torch.tensor(0.0)), note="issue 14: true today"),
        c("truth_bool_nan", "bool(tensor(nan))", lambda nan: bool(torch.tensor(nan)), inputs={"nan": F(NAN)}),
        c("truth_if_zero", "if tensor(0.0) { 1 } else { 0 }", lambda: 1 if torch.tensor(0.0) else 0),
        c("truth_not", "not tensor(0.0)", lambda: not torch.tensor(0.0)),
        c("truth_and", "tensor(1.0) and tensor(0.0)", lambda: torch.tensor(1.0) and torch.tensor(0.0)),
        c("truth_filter", "len(filter(fn(t) { t }, [tensor(0.0), tensor(2.0)]))",
          lambda: len([t for t in [torch.tensor(0.0), torch.tensor(2.0)] if t])),
        c("truth_many_elements", "bool(tensor([1.0, 2.0]))", lambda: bool(torch.tensor([1.0, 2.0]))),
        c("int_of_tensor", "int(tensor(3.7))", lambda: int(torch.tensor(3.7))),
        c("int_of_negative_tensor", "int(tensor(-3.7))", lambda: int(torch.tensor(-3.7))),
        c("float_of_tensor", "float(tensor([2.5]))", lambda: float(torch.tensor([2.5]))),
        c("float_of_big_tensor", "float(tensor([1.0, 2.0]))", lambda: float(torch.tensor([1.0, 2.0]))),
        c("max_of_list_of_tensors", "max([tensor(1.0), tensor(3.0), tensor(2.0)])",
          lambda: max([torch.tensor(1.0), torch.tensor(3.0), torch.tensor(2.0)])),
        c("sorted_list_of_tensors", "sorted([tensor(2.0), tensor(1.0)])",
          lambda: sorted([torch.tensor(2.0), torch.tensor(1.0)])),
    ]


GROUPS = {"dtypes": dtype_cases, "truth": truth_cases}
