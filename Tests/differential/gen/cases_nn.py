"""Neural-network ops: conv2d, max_pool2d, avg_pool2d, batch_norm (batch
statistics and running statistics), mse, cross_entropy, accuracy and
pairwise_distances, with strides, paddings, batch 0 and NaN."""

import torch
import torch.nn.functional as F_

from .core import Case, L, T, randn, uniform

NAN, INF = float("nan"), float("inf")
TOL = (1e-4, 1e-5)


def conv_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    c = lambda *a, **k: Case(*a, tol=TOL, **k)  # noqa: E731
    return [
        c("conv2d_bias", "conv2d(x, w, b)", lambda x, w, b: F_.conv2d(x, w, b),
          {"x": r(2, 3, 5, 5), "w": r(4, 3, 3, 3), "b": r(4)}),
        c("conv2d_no_bias", "conv2d(x, w)", lambda x, w: F_.conv2d(x, w), {"x": r(1, 2, 4, 4), "w": r(3, 2, 2, 2)}),
        c("conv2d_padding", "conv2d(x, w, b, padding: 1)", lambda x, w, b: F_.conv2d(x, w, b, padding=1),
          {"x": r(2, 2, 4, 4), "w": r(3, 2, 3, 3), "b": r(3)}),
        c("conv2d_stride", "conv2d(x, w, stride: 2)", lambda x, w: F_.conv2d(x, w, stride=2),
          {"x": r(1, 2, 7, 7), "w": r(2, 2, 3, 3)}),
        c("conv2d_stride_padding_pairs", "conv2d(x, w, stride: [1, 2], padding: [1, 0])",
          lambda x, w: F_.conv2d(x, w, stride=(1, 2), padding=(1, 0)), {"x": r(1, 2, 5, 6), "w": r(2, 2, 3, 2)}),
        c("conv2d_1x1", "conv2d(x, w, b)", lambda x, w, b: F_.conv2d(x, w, b),
          {"x": r(2, 4, 3, 3), "w": r(5, 4, 1, 1), "b": r(5)}),
        c("conv2d_batch0", "conv2d(x, w, b)", lambda x, w, b: F_.conv2d(x, w, b),
          {"x": r(0, 3, 5, 5), "w": r(4, 3, 3, 3), "b": r(4)}),
        c("conv2d_kernel_equals_input", "conv2d(x, w)", lambda x, w: F_.conv2d(x, w), {"x": r(2, 1, 3, 3), "w": r(2, 1, 3, 3)}),
        c("conv2d_permuted_input", "conv2d(x.transpose([0, 3, 1, 2]), w)", lambda x, w: F_.conv2d(x.permute(0, 3, 1, 2), w),
          {"x": r(1, 4, 4, 2), "w": r(2, 2, 2, 2)}),
        c("conv2d_nan", "conv2d(x, w)", lambda x, w: F_.conv2d(x, w),
          {"x": T([[[[1.0, NAN, 0.0], [0.0, 1.0, 2.0], [1.0, 1.0, 1.0]]]]), "w": r(1, 1, 2, 2)}, order=1),
        c("conv2d_channel_mismatch", "conv2d(x, w)", lambda x, w: F_.conv2d(x, w), {"x": r(1, 3, 4, 4), "w": r(2, 2, 3, 3)}),
        c("conv2d_kernel_too_big", "conv2d(x, w)", lambda x, w: F_.conv2d(x, w), {"x": r(1, 1, 2, 2), "w": r(1, 1, 3, 3)}),
    ]


