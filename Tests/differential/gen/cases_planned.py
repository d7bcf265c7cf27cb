"""The rest of the spec's op set (LANGUAGE.md §4.1) that Meta does not have yet.
Their Meta spellings follow the spec (PyTorch's names, NumPy's keywords); where
the spec leaves a detail open the choice is noted on the case, so that whoever
adds the op can check it (and change the case here if the op chose otherwise).
Until an op lands its cases are listed in known_failures.txt."""

import torch
import torch.nn.functional as F_

from .core import Case, L, T, randn, uniform

NAN, INF = float("nan"), float("inf")
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.5, -2.5]


def reduction_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    return [
        Case("prod_all", "x.prod()", lambda x: x.prod(), {"x": r(3, 4)}),
        Case("prod_axis", "prod(x, axis: 1)", lambda x: x.prod(1), {"x": r(3, 4)}),
        Case("prod_with_zero", "x.prod(axis: 0)", lambda x: x.prod(0), {"x": T([[0.0, 2.0], [3.0, 0.0], [2.0, 1.5]])}),
        Case("prod_empty", "x.prod()", lambda x: x.prod(), {"x": r(0)}),
        Case("var_all", "x.var()", lambda x: x.var(unbiased=False), {"x": r(3, 4)}, note="ddof defaults to 0 (NumPy)"),
        Case("var_axis_ddof1", "x.var(axis: 0, ddof: 1)", lambda x: x.var(0, unbiased=True), {"x": r(3, 4)}),
        Case("var_keepdims", "x.var(axis: 1, keepdims: true)", lambda x: x.var(1, unbiased=False, keepdim=True),
             {"x": r(3, 4)}),
        Case("std_all", "x.std()", lambda x: x.std(unbiased=False), {"x": r(3, 4)}),
        Case("std_axis_ddof1", "std(x, axis: 1, ddof: 1)", lambda x: x.std(1, unbiased=True), {"x": r(3, 4)}),
        Case("std_constant", "x.std()", lambda x: x.std(unbiased=False), {"x": T([2.0, 2.0, 2.0])}, order=1),
        Case("var_large", "x.var()", lambda x: x.var(unbiased=False), {"x": T(randn(rng, 1000) + 1000)},
             tol=(1e-3, 1e-5)),
        Case("norm_all", "x.norm()", lambda x: torch.linalg.vector_norm(x), {"x": r(3, 4)}),
        Case("norm_axis", "norm(x, axis: 1)", lambda x: torch.linalg.vector_norm(x, dim=1), {"x": r(3, 4)}),
        Case("norm_zero", "x.norm()", lambda x: torch.linalg.vector_norm(x), {"x": T([0.0, 0.0])}, order=1),
        Case("cumsum_axis0", "x.cumsum(axis: 0)", lambda x: x.cumsum(0), {"x": r(4, 3)}),
        Case("cumsum_axis1", "cumsum(x, axis: 1)", lambda x: x.cumsum(1), {"x": r(4, 3)}),
        Case("cumsum_transposed", "x.T.cumsum(axis: 0)", lambda x: x.T.cumsum(0), {"x": r(4, 3)}),
        Case("cumsum_empty", "x.cumsum(axis: 0)", lambda x: x.cumsum(0), {"x": r(0, 2)}),
        Case("cumprod_axis1", "x.cumprod(axis: 1)", lambda x: x.cumprod(1), {"x": r(3, 4)}),
        Case("cumprod_with_zero", "x.cumprod(axis: 0)", lambda x: x.cumprod(0), {"x": T([2.0, 0.0, 3.0, 4.0])}),
        Case("any_all", "(x > 0).any()", lambda x: (x > 0).any(), {"x": r(3, 4)}),
        Case("any_axis", "(x > 1).any(axis: 1)", lambda x: (x > 1).any(1), {"x": r(3, 4)}),
        Case("all_all", "(x > -3).all()", lambda x: (x > -3).all(), {"x": r(3, 4)}),
        Case("all_axis", "(x > 0).all(axis: 0)", lambda x: (x > 0).all(0), {"x": r(3, 4)}),
        Case("any_empty", "(x > 0).any()", lambda x: (x > 0).any(), {"x": r(0)}),
        Case("all_empty", "(x > 0).all()", lambda x: (x > 0).all(), {"x": r(0)}),
        Case("any_float", "x.any()", lambda x: x.any(), {"x": T([0.0, 0.0])}, note="issue 14: any(tensor([0, 0]))"),
        Case("all_float", "x.all()", lambda x: x.all(), {"x": T([1.0, 0.0])}),
        Case("prod_nan", "x.prod()", lambda x: x.prod(), {"x": T([2.0, NAN])}, order=1),
        Case("cumsum_nan", "x.cumsum(axis: 0)", lambda x: x.cumsum(0), {"x": T([1.0, NAN, 2.0])}, order=1),
    ]


