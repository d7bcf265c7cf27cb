"""Tensor creation: literals, zeros ones full eye arange linspace, the *_like
functions and one_hot. arange counts its elements in double precision as NumPy
does (issue 14: `arange(0, 0.3, 0.1)` has 3 elements, `arange(1, 1.3, 0.1)` 4)."""

import numpy as np
import torch
import torch.nn.functional as F_

from .core import Case, F, T, randn

NAN = float("nan")


def _arange(*args):
    """NumPy's arange (count in double), as float32 as Meta makes it."""
    return torch.from_numpy(np.arange(*[float(a) for a in args], dtype=np.float64).astype(np.float32))


def creation_cases(rng):
    c = lambda name, expr, fn, **kw: Case(name, expr, fn, order=0, **kw)  # noqa: E731
    return [
        c("tensor_nested", "tensor([[1, 2], [3, 4.5]])", lambda: torch.tensor([[1, 2], [3, 4.5]])),
        c("tensor_scalar", "tensor(3.5)", lambda: torch.tensor(3.5)),
        c("tensor_empty", "tensor([])", lambda: torch.tensor([])),
        c("tensor_ragged", "tensor([[1, 2], [3]])", lambda: torch.tensor([[1, 2], [3]])),
        c("tensor_of_tensor", "tensor(x)", lambda x: x.clone(), inputs={"x": T(randn(rng, 2, 2))}),
        c("zeros_list", "zeros([2, 3])", lambda: torch.zeros(2, 3)),
        c("zeros_varargs", "zeros(2, 3)", lambda: torch.zeros(2, 3)),
        c("zeros_0d", "zeros([])", lambda: torch.zeros(())),
        c("zeros_empty", "zeros([0, 4])", lambda: torch.zeros(0, 4)),
        c("zeros_negative", "zeros([-1])", lambda: torch.zeros(-1)),
        c("ones", "ones([3])", lambda: torch.ones(3)),
        c("full", "full([2, 2], 0.1)", lambda: torch.full((2, 2), 0.1)),
        c("full_nan", "full([2], nan)", lambda nan: torch.full((2,), nan), inputs={"nan": F(NAN)}),
        c("eye_square", "eye(3)", lambda: torch.eye(3)),
        c("eye_rect", "eye(2, 4)", lambda: torch.eye(2, 4)),
        c("eye_zero", "eye(0)", lambda: torch.eye(0)),
        c("zeros_like", "zeros_like(x)", lambda x: torch.zeros_like(x), inputs={"x": T(randn(rng, 2, 3))}),
        c("ones_like_0d", "ones_like(x)", lambda x: torch.ones_like(x), inputs={"x": T(1.5)}),
        c("arange_stop", "arange(5)", lambda: _arange(5)),
        c("arange_start_stop", "arange(2, 6)", lambda: _arange(2, 6)),
        c("arange_step", "arange(0, 1, 0.25)", lambda: _arange(0, 1, 0.25)),
        c("arange_tenths", "arange(0, 0.3, 0.1)", lambda: _arange(0, 0.3, 0.1),
          note="issue 14: has 4 elements (NumPy 3)"),
        c("arange_tenths_from_one", "arange(1, 1.3, 0.1)", lambda: _arange(1, 1.3, 0.1),
          note="issue 14: has 3 elements (NumPy 4)"),
        c("arange_negative_step", "arange(5, 0, -1)", lambda: _arange(5, 0, -1)),
        c("arange_negative_fraction", "arange(0, -1, -0.3)", lambda: _arange(0, -1, -0.3)),
        c("arange_empty", "arange(3, 1)", lambda: _arange(3, 1)),
        c("arange_zero_step", "arange(0, 1, 0)", lambda: torch.arange(0, 1, 0)),
        c("arange_large_count", "arange(0, 1, 0.001).sum()", lambda: _arange(0, 1, 0.001).sum(), tol=(1e-5, 1e-6)),
        c("linspace", "linspace(0, 1, 5)", lambda: torch.linspace(0, 1, 5)),
        c("linspace_one", "linspace(-5, 5, 1)", lambda: torch.linspace(-5, 5, 1)),
        c("linspace_zero", "linspace(0, 1, 0)", lambda: torch.linspace(0, 1, 0)),
        c("linspace_reverse", "linspace(1, -1, 7)", lambda: torch.linspace(1, -1, 7)),
        c("one_hot_list", "one_hot([0, 2, 1], 3)", lambda: F_.one_hot(torch.tensor([0, 2, 1]), 3)),
        c("one_hot_out_of_range", "one_hot([0, 3], 3)", lambda: F_.one_hot(torch.tensor([0, 3]), 3)),
        c("one_hot_empty", "one_hot([], 4)", lambda: F_.one_hot(torch.tensor([], dtype=torch.int64), 4)),
    ]


GROUPS = {"creation": creation_cases}
