"""MAML-TRPO on 2-D navigation in plain PyTorch: the twin of Meta's policy-based meta-learning
(issue 16). Every detail (environment, policy, baseline, GAE, TRPO) follows
/work/wt/notes/MAMLRL_ALGO.md; see README.md next to this file.

    /tmp/peers/bin/python bench/metarl/maml_trpo_torch.py --iterations 500 --out results.json
    /tmp/peers/bin/python bench/metarl/maml_trpo_torch.py --time-only 5      # seconds per meta-iteration

Parameters are a flat list of tensors [w0, b0, w1, b1, w2, b2, log_std] (w as out x in, like
nn.Linear) so the inner step can be taken functionally and differentiated (second order).
Everything uses torch's default dtype (float32 unless a caller changes it, as the self-check does).
"""
import argparse
import json
import math
import os
import sys
import time

import torch

SIZES = [2, 64, 64, 2]
GAMMA, GAE_LAMBDA, INNER_LR = 0.99, 1.0, 0.1
MAX_KL, DAMPING, CG_ITERS, LS_STEPS, LS_RATIO = 0.01, 1e-5, 10, 15, 0.8
GOAL_LOW, GOAL_HIGH, ACTION_CLIP, DONE_RADIUS = -0.5, 0.5, 0.1, 0.01


# ---------------------------------------------------------------- policy

def init_params(generator):
    """Gaussian MLP parameters; w and b uniform in +-1/sqrt(fan_in) (nn.Linear's default), log_std 0."""
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        params.append((torch.rand(fan_out, fan_in, generator=generator) * 2 - 1) * bound)
        params.append((torch.rand(fan_out, generator=generator) * 2 - 1) * bound)
    params.append(torch.zeros(SIZES[-1]))
    return params


def policy(params, obs):
    """Mean (tanh hidden layers, linear output) and the state-independent log_std."""
    h = obs
    n_layers = (len(params) - 1) // 2
    for k in range(n_layers):
        h = torch.nn.functional.linear(h, params[2 * k], params[2 * k + 1])
        if k < n_layers - 1:
            h = torch.tanh(h)
    return h, params[-1]


def log_prob(mean, log_std, actions):
    """Sum over action dims of Normal(mean, exp(log_std)).log_prob(actions)."""
    z = (actions - mean) * torch.exp(-log_std)
    return (-0.5 * z * z - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)


def kl_normal(mean_old, log_std_old, mean, log_std):
    """KL(old || new) of diagonal Gaussians, summed over action dims."""
    var_old, var = torch.exp(2 * log_std_old), torch.exp(2 * log_std)
    return (log_std - log_std_old + (var_old + (mean_old - mean) ** 2) / (2 * var) - 0.5).sum(-1)


# ---------------------------------------------------------------- environment and rollouts

def sample_goals(n, generator):
    return torch.rand(n, 2, generator=generator) * (GOAL_HIGH - GOAL_LOW) + GOAL_LOW


@torch.no_grad()
def rollout(params, goal, episodes, horizon, generator):
    """E episodes of nav2d stepped together. Returns obs (state before each action), actions,
    rewards (after the move; 0 once done) and mask [E, H] (1 up to and including the done step)."""
    params = [p.detach() for p in params]
    obs = torch.zeros(episodes, horizon, 2)
    actions = torch.zeros(episodes, horizon, 2)
    rewards = torch.zeros(episodes, horizon)
    mask = torch.zeros(episodes, horizon)
    state = torch.zeros(episodes, 2)
    done = torch.zeros(episodes, dtype=torch.bool)
    for t in range(horizon):
        mean, log_std = policy(params, state)
        action = mean + torch.exp(log_std) * torch.randn(episodes, 2, generator=generator)
        active = ~done
        obs[:, t], actions[:, t], mask[:, t] = state, action, active
        moved = state + action.clamp(-ACTION_CLIP, ACTION_CLIP)
        dist = torch.linalg.vector_norm(moved - goal, dim=-1)
        rewards[:, t] = torch.where(active, -dist, torch.zeros_like(dist))
        state = torch.where(active[:, None], moved, state)
        done = done | (active & (dist < DONE_RADIUS))
        if bool(done.all()):
            break
    return {"obs": obs, "actions": actions, "rewards": rewards, "mask": mask}


