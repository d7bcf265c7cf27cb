"""Distributed second-order MAML in PyTorch over torch.distributed (gloo): the peer of Meta's MPI runs.

learn2learn's recipe (examples/vision/distributed_maml.py + cherry.optim.Distributed): every rank holds
the same parameters, adapts its share of the meta-batch and backpropagates each task's query loss into
.grad; the gradients are summed over the ranks; every rank takes the same Adam step. Two differences
from cherry, both deliberate: the gradients (plus the meta-loss) go in ONE flattened all-reduce per step
instead of one per tensor (`--allreduce per-tensor` restores cherry's way), and each task's query loss
is divided by the whole meta-batch size, so the sum over ranks is the meta-batch mean even when the
ranks hold unequal shares (25 tasks on 2 ranks: 13 + 12).

Tasks: task i of step s is a pure function of (seed, s, i), so 1 rank and N ranks see the same tasks;
rank r takes the contiguous block of indices [r*B//N, (r+1)*B//N).

  --task sine      Finn et al. sine regression: 1-40-40-1 ReLU MLP, K=10 support + 10 query, inner SGD
                   lr 0.01, 1 step, meta-batch 25, Adam 1e-3. Amplitude U[0.1,5], phase U[0,pi], x U[-5,5].
  --task omniglot  5-way 1-shot, 15 query per class, meta-batch 32, inner lr 0.4, ONE inner step (timing
                   only; Finn et al. take 1 step at train time for Omniglot 5-way too), second order, Adam
                   1e-3; conv4 (4 x [3x3 conv 64, batch norm on batch statistics, ReLU, 2x2 max-pool],
                   28x28 input, linear head 64->5: 112,261 parameters). SYNTHETIC images: N(0,1) noise of
                   the right shapes drawn per task; labels are class indices. Timing only.

--ranks 1 runs in this process with no process group and no all-reduce (the single-process baseline);
--ranks N>1 spawns N processes (torch.multiprocessing), gloo over TCP on 127.0.0.1 at a free port.

usage:
  python maml_gloo_torch.py --task sine --ranks 2 --steps 50
  python maml_gloo_torch.py --task omniglot --ranks 2 --steps 4 --warmup 1
  python maml_gloo_torch.py --check            # 2-rank meta-gradient == 1-process meta-gradient
Rank 0 prints one line of space-separated key=value fields, starting
  task=sine ranks=2 threads=1 steps=50 seconds_per_step=... steps_per_second=...
"""
import argparse
import datetime
import math
import os
import socket
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

# ---------------------------------------------------------------- workloads

SINE = dict(meta_batch=25, k_support=10, k_query=10, inner_lr=0.01, outer_lr=1e-3, hidden=40)
OMNI = dict(meta_batch=32, ways=5, shot=1, query=15, inner_lr=0.4, outer_lr=1e-3, hidden=64, blocks=4)


def sine_init(gen, dtype, hidden=40):
    """1-hidden-hidden-1 MLP, torch.nn.Linear's default init (U(+-1/sqrt(fan_in)) for W and b)."""
    p = []
    for fi, fo in [(1, hidden), (hidden, hidden), (hidden, 1)]:
        bound = 1.0 / math.sqrt(fi)
        p.append((torch.rand(fo, fi, generator=gen, dtype=torch.float64) * 2 - 1) * bound)
        p.append((torch.rand(fo, generator=gen, dtype=torch.float64) * 2 - 1) * bound)
    return [t.to(dtype).requires_grad_(True) for t in p]


def sine_forward(p, x):
    w1, b1, w2, b2, w3, b3 = p
    h = F.relu(F.linear(x, w1, b1))
    h = F.relu(F.linear(h, w2, b2))
    return F.linear(h, w3, b3)


