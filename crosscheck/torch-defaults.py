"""PyTorch cross-check of configs/torch-defaults.yaml: PyTorch's layer default against the Keras
default (Xavier uniform) and He, on a shallow and a 20-layer ReLU MLP.

The same 10,000 embedded MNIST digits and split as init-bench (export them first, for each seed:
`node crosscheck/export-digits.mjs /tmp/ib-digits 8000 2000 SEED`); hidden layers x W + b then
ReLU, a linear output layer whose logits go through softmax in the loss; momentum SGD.

- default: nn.Linear as constructed, reset_parameters: kaiming_uniform_(a=sqrt(5)), i.e.
  U(+-1/sqrt(fanIn)), and the bias U(+-1/sqrt(fanIn)).
- xavier: xavier_uniform_ (Glorot & Bengio 2010), bias 0 (Keras's default bias).
- he: kaiming_normal_(nonlinearity="relu") (He et al. 2015; untruncated), bias 0.

    python3 crosscheck/torch-defaults.py --seeds 3,4,5 --depths 2,20
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from digits import load


def build(init, sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        lin = torch.nn.Linear(a, b)  # reset_parameters: PyTorch's default
        with torch.no_grad():
            if init == "xavier":
                torch.nn.init.xavier_uniform_(lin.weight)
                lin.bias.zero_()
            elif init == "he":
                torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
                lin.bias.zero_()
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def trial(init, depth, seed, a):
    xtr, ytr, xte, yte = load(a.data, 8000, 2000, seed)
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    net = build(init, [784] + [a.width] * depth + [10])
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9)
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
    return {"init": init, "depth": depth, "seed": seed, "test": curve[-1], "curve": curve, "seconds": round(time.time() - started, 1)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/tmp/ib-digits")
    p.add_argument("--depths", default="2,20")
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--seeds", default="3,4,5")
    p.add_argument("--inits", default="xavier,default,he")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(json.dumps({k: v for k, v in vars(a).items() if k != "data"}))
    for depth in [int(d) for d in a.depths.split(",")]:
        for seed in [int(s) for s in a.seeds.split(",")]:
            for init in a.inits.split(","):
                print(json.dumps(trial(init, depth, seed, a)), flush=True)


if __name__ == "__main__":
    main()