def episode_return(batch):
    """Mean undiscounted return over the episodes of a rollout."""
    return float(batch["rewards"].sum(1).mean())


def masked_mean(x, mask):
    return ((x * mask).sum(1) / mask.sum(1)).mean()


def advantages(batch):
    """Normalised GAE(gamma 0.99, lambda 1) advantages with a linear feature baseline fitted on this rollout."""
    obs, rewards, mask = batch["obs"], batch["rewards"], batch["mask"]
    episodes, horizon = mask.shape
    returns = torch.zeros_like(rewards)
    running = torch.zeros(episodes)
    for t in reversed(range(horizon)):
        running = rewards[:, t] + GAMMA * running
        returns[:, t] = running
    returns = returns * mask
    # Linear feature baseline, ridge regression (solved in float64: the cubic time features make
    # F^T F badly conditioned in float32).
    tt = (torch.arange(horizon, dtype=obs.dtype) / 100.0)[None, :, None].expand(episodes, horizon, 1)
    feats = torch.cat([obs, obs * obs, tt, tt ** 2, tt ** 3, torch.ones_like(tt)], dim=-1) * mask[..., None]
    f = feats.reshape(-1, feats.shape[-1]).double()
    g = returns.reshape(-1).double()
    ftf, ftg = f.T @ f, f.T @ g
    reg, w = 1e-5, None
    for _ in range(5):
        sol, info = torch.linalg.solve_ex(ftf + reg * torch.eye(ftf.shape[0], dtype=f.dtype), ftg)
        if int(info) == 0 and bool(torch.isfinite(sol).all()):
            w = sol
            break
        reg *= 10
    if w is None:
        raise RuntimeError("baseline: F^T F + cI stayed singular after 5 retries")
    values = (feats @ w.to(feats.dtype)) * mask
    next_values = torch.cat([values[:, 1:], torch.zeros(episodes, 1)], dim=1)
    deltas = rewards + GAMMA * next_values - values
    adv = torch.zeros_like(rewards)
    running = torch.zeros(episodes)
    for t in reversed(range(horizon)):
        running = deltas[:, t] + GAMMA * GAE_LAMBDA * running
        adv[:, t] = running
    adv = adv * mask
    n = mask.sum()
    mean = adv.sum() / n
    std = torch.sqrt((((adv - mean) * mask) ** 2).sum() / n)
    return ((adv - mean) / (std + 1e-8)) * mask


# ---------------------------------------------------------------- MAML

def inner_loss(params, batch):
    mean, log_std = policy(params, batch["obs"])
    return -masked_mean(log_prob(mean, log_std, batch["actions"]) * batch["adv"], batch["mask"])


def adapt(params, batch, create_graph):
    """One inner policy-gradient step, theta' = theta - 0.1 grad L_in(theta)."""
    grads = torch.autograd.grad(inner_loss(params, batch), params, create_graph=create_graph)
    return [p - INNER_LR * g for p, g in zip(params, grads)]


def outer(params, tasks, meta, create_graph):
    """Mean surrogate loss and mean KL over tasks as functions of theta (through the inner step
    when meta). The first call at a theta stores pi_old (detached) in each task."""
    losses, kls = [], []
    for task in tasks:
        adapted = adapt(params, task["train"], create_graph) if meta else params
        valid = task["valid"]
        mean, log_std = policy(adapted, valid["obs"])
        logp = log_prob(mean, log_std, valid["actions"])
        if "old" not in task:
            task["old"] = (mean.detach().clone(), log_std.detach().clone(), logp.detach().clone())
        mean_old, log_std_old, logp_old = task["old"]
        ratio = torch.exp(logp - logp_old)
        losses.append(-masked_mean(ratio * valid["adv"], valid["mask"]))
        kls.append(masked_mean(kl_normal(mean_old, log_std_old, mean, log_std), valid["mask"]))
    return torch.stack(losses).mean(), torch.stack(kls).mean()


def flat(tensors):
    return torch.cat([t.reshape(-1) for t in tensors])


def unflat(vector, like):
    out, i = [], 0
    for p in like:
        out.append(vector[i:i + p.numel()].view_as(p))
        i += p.numel()
    return out


