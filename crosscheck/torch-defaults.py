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

from common import evaluate, load, mlp, optimizer, seeds, summarize, train_epoch


def build(init, sizes):
    def reinit(lin):
        if init == "xavier":
            torch.nn.init.xavier_uniform_(lin.weight)
            lin.bias.zero_()
        elif init == "he":
            torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
            lin.bias.zero_()

    return mlp(sizes, reinit)  # default: nn.Linear's reset_parameters, as constructed


def trial(init, depth, seed, a):
    xtr, ytr, xte, yte = load(a.data, 8000, 2000, seed)
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    net = build(init, [784] + [a.width] * depth + [10])
    opt = optimizer("momentum", net.parameters(), a.lr)
    curve = []
    started = time.time()
    for epoch in range(a.epochs):
        train_epoch(net, opt, xtr, ytr, a.batch, g)
        curve.append(round(evaluate(net, xte, yte)[0], 4))
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
    rows = []
    for depth in [int(d) for d in a.depths.split(",")]:
        for seed in seeds(a.seeds):
            for init in a.inits.split(","):
                rows.append(trial(init, depth, seed, a))
                print(json.dumps(rows[-1]), flush=True)
    summarize(rows, ("init", "depth"), "test")


if __name__ == "__main__":
    main()
