"""conv2d at the conv4 encoder's shapes in PyTorch: the twin of conv_bench.meta.

    python bench/conv/conv_torch.py [--batches 600,75,5] [--runs 5] [--min-s 0.1] [--threads 1]

Prints `CONV <layer> <N> <op> <ms>` lines (best of `runs`, ms per call) for
fwd (conv2d), grad_w (forward + gradient in w of sum(conv2d(x, w) * r)) and
grad_xw (the same in x and w).
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import timing  # noqa: E402  (bench/timing.py: the peers' shared timing method)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", default="600,75,5")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--min-s", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    for n in [int(b) for b in a.batches.split(",")]:
        for layer, c, s in [(1, 1, 28), (2, 64, 14), (3, 64, 7), (4, 64, 3)]:
            x = torch.randn(n, c, s, s)
            w = torch.randn(64, c, 3, 3) * 0.1
            r = torch.randn(n, 64, s, s)

            def fwd():
                with torch.no_grad():
                    F.conv2d(x, w, padding=1)

            def grad_w():
                v = w.detach().requires_grad_(True)
                torch.autograd.grad((F.conv2d(x, v, padding=1) * r).sum(), [v])

            def grad_xw():
                u = x.detach().requires_grad_(True)
                v = w.detach().requires_grad_(True)
                torch.autograd.grad((F.conv2d(u, v, padding=1) * r).sum(), [u, v])

            for name, f in [("fwd", fwd), ("grad_w", grad_w), ("grad_xw", grad_xw)]:
                print(f"CONV {layer} {n} {name} {timing.measure(f, a.runs, a.min_s)[1] * 1000:.3f}", flush=True)


if __name__ == "__main__":
    main()
