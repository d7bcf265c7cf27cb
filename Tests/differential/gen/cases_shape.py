"""Shape ops and indexing: reshape transpose flatten squeeze expand unsqueeze
concat stack, basic indexing and slicing (negative indices, steps, new axes),
gathers with a list of Ints, boolean masks and where, on contiguous and
non-contiguous tensors, with empty and size-1 axes, and the errors for bad shapes."""

import numpy as np
import torch

from .core import Case, T, randn

NAN = float("nan")


def reshape_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    return [
        Case("reshape_list", "x.reshape([4, 3])", lambda x: x.reshape(4, 3), {"x": r(3, 4)}),
        Case("reshape_varargs", "x.reshape(2, 6)", lambda x: x.reshape(2, 6), {"x": r(3, 4)}),
        Case("reshape_function", "reshape(x, [12])", lambda x: x.reshape(12), {"x": r(3, 4)}),
        Case("reshape_minus_one", "x.reshape([-1, 2])", lambda x: x.reshape(-1, 2), {"x": r(3, 4)}),
        Case("reshape_to_0d", "x.reshape([])", lambda x: x.reshape(()), {"x": r(1, 1)}),
        Case("reshape_from_0d", "x.reshape([1, 1])", lambda x: x.reshape(1, 1), {"x": r()}),
        Case("reshape_transposed", "x.T.reshape([12])", lambda x: x.T.reshape(12), {"x": r(3, 4)}),
        Case("reshape_sliced", "x[:, 1:3].reshape([6])", lambda x: x[:, 1:3].reshape(6), {"x": r(3, 4)}),
        Case("reshape_empty", "x.reshape([3, 0])", lambda x: x.reshape(3, 0), {"x": r(0, 3)}),
        Case("reshape_bad_size", "x.reshape([5, 2])", lambda x: x.reshape(5, 2), {"x": r(3, 4)}),
        Case("flatten", "x.flatten()", lambda x: x.flatten(), {"x": r(2, 3, 4)}),
        Case("flatten_transposed", "flatten(x.T)", lambda x: x.T.flatten(), {"x": r(3, 4)}),
        Case("flatten_0d", "x.flatten()", lambda x: x.flatten(), {"x": r()}),
        Case("transpose_T", "x.T", lambda x: x.T, {"x": r(3, 4)}),
        Case("transpose_T_1d", "x.T", lambda x: x, {"x": r(4)}),
        Case("transpose_axes", "transpose(x, 0, 2)", lambda x: x.transpose(0, 2), {"x": r(2, 3, 4)}),
        Case("transpose_negative_axes", "x.transpose(-1, -2)", lambda x: x.transpose(-1, -2), {"x": r(2, 3, 4)}),
        Case("transpose_permutation", "x.transpose([1, 2, 0])", lambda x: x.permute(1, 2, 0), {"x": r(2, 3, 4)}),
        Case("transpose_T_rank3", "x.T", lambda x: x.permute(2, 1, 0), {"x": r(2, 3, 4)}),
        Case("transpose_twice", "x.T.T + x", lambda x: x.T.T + x, {"x": r(3, 4)}),
        Case("squeeze_all", "x.squeeze()", lambda x: x.squeeze(), {"x": r(1, 3, 1, 2)}),
        Case("squeeze_axis", "x.squeeze(axis: 2)", lambda x: x.squeeze(2), {"x": r(1, 3, 1, 2)}),
        Case("squeeze_positional", "squeeze(x, 0)", lambda x: x.squeeze(0), {"x": r(1, 3)}),
        Case("squeeze_not_one", "x.squeeze(axis: 1)", lambda x: np.squeeze(x.detach().numpy(), 1), {"x": r(2, 3)},
             note="NumPy's rule (PyTorch leaves a non-1 axis alone): an error"),
        Case("unsqueeze_front", "x.unsqueeze(0)", lambda x: x.unsqueeze(0), {"x": r(3, 4)}),
        Case("unsqueeze_named", "x.unsqueeze(axis: -1)", lambda x: x.unsqueeze(-1), {"x": r(3, 4)}),
        Case("unsqueeze_0d", "unsqueeze(x, 0)", lambda x: x.unsqueeze(0), {"x": r()}),
        Case("expand_row", "x.expand([3, 4])", lambda x: x.expand(3, 4), {"x": r(1, 4)}),
        Case("expand_new_axes", "x.expand([2, 3, 4])", lambda x: x.expand(2, 3, 4), {"x": r(4)}),
        Case("expand_0d", "x.expand([2, 2])", lambda x: x.expand(2, 2), {"x": r()}),
        Case("expand_then_sum", "x.expand([5, 3]).sum(axis: 0)", lambda x: x.expand(5, 3).sum(0), {"x": r(1, 3)}),
        Case("expand_bad", "x.expand([3, 4])", lambda x: x.expand(3, 4), {"x": r(2, 4)}),
    ]


