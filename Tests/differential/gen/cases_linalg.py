"""Linear algebra beyond matmul: solve(a, b) against torch.linalg.solve, with
vector and matrix right-hand sides, batches, transposed operands, pivoting,
float64, the ridge-regression normal equations the RL baseline solves, NaN,
and the errors (singular, shapes, integer dtypes)."""

import numpy as np
import torch

from .core import Case, T, randn

NAN = float("nan")


def well_conditioned(rng, n, *batch):
    """Normal entries plus n on the diagonal: diagonally dominant, condition a few units."""
    return randn(rng, *batch, n, n) + n * np.eye(n)


def solve_cases(rng):
    solve = torch.linalg.solve
    tol = (1e-4, 1e-5)  # Meta eliminates in double, PyTorch in float32 LAPACK
    features = randn(rng, 20, 8)
    return [
        Case("solve_vector", "solve(a, b)", solve, {"a": T(well_conditioned(rng, 3)), "b": T(randn(rng, 3))}, tol=tol),
        Case("solve_matrix", "solve(a, b)", solve, {"a": T(well_conditioned(rng, 4)), "b": T(randn(rng, 4, 2))}, tol=tol),
        Case("solve_1x1", "solve(a, b)", solve, {"a": T([[2.5]]), "b": T([[1.0, -3.0]])}, tol=tol),
        Case("solve_pivoting", "solve(a, b)", solve,
             {"a": T([[0.0, 2.0, 1.0], [1.0, 1.0, 1.0], [2.0, 1.0, 0.0]]), "b": T(randn(rng, 3))}, tol=tol,
             note="a[0][0] = 0: needs a row swap"),
        Case("solve_transposed", "solve(a.T, b.T)", lambda a, b: solve(a.T, b.T),
             {"a": T(well_conditioned(rng, 3)), "b": T(randn(rng, 2, 3))}, tol=tol),
        Case("solve_batched_vectors", "solve(a, b)", solve,
             {"a": T(well_conditioned(rng, 3, 2)), "b": T(randn(rng, 2, 3))}, tol=tol),
        Case("solve_batched_matrices", "solve(a, b)", solve,
             {"a": T(well_conditioned(rng, 3, 2, 2)), "b": T(randn(rng, 2, 2, 3, 2))}, tol=tol),
        Case("solve_float64", "solve(a, b)", solve,
             {"a": T(well_conditioned(rng, 4), "float64"), "b": T(randn(rng, 4, 3), "float64")}),
        Case("solve_ridge_normal_equations", "solve(f.T @ f + 0.01 * eye(8), f.T @ g)",
             lambda f, g: solve(f.T @ f + 0.01 * torch.eye(8), f.T @ g),
             {"f": T(features), "g": T(randn(rng, 20))}, tol=tol,
             note="the linear feature baseline's fit: 20 samples, 8 features"),
        Case("solve_empty", "solve(a, b)", solve, {"a": T(np.zeros((0, 0))), "b": T(np.zeros((0,)))}, order=0),
        Case("solve_nan_in_a", "solve(a, b)", solve, {"a": T([[NAN, 1.0], [1.0, 3.0]]), "b": T([3.0, 5.0])}, order=0),
        Case("solve_nan_in_b", "solve(a, b)", solve, {"a": T([[2.0, 1.0], [1.0, 3.0]]), "b": T([NAN, 5.0])}, order=0),
        Case("solve_singular", "solve(a, b)", solve, {"a": T([[1.0, 2.0], [2.0, 4.0]]), "b": T([1.0, 1.0])}),
        Case("solve_singular_zero", "solve(a, b)", solve, {"a": T(np.zeros((3, 3))), "b": T(randn(rng, 3))}),
        Case("solve_singular_rounding", "solve(a, b)", solve,
             {"a": T([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]), "b": T([1.0, 2.0, 4.0])},
             note="singular in exact arithmetic; PyTorch float32 finds a zero pivot, Meta a rounding-level one"),
        Case("solve_not_square", "solve(a, b)", solve, {"a": T(randn(rng, 2, 3)), "b": T(randn(rng, 2))}),
        Case("solve_rows_mismatch", "solve(a, b)", solve, {"a": T(well_conditioned(rng, 3)), "b": T(randn(rng, 4))}),
        Case("solve_int64", "solve(a, b)", solve,
             {"a": T([[2, 1], [1, 3]], "int64"), "b": T([3, 5], "int64")}),
    ]


GROUPS = {"linalg": solve_cases}
