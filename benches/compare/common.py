"""What the NumPy and JAX peers share: reading MNIST's IDX files, the
settings of chapter 8's default run, and how results are reported."""

import os
import struct
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.environ.get("MNIST_DIR") or os.path.join(ROOT, "data", "mnist")

# Chapter 8's default run: 784-256-10, ReLU, softmax + cross-entropy, He
# initialisation, SGD with momentum 0.9 and weight decay 1e-4 on the
# weights, eta 0.1 decaying along a cosine, minibatches of 64, f32.
SIZES = (784, 256, 10)
ETA, MOMENTUM, WEIGHT_DECAY, BATCH = 0.1, 0.9, 1e-4, 64


def read_idx(name):
    with open(os.path.join(DATA, name), "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        pixels = np.frombuffer(data, dtype=np.uint8, offset=16)
        return pixels.reshape(count, rows * cols).astype(np.float32) / 255.0
    return np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)


def load():
    """Training and test images as (n, 784) f32 rows, labels as ints."""
    return (
        read_idx("train-images-idx3-ubyte"),
        read_idx("train-labels-idx1-ubyte"),
        read_idx("t10k-images-idx3-ubyte"),
        read_idx("t10k-labels-idx1-ubyte"),
    )


def cosine_eta(epoch, epochs):
    return ETA * 0.5 * (1.0 + np.cos(np.pi * epoch / epochs))


def report(epoch_seconds, accuracy):
    """One machine-readable line for compare.py."""
    seconds = ",".join(f"{s:.4f}" for s in epoch_seconds)
    print(f"RESULT seconds={seconds} accuracy={accuracy:.4f}")
    sys.stdout.flush()