UNARY = {  # name -> (PyTorch function, domain)
    "floor": (torch.floor, (-3, 3)), "ceil": (torch.ceil, (-3, 3)), "round": (torch.round, (-3, 3)),
    "log1p": (torch.log1p, (-0.5, 3)), "expm1": (torch.expm1, (-3, 3)), "softplus": (F_.softplus, (-5, 5)),
    "gelu": (F_.gelu, (-3, 3)), "elu": (F_.elu, (-3, 3)), "silu": (F_.silu, (-3, 3)),
}


def elementwise_cases(rng):
    out = []
    for name, (fn, (lo, hi)) in UNARY.items():
        out += [
            Case(f"{name}_random", f"{name}(x)", fn, {"x": T(uniform(rng, lo, hi, 3, 4))}),
            Case(f"{name}_method", f"x.{name}()", fn, {"x": T(uniform(rng, lo, hi, 4))}),
            Case(f"{name}_special", f"{name}(x)", fn, {"x": T(SPECIAL)}, order=1),
        ]
    out += [
        Case("round_half_even", "round(x)", torch.round, {"x": T([0.5, 1.5, 2.5, -0.5, -1.5])}),
        Case("log1p_tiny", "log1p(x)", torch.log1p, {"x": T([1e-10, -1e-10, 1e-30])}),
        Case("expm1_tiny", "expm1(x)", torch.expm1, {"x": T([1e-10, -1e-10, 1e-30])}),
        Case("softplus_large", "softplus(x)", F_.softplus, {"x": T([-100.0, 30.0, 100.0])}),
        Case("atan2", "atan2(y, x)", torch.atan2, {"y": T(randn(rng, 3, 4)), "x": T(randn(rng, 4))}),
        Case("atan2_zeros", "atan2(y, x)", torch.atan2, {"y": T([0.0, -0.0, 0.0, 1.0]), "x": T([-0.0, -0.0, 0.0, 0.0])},
             order=1),
        Case("isnan", "isnan(x)", torch.isnan, {"x": T(SPECIAL)}),
        Case("isinf", "isinf(x)", torch.isinf, {"x": T(SPECIAL)}),
        Case("isfinite", "x.isfinite()", torch.isfinite, {"x": T(SPECIAL)}),
        Case("maximum", "maximum(x, y)", torch.maximum, {"x": T(randn(rng, 3, 1)), "y": T(randn(rng, 4))}),
        Case("minimum", "minimum(x, y)", torch.minimum, {"x": T(randn(rng, 3, 4)), "y": T(randn(rng, 4))}),
        Case("maximum_nan", "maximum(x, y)", torch.maximum, {"x": T([NAN, 1.0]), "y": T([0.0, NAN])}, order=1),
        Case("floordiv", "x // y", lambda x, y: torch.div(x, y, rounding_mode="floor"),
             {"x": T(uniform(rng, -5, 5, 6)), "y": T([2.0, -2.0, 0.7, -0.7, 3.0, 1.0])}, order=0),
        Case("floordiv_number", "x // 2", lambda x: torch.div(x, 2, rounding_mode="floor"), {"x": T([-3.0, -2.5, 2.5, 3.0])},
             order=0),
        Case("mod", "x % y", torch.remainder, {"x": T(uniform(rng, -5, 5, 6)), "y": T([2.0, -2.0, 0.7, -0.7, 3.0, 1.0])}),
        Case("mod_number", "x % 3", lambda x: torch.remainder(x, 3), {"x": T([-4.0, -1.5, 1.5, 4.0])}),
        Case("mod_zero", "x % y", torch.remainder, {"x": T([1.0, -1.0]), "y": T([0.0, 0.0])}, order=0),
    ]
    return out


