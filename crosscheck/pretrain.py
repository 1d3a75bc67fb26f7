"""PyTorch cross-check of greedy layer-wise pretraining against Xavier and a small random init.

The same 10,000 embedded MNIST digits and the same train/test split as init-bench (export them
first: `node crosscheck/export-digits.mjs /tmp/ib-digits 8000 2000 0`), the same MLP (hidden
dense layers, a linear output layer whose logits go through softmax in the loss).

Pretraining (Hinton et al. 2006, "A fast learning algorithm for deep belief nets", used RBMs;
Bengio et al. 2007, "Greedy layer-wise training of deep networks", and Vincent et al. 2008,
"Extracting and composing robust features with denoising autoencoders", autoencoders; Erhan et
al. 2010, "Why does unsupervised pre-training help deep learning?", measured the effect): each
hidden layer in turn is the encoder h = act(x W + b) of an autoencoder trained to reconstruct its
input x, the previous layer's output on the training images (no labels); the decoder is
x_hat = dec(h W' + c) with W' = W^T (tied) or its own matrix; denoising zeroes a fraction of
the inputs (masking noise) before encoding but reconstructs the clean x. The encoder's W and b
are kept; the output layer comes from Xavier. Then every layer is fine-tuned on the labels.

Loss: for a sigmoid decoder, the cross-entropy between x and x_hat summed over units (Bengio
2007, Vincent 2008: the inputs are pixels in [0, 1] or sigmoid outputs); otherwise the squared
error summed over units. Both averaged over the batch.

    python3 crosscheck/pretrain.py --data /tmp/ib-digits --depth 5 --activation sigmoid \
        --labeled 1000 --epochs 30 --lr 0.1 --optimizer momentum --inits xavier,small,pretrain
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from common import OPTIMIZERS, batches, evaluate, glorot_uniform, load, optimizer, seeds, step, summarize, train_epoch


def labeled_subset(y, n):
    """The first examples of each class in the (already shuffled) training order, in proportion
    to the class's share (largest remainder), as data.labeledSize does in init-bench."""
    counts = torch.bincount(y, minlength=10).double()
    exact = counts * n / counts.sum()
    quota = exact.floor().long()
    for c in torch.argsort(-(exact - exact.floor()), stable=True)[: n - int(quota.sum())]:
        quota[c] += 1
    keep = []
    for c in range(10):
        keep += (y == c).nonzero().flatten()[: quota[c]].tolist()
    return torch.tensor(sorted(keep))


ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda x: x}


def xavier(fan_in, fan_out, g):
    return glorot_uniform((fan_in, fan_out), fan_in, fan_out, g)


def init_weights(kind, sizes, g, std):
    """small: N(0, std^2); otherwise xavier (pretraining starts from it and replaces the hidden layers)."""
    if kind == "small":
        return [torch.randn(a, b, generator=g) * std for a, b in zip(sizes, sizes[1:])]
    return [xavier(a, b, g) for a, b in zip(sizes, sizes[1:])]


def pretrain(ws, bs, x, act, a, g):
    """Greedy layer-wise autoencoders over the hidden layers; returns per layer the loss per epoch
    and the seconds."""
    report = []
    h = x
    for l in range(len(ws) - 1):
        started = time.time()
        fan_in, fan_out = ws[l].shape
        W = ws[l].clone().requires_grad_()
        b = torch.zeros(fan_out, requires_grad=True)
        c = torch.zeros(fan_in, requires_grad=True)
        params = [W, b, c]
        if not a.tied:
            V = xavier(fan_out, fan_in, g).requires_grad_()
            params.append(V)
        opt = optimizer(a.pre_optimizer, params, a.pre_lr)  # Adam: PyTorch's epsilon 1e-8
        # auto: sigmoid for inputs in [0, 1] (pixels, sigmoid outputs), tanh after tanh, else linear
        dec = a.decoder if a.decoder != "auto" else ("sigmoid" if (l == 0 or act == "sigmoid") else ("tanh" if act == "tanh" else "linear"))
        losses = []
        for epoch in range(a.pre_epochs):
            total = 0.0
            for idx in batches(len(h), a.batch, g):
                xb = h[idx]
                xin = xb * (torch.rand(xb.shape, generator=g) >= a.corruption) if a.corruption > 0 else xb
                z = ACT[act](xin @ W + b)
                r = z @ (W.t() if a.tied else V) + c
                if dec == "sigmoid":
                    loss = F.binary_cross_entropy_with_logits(r, xb, reduction="sum") / len(xb)
                else:
                    loss = ((ACT[dec](r) - xb) ** 2).sum() / len(xb)
                step(opt, loss)
                total += loss.item() * len(xb)
            losses.append(total / len(h))
        ws[l], bs[l] = W.detach(), b.detach()
        with torch.no_grad():
            h = ACT[act](h @ ws[l] + bs[l])
        report.append({"layer": l + 1, "loss": [round(v, 3) for v in losses], "seconds": round(time.time() - started, 2)})
    return report


