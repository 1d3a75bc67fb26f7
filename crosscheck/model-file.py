"""PyTorch cross-check: one model file's CNN, four initializers.

The network of configs/models/small-cnn.json written in PyTorch: conv 8 (3x3, valid) -> ReLU ->
max pool 2 -> conv 16 (3x3, valid) -> ReLU -> max pool 2 -> flatten -> dense 10, softmax in the
loss. Trained as configs/model-file.yaml trains it (SGD with momentum 0.9, lr 0.01, batch 64),
on init-bench's digits and split (export them first, one split per seed:
`node crosscheck/export-digits.mjs /tmp/ib-digits 8000 2000 SEED` for each seed).

The initializers, in init-bench's definitions (docs/science.md), in the tfjs kernel layout
[kh, kw, in, out] / [in, out] before being moved into PyTorch's [out, in, kh, kw] / [out, in]:
- he: truncated normal (2 sigma), std sqrt(2 / fanIn) after the truncation's correction;
- xavier: Glorot uniform, U(+-sqrt(6 / (fanIn + fanOut)));
- file: what the file's author chose: N(0, 0.05^2) for the convs (Keras RandomNormal), Glorot
  uniform for the output (Keras's default);
- zeros: every weight 0.
Biases start at 0 everywhere. fanIn = kh*kw*in, fanOut = kh*kw*out (src/initializers/fans.ts).

    python3 crosscheck/model-file.py --data /tmp/ib-digits --seeds 0,1,2 --epochs 2
"""
import argparse
import json
import math

import torch
import torch.nn.functional as F

from common import evaluate, glorot_uniform, load, optimizer, seeds, summarize, train_epoch, truncated_normal


def kernel(init, shape, role, gen):
    """A kernel in the tfjs layout `shape`."""
    receptive = math.prod(shape[:-2])
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    glorot = lambda: glorot_uniform(shape, fan_in, fan_out, gen)
    if init == "zeros":
        return torch.zeros(shape)
    if init == "he":
        return truncated_normal(shape, math.sqrt(2 / fan_in), gen)
    if init == "xavier":
        return glorot()
    if init == "file":
        return torch.randn(shape, generator=gen) * 0.05 if role == "conv" else glorot()
    raise ValueError(init)


class Net(torch.nn.Module):
    def __init__(self, init, gen):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 8, 3)
        self.c2 = torch.nn.Conv2d(8, 16, 3)
        self.out = torch.nn.Linear(5 * 5 * 16, 10)
        with torch.no_grad():
            for conv, shape in ((self.c1, (3, 3, 1, 8)), (self.c2, (3, 3, 8, 16))):
                conv.weight.copy_(kernel(init, shape, "conv", gen).permute(3, 2, 0, 1))
                conv.bias.zero_()
            self.out.weight.copy_(kernel(init, (400, 10), "output", gen).T)
            self.out.bias.zero_()

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.c1(x.view(-1, 1, 28, 28))), 2)
        h = F.max_pool2d(F.relu(self.c2(h)), 2)
        return self.out(h.flatten(1))


def trial(init, seed, a):
    xtr, ytr, xte, yte = load(a.data, a.train, a.test, seed)
    gen = torch.Generator().manual_seed(seed)
    net = Net(init, gen)
    opt = optimizer("momentum", net.parameters(), a.lr)
    accs = []
    for _ in range(a.epochs):
        train_epoch(net, opt, xtr, ytr, a.batch, gen)
        accs.append(evaluate(net, xte, yte)[0])
    return accs


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/tmp/ib-digits")
    p.add_argument("--train", type=int, default=8000)
    p.add_argument("--test", type=int, default=2000)
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--inits", default="file,he,xavier,zeros")
    a = p.parse_args()
    torch.set_num_threads(1)
    print(json.dumps(vars(a)))
    rows = []
    for seed in seeds(a.seeds):
        for init in a.inits.split(","):
            accs = trial(init, seed, a)
            rows.append({"init": init, "seed": seed, "testAccuracy": accs[-1], "curve": accs})
            print(json.dumps(rows[-1]), flush=True)
    summarize(rows, ("init",), "testAccuracy")


if __name__ == "__main__":
    main()
