"""PyTorch cross-check: batch norm as the rescue of a badly scaled init.

The same 10,000 embedded MNIST digits and train/test split as init-bench (export them first:
`node crosscheck/export-digits.mjs /tmp/ib-digits 8000 2000 0`), the same deep ReLU MLP: each
hidden layer is x W + b, then (optionally) batch norm, then ReLU; a linear output layer whose
logits go through softmax in the loss. Batch norm as in init-bench (src/model/network.ts) and
Keras: batch statistics in training, moving statistics (momentum 0.99, i.e. PyTorch's 0.01) at
test time, epsilon 1e-3, gamma 1 and beta 0 at the start (Ioffe & Szegedy 2015, "Batch
Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift").

Why it rescues the scale: batch norm divides each unit's pre-activation by its batch std, so the
forward signal has std 1 at every layer whatever the std of W (the output is invariant to a
rescaling of W), and the gradient reaching W is scaled by 1/std(W) in return.

    python3 crosscheck/batchnorm.py --depth 10 --width 256 --std 0.01 --epochs 2
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

from digits import load




def build(init, sizes, batch_norm, g):
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        lin = torch.nn.Linear(a, b)
        with torch.no_grad():
            std = math.sqrt(2 / a) if init == "he" else init  # He et al. 2015: Var = 2 / fanIn
            lin.weight.copy_(torch.randn(b, a, generator=g) * std)
            lin.bias.zero_()
        layers.append(lin)
        if i < len(sizes) - 2:
            if batch_norm:
                layers.append(torch.nn.BatchNorm1d(b, eps=1e-3, momentum=0.01))
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def trial(init, batch_norm, seed, data, a):
    xtr, ytr, xte, yte = data
    g = torch.Generator().manual_seed(seed)
    net = build(init, [784] + [a.width] * a.depth + [10], batch_norm, g)
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9 if a.optimizer == "momentum" else 0.0)
    curve = []
    started = time.time()
    for epoch in range(a.epochs):
        net.train()
        order = torch.randperm(len(xtr), generator=g)
        for s in range(0, len(xtr), a.batch):
            idx = order[s : s + a.batch]
            loss = F.cross_entropy(net(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            curve.append(round((net(xte).argmax(1) == yte).float().mean().item(), 4))
    label = "he" if init == "he" else f"N(0,{init}^2)"
    return {"init": label, "batchNorm": batch_norm, "seed": seed, "test": curve[-1], "curve": curve, "seconds": round(time.time() - started, 1)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/tmp/ib-digits")
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--std", type=float, default=0.01)
    p.add_argument("--he", action="store_true", help="also He normal without and with batch norm")
    p.add_argument("--seeds", default="0")
    p.add_argument("--optimizer", default="momentum")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    data = load(a.data, 8000, 2000, 0)
    print(json.dumps({k: v for k, v in vars(a).items() if k != "data"}))
    inits = [a.std] + (["he"] if a.he else [])
    for seed in [int(s) for s in a.seeds.split(",")]:
        for init in inits:
            for bn in (False, True):
                print(json.dumps(trial(init, bn, seed, data, a)), flush=True)


if __name__ == "__main__":
    main()