def sine_tasks(seed, step, lo, hi, cfg, dtype):
    """Tasks lo..hi-1 of meta-batch `step`. One generator per (seed, step) draws the whole meta-batch
    (a few hundred numbers) and the rank keeps its rows: cheaper than a generator per task (~50 us
    each, a noticeable share of a ~2 ms step) and still a function of (seed, step, index) only."""
    B, ks, kq = cfg["meta_batch"], cfg["k_support"], cfg["k_query"]
    rng = np.random.default_rng((seed, step))
    amp = rng.uniform(0.1, 5.0, size=(B, 1, 1))
    phase = rng.uniform(0.0, math.pi, size=(B, 1, 1))
    x = rng.uniform(-5.0, 5.0, size=(B, ks + kq, 1))
    y = amp * np.sin(x - phase)
    x = torch.from_numpy(x[lo:hi]).to(dtype)
    y = torch.from_numpy(y[lo:hi]).to(dtype)
    return x[:, :ks], y[:, :ks], x[:, ks:], y[:, ks:]


def omni_init(gen, dtype, hidden=64, blocks=4, ways=5):
    """conv4 + linear head; torch's default conv/linear init (U(+-1/sqrt(fan_in))), BN gamma 1, beta 0."""
    p, cin = [], 1
    for _ in range(blocks):
        bound = 1.0 / math.sqrt(cin * 9)
        p.append((torch.rand(hidden, cin, 3, 3, generator=gen, dtype=torch.float64) * 2 - 1) * bound)
        p.append((torch.rand(hidden, generator=gen, dtype=torch.float64) * 2 - 1) * bound)
        p += [torch.ones(hidden, dtype=torch.float64), torch.zeros(hidden, dtype=torch.float64)]
        cin = hidden
    bound = 1.0 / math.sqrt(hidden)
    p.append((torch.rand(ways, hidden, generator=gen, dtype=torch.float64) * 2 - 1) * bound)
    p.append((torch.rand(ways, generator=gen, dtype=torch.float64) * 2 - 1) * bound)
    return [t.to(dtype).requires_grad_(True) for t in p]


def omni_forward(p, x, blocks=4):
    for i in range(blocks):
        w, b, g, be = p[4 * i: 4 * i + 4]
        x = F.conv2d(x, w, b, padding=1)
        x = F.batch_norm(x, None, None, g, be, training=True)  # batch statistics, as Finn et al.
        x = F.max_pool2d(F.relu(x), 2)
    return F.linear(x.flatten(1), p[-2], p[-1])  # 28->14->7->3->1: [N, 64]


def omni_tasks(seed, step, lo, hi, cfg, dtype):
    """Synthetic tasks: a generator per (seed, step, index); its cost is nothing next to a conv4 task."""
    W, S, Q = cfg["ways"], cfg["shot"], cfg["query"]
    xs, xq = [], []
    for i in range(lo, hi):
        g = torch.Generator().manual_seed(hash_seed(seed, step, i))
        xs.append(torch.randn(W * S, 1, 28, 28, generator=g, dtype=torch.float64))
        xq.append(torch.randn(W * Q, 1, 28, 28, generator=g, dtype=torch.float64))
    n = hi - lo
    ys = torch.arange(W).repeat_interleave(S).repeat(n, 1)
    yq = torch.arange(W).repeat_interleave(Q).repeat(n, 1)
    f = lambda t: torch.stack(t).to(dtype) if t else torch.empty(0, 0, 1, 28, 28, dtype=dtype)
    return f(xs), ys, f(xq), yq


def hash_seed(*ints):
    return int(np.random.SeedSequence(ints).generate_state(1, np.uint64)[0] >> np.uint64(1))


def workload(task):
    if task == "sine":
        return SINE, sine_init, sine_forward, sine_tasks, F.mse_loss
    return OMNI, omni_init, omni_forward, omni_tasks, F.cross_entropy


# ---------------------------------------------------------------- one meta-step

