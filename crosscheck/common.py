"""What the PyTorch cross-checks share: init-bench's digits and split, the seeds, weights drawn
from a seeded generator, the training loop, evaluation, and mean and std over seeds.

Every draw comes from the `torch.Generator` a trial passes in (PyTorch's own random streams, not
init-bench's: compare means and stds over seeds, not single trials). Weights are in the
[in, out] layout (x W + b) unless a function says otherwise; nn.Linear's weight is [out, in].

Conventions, where PyTorch's differ from Keras's and tfjs's (which init-bench follows):
- SGD momentum (`optimizer`): PyTorch's v = mu v + g, w -= lr v is tfjs's tf.train.momentum
  (accumulation = mu accumulation + g, w -= lr accumulation); Keras 3's SGD writes
  v = mu v - lr g, w += v, the same steps at a constant lr. mu = 0.9 in every cross-check.
- Adam (`optimizer`): PyTorch's default epsilon is 1e-8, Keras's and tfjs's 1e-7 (both add it
  to sqrt(v_hat)); betas 0.9, 0.999 in all three.
- Batch-norm momentum: PyTorch's `momentum` is the weight of the new batch statistic, Keras's and
  tfjs's the weight of the old running value: Keras 0.99 is PyTorch's momentum=0.01, PyTorch's
  default 0.1 is Keras's 0.9 (crosscheck/batchnorm.py). Epsilon 1e-3 as Keras (PyTorch 1e-5).
- std (`mean_std`): the sample std over seeds (n - 1 in the denominator), as the presets quote it.
"""
import json
import math

import numpy as np
import torch
import torch.nn.functional as F

# The std of N(0, 1) truncated at +-2. Keras's variance-scaling initializers (He, LeCun, Glorot
# normal) divide the target std by it so the truncated draw keeps the variance of the formula, and
# init-bench's heNormal, leCunNormal and glorotNormal do too; tfjs-layers 4.x's do not (docs/science.md).
TRUNCATED_NORMAL_STD = 0.87962566103423978


def load(folder, train, test, seed):
    """Train images, train labels, test images, test labels of init-bench's split with this seed,
    as crosscheck/export-digits.mjs writes them (`node crosscheck/export-digits.mjs FOLDER TRAIN
    TEST SEED`): FOLDER/digits.bin (uint32 count, count * 784 float32 pixels in [0, 1], count uint8
    labels) and FOLDER/split-SEED-TRAIN-TEST.json (the indices, in init-bench's order)."""
    raw = open(f"{folder}/digits.bin", "rb").read()
    count = int.from_bytes(raw[:4], "little")
    images = np.frombuffer(raw, dtype=np.float32, count=count * 784, offset=4).reshape(count, 784)
    labels = np.frombuffer(raw, dtype=np.uint8, offset=4 + count * 784 * 4).astype(np.int64)
    split = json.load(open(f"{folder}/split-{seed}-{train}-{test}.json"))
    tr, te = np.array(split["train"]), np.array(split["test"])
    return torch.tensor(images[tr]), torch.tensor(labels[tr]), torch.tensor(images[te]), torch.tensor(labels[te])


def seeds(text):
    """The seeds of a `--seeds 3,4,5` flag, in order."""
    return [int(s) for s in text.split(",")]


def truncated_normal(shape, std, gen):
    """A truncated normal whose std is `std`, as Keras's and init-bench's variance-scaling
    initializers draw it: N(0, 1) draws beyond +-2 drawn again, then scaled by std / 0.8796
    (TRUNCATED_NORMAL_STD). init-bench's heNormal is std = sqrt(2 / fan_in) (He et al. 2015),
    leCunNormal sqrt(1 / fan_in). Drawn from `gen` (torch.nn.init.trunc_normal_ takes no
    generator in torch 1.13, and its cut points are absolute values, not multiples of std)."""
    z = torch.randn(shape, generator=gen)
    while (bad := z.abs() > 2).any():
        z[bad] = torch.randn(int(bad.sum()), generator=gen)
    return z * (std / TRUNCATED_NORMAL_STD)


def glorot_uniform(shape, fan_in, fan_out, gen):
    """Glorot & Bengio 2010 (Xavier uniform, Keras's default kernel init): U(-a, a) with
    a = sqrt(6 / (fan_in + fan_out)), i.e. variance 2 / (fan_in + fan_out)."""
    return (torch.rand(shape, generator=gen) * 2 - 1) * math.sqrt(6 / (fan_in + fan_out))