def fisher_vector_product(params, kl):
    """v -> grad(grad kl . v) + damping v, the KL Hessian through the inner step."""
    grad_kl = flat(torch.autograd.grad(kl, params, create_graph=True))

    def fvp(v):
        hv = torch.autograd.grad(torch.dot(grad_kl, v), params, retain_graph=True)
        return flat(hv) + DAMPING * v
    return fvp


def conjugate_gradient(fvp, b, iters=CG_ITERS, tol=1e-10):
    x = torch.zeros_like(b)
    r, p = b.clone(), b.clone()
    rr = torch.dot(r, r)
    for _ in range(iters):
        z = fvp(p)
        alpha = rr / torch.dot(p, z)
        x += alpha * p
        r -= alpha * z
        rr_new = torch.dot(r, r)
        if rr_new < tol:
            break
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x


def trpo_step(params, tasks, meta):
    """One TRPO update of params (in place). Returns (accepted, kl of the accepted step)."""
    loss, kl = outer(params, tasks, meta, create_graph=meta)
    grads = flat(torch.autograd.grad(loss, params, retain_graph=True))
    fvp = fisher_vector_product(params, kl)
    stepdir = conjugate_gradient(fvp, grads)
    shs = 0.5 * torch.dot(stepdir, fvp(stepdir))
    step = stepdir / torch.sqrt(shs / MAX_KL)
    old = flat(params).detach()
    old_loss = float(loss.detach())
    for k in range(LS_STEPS):
        candidate = [p.detach().requires_grad_() for p in unflat(old - LS_RATIO ** k * step, params)]
        new_loss, new_kl = outer(candidate, tasks, meta, create_graph=False)
        if float(new_loss.detach()) < old_loss and float(new_kl.detach()) < MAX_KL:
            with torch.no_grad():
                for p, c in zip(params, candidate):
                    p.copy_(c)
            return True, float(new_kl.detach())
    return False, 0.0


def meta_iteration(params, args, generator):
    """Sample a meta-batch, roll out before/after the inner step, take one TRPO step."""
    meta = args.mode == "meta"
    tasks, pre, post = [], [], []
    for goal in sample_goals(args.meta_batch, generator):
        train = rollout(params, goal, args.episodes, args.horizon, generator)
        train["adv"] = advantages(train)
        adapted = adapt(params, train, create_graph=False) if meta else params
        valid = rollout(adapted, goal, args.episodes, args.horizon, generator)
        valid["adv"] = advantages(valid)
        tasks.append({"train": train, "valid": valid})
        pre.append(episode_return(train))
        post.append(episode_return(valid))
    accepted, kl = trpo_step(params, tasks, meta)
    return sum(pre) / len(pre), sum(post) / len(post), accepted, kl


# ---------------------------------------------------------------- evaluation

def evaluate(params, args, steps=3):
    """Returns after 0..steps inner steps on held-out goals: mean over goals and 1.96 std/sqrt(n)."""
    goals = args.goal_list if args.goal_list is not None else \
        sample_goals(args.eval_goals, torch.Generator().manual_seed(args.eval_seed))
    generator = torch.Generator().manual_seed(args.eval_seed + 1)
    per_step = [[] for _ in range(steps + 1)]
    for goal in goals:
        current = [p.detach().clone().requires_grad_() for p in params]
        for k in range(steps + 1):
            batch = rollout(current, goal, args.episodes, args.horizon, generator)
            per_step[k].append(episode_return(batch))
            if k < steps:
                batch["adv"] = advantages(batch)
                current = [p.detach().requires_grad_() for p in adapt(current, batch, create_graph=False)]
    table = []
    for k, values in enumerate(per_step):
        v = torch.tensor(values, dtype=torch.float64)
        half = 1.96 * float(v.std(unbiased=True)) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
        table.append({"steps": k, "mean": float(v.mean()), "ci95": half})
    return table


# ---------------------------------------------------------------- command line

def positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