def shape_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    i64 = lambda a: T(a, dtype="int64")  # noqa: E731
    return [
        Case("permute", "x.permute([2, 0, 1])", lambda x: x.permute(2, 0, 1), {"x": r(2, 3, 4)}),
        Case("permute_function", "permute(x, [1, 0])", lambda x: x.permute(1, 0), {"x": r(2, 3)}),
        Case("expand_minus_one", "x.expand([-1, 4])", lambda x: x.expand(-1, 4), {"x": r(3, 1)}),
        Case("flip_axis0", "x.flip(axis: 0)", lambda x: x.flip(0), {"x": r(3, 4)}, note="NumPy's flip(axis:)"),
        Case("flip_axes", "flip(x, axis: [0, 1])", lambda x: x.flip(0, 1), {"x": r(3, 4)}),
        Case("tile", "x.tile([2, 3])", lambda x: x.tile(2, 3), {"x": r(2, 2)}),
        Case("tile_new_axis", "x.tile([2, 1, 1])", lambda x: x.tile(2, 1, 1), {"x": r(2, 3)}),
        Case("split_size", "x.split(2, axis: 0)[1]", lambda x: x.split(2, 0)[1], {"x": r(5, 2)},
             note="PyTorch's split: pieces of the given size; a List"),
        Case("split_last_piece", "x.split(2, axis: 0)[2]", lambda x: x.split(2, 0)[2], {"x": r(5, 2)}),
        Case("chunk", "x.chunk(2, axis: 1)[0]", lambda x: x.chunk(2, 1)[0], {"x": r(2, 5)}),
        Case("split_count", "len(x.split(2, axis: 0))", lambda x: len(x.split(2, 0)), {"x": r(5, 2)}, order=0),
        Case("pad_last_axis", "pad(x, [1, 2])", lambda x: F_.pad(x, (1, 2)), {"x": r(2, 3)},
             note="PyTorch's F.pad order: last axis first"),
        Case("pad_two_axes_value", "pad(x, [1, 0, 0, 2], value: 5.0)", lambda x: F_.pad(x, (1, 0, 0, 2), value=5.0),
             {"x": r(2, 3)}),
        Case("gather_axis1", "gather(x, 1, idx)", lambda x, idx: torch.gather(x, 1, idx),
             {"x": r(3, 4), "idx": i64([[0, 3], [1, 1], [2, 0]])}),
        Case("gather_axis0", "gather(x, 0, idx)", lambda x, idx: torch.gather(x, 0, idx),
             {"x": r(3, 2), "idx": i64([[2, 0], [0, 0]])}),
        Case("topk_values", "x.topk(2)[0]", lambda x: x.topk(2).values, {"x": r(3, 5)},
             note="topk returns [values, indices] along axis -1"),
        Case("topk_indices", "topk(x, 2, axis: 0)[1]", lambda x: x.topk(2, dim=0).indices, {"x": r(4, 3)}),
        Case("sort", "x.sort()[0]", lambda x: x.sort().values, {"x": r(3, 5)}, note="sort returns [values, indices], as torch.sort"),
        Case("sort_axis0_nan", "sort(x, axis: 0)[0]", lambda x: x.sort(0).values, {"x": T([[3.0, NAN], [NAN, 1.0], [1.0, 2.0]])},
             order=1),
        Case("argsort", "x.argsort()", lambda x: x.argsort(), {"x": r(3, 5)}),
        Case("argsort_axis0", "argsort(x, axis: 0)", lambda x: x.argsort(0), {"x": r(4, 3)}),
        Case("einsum_matmul", "einsum(\"ij,jk->ik\", a, b)", lambda a, b: torch.einsum("ij,jk->ik", a, b),
             {"a": r(3, 4), "b": r(4, 2)}, tol=(1e-5, 1e-5)),
        Case("einsum_trace", "einsum(\"ii\", a)", lambda a: torch.einsum("ii", a), {"a": r(3, 3)}),
        Case("einsum_batch_outer", "einsum(\"bi,bj->bij\", a, b)", lambda a, b: torch.einsum("bi,bj->bij", a, b),
             {"a": r(2, 3), "b": r(2, 4)}),
        Case("einsum_sum", "einsum(\"ijk->j\", a)", lambda a: torch.einsum("ijk->j", a), {"a": r(2, 3, 4)}),
    ]


