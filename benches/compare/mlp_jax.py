"""Chapter 8's default network in JAX on the CPU, the step under jax.jit."""

import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

import common


def loss(params, xb, yb):
    w1, b1, w2, b2 = params
    a1 = jax.nn.relu(xb @ w1.T + b1)
    z2 = a1 @ w2.T + b2
    return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(z2), axis=1))


@jax.jit
def step(params, velocity, xb, yb, eta):
    grads = jax.grad(loss)(params, xb, yb)
    new_params, new_velocity = [], []
    for p, v, g in zip(params, velocity, grads):
        if p.ndim == 2:
            g = g + common.WEIGHT_DECAY * p
        v = common.MOMENTUM * v - eta * g
        new_params.append(p + v)
        new_velocity.append(v)
    return new_params, new_velocity


def main(epochs, seed):
    x, labels, x_test, labels_test = common.load()
    y = np.eye(10, dtype=np.float32)[labels]
    rng = np.random.default_rng(seed)
    (n0, n1, n2) = common.SIZES
    params = [
        jnp.asarray((rng.standard_normal((n1, n0)) * np.sqrt(2.0 / n0)).astype(np.float32)),
        jnp.zeros(n1, jnp.float32),
        jnp.asarray((rng.standard_normal((n2, n1)) * np.sqrt(2.0 / n1)).astype(np.float32)),
        jnp.zeros(n2, jnp.float32),
    ]
    velocity = [jnp.zeros_like(p) for p in params]
    seconds = []
    for epoch in range(epochs):
        eta = jnp.float32(common.cosine_eta(epoch, epochs))
        order = rng.permutation(len(x))
        start = time.perf_counter()
        for b in range(0, len(x), common.BATCH):
            idx = order[b : b + common.BATCH]
            params, velocity = step(params, velocity, x[idx], y[idx], eta)
        jax.block_until_ready(params)
        seconds.append(time.perf_counter() - start)
    w1, b1, w2, b2 = params
    scores = jax.nn.relu(x_test @ w1.T + b1) @ w2.T + b2
    common.report(seconds, float((np.asarray(scores).argmax(1) == labels_test).mean()))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