def join_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    return [
        Case("concat_axis0", "concat([x, y])", lambda x, y: torch.cat([x, y]), {"x": r(2, 3), "y": r(4, 3)}),
        Case("concat_axis1", "concat([x, y], axis: 1)", lambda x, y: torch.cat([x, y], 1), {"x": r(2, 3), "y": r(2, 1)}),
        Case("concat_axis_neg", "concat([x, y, x], axis: -1)", lambda x, y: torch.cat([x, y, x], -1),
             {"x": r(2, 2, 3), "y": r(2, 2, 1)}),
        Case("concat_empty_part", "concat([x, y])", lambda x, y: torch.cat([x, y]), {"x": r(0, 3), "y": r(2, 3)}),
        Case("concat_one", "concat([x])", lambda x: torch.cat([x]), {"x": r(2, 3)}),
        Case("concat_transposed", "concat([x.T, y])", lambda x, y: torch.cat([x.T, y]), {"x": r(3, 2), "y": r(1, 3)}),
        Case("concat_mismatch", "concat([x, y])", lambda x, y: torch.cat([x, y]), {"x": r(2, 3), "y": r(2, 4)}),
        Case("concat_empty_list", "concat([])", lambda: torch.cat([])),
        Case("stack_axis0", "stack([x, y])", lambda x, y: torch.stack([x, y]), {"x": r(2, 3), "y": r(2, 3)}),
        Case("stack_axis1", "stack([x, y, x], axis: 1)", lambda x, y: torch.stack([x, y, x], 1),
             {"x": r(2, 3), "y": r(2, 3)}),
        Case("stack_axis_neg", "stack([x, y], axis: -1)", lambda x, y: torch.stack([x, y], -1),
             {"x": r(2, 3), "y": r(2, 3)}),
        Case("stack_0d", "stack([x, y, x])", lambda x, y: torch.stack([x, y, x]), {"x": r(), "y": r()}),
        Case("stack_numbers", "stack([x, 2.0, 3])", lambda x: torch.stack([x, torch.tensor(2.0), torch.tensor(3.0)]),
             {"x": r()}),
        Case("stack_mismatch", "stack([x, y])", lambda x, y: torch.stack([x, y]), {"x": r(2, 3), "y": r(3, 2)}),
    ]