def forward(ws, bs, x, act):
    for W, b in zip(ws[:-1], bs[:-1]):
        x = ACT[act](x @ W + b)
    return x @ ws[-1] + bs[-1]


def trial(kind, seed, data, a):
    xtr, ytr, xte, yte = data
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    sizes = [784] + [a.width] * a.depth + [10]
    ws = init_weights("small" if kind == "small" else "xavier", sizes, g, a.std)
    bs = [torch.zeros(n) for n in sizes[1:]]
    pre = pretrain(ws, bs, xtr, a.activation, a, g) if kind == "pretrain" else None
    keep = labeled_subset(ytr, a.labeled) if a.labeled < len(ytr) else torch.arange(len(ytr))
    xl, yl = xtr[keep], ytr[keep]
    params = [t.clone().requires_grad_() for t in ws + bs]
    ws, bs = params[: len(ws)], params[len(ws) :]
    opt = optimizer(a.optimizer, params, a.lr)
    logits = lambda x: forward(ws, bs, x, a.activation)
    curve = []
    started = time.time()
    for epoch in range(a.epochs):
        train_epoch(logits, opt, xl, yl, a.batch, g)
        curve.append(round(evaluate(logits, xte, yte)[0], 4))
    return {"init": kind, "seed": seed, "test": curve[-1], "curve": curve, "trainSeconds": round(time.time() - started, 1), "pretrain": pre}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/tmp/ib-digits")
    p.add_argument("--train", type=int, default=8000)
    p.add_argument("--test", type=int, default=2000)
    p.add_argument("--split-seed", type=int, default=0)
    p.add_argument("--labeled", type=int, default=8000, help="labeled training examples for fine-tuning")
    p.add_argument("--depth", type=int, default=5)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--activation", default="sigmoid")
    p.add_argument("--std", type=float, default=0.01, help="std of the small random init N(0, std^2)")
    p.add_argument("--inits", default="xavier,small,pretrain")
    p.add_argument("--seeds", default="0")
    p.add_argument("--optimizer", default="momentum", choices=OPTIMIZERS)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--pre-epochs", type=int, default=5)
    p.add_argument("--pre-optimizer", default="adam", choices=OPTIMIZERS)
    p.add_argument("--pre-lr", type=float, default=1e-3)
    p.add_argument("--corruption", type=float, default=0.25)
    p.add_argument("--decoder", default="auto", help="sigmoid, tanh, linear or auto (sigmoid on [0,1] inputs, tanh after tanh, else linear)")
    p.add_argument("--untied", dest="tied", action="store_false")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    data = load(a.data, a.train, a.test, a.split_seed)
    print(json.dumps({k: v for k, v in vars(a).items() if k not in ("data",)}))
    rows = []
    for seed in seeds(a.seeds):
        for kind in a.inits.split(","):
            rows.append(trial(kind, seed, data, a))
            print(json.dumps(rows[-1]), flush=True)
    summarize(rows, ("init",), "test")


if __name__ == "__main__":
    main()
