"""Chapter 10's convolutional network in JAX on the CPU, the step under
jax.jit: conv 5x5x20 -> ReLU -> max-pool 2 -> conv 5x5x40 -> ReLU ->
max-pool 2 -> 100 (ReLU) -> 10, softmax + cross-entropy, He
initialisation, momentum 0.9 with weight decay on the weights, a cosine
learning rate, minibatches of 64, f32, no augmentation (the timing is of
training only)."""

import sys

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

import common

def conv_relu_pool(x, w, b):
    z = lax.conv_general_dilated(x, w, (1, 1), "VALID",
                                 dimension_numbers=("NCHW", "OIHW", "NCHW"))
    a = jax.nn.relu(z + b[None, :, None, None])
    return lax.reduce_window(a, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def logits(params, xb):
    w1, b1, w2, b2, w3, b3, w4, b4 = params
    x = xb.reshape(-1, 1, 28, 28)
    a = conv_relu_pool(conv_relu_pool(x, w1, b1), w2, b2)
    f = a.reshape(a.shape[0], -1)  # channel by channel, as ours
    a3 = jax.nn.relu(f @ w3.T + b3)
    return a3 @ w4.T + b4


def loss(params, xb, yb):
    return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(logits(params, xb)), axis=1))


@jax.jit
def step(params, velocity, xb, yb, eta):
    grads = jax.grad(loss)(params, xb, yb)
    new_params, new_velocity = [], []
    for p, v, g in zip(params, velocity, grads):
        if p.ndim >= 2:
            g = g + common.CNN_WEIGHT_DECAY * p
        v = common.MOMENTUM * v - eta * g
        new_params.append(p + v)
        new_velocity.append(v)
    return new_params, new_velocity


def main(epochs, seed):
    params, seconds, x_test, labels_test = common.train(
        epochs, seed, step, convert=jnp.asarray, sync=jax.block_until_ready,
        initial=common.cnn_initial_params, eta0=common.CNN_ETA,
    )
    predict = jax.jit(logits)
    right = 0
    for b in range(0, len(x_test), 1000):
        scores = np.asarray(predict(params, x_test[b : b + 1000]))
        right += int((scores.argmax(1) == labels_test[b : b + 1000]).sum())
    common.report(seconds, right / len(x_test))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
