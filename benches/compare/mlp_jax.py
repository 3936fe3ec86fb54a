"""Chapter 8's default network in JAX on the CPU, the step under jax.jit."""

import sys

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
    params, seconds, x_test, labels_test = common.train(
        epochs, seed, step, convert=jnp.asarray, sync=jax.block_until_ready
    )
    w1, b1, w2, b2 = params
    scores = jax.nn.relu(x_test @ w1.T + b1) @ w2.T + b2
    common.report(seconds, float((np.asarray(scores).argmax(1) == labels_test).mean()))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
