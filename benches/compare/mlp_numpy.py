"""Chapter 8's default network in vectorised NumPy (batch as rows)."""

import sys

import numpy as np

import common


def step(params, velocity, xb, yb, eta):
    w1, b1, w2, b2 = params
    z1 = xb @ w1.T + b1
    a1 = np.maximum(z1, 0.0)
    z2 = a1 @ w2.T + b2
    z2 -= z2.max(axis=1, keepdims=True)
    a2 = np.exp(z2)
    a2 /= a2.sum(axis=1, keepdims=True)
    d2 = (a2 - yb) / np.float32(len(xb))
    d1 = (d2 @ w2) * (z1 > 0)
    grads = [d1.T @ xb, d1.sum(0), d2.T @ a1, d2.sum(0)]
    new_params, new_velocity = [], []
    for p, v, g in zip(params, velocity, grads):
        if p.ndim == 2:
            g = g + np.float32(common.WEIGHT_DECAY) * p
        v = np.float32(common.MOMENTUM) * v - eta * g
        new_params.append(p + v)
        new_velocity.append(v)
    return new_params, new_velocity


def main(epochs, seed):
    params, seconds, x_test, labels_test = common.train(epochs, seed, step)
    w1, b1, w2, b2 = params
    scores = np.maximum(x_test @ w1.T + b1, 0.0) @ w2.T + b2
    common.report(seconds, float((scores.argmax(1) == labels_test).mean()))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