def local_meta_grad(params, forward, loss_fn, batch, inner_lr, meta_batch, mode):
    """Accumulates sum over this rank's tasks of grad(query loss after one inner step) / meta_batch into
    p.grad (second order) and returns the matching share of the meta-loss as a float tensor."""
    xs, ys, xq, yq = batch
    n = xs.shape[0]
    total = torch.zeros((), dtype=params[0].dtype)
    if n == 0:
        return total
    if mode == "loop":  # learn2learn: clone, adapt, backward per task (one task's graph alive at a time)
        for t in range(n):
            g = torch.autograd.grad(loss_fn(forward(params, xs[t]), ys[t]), params, create_graph=True)
            fast = [w - inner_lr * gi for w, gi in zip(params, g)]
            q = loss_fn(forward(fast, xq[t]), yq[t]) / meta_batch
            q.backward()
            total += q.detach()
        return total
    from torch.func import grad as fgrad, vmap

    def task_loss(p, x_s, y_s, x_q, y_q):
        g = fgrad(lambda pp: loss_fn(forward(pp, x_s), y_s))(p)
        return loss_fn(forward([w - inner_lr * gi for w, gi in zip(p, g)], x_q), y_q)

    q = vmap(task_loss, in_dims=(None, 0, 0, 0, 0))(params, xs, ys, xq, yq).sum() / meta_batch
    q.backward()
    return q.detach()


class GradAllReduce:
    """Sums every rank's .grad (and meta-loss share) in place: one flat buffer, or cherry's per-tensor calls."""

    def __init__(self, params, world, how):
        self.params, self.world, self.how = params, world, how
        self.flat = torch.empty(sum(p.numel() for p in params) + 1, dtype=params[0].dtype)

    def __call__(self, loss):
        if self.world == 1:
            return loss
        if self.how == "per-tensor":
            for p in self.params:
                dist.all_reduce(p.grad)
            dist.all_reduce(loss)
            return loss
        off = 0
        for p in self.params:
            k = p.numel()
            self.flat[off:off + k].copy_(p.grad.reshape(-1))
            off += k
        self.flat[off] = loss
        dist.all_reduce(self.flat)  # default op SUM
        off = 0
        for p in self.params:
            k = p.numel()
            p.grad.copy_(self.flat[off:off + k].view_as(p.grad))
            off += k
        return self.flat[off].clone()


def share(rank, world, meta_batch):
    return rank * meta_batch // world, (rank + 1) * meta_batch // world


# ---------------------------------------------------------------- ranks

def setup(rank, world, args):
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set in this process (ranks 1 runs in the caller)
        pass
    if world > 1:
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{args.port}", rank=rank,
                                world_size=world, timeout=datetime.timedelta(seconds=args.timeout))


def make_params(args, dtype):
    """The same initial parameters on every rank and at every rank count: a function of --seed only."""
    init = workload(args.task)[1]
    return init(torch.Generator().manual_seed(args.seed), dtype)


def broadcast_params(params, world):
    """cherry's sync_parameters: rank 0's values everywhere (here they are equal already, by seed)."""
    if world > 1:
        for p in params:
            dist.broadcast(p.data, src=0)


def bench_rank(rank, world, args):
    setup(rank, world, args)
    try:
        cfg, _, forward, sample, loss_fn = workload(args.task)
        B = cfg["meta_batch"]
        params = make_params(args, torch.float32)
        broadcast_params(params, world)
        for p in params:
            p.grad = torch.zeros_like(p)
        opt = torch.optim.Adam(params, lr=cfg["outer_lr"])
        reduce = GradAllReduce(params, world, args.allreduce)
        lo, hi = share(rank, world, B)

        def step(s):
            for p in params:
                p.grad.zero_()
            batch = sample(args.seed, s, lo, hi, cfg, torch.float32)
            loss = local_meta_grad(params, forward, loss_fn, batch, cfg["inner_lr"], B, args.mode)
            loss = reduce(loss)
            opt.step()
            return float(loss)

        losses = [step(s) for s in range(args.warmup)]
        if world > 1:
            dist.barrier()  # all ranks start the clock together
        t0 = time.perf_counter()
        for s in range(args.warmup, args.warmup + args.steps):
            losses.append(step(s))
        dt = time.perf_counter() - t0
        if world > 1:
            # the clock that matters is the slowest rank's
            dt = max_over_ranks(dt)
            drift = param_drift(params)
        else:
            drift = 0.0
        if rank == 0:
            sps = dt / args.steps
            print(f"task={args.task} ranks={world} threads={args.threads} steps={args.steps} "
                  f"seconds_per_step={sps:.6g} steps_per_second={1.0 / sps:.5g} mode={args.mode} "
                  f"allreduce={args.allreduce if world > 1 else 'none'} warmup={args.warmup} "
                  f"meta_batch={B} first_loss={losses[0]:.5g} last_loss={losses[-1]:.5g} "
                  f"param_drift={drift:.3g}", flush=True)
        if drift != 0.0:
            raise RuntimeError(f"rank {rank}: parameters differ across ranks after the run "
                               f"(max |p - p_rank0| = {drift:.3g}); the ranks took different steps")
    finally:
        if world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def max_over_ranks(x):
    t = torch.tensor([x], dtype=torch.float64)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return float(t)


