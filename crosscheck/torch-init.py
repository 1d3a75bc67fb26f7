"""PyTorch's own initializers, sampled by PyTorch, for init-bench's `torch:` entries to be compared with.

For each entry and shape, prints one JSON line: the shape in tfjs layout (dense [in, out], conv
[kh, kw, in, out], as `init-bench inspect --shape` takes it), the weight's mean, std, min, max and
fraction of exact zeros, and for torch:default the bias's too. PyTorch's weight is [out, in] or
[out, in, kh, kw]; its fans are fan_in = in * kh * kw, fan_out = out * kh * kw, as init-bench's.

    python3 crosscheck/torch-init.py --seeds 3,4,5

Compare with `init-bench inspect --init NAME --shape SHAPE --seed S --json` (std, min, max,
zeroFraction): same distributions, different random streams, so the figures agree to sampling error.
"""
import argparse
import json

import torch

from common import seeds

# (init-bench name, PyTorch call on the weight)
INITS = [
    ("torch:default", None),
    ("torch:kaimingUniform", lambda w: torch.nn.init.kaiming_uniform_(w)),
    ("torch:kaimingNormal", lambda w: torch.nn.init.kaiming_normal_(w)),
    ("torch:kaimingNormal(nonlinearity=relu,mode=fan_out)", lambda w: torch.nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")),
    ("torch:xavierUniform", lambda w: torch.nn.init.xavier_uniform_(w)),
    ("torch:xavierNormal", lambda w: torch.nn.init.xavier_normal_(w)),
    ("torch:truncNormal", lambda w: torch.nn.init.trunc_normal_(w)),
    ("torch:truncNormal(std=0.05)", lambda w: torch.nn.init.trunc_normal_(w, std=0.05)),
    ("torch:truncNormal(std=0.05,a=-0.1,b=0.1)", lambda w: torch.nn.init.trunc_normal_(w, std=0.05, a=-0.1, b=0.1)),
    ("torch:orthogonal", lambda w: torch.nn.init.orthogonal_(w)),
    ("torch:sparse", lambda w: torch.nn.init.sparse_(w, sparsity=0.1)),
]

# tfjs layout -> PyTorch layout
SHAPES = [[784, 256], [256, 10], [3, 3, 1, 16], [3, 3, 16, 32]]


def torch_shape(shape):
    if len(shape) == 2:
        return [shape[1], shape[0]]
    kh, kw, cin, cout = shape
    return [cout, cin, kh, kw]


def stats(t):
    t = t.detach().double()
    return {"mean": t.mean().item(), "std": t.std(unbiased=False).item(), "min": t.min().item(), "max": t.max().item(), "zeroFraction": (t == 0).double().mean().item()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", default="3,4,5")
    a = p.parse_args()
    for seed in seeds(a.seeds):
        for name, call in INITS:
            for shape in SHAPES:
                if name == "torch:sparse" and len(shape) != 2:
                    continue  # sparse_ takes 2-D tensors only
                torch.manual_seed(seed)
                ts = torch_shape(shape)
                row = {"init": name, "shape": shape, "seed": seed}
                if call is None:
                    # nn.Linear / nn.Conv2d reset_parameters
                    layer = torch.nn.Linear(ts[1], ts[0]) if len(ts) == 2 else torch.nn.Conv2d(ts[1], ts[0], ts[2])
                    row["weight"], row["bias"] = stats(layer.weight), stats(layer.bias)
                else:
                    w = torch.empty(ts)
                    with torch.no_grad():
                        call(w)
                    row["weight"] = stats(w)
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