def mlp(sizes, init=None, batch_norm=None):
    """nn.Linear layers sizes[0] -> sizes[1] -> ... with ReLU after each hidden one (and, if
    `batch_norm` is given, the module batch_norm(width) between the linear layer and its ReLU);
    the last layer is linear, its logits go through softmax in the loss. nn.Linear's constructor
    draws PyTorch's default init (kaiming_uniform_(a=sqrt(5)): U(+-1/sqrt(fan_in)), bias the same)
    from the global generator; `init(layer)`, if given, then overwrites it under no_grad."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        lin = torch.nn.Linear(a, b)
        if init is not None:
            with torch.no_grad():
                init(lin)
        layers.append(lin)
        if i < len(sizes) - 2:
            if batch_norm is not None:
                layers.append(batch_norm(b))
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def optimizer(name, params, lr, adam_eps=1e-8):
    """sgd: plain SGD; momentum: SGD with PyTorch's momentum 0.9 (v = 0.9 v + g, w -= lr v: tfjs's
    momentum optimizer, and Keras's SGD(momentum=0.9) at a constant lr); adam: Adam with betas 0.9,
    0.999 and epsilon `adam_eps` (PyTorch's default 1e-8; pass 1e-7 for Keras's and tfjs's).
    `params` may be parameter groups with their own lr, which then replaces `lr`."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=adam_eps)
    if name in ("sgd", "momentum"):
        return torch.optim.SGD(params, lr=lr, momentum=0.9 if name == "momentum" else 0.0)
    raise ValueError(f"optimizer {name!r}: sgd, momentum or adam")


OPTIMIZERS = ("sgd", "momentum", "adam")


def batches(n, batch, gen):
    """Indices 0..n-1 in a fresh order drawn from `gen` (torch.randperm) at the first batch, cut
    into batches of `batch` (the last one shorter): one epoch, as init-bench shuffles each epoch."""
    order = torch.randperm(n, generator=gen)
    for start in range(0, n, batch):
        yield order[start : start + batch]


def step(opt, loss):
    """One optimizer step on `loss`: gradients cleared, back-propagated, applied."""
    opt.zero_grad()
    loss.backward()
    opt.step()


def train_epoch(forward, opt, x, y, batch, gen):
    """One epoch of mini-batch training on softmax cross-entropy (the mean over the batch, as
    Keras's and tfjs's categorical cross-entropy): `forward(x)` gives the logits (an nn.Module is
    put in training mode first: batch norm on batch statistics). Returns the last batch's loss."""
    if isinstance(forward, torch.nn.Module):
        forward.train()
    for idx in batches(len(x), batch, gen):
        loss = F.cross_entropy(forward(x[idx]), y[idx])
        step(opt, loss)
    return loss.item()


def accuracy(logits, y):
    """The fraction of rows whose largest logit is the label's; nan if any logit is not finite
    (a diverged net has no accuracy, not the argmax of nan)."""
    if not torch.isfinite(logits).all():
        return float("nan")
    return (logits.argmax(1) == y).float().mean().item()


def evaluate(forward, x, y):
    """Accuracy and mean softmax cross-entropy of `forward(x)` on the whole set, without gradients
    (an nn.Module is put in evaluation mode first: batch norm on its running statistics). The loss
    is nan where it is not finite."""
    if isinstance(forward, torch.nn.Module):
        forward.eval()
    with torch.no_grad():
        logits = forward(x)
        loss = F.cross_entropy(logits, y).item()
    return accuracy(logits, y), loss if math.isfinite(loss) else float("nan")


def mean_std(values):
    """Mean and sample std (n - 1 in the denominator; 0 for a single value) of per-seed figures,
    as the presets quote "mean ± std" over seeds. A nan among them makes both nan."""
    return float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def summarize(rows, by, value):
    """After the trials: one JSON line per group of `rows` with equal fields `by`, in first-seen
    order: {"summary": {by...}, "seeds": [...], value: [per seed], "mean": m, "std": s} (sample
    std, mean_std), figures rounded to 4 places."""
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in by), []).append(r)
    for key, group in groups.items():
        values = [r[value] for r in group]
        mean, std = mean_std(values)
        print(json.dumps({"summary": dict(zip(by, key)), "seeds": [r["seed"] for r in group], value: values,
                          "mean": round(mean, 4), "std": round(std, 4)}), flush=True)
