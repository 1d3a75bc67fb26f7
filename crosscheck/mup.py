"""PyTorch cross-check of init-bench's muP (model.parametrization: mup, src/model/parametrization.ts):
the coordinate check's growth exponents and the best Adam learning rate per width
(configs/mup-transfer.yaml), under the standard parametrization and under muP.

muP is written here in the form of Table 3 of Yang et al. 2022 ("Tensor Programs V"), with no
forward multipliers, not in the multiplier form init-bench uses (its Table 8, as microsoft/mup's
MuReadout and MuAdam): an independent statement of the same rules, equivalent for Adam up to its
epsilon. With width multiplier m = width / base (base 64) and He's variance 2 / fan_in:
  input layer   (784 -> n)   init std sqrt(2/784)                     Adam lr  eta
  hidden layers (n -> n)     init std sqrt(2/n)                       Adam lr  eta / m
  output layer  (n -> 10)    init std sqrt(2/base) / m  (var ~ 1/n^2)  Adam lr  eta / m
  biases                     0                                         Adam lr  eta
Standard: every layer He (std sqrt(2/fan_in)), every lr eta. He is the truncated normal of
init-bench's heNormal (cut at 2 sigma, widened so the std is kept). Adam: betas 0.9, 0.999 and
epsilon 1e-7, tfjs's defaults.

The same 10,000 embedded MNIST digits and split as init-bench (export them first:
`node crosscheck/export-digits.mjs /tmp/ib-digits 2000 1000 0`).

    python3 crosscheck/mup.py coord --data /tmp/ib-digits --widths 64,256,1024 --steps 3 --lr 0.01 --seeds 0,1,2
    python3 crosscheck/mup.py transfer --data /tmp/ib-digits --widths 64,256,1024 \
        --lrs 0.0003,0.001,0.003,0.01,0.03,0.1 --seeds 0,1,2

coord prints the log-log slope of mean |x| against width per layer at steps 0, 1 and the last;
transfer prints the final test loss per width and lr, and the best lr per width.
"""
import argparse
import json
import math

import numpy as np
import torch
import torch.nn.functional as F

from common import evaluate, load, mean_std, optimizer, seeds as parse_seeds, step as train_step, train_epoch, truncated_normal

BASE = 64


def build(width, depth, param, gen):
    """Weights [in, out] and biases, and each one's lr factor."""
    dims = [784] + [width] * depth + [10]
    params, factors = [], []
    m = width / BASE
    for i in range(len(dims) - 1):
        fan_in, out = dims[i], dims[i + 1]
        role = "input" if i == 0 else "output" if i == len(dims) - 2 else "hidden"
        std = math.sqrt(2 / fan_in)
        lr = 1.0
        if param == "mup":
            if role == "output":
                std = math.sqrt(2 / BASE) / m
                lr = 1 / m
            elif role == "hidden":
                lr = 1 / m
        w = truncated_normal((fan_in, out), std, gen).requires_grad_()
        b = torch.zeros(out, requires_grad=True)
        params += [w, b]
        factors += [lr, 1.0]
    return params, factors


def forward(params, x):
    acts = []
    h = x
    n = len(params) // 2
    for i in range(n):
        z = h @ params[2 * i] + params[2 * i + 1]
        h = torch.relu(z) if i < n - 1 else z
        acts.append(h)
    return acts


def adam(params, factors, lr):
    """Adam with each parameter's lr = lr * its factor, tfjs's epsilon 1e-7."""
    return optimizer("adam", [{"params": [p], "lr": lr * f} for p, f in zip(params, factors)], lr, adam_eps=1e-7)


def slope(xs, ys):
    if any(not (y > 0) for y in ys):
        return None
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def coord(args, xtr, ytr, seeds):
    """Mean |x| per layer before each step, a fixed batch measured, step t trained on the t-th batch."""
    out = {}
    for param in ("standard", "mup"):
        sums = {}
        for seed in seeds:
            gen = torch.Generator().manual_seed(seed)
            order = torch.randperm(len(xtr), generator=gen)
            probe = xtr[order[: args.batch]]
            for width in args.widths:
                params, factors = build(width, args.depth, param, gen)
                opt = adam(params, factors, args.lr)
                for step in range(args.steps + 1):
                    with torch.no_grad():
                        for k, a in enumerate(forward(params, probe)):
                            sums[(width, step, k)] = sums.get((width, step, k), 0.0) + a.abs().mean().item() / len(seeds)
                    if step == args.steps:
                        break
                    idx = order[(step * args.batch) % (len(xtr) - args.batch): (step * args.batch) % (len(xtr) - args.batch) + args.batch]
                    train_step(opt, F.cross_entropy(forward(params, xtr[idx])[-1], ytr[idx]))
        layers = [f"dense{k + 1}" for k in range(args.depth)] + ["logits"]
        for step in sorted({0, 1, args.steps}):
            for k, name in enumerate(layers):
                s = slope(args.widths, [sums[(w, step, k)] for w in args.widths])
                out.setdefault(param, []).append({"step": step, "layer": name, "slope": s})
                print(json.dumps({"parametrization": param, "step": step, "layer": name, "slope": None if s is None else round(s, 3)}))
    return out


def transfer(args, xtr, ytr, xte, yte, seeds):
    for param in ("standard", "mup"):
        for width in args.widths:
            losses = {}
            for lr in args.lrs:
                per_seed = []
                for seed in seeds:
                    gen = torch.Generator().manual_seed(seed)
                    params, factors = build(width, args.depth, param, gen)
                    opt = adam(params, factors, lr)
                    logits = lambda x: forward(params, x)[-1]
                    for epoch in range(args.epochs):
                        train_epoch(logits, opt, xtr, ytr, 64, gen)
                    per_seed.append(evaluate(logits, xte, yte)[1])
                losses[lr] = per_seed
            means = {lr: mean_std(v)[0] for lr, v in losses.items()}
            finite = {lr: v for lr, v in means.items() if math.isfinite(v)}
            best_per_seed = [args.lrs[int(np.nanargmin([losses[lr][s] for lr in args.lrs]))] for s in range(len(seeds))]
            stds = {lr: mean_std(v)[1] for lr, v in losses.items()}
            print(json.dumps({"parametrization": param, "width": width, "testLoss": {str(k): round(v, 4) for k, v in means.items()}, "testLossStd": {str(k): round(v, 4) for k, v in stds.items()}, "bestLr": min(finite, key=finite.get) if finite else None, "bestLrPerSeed": best_per_seed}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["coord", "transfer"])
    p.add_argument("--data", required=True)
    p.add_argument("--train", type=int, default=2000)
    p.add_argument("--test", type=int, default=1000)
    p.add_argument("--split-seed", type=int, default=0)
    p.add_argument("--widths", default="64,256,1024")
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--lrs", default="0.0003,0.001,0.003,0.01,0.03,0.1")
    p.add_argument("--seeds", default="0,1,2")
    args = p.parse_args()
    args.widths = [int(w) for w in args.widths.split(",")]
    args.lrs = [float(x) for x in args.lrs.split(",")]
    seeds = parse_seeds(args.seeds)
    torch.set_num_threads(1)
    xtr, ytr, xte, yte = load(args.data, args.train, args.test, args.split_seed)
    print(json.dumps({"what": args.what, "widths": args.widths, "depth": args.depth, "seeds": seeds, "base": BASE}))
    if args.what == "coord":
        coord(args, xtr, ytr, seeds)
    else:
        transfer(args, xtr, ytr, xte, yte, seeds)


if __name__ == "__main__":
    main()
