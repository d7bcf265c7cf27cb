"""Whole computations as meta-learning writes them: MLPs, an attention block,
a conv block, prototypical networks and MAML (an inner SGD step inside the
outer loss, so the second-order gradients go through a gradient)."""

import math

import torch
import torch.nn.functional as F_

from .core import Case, L, T, randn

TOL = (1e-4, 1e-5)


def _maml_torch(w, xs, ys, xq, yq, lr=0.1, steps=1, act=torch.tanh, first_order=False):
    """MAML's outer loss after `steps` inner SGD steps (through them unless first_order)."""
    p = w
    for _ in range(steps):
        inner = F_.mse_loss(act(xs @ p).sum(-1, keepdim=True), ys)
        (g,) = torch.autograd.grad(inner, p, create_graph=not first_order)
        p = p - lr * g
    return F_.mse_loss(act(xq @ p).sum(-1, keepdim=True), yq)


def _logistic(x, w, y):
    p = torch.sigmoid(x @ w)
    return (-(y * torch.log(p) + (1 - y) * torch.log(1 - p))).mean()


def _layer_norm(x):
    c = x - x.mean(-1, keepdim=True)
    return c / torch.sqrt((c ** 2).mean(-1, keepdim=True) + 1e-5)


def _conv_block(x, w, b):
    h = F_.batch_norm(F_.conv2d(x, w, b, padding=1), None, None, training=True)
    return F_.max_pool2d(torch.relu(h), 2).flatten().sum()


def _conv_classifier(x, w, v):
    h = F_.avg_pool2d(torch.tanh(F_.conv2d(x, w)), 2).reshape(2, 8)
    return F_.cross_entropy(h @ v, torch.tensor([1, 2]))


def _protonet(q, s):
    protos = torch.stack([s[0:2].mean(0), s[2:4].mean(0)])
    d = ((q[:, None] - protos[None]) ** 2).sum(-1)
    return F_.cross_entropy(-d, torch.tensor([0, 1, 1]))


