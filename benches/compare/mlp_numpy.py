"""Chapter 8's default network in vectorised NumPy (batch as rows)."""

import sys
import time

import numpy as np

import common


def main(epochs, seed):
    x, labels, x_test, labels_test = common.load()
    y = np.eye(10, dtype=np.float32)[labels]
    rng = np.random.default_rng(seed)
    (n0, n1, n2) = common.SIZES
    params = [
        (rng.standard_normal((n1, n0)) * np.sqrt(2.0 / n0)).astype(np.float32),
        np.zeros(n1, np.float32),
        (rng.standard_normal((n2, n1)) * np.sqrt(2.0 / n1)).astype(np.float32),
        np.zeros(n2, np.float32),
    ]
    velocity = [np.zeros_like(p) for p in params]
    seconds = []
    for epoch in range(epochs):
        eta = np.float32(common.cosine_eta(epoch, epochs))
        order = rng.permutation(len(x))
        start = time.perf_counter()
        for b in range(0, len(x), common.BATCH):
            idx = order[b : b + common.BATCH]
            xb, yb = x[idx], y[idx]
            w1, b1, w2, b2 = params
            z1 = xb @ w1.T + b1
            a1 = np.maximum(z1, 0.0)
            z2 = a1 @ w2.T + b2
            z2 -= z2.max(axis=1, keepdims=True)
            a2 = np.exp(z2)
            a2 /= a2.sum(axis=1, keepdims=True)
            m = np.float32(len(idx))
            d2 = (a2 - yb) / m
            d1 = (d2 @ w2) * (z1 > 0)
            grads = [d1.T @ xb, d1.sum(0), d2.T @ a1, d2.sum(0)]
            for i, (p, g) in enumerate(zip(params, grads)):
                if p.ndim == 2:
                    g = g + np.float32(common.WEIGHT_DECAY) * p
                velocity[i] = np.float32(common.MOMENTUM) * velocity[i] - eta * g
                params[i] = p + velocity[i]
        seconds.append(time.perf_counter() - start)
    w1, b1, w2, b2 = params
    scores = np.maximum(x_test @ w1.T + b1, 0.0) @ w2.T + b2
    common.report(seconds, float((scores.argmax(1) == labels_test).mean()))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