def non_negative(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="MAML-TRPO on 2-D navigation (PyTorch twin of Meta's issue 16)")
    ap.add_argument("--iterations", type=non_negative, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=positive(int), default=1)
    ap.add_argument("--meta-batch", type=positive(int), default=20)
    ap.add_argument("--episodes", type=positive(int), default=20)
    ap.add_argument("--horizon", type=positive(int), default=100)
    ap.add_argument("--eval-goals", type=positive(int), default=40)
    ap.add_argument("--eval-seed", type=int, default=7)
    ap.add_argument("--goals", metavar="FILE",
                    help="held-out goals as a JSON list of [x, y] (e.g. Meta's tasks.fixed(40, seed: 7)) "
                         "instead of --eval-goals drawn with --eval-seed")
    ap.add_argument("--out", default="results.json")
    ap.add_argument("--mode", choices=["meta", "pretrain"], default="meta",
                    help="pretrain: the same TRPO loop with no inner step (theta'_i = theta)")
    ap.add_argument("--save", help="write the trained parameters here (torch.save)")
    ap.add_argument("--load", help="start from these parameters instead of a fresh init")
    ap.add_argument("--time-only", type=positive(int), metavar="K",
                    help="run K meta-iterations, print only their wall-clock seconds (one per line)")
    return ap.parse_args(argv)


def load_params(path, like):
    try:
        loaded = torch.load(path)
    except Exception as e:  # noqa: BLE001 -- any unreadable file is the user's input error
        sys.exit(f"--load {path}: cannot read parameters ({type(e).__name__}: {e}); pass a file written by --save")
    if not isinstance(loaded, list) or len(loaded) != len(like) or any(
            not isinstance(t, torch.Tensor) or t.shape != p.shape for t, p in zip(loaded, like)):
        sys.exit(f"--load {path}: expected a list of {len(like)} tensors shaped "
                 f"{[tuple(p.shape) for p in like]} (as written by --save)")
    return [t.to(torch.get_default_dtype()) for t in loaded]


def read_goals(path):
    try:
        with open(path) as f:
            goals = torch.tensor(json.load(f), dtype=torch.get_default_dtype())
    except (OSError, ValueError, TypeError) as e:
        sys.exit(f"--goals {path}: cannot read a JSON list of [x, y] goals ({e})")
    if goals.dim() != 2 or goals.shape[1] != 2 or goals.shape[0] == 0:
        sys.exit(f"--goals {path}: expected a non-empty list of [x, y] pairs, got shape {tuple(goals.shape)}")
    return goals


def main(argv=None):
    args = parse_args(argv)
    args.goal_list = read_goals(args.goals) if args.goals else None
    for flag, path in [("--out", None if args.time_only else args.out), ("--save", args.save)]:
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            sys.exit(f"{flag} {path}: the directory does not exist")
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(args.seed)
    random_init = init_params(generator)
    params = load_params(args.load, random_init) if args.load else [p.clone() for p in random_init]
    params = [p.requires_grad_() for p in params]

    if args.time_only:
        for _ in range(args.time_only):
            t0 = time.perf_counter()
            meta_iteration(params, args, generator)
            print(f"{time.perf_counter() - t0:.4f}", flush=True)
        return

    curve, seconds = [], []
    for it in range(args.iterations):
        t0 = time.perf_counter()
        pre, post, accepted, kl = meta_iteration(params, args, generator)
        seconds.append(time.perf_counter() - t0)
        curve.append({"iteration": it, "pre": pre, "post": post, "accepted": accepted, "kl": kl})
        print(f"iter {it:4d}  pre {pre:9.3f}  post {post:9.3f}  kl {kl:.5f}{'' if accepted else ' (rejected)'}"
              f"  {seconds[-1]:.2f}s", file=sys.stderr, flush=True)
    if args.save:
        torch.save([p.detach() for p in params], args.save)

    result = {"config": {k: v for k, v in vars(args).items() if k != "goal_list"}, "learning_curve": curve,
              "seconds_per_iteration": sum(seconds) / len(seconds) if seconds else None, "eval": {}}
    for name, p in [(args.mode, params), ("random_init", random_init)]:
        table = evaluate(p, args)
        result["eval"][name] = table
        cells = "  ".join(f"{row['steps']}: {row['mean']:8.3f} +- {row['ci95']:.3f}" for row in table)
        print(f"eval {name:11s} {cells}", file=sys.stderr, flush=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
