"""Checks that the benchmarked Meta code computes what the PyTorch peer computes: the
second-order MAML meta-gradient of one fixed meta-batch, from the same initial parameters.

The parameters and the batch come from the peers' own generators (common.py in the peer
directory, seeds 0 and 99 as in `maml_sine_torch.py --check`); PyTorch differentiates
through its inner step with create_graph=True, Meta runs `maml_sine_by_hand.meta --grad`.

    /tmp/peers/bin/python bench/maml_sine/check_grad.py [--meta BIN] [--peers-dir DIR]
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

ap = argparse.ArgumentParser()
ap.add_argument("--meta", default=os.path.join(ROOT, ".build-bench", "release", "meta"))
ap.add_argument("--peers-dir", default=os.path.join(os.path.dirname(ROOT), "shared", "bench"))
ap.add_argument("--tolerance", type=float, default=1e-4, help="max error relative to max |g| per tensor")
args = ap.parse_args()

sys.path.insert(0, args.peers_dir)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from common import mlp_init_numpy, sample_sine_batch  # noqa: E402

INNER_LR = 0.01
params_np = mlp_init_numpy(np.random.default_rng(0))           # [W1, b1, W2, b2, W3, b3], W as [out, in]
batch_np = sample_sine_batch(np.random.default_rng(99), 25, 10, 10)


def forward(p, x):
    h = F.relu(F.linear(x, p[0], p[1]))
    h = F.relu(F.linear(h, p[2], p[3]))
    return F.linear(h, p[4], p[5])


def torch_meta_grad():
    p = [torch.tensor(a, requires_grad=True) for a in params_np]
    xs, ys, xq, yq = (torch.from_numpy(a) for a in batch_np)
    total = 0.0
    for t in range(xs.shape[0]):
        inner = torch.autograd.grad(F.mse_loss(forward(p, xs[t]), ys[t]), p, create_graph=True)
        fast = [w - INNER_LR * g for w, g in zip(p, inner)]
        total = total + F.mse_loss(forward(fast, xq[t]), yq[t])
    loss = total / xs.shape[0]
    grads = torch.autograd.grad(loss, p)
    return float(loss.detach()), [g.numpy() for g in grads]


with tempfile.TemporaryDirectory() as d:
    for i in range(3):
        np.save(os.path.join(d, f"w{i + 1}.npy"), np.ascontiguousarray(params_np[2 * i].T))  # Meta: [in, out]
        np.save(os.path.join(d, f"b{i + 1}.npy"), params_np[2 * i + 1])
    for name, a in zip(["xs", "ys", "xq", "yq"], batch_np):
        np.save(os.path.join(d, f"{name}.npy"), np.ascontiguousarray(a))
    run = subprocess.run([args.meta, "--threads", "1", os.path.join(HERE, "maml_sine_by_hand.meta"), "--grad", d],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"check_grad: meta failed:\n{run.stdout}{run.stderr}")
    meta = []
    for i in range(3):
        meta += [np.load(os.path.join(d, f"g_w{i + 1}.npy")).T, np.load(os.path.join(d, f"g_b{i + 1}.npy"))]

loss, ref = torch_meta_grad()
print(f"torch meta-loss {loss:.6f}; meta: {run.stdout.strip()}")
worst = 0.0
for name, a, b in zip(["W1", "b1", "W2", "b2", "W3", "b3"], meta, ref):
    if a.shape != b.shape:
        sys.exit(f"check_grad: {name} has shape {a.shape} in Meta and {b.shape} in PyTorch")
    rel = float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-12))
    worst = max(worst, rel)
    print(f"  {name:3s} max|g| {np.abs(b).max():.4e}  max|meta - torch| / max|g| {rel:.2e}")
if worst > args.tolerance:
    sys.exit(f"check_grad: FAIL, relative error {worst:.2e} > {args.tolerance:.0e}")
print(f"check_grad: OK (worst relative error {worst:.2e})")
