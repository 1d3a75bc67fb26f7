"""init-bench's digits and split, as crosscheck/export-digits.mjs writes them, for the PyTorch cross-checks."""
import json

import numpy as np
import torch


def load(folder, train, test, seed):
    """Train images, train labels, test images, test labels of the split with this seed."""
    raw = open(f"{folder}/digits.bin", "rb").read()
    count = int.from_bytes(raw[:4], "little")
    images = np.frombuffer(raw, dtype=np.float32, count=count * 784, offset=4).reshape(count, 784)
    labels = np.frombuffer(raw, dtype=np.uint8, offset=4 + count * 784 * 4).astype(np.int64)
    split = json.load(open(f"{folder}/split-{seed}-{train}-{test}.json"))
    tr, te = np.array(split["train"]), np.array(split["test"])
    return torch.tensor(images[tr]), torch.tensor(labels[tr]), torch.tensor(images[te]), torch.tensor(labels[te])
