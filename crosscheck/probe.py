"""PyTorch cross-check of the signal at initialization that `init-bench probe` measures: the
activation std of each hidden layer of a deep MLP (biases 0) on a batch of training digits, per
seed, then the median over the seeds (configs/selu.yaml quotes it for SELU with LeCun normal).

The same embedded digits and split as init-bench (`node crosscheck/export-digits.mjs
/tmp/ib-digits 8000 2000 SEED` for each seed); the batch is 256 training digits in a seeded order
of PyTorch's own RNG (not init-bench's: compare medians over seeds, not single seeds). Weights are
Keras's truncated normal, variance-corrected (cut at 2 std of the underlying normal, whose std is
the target / 0.87962566103423978): LeCun scale 1 / fanIn, He 2 / fanIn. The std is over every
activation of the layer on the batch (population std), as init-bench's probe computes it.

    python3 crosscheck/probe.py --activation selu --init lecun --seeds 0,1,2,3,4,5,6,7,8,9
"""
import argparse
import json
import math
import statistics

import torch

from common import TRUNCATED_NORMAL_STD, load, seeds


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/tmp/ib-digits")
    p.add_argument("--activation", default="selu", choices=["selu", "relu", "tanh"])
    p.add_argument("--init", default="lecun", choices=["lecun", "he"])
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--seeds", default="0,1,2,3,4,5,6,7,8,9")
    a = p.parse_args()
    act = {"selu": torch.selu, "relu": torch.relu, "tanh": torch.tanh}[a.activation]
    scale = {"lecun": 1.0, "he": 2.0}[a.init]
    print(json.dumps({"settings": vars(a)}))
    per_seed = []
    for seed in seeds(a.seeds):
        xtr, _, _, _ = load(a.data, 8000, 2000, seed)
        g = torch.Generator().manual_seed(seed)
        h = xtr[torch.randperm(len(xtr), generator=g)[: a.batch]]
        torch.manual_seed(seed)
        stds = []
        fan_in = 784
        for _ in range(a.depth):
            s = math.sqrt(scale / fan_in) / TRUNCATED_NORMAL_STD
            w = torch.empty(fan_in, a.width)
            torch.nn.init.trunc_normal_(w, std=s, a=-2 * s, b=2 * s)
            h = act(h @ w)
            stds.append(h.std(unbiased=False).item())
            fan_in = a.width
        per_seed.append(stds)
        print(json.dumps({"seed": seed, "activationStd": [round(x, 4) for x in stds]}))
    layers = list(zip(*per_seed))
    median = [statistics.median(v) for v in layers]
    print(json.dumps({"median": [round(x, 4) for x in median], "lastLayerMin": round(min(layers[-1]), 4), "lastLayerMax": round(max(layers[-1]), 4)}))


if __name__ == "__main__":
    main()