def pool_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    out = []
    for name, fn in [("max_pool2d", F_.max_pool2d), ("avg_pool2d", F_.avg_pool2d)]:
        out += [
            Case(f"{name}_2", f"{name}(x, 2)", lambda x, fn=fn: fn(x, 2), {"x": r(2, 3, 4, 4)}),
            Case(f"{name}_odd_size", f"{name}(x, 2)", lambda x, fn=fn: fn(x, 2), {"x": r(1, 2, 5, 5)}),
            Case(f"{name}_stride1", f"{name}(x, 3, stride: 1)", lambda x, fn=fn: fn(x, 3, stride=1),
                 {"x": r(1, 2, 5, 5)}),
            Case(f"{name}_padding", f"{name}(x, 3, stride: 2, padding: 1)",
                 lambda x, fn=fn: fn(x, 3, stride=2, padding=1), {"x": r(1, 1, 5, 5)}),
            Case(f"{name}_rect", f"{name}(x, [2, 1])", lambda x, fn=fn: fn(x, (2, 1)), {"x": r(1, 2, 4, 3)}),
            Case(f"{name}_batch0", f"{name}(x, 2)", lambda x, fn=fn: fn(x, 2), {"x": r(0, 3, 4, 4)},
                 note="issue 14: pooling refuses a batch of 0 while conv2d accepts it"),
            Case(f"{name}_nan", f"{name}(x, 2)", lambda x, fn=fn: fn(x, 2),
                 {"x": T([[[[NAN, 1.0], [2.0, 3.0]], [[-INF, -INF], [-INF, -INF]]]])}, order=1),
            Case(f"{name}_transposed_input", f"{name}(x.transpose([0, 1, 3, 2]), 2)",
                 lambda x, fn=fn: fn(x.transpose(2, 3), 2), {"x": r(1, 2, 4, 6)}),
            Case(f"{name}_kernel_too_big", f"{name}(x, 3)", lambda x, fn=fn: fn(x, 3), {"x": r(1, 1, 2, 2)}),
        ]
    out.append(Case("max_pool2d_ties", "max_pool2d(x, 2)", lambda x: F_.max_pool2d(x, 2),
                    {"x": T([[[[1.0, 1.0], [1.0, 0.0]]]])}))
    return out


def batch_norm_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    pos = lambda *s: T(uniform(rng, 0.5, 2, *s))  # noqa: E731
    bn = lambda x, g=None, b=None, **k: F_.batch_norm(x, None, None, g, b, training=True, eps=k.get("eps", 1e-5))  # noqa: E731

    def running(x, rm, rv, training, which):
        rm, rv = rm.detach().clone(), rv.detach().clone()
        out = F_.batch_norm(x, rm, rv, None, None, training=training, momentum=0.1, eps=1e-5)
        return {"out": out, "mean": rm, "var": rv}[which]

    return [
        Case("batch_norm_4d", "batch_norm(x)", lambda x: bn(x), {"x": r(3, 2, 3, 3)}, tol=TOL),
        Case("batch_norm_2d", "batch_norm(x)", lambda x: bn(x), {"x": r(6, 3)}, tol=TOL),
        Case("batch_norm_affine", "batch_norm(x, g, b)", lambda x, g, b: bn(x, g, b),
             {"x": r(4, 3, 2, 2), "g": pos(3), "b": r(3)}, tol=TOL),
        Case("batch_norm_eps", "batch_norm(x, eps: 0.1)", lambda x: bn(x, eps=0.1), {"x": r(4, 2)}, tol=TOL),
        Case("batch_norm_constant_channel", "batch_norm(x)", lambda x: bn(x), {"x": T([[1.0, 2.0], [1.0, 3.0]])},
             tol=TOL),
        Case("batch_norm_transposed", "batch_norm(x.T)", lambda x: bn(x.T), {"x": r(3, 5)}, tol=TOL),
        Case("batch_norm_eval", "batch_norm(x, g, b, running_mean: rm, running_var: rv, training: false).out",
             lambda x, g, b, rm, rv: F_.batch_norm(x, rm, rv, g, b, training=False),
             {"x": r(2, 3, 2, 2), "g": pos(3), "b": r(3), "rm": r(3), "rv": pos(3)}, wrt=["x", "g", "b"], tol=TOL),
        Case("batch_norm_running_mean", "batch_norm(x, running_mean: rm, running_var: rv).running_mean",
             lambda x, rm, rv: running(x, rm, rv, True, "mean"), {"x": r(4, 3), "rm": r(3), "rv": pos(3)},
             order=0, tol=TOL),
        Case("batch_norm_running_var", "batch_norm(x, running_mean: rm, running_var: rv).running_var",
             lambda x, rm, rv: running(x, rm, rv, True, "var"), {"x": r(4, 3), "rm": r(3), "rv": pos(3)},
             order=0, tol=TOL, note="PyTorch updates running_var with the unbiased variance"),
        Case("batch_norm_training_out", "batch_norm(x, running_mean: rm, running_var: rv).out",
             lambda x, rm, rv: running(x, rm, rv, True, "out"), {"x": r(4, 3), "rm": r(3), "rv": pos(3)},
             wrt=["x"], tol=TOL),
        Case("batch_norm_nan", "batch_norm(x)", lambda x: bn(x), {"x": T([[NAN, 1.0], [2.0, 3.0], [1.0, 0.0]])},
             order=1, tol=TOL),
    ]


