"""PyTorch cross-check of configs/residual.yaml: a deep plain MLP against the same depth with
residual blocks, under He, zero-initialized branches, Fixup, ZerO and all-zeros.

The same 10,000 embedded MNIST digits and train/test split as init-bench (export them first:
`node crosscheck/export-digits.mjs /tmp/ib-digits 8000 2000 0`), the same network as
src/model/plan.ts: a plain stem (784 -> width), then blocks of `block` dense layers with
out = relu(skip + branch(x)) (He et al. 2016, "Deep Residual Learning for Image Recognition"),
then a linear output layer whose logits go through softmax in the loss. Biases start at 0.

Initializers (the kernel of every layer; the same formulas as init-bench's catalogue):
  he           truncated normal (cut at 2 sigma, sigma widened by 1/0.8796 so the std is kept),
               std sqrt(2 / fan_in) (He et al. 2015)
  zero-branch  he, and the last layer of each branch 0 (Goyal et al. 2017; SkipInit, De & Smith 2020)
  fixup        output layer and last layer of each branch 0; the other branch layers he times
               L^(-1/(2m-2)) for L branches of m layers; stem he (Zhang, Dauphin & Ma 2019, rules
               1 and 2; no scalar multipliers or biases)
  zero         ZerO (Zhao, Schaefer & Anandkumar 2022, algorithm 1): W = partial identity where
               out <= in, identity * normalized Hadamard * identity where out > in; last layer of
               each branch 0
  zeros        every kernel 0

Training: SGD with momentum 0.9 (v = 0.9 v + g; w -= lr v, as tfjs's momentum optimizer), batches
of 64 in a fresh random order each epoch, test accuracy after each epoch.

    python3 crosscheck/residual.py --data /tmp/ib-digits --depth 21 --width 256 --epochs 3 \
        --runs plain:he,residual:he,residual:zero-branch,residual:fixup,residual:zero,residual:zeros
"""
import argparse
import math
import time

import torch

from common import evaluate, load, optimizer, seeds, train_epoch, truncated_normal


def plan(depth, width, residual, block):
    """Layers as (in, out, role): role is 'plain', 'branch', 'out' (last of a branch), 'proj' or 'output'."""
    widths = [width] * depth
    layers = [(784, widths[0], "plain")]
    if not residual:
        layers += [(width, width, "plain") for _ in widths[1:]]
    else:
        assert (depth - 1) % block == 0, "depth must be 1 + a multiple of the block depth"
        for b in range((depth - 1) // block):
            layers += [(width, width, "out" if p == block - 1 else "branch") for p in range(block)]
    return layers + [(width, 10, "output")]


def he(fan_in, fan_out, gen, scale=1.0):
    return truncated_normal((fan_in, fan_out), math.sqrt(2 / fan_in) * scale, gen)


def hadamard(p):
    h = torch.ones(1, 1)
    while h.shape[0] < p:
        h = torch.cat([torch.cat([h, h], 1), torch.cat([h, -h], 1)], 0)
    return h


def zero_kernel(fan_in, fan_out):
    """ZerO's algorithm 1 in the [in, out] layout: kernel[i][o] = W[o][i] of y = W x."""
    if fan_out <= fan_in:
        return torch.eye(fan_in, fan_out)
    k = math.ceil(math.log2(fan_out))
    w = torch.eye(fan_out, 2**k) @ (hadamard(2**k) / 2 ** (k / 2)) @ torch.eye(2**k, fan_in)
    return w.T.contiguous()


def kernels(layers, init, block, gen):
    branches = sum(1 for (_, _, role) in layers if role == "out")
    out = []
    for fan_in, fan_out, role in layers:
        if init == "zeros":
            w = torch.zeros(fan_in, fan_out)
        elif init == "he":
            w = he(fan_in, fan_out, gen)
        elif init == "zero-branch":
            w = torch.zeros(fan_in, fan_out) if role == "out" else he(fan_in, fan_out, gen)
        elif init == "fixup":
            if role in ("out", "output"):
                w = torch.zeros(fan_in, fan_out)
            else:
                scale = branches ** (-1 / (2 * block - 2)) if role == "branch" else 1.0
                w = he(fan_in, fan_out, gen, scale)
        elif init == "zero":
            w = torch.zeros(fan_in, fan_out) if role == "out" else zero_kernel(fan_in, fan_out)
        else:
            raise ValueError(init)
        out.append(w.requires_grad_())
    return out


def forward(x, layers, ws, bs):
    h, skip = x, None
    for (fan_in, fan_out, role), w, b in zip(layers, ws, bs):
        z = h @ w + b
        if role == "output":
            return z
        if role == "branch" and skip is None:
            skip = h
        if role == "out":
            z, skip = z + (skip if skip is not None else h), None
        h = torch.relu(z)
    return h


def run(data, depth, width, residual, block, init, epochs, lr, seed):
    xtr, ytr, xte, yte = data
    gen = torch.Generator().manual_seed(seed)
    layers = plan(depth, width, residual, block)
    ws = kernels(layers, init, block, gen)
    bs = [torch.zeros(o, requires_grad=True) for (_, o, _) in layers]
    params = ws + bs
    opt = optimizer("momentum", params, lr)
    logits = lambda x: forward(x, layers, ws, bs)
    accs = []
    for _ in range(epochs):
        loss = train_epoch(logits, opt, xtr, ytr, 64, gen)
        accs.append(evaluate(logits, xte, yte)[0])
    return accs, loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/ib-digits")
    ap.add_argument("--train", type=int, default=8000)
    ap.add_argument("--test", type=int, default=2000)
    ap.add_argument("--depth", type=int, default=21)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--block", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--runs", default="plain:he,residual:he,residual:zero-branch,residual:fixup,residual:zero,residual:zeros")
    args = ap.parse_args()
    torch.set_num_threads(1)
    data = load(args.data, args.train, args.test, 0)
    for spec in args.runs.split(","):
        kind, init = spec.split(":")
        for seed in seeds(args.seeds):
            t0 = time.time()
            accs, loss = run(data, args.depth, args.width, kind == "residual", args.block, init, args.epochs, args.lr, seed)
            print(f"{kind:9} {init:12} seed {seed}  test acc per epoch {' '.join(f'{100 * a:.1f}' for a in accs)}  last batch loss {loss:.3f}  ({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