def composition_cases(rng):
    r = lambda *s, scale=1.0: T(randn(rng, *s, scale=scale))  # noqa: E731
    data = lambda: {"xs": r(5, 3), "ys": r(5, 1), "xq": r(4, 3), "yq": r(4, 1)}  # noqa: E731
    inner = "mse(tanh(xs @ p).sum(axis: -1, keepdims: true), ys)"
    outer = "mse(tanh(xq @ q).sum(axis: -1, keepdims: true), yq)"
    relu = lambda text: text.replace("tanh", "relu")  # noqa: E731
    return [
        Case("mlp_tanh", "tanh(x @ w1 + b1) @ w2 + b2",
             lambda x, w1, b1, w2, b2: torch.tanh(x @ w1 + b1) @ w2 + b2,
             {"x": r(4, 3), "w1": r(3, 5), "b1": r(5), "w2": r(5, 2), "b2": r(2)}, tol=TOL),
        Case("mlp_relu_mse", "mse(relu(x @ w1 + b1) @ w2, y)",
             lambda x, w1, b1, w2, y: F_.mse_loss(torch.relu(x @ w1 + b1) @ w2, y),
             {"x": r(6, 2), "w1": r(2, 8), "b1": r(8), "w2": r(8, 1), "y": r(6, 1)}, wrt=["w1", "b1", "w2"], tol=TOL),
        Case("logistic_regression", "let p = sigmoid(x @ w); mean(-(y * log(p) + (1 - y) * log(1 - p)))", _logistic,
             {"x": r(8, 3), "w": r(3), "y": T([0.0, 1.0] * 4)}, wrt=["w"], tol=TOL),
        Case("attention", "softmax(q @ k.T / sqrt(4.0)) @ v",
             lambda q, k, v: torch.softmax(q @ k.T / math.sqrt(4.0), -1) @ v,
             {"q": r(3, 4), "k": r(5, 4), "v": r(5, 2)}, tol=TOL),
        Case("layer_norm_by_hand",
             "let c = x - x.mean(axis: -1, keepdims: true); c / sqrt((c ** 2).mean(axis: -1, keepdims: true) + 1e-5)",
             _layer_norm, {"x": r(3, 6)}, tol=TOL),
        Case("softmax_cross_entropy_by_hand", "-(log_softmax(x) * one_hot(y, 4)).sum(axis: 1).mean()",
             lambda x, y: F_.cross_entropy(x, torch.tensor([1, 0, 3])), {"x": r(3, 4), "y": L([1, 0, 3])}, wrt=["x"]),
        Case("conv_block", "max_pool2d(relu(batch_norm(conv2d(x, w, b, padding: 1))), 2).flatten().sum()", _conv_block,
             {"x": r(2, 2, 4, 4), "w": r(3, 2, 3, 3), "b": r(3)}, tol=(2e-4, 1e-4)),
        Case("conv_classifier", "cross_entropy(avg_pool2d(tanh(conv2d(x, w)), 2).reshape([2, 8]) @ v, y)",
             lambda x, w, v, y: _conv_classifier(x, w, v),
             {"x": r(2, 1, 5, 5), "w": r(2, 1, 2, 2), "v": r(8, 3), "y": L([1, 2])}, wrt=["x", "w", "v"], tol=TOL),
        Case("protonet",
             "let protos = stack([s[0:2].mean(axis: 0), s[2:4].mean(axis: 0)]); "
             "cross_entropy(-pairwise_distances(q, protos), y)",
             lambda q, s, y: _protonet(q, s), {"q": r(3, 4), "s": r(4, 4), "y": L([0, 1, 1])}, wrt=["q", "s"], tol=TOL),
        Case("maml_one_step", f"let g = grad(fn(p) {{ {inner} }})(w); let q = w - 0.1 * g; {outer}",
             lambda w, xs, ys, xq, yq: _maml_torch(w, xs, ys, xq, yq),
             {"w": r(3, 2), **data()}, wrt=["w"], tol=TOL),
        Case("maml_two_steps",
             f"var q = w; for i in range(2) {{ let g = grad(fn(p) {{ {inner} }})(q); q = q - 0.05 * g }}; {outer}",
             lambda w, xs, ys, xq, yq: _maml_torch(w, xs, ys, xq, yq, lr=0.05, steps=2),
             {"w": r(3, 2), **data()}, wrt=["w"], tol=TOL),
        Case("maml_relu", f"let g = grad(fn(p) {{ {relu(inner)} }})(w); let q = w - 0.1 * g; {relu(outer)}",
             lambda w, xs, ys, xq, yq: _maml_torch(w, xs, ys, xq, yq, act=torch.relu),
             {"w": r(3, 2), **data()}, wrt=["w"], tol=TOL),
        Case("maml_first_order", f"let g = stop_gradient(grad(fn(p) {{ {inner} }})(w)); let q = w - 0.1 * g; {outer}",
             lambda w, xs, ys, xq, yq: _maml_torch(w, xs, ys, xq, yq, first_order=True),
             {"w": r(3, 2), **data()}, wrt=["w"], tol=TOL),
        Case("maml_learned_lr", f"let g = grad(fn(p) {{ {inner} }})(w); let q = w - lr * g; {outer}",
             lambda w, lr, xs, ys, xq, yq: _maml_torch(w, xs, ys, xq, yq, lr=lr),
             {"w": r(3, 2), "lr": T(0.1), **data()}, wrt=["w", "lr"], tol=TOL),
        Case("grad_of_grad_cubic", "grad(fn(y) { (y ** 3).sum() })(x)",
             lambda x: torch.autograd.grad((x ** 3).sum(), x, create_graph=True)[0], {"x": r(4)}),
        Case("value_and_grad_value", "value_and_grad(fn(y) { (y * y).sum() })(x)[0]",
             lambda x: (x * x).sum(), {"x": r(3)}),
        Case("stop_gradient_blocks", "x * stop_gradient(x)", lambda x: x * x.detach(), {"x": r(3)}),
    ]


GROUPS = {"compositions": composition_cases}