def loss_cases(rng):
    r = lambda *s: T(randn(rng, *s))  # noqa: E731
    labels = [0, 3, 4, 1]
    lab = lambda: torch.tensor(labels)  # noqa: E731
    acc = lambda x, y: (x.argmax(-1) == y).float().mean().item()  # noqa: E731
    return [
        Case("mse_basic", "mse(p, y)", F_.mse_loss, {"p": r(4, 3), "y": r(4, 3)}),
        Case("mse_0d", "mse(p, y)", F_.mse_loss, {"p": r(), "y": r()}),
        Case("mse_transposed", "mse(p.T, y)", lambda p, y: F_.mse_loss(p.T, y), {"p": r(3, 4), "y": r(4, 3)}),
        Case("mse_nan", "mse(p, y)", F_.mse_loss, {"p": T([1.0, NAN]), "y": T([0.0, 0.0])}, order=1),
        Case("mse_empty", "mse(p, y)", F_.mse_loss, {"p": r(0, 2), "y": r(0, 2)}, order=1),
        Case("cross_entropy_basic", "cross_entropy(x, y)", lambda x, y: F_.cross_entropy(x, lab()),
             {"x": r(4, 5), "y": L(labels)}, wrt=["x"]),
        Case("cross_entropy_extreme", "cross_entropy(x, y)", lambda x, y: F_.cross_entropy(x, lab()),
             {"x": T(randn(rng, 4, 5, scale=1000)), "y": L(labels)}, wrt=["x"], tol=TOL),
        Case("cross_entropy_masked", "cross_entropy(x, y)", lambda x, y: F_.cross_entropy(x, torch.tensor([0, 1])),
             {"x": T([[0.0, -INF, 1.0], [2.0, 0.0, -INF]]), "y": L([0, 1])}, wrt=["x"], order=1),
        Case("cross_entropy_nan", "cross_entropy(x, y)", lambda x, y: F_.cross_entropy(x, torch.tensor([0, 1])),
             {"x": T([[NAN, 0.0], [1.0, 2.0]]), "y": L([0, 1])}, wrt=["x"], order=1),
        Case("cross_entropy_label_out_of_range", "cross_entropy(x, y)",
             lambda x, y: F_.cross_entropy(x, torch.tensor([0, 5])), {"x": r(2, 5), "y": L([0, 5])}, wrt=["x"]),
        Case("cross_entropy_transposed", "cross_entropy(x.T, y)", lambda x, y: F_.cross_entropy(x.T, lab()),
             {"x": r(5, 4), "y": L(labels)}, wrt=["x"]),
        Case("accuracy_basic", "accuracy(x, y)", lambda x, y: acc(x, lab()), {"x": r(4, 5), "y": L(labels)}),
        Case("accuracy_nan_logits", "accuracy(x, y)", lambda x, y: acc(x, torch.tensor([0, 1])),
             {"x": T([[NAN, 0.0], [1.0, NAN]]), "y": L([0, 1])},
             note="issue 14: NaN logits count as wrong (PyTorch's argmax picks the NaN)"),
        Case("pairwise_distances", "pairwise_distances(a, b)",
             lambda a, b: ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1), {"a": r(4, 3), "b": r(5, 3)}, tol=TOL),
        Case("pairwise_distances_same", "pairwise_distances(a, a)",
             lambda a: ((a[:, None, :] - a[None, :, :]) ** 2).sum(-1), {"a": r(3, 2)}, tol=TOL),
    ]


GROUPS = {"nn": lambda rng: conv_cases(rng) + pool_cases(rng) + batch_norm_cases(rng) + loss_cases(rng)}
