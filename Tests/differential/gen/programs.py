"""Random compositions: fuzzing for numerics. A seeded generator builds small
programs, chains of 3 to 8 ops over random shapes (broadcasting, size-1 axes,
views, reductions, matmul), each written both in Meta and in PyTorch.

A program is kept only when it is well conditioned, so that Meta's float32
answer can be held to a tight tolerance: the float32 and float64 PyTorch
results (value, gradient and Hessian-vector product) agree to well within the
tolerance, and nudging the inputs does not jump a gradient (no input sits near
a kink of relu, abs, max or a comparison)."""

import re

import numpy as np
import torch

from .core import Case, T

COUNT = 200
TOL = (1e-4, 1e-5)


class Node:
    def __init__(self, meta, fn):
        self.meta, self.fn = meta, fn

    @property
    def atom(self):
        """The Meta text, parenthesized unless a name (so `.sum()`, `[0]` or `*` bind to all of it)."""
        if re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", self.meta):
            return self.meta
        return f"({self.meta})"


class Builder:
    def __init__(self, rng):
        self.rng = rng
        self.inputs = {}  # name -> float64 array
        self.env = {}

    def leaf(self, shape):
        name = f"x{len(self.inputs)}"
        a = self.rng.standard_normal(shape).round(3)
        self.inputs[name] = a
        self.env[name] = torch.tensor(a, dtype=torch.float64)
        return Node(name, lambda e, n=name: e[n])

    def value(self, node):
        return node.fn(self.env)

    def broadcast_shape(self, shape):
        """A shape that broadcasts against `shape`: some axes 1, maybe fewer axes."""
        r = self.rng
        out = [d if r.random() < 0.6 else 1 for d in shape]
        if out and r.random() < 0.3:
            out = out[r.integers(1, len(out) + 1):] if len(out) > 1 else out
        return tuple(out)

    # Each op returns a new node or None when it does not apply.
    def unary(self, a, shape):
        r = self.rng
        choices = [
            ("tanh({})", torch.tanh), ("sigmoid({})", torch.sigmoid), ("sin({})", torch.sin),
            ("cos({})", torch.cos), ("exp({} * 0.3)", lambda t: torch.exp(t * 0.3)),
            ("log({} * {} + 1)", lambda t: torch.log(t * t + 1)), ("sqrt({} * {} + 0.5)", lambda t: torch.sqrt(t * t + 0.5)),
            ("square({})", torch.square), ("({}) ** 3", lambda t: t ** 3), ("relu({})", torch.relu),
            ("leaky_relu({}, 0.1)", lambda t: torch.nn.functional.leaky_relu(t, 0.1)), ("abs({})", torch.abs),
            ("-({})", torch.neg), ("({}) * 1.5 - 0.25", lambda t: t * 1.5 - 0.25),
            ("2 / ({} * {} + 1)", lambda t: 2 / (t * t + 1)), ("clamp({}, -1, 1)", lambda t: torch.clamp(t, -1, 1)),
        ]
        text, f = choices[r.integers(len(choices))]
        return Node(text.replace("{}", a.atom), lambda e: f(a.fn(e)))

    def softmaxish(self, a, shape):
        if not shape:
            return None
        ax = int(self.rng.integers(-len(shape), len(shape)))
        name, f = [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)][self.rng.integers(2)]
        return Node(f"{name}({a.meta}, axis: {ax})", lambda e: f(a.fn(e), ax))

    def reduce(self, a, shape):
        if not shape:
            return None
        r = self.rng
        ax = int(r.integers(-len(shape), len(shape)))
        keep = bool(r.random() < 0.4)
        kinds = {"sum": lambda t: t.sum(ax, keepdim=keep), "mean": lambda t: t.mean(ax, keepdim=keep),
                 "logsumexp": lambda t: torch.logsumexp(t, ax, keepdim=keep),
                 "max": lambda t: t.amax(ax, keepdim=keep), "min": lambda t: t.amin(ax, keepdim=keep)}
        k = list(kinds)[r.integers(len(kinds))]
        kd = ", keepdims: true" if keep else ""
        return Node(f"{a.atom}.{k}(axis: {ax}{kd})", lambda e: kinds[k](a.fn(e)))

    def view(self, a, shape):
        r = self.rng
        options = []
        if len(shape) == 2:
            options.append((f"{a.atom}.T", lambda t: t.T))
        if len(shape) == 3:
            p = [int(i) for i in r.permutation(3)]
            options.append((f"{a.atom}.transpose({p})", lambda t: t.permute(*p)))
        if shape and shape[0] > 1:
            options += [(f"{a.atom}[::2]", lambda t: t[::2]), (f"{a.atom}[1:]", lambda t: t[1:])]
        if len(shape) >= 2 and shape[-1] > 1:
            options.append((f"{a.atom}[:, 1:]", lambda t: t[:, 1:]))
        if shape:
            options += [(f"{a.atom}.flatten()", lambda t: t.flatten()), (f"{a.atom}[0]", lambda t: t[0])]
        if len(shape) < 3:
            options.append((f"{a.atom}.unsqueeze(0)", lambda t: t.unsqueeze(0)))
        if 1 in shape:
            target = [d if d != 1 else int(r.integers(2, 4)) for d in shape]
            options.append((f"{a.atom}.expand({target})", lambda t: t.expand(*target)))
        if shape and np.prod(shape) > 1 and np.prod(shape) % 2 == 0:
            options.append((f"{a.atom}.reshape([2, -1])", lambda t: t.reshape(2, -1)))
        if not options:
            return None
        text, f = options[r.integers(len(options))]
        return Node(text, lambda e: f(a.fn(e)))

    def binary(self, a, shape):
        r = self.rng
        b = self.leaf(self.broadcast_shape(shape)) if r.random() < 0.7 else a
        ops = [("({}) + ({})", torch.add), ("({}) - ({})", torch.sub), ("({}) * ({})", torch.mul),
               ("({}) / ({1} * {1} + 1)", lambda x, y: x / (y * y + 1)), ("max({}, {})", torch.maximum),
               ("min({}, {})", torch.minimum), ("where({1} > 0, {}, {1})", lambda x, y: torch.where(y > 0, x, y))]
        text, f = ops[r.integers(len(ops))]
        meta = text.replace("{1}", b.atom).replace("{}", a.atom, 1).replace("{}", b.atom, 1)
        return Node(meta, lambda e: f(a.fn(e), b.fn(e)))

    def matmul(self, a, shape):
        if not shape or len(shape) > 3:
            return None
        m = int(self.rng.integers(1, 4))
        b = self.leaf((shape[-1], m) if self.rng.random() < 0.8 else (shape[-1],))
        return Node(f"({a.meta}) @ {b.meta}", lambda e: a.fn(e) @ b.fn(e))

    def join(self, a, shape):
        if not shape:
            return None
        b = self.leaf(shape)
        ax = int(self.rng.integers(0, len(shape)))
        if self.rng.random() < 0.5:
            return Node(f"concat([{a.meta}, {b.meta}], axis: {ax})", lambda e: torch.cat([a.fn(e), b.fn(e)], ax))
        return Node(f"stack([{a.meta}, {b.meta}], axis: {ax})", lambda e: torch.stack([a.fn(e), b.fn(e)], ax))