def nn_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    pos = lambda *s: T(uniform(rng, 0.5, 2, *s))  # noqa: E731
    labels = [2, 0, 1]
    lab = lambda: torch.tensor(labels)  # noqa: E731
    return [
        Case("linear", "linear(x, w, b)", F_.linear, {"x": r(4, 3), "w": r(5, 3), "b": r(5)},
             note="PyTorch's layout: w is [out, in]"),
        Case("linear_no_bias", "linear(x, w)", F_.linear, {"x": r(2, 4, 3), "w": r(2, 3)}),
        Case("layer_norm", "layer_norm(x, [4])", lambda x: F_.layer_norm(x, [4]), {"x": r(3, 4)}, tol=(1e-4, 1e-5),
             note="layer_norm(x, normalized_shape, weight, bias, eps: 1e-5) as PyTorch"),
        Case("layer_norm_affine", "layer_norm(x, [2, 3], g, b)", lambda x, g, b: F_.layer_norm(x, [2, 3], g, b),
             {"x": r(2, 2, 3), "g": pos(2, 3), "b": r(2, 3)}, tol=(1e-4, 1e-5)),
        Case("dropout_eval", "dropout(x, 0.5, training: false)", lambda x: F_.dropout(x, 0.5, training=False),
             {"x": r(3, 4)}),
        Case("dropout_p0", "dropout(x, 0.0)", lambda x: F_.dropout(x, 0.0), {"x": r(3, 4)}),
        Case("nll_loss", "nll_loss(log_softmax(x), y)", lambda x, y: F_.nll_loss(F_.log_softmax(x, -1), lab()),
             {"x": r(3, 4), "y": L(labels)}, wrt=["x"]),
        Case("nll_loss_raw", "nll_loss(x, y)", lambda x, y: F_.nll_loss(x, lab()), {"x": r(3, 4), "y": L(labels)},
             wrt=["x"]),
        Case("bce_with_logits", "binary_cross_entropy_with_logits(x, y)",
             F_.binary_cross_entropy_with_logits, {"x": r(3, 4), "y": T(uniform(rng, 0, 1, 3, 4))}),
        Case("bce_with_logits_extreme", "binary_cross_entropy_with_logits(x, y)",
             F_.binary_cross_entropy_with_logits, {"x": T([-100.0, 100.0, 0.0]), "y": T([1.0, 0.0, 0.5])}),
    ]


def distribution_cases(rng):
    from torch.distributions import Categorical, Normal, kl_divergence

    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    pos = lambda *s: T(uniform(rng, 0.5, 2, *s))  # noqa: E731
    return [
        Case("normal_log_prob", "Normal(m, s).log_prob(x)", lambda m, s, x: Normal(m, s).log_prob(x),
             {"m": r(3), "s": pos(3), "x": r(3)}),
        Case("normal_entropy", "Normal(m, s).entropy()", lambda m, s: Normal(m, s).entropy(), {"m": r(3), "s": pos(3)}),
        Case("normal_kl", "kl(Normal(m1, s1), Normal(m2, s2))",
             lambda m1, s1, m2, s2: kl_divergence(Normal(m1, s1), Normal(m2, s2)),
             {"m1": r(3), "s1": pos(3), "m2": r(3), "s2": pos(3)}),
        Case("categorical_log_prob", "Categorical(logits: l).log_prob(k)",
             lambda l, k: Categorical(logits=l).log_prob(k), {"l": r(2, 4), "k": T([3, 0], dtype="int64")}),
        Case("categorical_entropy", "Categorical(logits: l).entropy()", lambda l: Categorical(logits=l).entropy(),
             {"l": r(2, 4)}),
        Case("categorical_entropy_masked", "Categorical(logits: l).entropy()", lambda l: Categorical(logits=l).entropy(),
             {"l": T([[0.0, -INF, 1.0]])}, order=1),
        Case("categorical_kl", "kl(Categorical(logits: a), Categorical(logits: b))",
             lambda a, b: kl_divergence(Categorical(logits=a), Categorical(logits=b)), {"a": r(2, 3), "b": r(2, 3)}),
    ]


GROUPS = {
    "planned_reductions": reduction_cases,
    "planned_elementwise": elementwise_cases,
    "planned_shape": shape_cases,
    "planned_nn": nn_cases,
    "planned_distributions": distribution_cases,
}