def param_drift(params):
    """Largest |p - p_on_rank0| over all parameters (0.0 when the ranks agree bit for bit)."""
    flat = torch.cat([p.detach().reshape(-1) for p in params])
    ref = flat.clone()
    dist.broadcast(ref, src=0)
    d = torch.tensor([float((flat - ref).abs().max())], dtype=torch.float64)
    dist.all_reduce(d, op=dist.ReduceOp.MAX)
    return float(d)


def comm_rank(rank, world, args):
    """The communication part of a step alone: the flat all-reduce (gradients + loss) repeated."""
    setup(rank, world, args)
    try:
        params = make_params(args, torch.float32)
        for p in params:
            p.grad = torch.randn_like(p)
        reduce = GradAllReduce(params, world, args.allreduce)
        n = args.steps * 20
        for _ in range(args.warmup + 5):
            reduce(torch.zeros(()))
        dist.barrier()
        t0 = time.perf_counter()
        for _ in range(n):
            reduce(torch.zeros(()))
        dt = max_over_ranks(time.perf_counter() - t0) / n
        if rank == 0:
            print(f"task={args.task} ranks={world} threads={args.threads} allreduces={n} "
                  f"floats={reduce.flat.numel()} seconds_per_allreduce={dt:.6g} allreduce={args.allreduce}",
                  flush=True)
    finally:
        dist.destroy_process_group()


# ---------------------------------------------------------------- --check

def check_rank(rank, world, args):
    """On a tiny problem (meta-batch 5, so the shares are unequal: 2 + 3), the all-reduced meta-gradient
    over `world` ranks must equal the meta-gradient computed by one process over the same 5 tasks."""
    setup(rank, world, args)
    try:
        failures = []
        tasks = ["sine", "omniglot"] if args.check_task == "both" else [args.check_task]
        for task in tasks:
            for dtype, tol in [(torch.float64, 1e-12), (torch.float32, 1e-5)]:
                failures += check_one(rank, world, args, task, dtype, tol)
        if rank == 0:
            print("check " + ("FAILED: " + "; ".join(failures) if failures else "passed"), flush=True)
        if failures:
            raise SystemExit(1)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def check_one(rank, world, args, task, dtype, tol):
    cfg, init, forward, sample, loss_fn = workload(task)
    cfg = dict(cfg, meta_batch=5)
    if task == "omniglot":
        cfg["query"] = 2  # 10 query images: small and still batch-norm over more than one image
    B = cfg["meta_batch"]
    a = argparse.Namespace(**vars(args))
    a.task = task
    params = make_params(a, dtype)
    grads = {}
    for name, (r, n) in [("1 process", (0, 1)), (f"{world} ranks", (rank, world))]:
        for p in params:
            p.grad = torch.zeros_like(p)
        lo, hi = share(r, n, B)
        batch = sample(args.seed, 7, lo, hi, cfg, dtype)
        loss = local_meta_grad(params, forward, loss_fn, batch, cfg["inner_lr"], B, args.mode)
        loss = GradAllReduce(params, n, "flat")(loss)
        grads[name] = (torch.cat([p.grad.reshape(-1) for p in params]), float(loss))
    (g1, l1), (gn, ln) = grads["1 process"], grads[f"{world} ranks"]
    scale = float(g1.abs().max())
    err = float((g1 - gn).abs().max()) / scale
    lerr = abs(l1 - ln) / abs(l1)
    # every rank must hold the same all-reduced gradient, bit for bit
    ref = gn.clone()
    dist.broadcast(ref, src=0)
    same = bool(torch.equal(ref, gn))
    flags = torch.tensor([0.0 if same else 1.0])
    dist.all_reduce(flags, op=dist.ReduceOp.MAX)
    out = []
    if rank == 0:
        dn = str(dtype).replace("torch.", "")
        ok = err <= tol and lerr <= tol and flags.item() == 0.0
        print(f"check task={task} dtype={dn} meta_batch={B} shares={[share(r, world, B) for r in range(world)]} "
              f"params={g1.numel()} max|g|={scale:.4g} rel_err_grad={err:.3g} rel_err_loss={lerr:.3g} "
              f"tol={tol:g} ranks_identical={flags.item() == 0.0} {'ok' if ok else 'FAIL'}", flush=True)
        if not ok:
            why = [f"relative error {err:.3g} (loss {lerr:.3g}) above {tol:g}"] if max(err, lerr) > tol else []
            why += ["ranks hold different all-reduced gradients"] if flags.item() != 0.0 else []
            out.append(f"{task}/{dn}: " + ", ".join(why))
    return out


