"""What the NumPy and JAX peers share: reading MNIST's IDX files, the
settings of chapter 8's default run, and how results are reported."""

import os
import struct
import sys
import time

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


# Chapter 10's CNN (cnn_jax.py, cnn_torch.py): its learning rate and weight
# decay, and its He-initialised parameters.
CNN_ETA, CNN_WEIGHT_DECAY = 0.05, 5e-4


def cnn_initial_params(rng):
    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    return [
        he((20, 1, 5, 5), 25), np.zeros(20, np.float32),
        he((40, 20, 5, 5), 500), np.zeros(40, np.float32),
        he((100, 640), 640), np.zeros(100, np.float32),
        he((10, 100), 100), np.zeros(10, np.float32),
    ]


# Chapter 8 learns from the first 50,000 training images (the last 10,000
# choose its epoch): the same 50,000 here.
TRAIN_SIZE = 50_000


def load():
    """Training and test images as (n, 784) f32 rows, labels as ints."""
    return (
        read_idx("train-images-idx3-ubyte")[:TRAIN_SIZE],
        read_idx("train-labels-idx1-ubyte")[:TRAIN_SIZE],
        read_idx("t10k-images-idx3-ubyte"),
        read_idx("t10k-labels-idx1-ubyte"),
    )


def cosine_eta(epoch, epochs, eta0=ETA):
    return eta0 * 0.5 * (1.0 + np.cos(np.pi * epoch / epochs))


def initial_params(rng):
    """He initialisation, weights (n_out, n_in) as in the book, biases 0."""
    n0, n1, n2 = SIZES
    return [
        (rng.standard_normal((n1, n0)) * np.sqrt(2.0 / n0)).astype(np.float32),
        np.zeros(n1, np.float32),
        (rng.standard_normal((n2, n1)) * np.sqrt(2.0 / n1)).astype(np.float32),
        np.zeros(n2, np.float32),
    ]


def train(epochs, seed, step, convert=lambda a: a, sync=lambda params: None,
          initial=initial_params, eta0=ETA):
    """Trains with `step(params, velocity, xb, yb, eta) -> (params,
    velocity)` on shuffled minibatches, timing each epoch's training only
    (`sync` waits for the work to finish). `convert` turns the initial
    NumPy arrays into the implementation's arrays; `initial(rng)` makes
    them (chapter 8's network unless told), `eta0` is the first learning
    rate. Returns the trained
    parameters, the epoch times and the test set."""
    x, labels, x_test, labels_test = load()
    y = np.eye(10, dtype=np.float32)[labels]
    rng = np.random.default_rng(seed)
    params = [convert(p) for p in initial(rng)]
    velocity = [convert(np.zeros(p.shape, np.float32)) for p in params]
    seconds = []
    for epoch in range(epochs):
        eta = np.float32(cosine_eta(epoch, epochs, eta0))
        order = rng.permutation(len(x))
        start = time.perf_counter()
        for b in range(0, len(x), BATCH):
            idx = order[b : b + BATCH]
            params, velocity = step(params, velocity, x[idx], y[idx], eta)
        sync(params)
        seconds.append(time.perf_counter() - start)
    return params, seconds, x_test, labels_test


def report(epoch_seconds, accuracy):
    """One machine-readable line for compare.py."""
    seconds = ",".join(f"{s:.4f}" for s in epoch_seconds)
    print(f"RESULT seconds={seconds} accuracy={accuracy:.4f}")
    sys.stdout.flush()