def build(rng):
    """One random program: its node (Meta statements `let t1 = ...; ...; tN` and the
    PyTorch function of the inputs) and the inputs it uses."""
    b = Builder(rng)
    rank = int(rng.integers(0, 4))
    node = b.leaf(tuple(int(d) for d in rng.integers(1, 5, size=rank)))
    steps = int(rng.integers(3, 9))
    ops = [b.unary] * 4 + [b.binary] * 4 + [b.reduce] * 2 + [b.view] * 2 + [b.softmaxish, b.matmul, b.join]
    done, tries, lines = 0, 0, []
    while done < steps and tries < 50:
        tries += 1
        shape = tuple(b.value(node).shape)
        nxt = ops[rng.integers(len(ops))](node, shape)
        if nxt is None:
            continue
        try:
            v = b.value(nxt)
        except RuntimeError:
            continue
        if v.numel() == 0 or v.numel() > 64 or not torch.isfinite(v).all() or v.abs().max() > 100:
            continue
        done += 1
        lines.append(f"let t{done} = {nxt.meta}")
        node = Node(f"t{done}", nxt.fn)
    text = "; ".join(lines + [node.meta])
    used = {k: a for k, a in b.inputs.items() if re.search(rf"\b{k}\b", text)}
    return Node(text, node.fn), used


def _derivatives(fn, inputs, dtype, w, vs):
    xs = {k: torch.tensor(a, dtype=dtype, requires_grad=True) for k, a in inputs.items()}
    out = fn(xs)
    gs = torch.autograd.grad((out * w.to(dtype)).sum(), list(xs.values()), create_graph=True, allow_unused=True)
    gs = [torch.zeros_like(x) if g is None else g for g, x in zip(gs, xs.values())]
    s = sum((g * v.to(dtype)).sum() for g, v in zip(gs, vs))
    hs = torch.autograd.grad(s, list(xs.values()), allow_unused=True) if s.requires_grad else [None] * len(xs)
    hs = [torch.zeros_like(x) if h is None else h for h, x in zip(hs, xs.values())]
    return [out.detach()] + [g.detach() for g in gs] + [h.detach() for h in hs]


def _close(a, b, rtol, atol):
    a, b = a.double(), b.double()
    scale = max(1.0, b.abs().max().item()) if b.numel() else 1.0
    return bool(((a - b).abs() <= rtol * b.abs() + atol * scale).all())


def well_conditioned(node, inputs, rng):
    f = lambda xs: node.fn(xs)  # noqa: E731
    shape = node.fn({k: torch.tensor(a) for k, a in inputs.items()}).shape
    w = torch.tensor(rng.uniform(-1.5, 1.5, size=tuple(shape)))
    vs = [torch.tensor(rng.uniform(-1.5, 1.5, size=a.shape)) for a in inputs.values()]
    ref = _derivatives(f, inputs, torch.float64, w, vs)
    f32 = _derivatives(f, {k: a.astype(np.float32).astype(np.float64) for k, a in inputs.items()}, torch.float32, w, vs)
    if not all(_close(a, b, TOL[0] / 20, TOL[1] / 20) for a, b in zip(f32, ref)):
        return False
    for _ in range(2):  # no kink within reach of float32 rounding
        nudged = {k: a + rng.standard_normal(a.shape) * 1e-3 for k, a in inputs.items()}
        near = _derivatives(f, nudged, torch.float64, w, vs)
        if not all(_close(a, b, 0.05, 0.05) for a, b in zip(near, ref)):
            return False
    return True


def program_cases(rng):
    out = []
    while len(out) < COUNT:
        node, inputs = build(rng)
        if not inputs or not well_conditioned(node, inputs, rng):
            continue
        names = list(inputs)
        fn = lambda node=node, names=names, **kw: node.fn(kw)  # noqa: E731
        out.append(Case(f"program_{len(out):03d}", node.meta, fn, {k: T(a) for k, a in inputs.items()}, tol=TOL))
    return out


GROUPS = {"programs": program_cases}
