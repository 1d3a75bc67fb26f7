"""PyTorch cross-check: batch norm as the rescue of a badly scaled init, and its running statistics.

The same 10,000 embedded MNIST digits and train/test split as init-bench (export them first:
`node crosscheck/export-digits.mjs /tmp/ib-digits 8000 2000 SEED` for each seed), the same deep
ReLU MLP: each hidden layer is x W + b, then (optionally) batch norm, then ReLU; a linear output
layer whose logits go through softmax in the loss. Batch norm: batch statistics in training,
running statistics at evaluation, epsilon 1e-3, gamma 1 and beta 0 at the start (Ioffe &
Szegedy 2015, "Batch Normalization: Accelerating Deep Network Training by Reducing Internal
Covariate Shift").

The running statistics, three ways (`--stats`):
- keras: running = 0.99 running + 0.01 batch: Keras's and tfjs's momentum 0.99 (the weight of the
  old value), PyTorch's momentum=0.01 (the weight of the new one). init-bench's default.
- torch: PyTorch's default momentum=0.1, i.e. 0.9 in Keras's convention.
- precise: before each evaluation, the statistics recomputed over the whole training set in
  training mode, batches of the training batch size, weights frozen (Wu & Johnson 2021,
  "Rethinking 'Batch' in BatchNorm", precise BN), as init-bench's train.recomputeBatchNormStats.

Why it rescues the scale: batch norm divides each unit's pre-activation by its batch std, so the
forward signal has std 1 at every layer whatever the std of W. Why the running statistics can
lag: they start at mean 0, variance 1, while N(0, 0.01^2) weights give pre-normalisation
variances near 1e-2 or less; after n steps the starting value still weighs momentum^n (0.99^250
= 8%).

Each trial prints the test accuracy and the training accuracy evaluated like the test set (eval
mode, on the whole training subset) after every epoch.

    python3 crosscheck/batchnorm.py --seeds 3,4,5 --he --stats keras,torch,precise
"""
import argparse
import json
import math
import time

import torch

from common import OPTIMIZERS, batches, evaluate, load, mlp, optimizer, seeds, summarize, train_epoch

# PyTorch's momentum argument (the weight of the new batch statistic): keras = Keras's 0.99.
MOMENTUM = {"keras": 0.01, "torch": 0.1, "precise": 0.01}


def build(init, sizes, batch_norm, momentum, g):
    def normal(lin):
        fan_in = lin.weight.shape[1]
        std = math.sqrt(2 / fan_in) if init == "he" else init  # He et al. 2015: Var = 2 / fanIn, untruncated
        lin.weight.copy_(torch.randn(lin.weight.shape, generator=g) * std)
        lin.bias.zero_()

    norm = (lambda width: torch.nn.BatchNorm1d(width, eps=1e-3, momentum=momentum)) if batch_norm else None
    return mlp(sizes, normal, norm)


def precise_stats(net, xtr, batch, g):
    """Population statistics over the training set, as init-bench computes them
    (src/train/batchnorm-stats.ts): one pass in training mode, batches of the training batch size,
    per unit mean = sum n_b mu_b / N and var = sum n_b (sigma_b^2 + mu_b^2) / N - mean^2 (biased)."""
    bns = [m for m in net if isinstance(m, torch.nn.BatchNorm1d)]
    sums = {m: [0.0, 0.0] for m in bns}

    def hook(m, inputs):
        x = inputs[0]
        sums[m][0] = sums[m][0] + x.sum(0)
        sums[m][1] = sums[m][1] + (x * x).sum(0)

    handles = [m.register_forward_pre_hook(hook) for m in bns]
    net.train()
    saved = [m.momentum for m in bns]
    for m in bns:
        m.momentum = 0.0  # the pass must not move the running statistics it is replacing
    with torch.no_grad():
        for idx in batches(len(xtr), batch, g):
            net(xtr[idx])
    for h in handles:
        h.remove()
    n = len(xtr)
    for m, mom in zip(bns, saved):
        mean = sums[m][0] / n
        m.running_mean.copy_(mean)
        m.running_var.copy_((sums[m][1] / n - mean * mean).clamp_min(0))
        m.momentum = mom


def trial(init, batch_norm, stats, seed, a):
    xtr, ytr, xte, yte = load(a.data, 8000, 2000, seed)
    g = torch.Generator().manual_seed(seed)
    net = build(init, [784] + [a.width] * a.depth + [10], batch_norm, MOMENTUM[stats], g)
    opt = optimizer(a.optimizer, net.parameters(), a.lr)
    test, train = [], []
    started = time.time()
    for epoch in range(a.epochs):
        train_epoch(net, opt, xtr, ytr, a.batch, g)
        if batch_norm and stats == "precise":
            precise_stats(net, xtr, a.batch, g)
        test.append(round(evaluate(net, xte, yte)[0], 4))
        train.append(round(evaluate(net, xtr, ytr)[0], 4))
    label = "he" if init == "he" else f"N(0,{init}^2)"
    return {"init": label, "batchNorm": batch_norm, "stats": stats if batch_norm else None, "seed": seed,
            "test": test[-1], "testCurve": test, "trainCurve": train, "seconds": round(time.time() - started, 1)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/tmp/ib-digits")
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--std", type=float, default=0.01)
    p.add_argument("--he", action="store_true", help="also He normal without and with batch norm")
    p.add_argument("--stats", default="keras", help="running statistics of the batch-norm trials: keras,torch,precise")
    p.add_argument("--seeds", default="0")
    p.add_argument("--optimizer", default="momentum", choices=OPTIMIZERS)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(json.dumps({k: v for k, v in vars(a).items() if k != "data"}))
    inits = [a.std] + (["he"] if a.he else [])
    rows = []
    for seed in seeds(a.seeds):
        for init in inits:
            for batch_norm, stats in [(False, "keras")] + [(True, s) for s in a.stats.split(",")]:
                rows.append(trial(init, batch_norm, stats, seed, a))
                print(json.dumps(rows[-1]), flush=True)
    summarize(rows, ("init", "batchNorm", "stats"), "test")


if __name__ == "__main__":
    main()