def index_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    return [
        Case("index_int", "x[1]", lambda x: x[1], {"x": r(3, 4)}),
        Case("index_negative", "x[-1]", lambda x: x[-1], {"x": r(3, 4)}),
        Case("index_two_ints", "x[1, 2]", lambda x: x[1, 2], {"x": r(3, 4)}),
        Case("index_column", "x[:, 1]", lambda x: x[:, 1], {"x": r(3, 4)}),
        Case("index_last_column", "x[:, -1]", lambda x: x[:, -1], {"x": r(3, 4)}),
        Case("index_range", "x[1:3]", lambda x: x[1:3], {"x": r(5, 2)}),
        Case("index_mixed", "x[0, 1:3, :]", lambda x: x[0, 1:3, :], {"x": r(2, 4, 3)}),
        Case("index_step", "x[::2]", lambda x: x[::2], {"x": r(7, 2)}),
        Case("index_step_offset", "x[1::3, 1:-1]", lambda x: x[1::3, 1:-1], {"x": r(7, 5)}),
        Case("index_negative_step", "x[::-1]", lambda x: torch.flip(x, [0]), {"x": r(4, 2)},
             note="NumPy semantics (PyTorch has no negative steps: torch.flip)"),
        Case("index_negative_step_2", "x[3:0:-2]", lambda x: torch.flip(x, [0])[1:4:2], {"x": r(5)}),
        Case("index_new_axis", "x[nil]", lambda x: x[None], {"x": r(3, 4)}),
        Case("index_new_axis_middle", "x[:, nil]", lambda x: x[:, None], {"x": r(3, 4)}),
        Case("index_empty_slice", "x[2:2]", lambda x: x[2:2], {"x": r(4, 3)}),
        Case("index_slice_past_end", "x[1:100]", lambda x: x[1:100], {"x": r(4)}),
        Case("index_of_transposed", "x.T[1]", lambda x: x.T[1], {"x": r(3, 4)}),
        Case("index_out_of_range", "x[3]", lambda x: x[3], {"x": r(3, 4)}),
        Case("index_too_many", "x[0, 0, 0]", lambda x: x[0, 0, 0], {"x": r(3, 4)}),
        Case("index_0d", "x[0]", lambda x: x[0], {"x": r()}),
        Case("gather_list", "x[[2, 0, 2]]", lambda x: x[[2, 0, 2]], {"x": r(3, 4)}),
        Case("gather_list_negative", "x[[-1, 0]]", lambda x: x[[-1, 0]], {"x": r(3, 4)}),
        Case("gather_list_empty", "x[[]]", lambda x: x[torch.tensor([], dtype=torch.int64)], {"x": r(3, 4)}),
        Case("gather_list_out_of_range", "x[[0, 3]]", lambda x: x[[0, 3]], {"x": r(3, 4)}),
        Case("gather_list_beyond_2_24", "concat([zeros([16777217]), ones([1]), zeros([1])])[[16777217]]",
             lambda: torch.cat([torch.zeros(16777217), torch.ones(1), torch.zeros(1)])[[16777217]], order=0,
             note="issue 14: an index held in float32 is exact only below 2^24"),
        Case("mask_positive", "x[x > 0]", lambda x: x[x > 0], {"x": T([-1.0, 2.0, 3.0])},
             note="issue 14: the 0/1 mask is used as row indices"),
        Case("mask_2d", "x[x > 0]", lambda x: x[x > 0], {"x": r(3, 4)}),
        Case("mask_rows", "x[m > 0]", lambda x, m: x[m > 0], {"x": r(3, 2), "m": T([1.0, -1.0, 1.0])}, wrt=["x"]),
        Case("mask_none_selected", "x[x > 10]", lambda x: x[x > 10], {"x": r(3)}),
        Case("where_basic", "where(c > 0, x, y)", lambda c, x, y: torch.where(c > 0, x, y),
             {"c": r(3, 4), "x": r(3, 4), "y": r(3, 4)}, wrt=["x", "y"]),
        Case("where_broadcast", "where(c > 0, x, y)", lambda c, x, y: torch.where(c > 0, x, y),
             {"c": r(3, 1), "x": r(4), "y": r()}, wrt=["x", "y"]),
        Case("where_number", "where(x > 0, x, 0)", lambda x: torch.where(x > 0, x, torch.tensor(0.0)), {"x": r(5)}),
        Case("where_nan", "where(x > 0, x, y)", lambda x, y: torch.where(x > 0, x, y),
             {"x": T([NAN, 1.0, -1.0]), "y": T([5.0, NAN, 2.0])}, order=1),
        Case("where_empty", "where(x > 0, x, y)", lambda x, y: torch.where(x > 0, x, y), {"x": r(0, 2), "y": r(2)}),
        Case("where_mismatch", "where(c > 0, x, y)", lambda c, x, y: torch.where(c > 0, x, y),
             {"c": r(3), "x": r(4), "y": r(3)}, wrt=[]),
    ]


def shape_query_cases(rng):
    """Non-tensor results: Lists and Ints."""
    x = T(randn(rng, 2, 3, 4))
    return [
        Case("shape_field", "x.shape", lambda x: list(x.shape), {"x": x}, order=0),
        Case("ndim_field", "x.ndim", lambda x: x.dim(), {"x": x}, order=0),
        Case("size_field", "x.size", lambda x: x.numel(), {"x": x}, order=0),
        Case("len_tensor", "len(x)", lambda x: len(x), {"x": x}, order=0),
        Case("item_0d", "x.item()", lambda x: x.item(), {"x": T(2.5)}, order=0),
        Case("item_one_element", "x.item()", lambda x: x.item(), {"x": T([[0.1]])}, order=0),
        Case("tolist", "x.tolist()", lambda x: x.tolist(), {"x": T([[1.0, 2.5], [-3.0, 0.1]])}, order=0),
    ]


GROUPS = {"shape": lambda rng: reshape_cases(rng) + join_cases(rng) + index_cases(rng) + shape_query_cases(rng)}
