"""Chapter 8's default network in PyTorch on the CPU (eager): the same
parameters, forward pass, loss and momentum update as mlp_jax.py, the
gradient by autograd, every core's threads (PyTorch's default)."""

import sys

import torch

import common
import torch_common


def logits(params, x):
    w1, b1, w2, b2 = params
    return torch.relu(x @ w1.T + b1) @ w2.T + b2


def main(epochs, seed):
    step = torch_common.momentum_step(logits, common.WEIGHT_DECAY)
    params, seconds, x_test, labels_test = common.train(
        epochs, seed, step, convert=torch_common.convert
    )
    with torch.no_grad():
        scores = logits(params, torch.from_numpy(x_test)).numpy()
    common.report(seconds, float((scores.argmax(1) == labels_test).mean()))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
