"""The Shakespeare corpus as chapters 12 and 13 read it, for the PyTorch
and JAX scripts: characters sorted into a vocabulary, the first 90 % for
training and the next 5 % for validation."""

import os

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEXT = os.path.join(ROOT, "data", "shakespeare", "shakespeare.txt")


def corpus():
    """(vocabulary size, training tokens, validation tokens)."""
    with open(TEXT, encoding="ascii") as f:
        text = f.read()
    symbols = sorted(set(text))
    index = {c: i for i, c in enumerate(symbols)}
    tokens = np.array([index[c] for c in text], dtype=np.int64)
    n = len(tokens)
    return len(symbols), tokens[: n * 90 // 100], tokens[n * 90 // 100 : n * 95 // 100]