# ---------------------------------------------------------------- launch

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", choices=["sine", "omniglot"], default="sine")
    ap.add_argument("--ranks", type=int, default=1, help="processes (1: this process, no process group)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per rank")
    ap.add_argument("--steps", type=int, default=None, help="timed meta-steps (default: sine 50, omniglot 4)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed meta-steps first (default: sine 10, omniglot 1)")
    ap.add_argument("--mode", choices=["loop", "vmap"], default="loop",
                    help="loop: a Python loop over the rank's tasks (learn2learn); vmap: torch.func over them")
    ap.add_argument("--allreduce", choices=["flat", "per-tensor"], default="flat",
                    help="flat: one all-reduce of all gradients per step; per-tensor: one per tensor (cherry)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=120, help="seconds a collective may wait for a peer")
    ap.add_argument("--check", action="store_true",
                    help="verify the all-reduced meta-gradient over --ranks (default 2) ranks equals one process's")
    ap.add_argument("--check-task", choices=["sine", "omniglot", "both"], default="both")
    ap.add_argument("--comm-only", action="store_true",
                    help="time only the flat all-reduce of the task's gradient buffer (no compute)")
    args = ap.parse_args()

    if args.ranks < 1:
        ap.error(f"--ranks must be at least 1 (got {args.ranks})")
    if args.threads < 1:
        ap.error(f"--threads must be at least 1 (got {args.threads})")
    if args.check and args.ranks == 1:
        args.ranks = 2  # the check compares N ranks against one process; N = 1 would compare nothing
    B = (SINE if args.task == "sine" else OMNI)["meta_batch"]
    if not args.check and args.ranks > B:
        ap.error(f"--ranks {args.ranks} exceeds the meta-batch ({B} tasks): some ranks would have no task")
    if args.steps is None:
        args.steps = 50 if args.task == "sine" else 4
    if args.warmup is None:
        args.warmup = 10 if args.task == "sine" else 1
    if args.steps < 1 or args.warmup < 0:
        ap.error("--steps must be >= 1 and --warmup >= 0")
    if args.comm_only and args.ranks == 1:
        ap.error("--comm-only needs --ranks 2 or more (one rank does not communicate)")
    if args.ranks > 1 and not dist.is_gloo_available():
        sys.exit("maml_gloo_torch: this torch build has no gloo backend (torch.distributed.is_gloo_available() "
                 "is False); install a CPU build of torch with distributed support")

    fn = check_rank if args.check else comm_rank if args.comm_only else bench_rank
    if args.ranks == 1:
        fn(0, 1, args)
        return
    args.port = free_port()
    # A rank that raises makes spawn terminate the others and re-raise here with that rank's traceback.
    try:
        mp.spawn(fn, args=(args.ranks, args), nprocs=args.ranks, join=True)
    except mp.ProcessRaisedException as e:
        sys.exit(f"maml_gloo_torch: rank {e.error_index} raised; its traceback:\n{e}")
    except mp.ProcessExitedException as e:
        sys.exit(f"maml_gloo_torch: rank {e.error_index} exited with code {e.exit_code}")


if __name__ == "__main__":
    main()
