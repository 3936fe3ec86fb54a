"""Chapter 8's default network in PyTorch on the CPU (eager): the same
parameters, forward pass, loss and momentum update as mlp_jax.py, the
gradient by autograd, every core's threads (PyTorch's default)."""

import sys

import torch

import common


def step(params, velocity, xb, yb, eta):
    xb, yb = torch.from_numpy(xb), torch.from_numpy(yb)
    w1, b1, w2, b2 = params
    z2 = torch.relu(xb @ w1.T + b1) @ w2.T + b2
    loss = -(yb * torch.log_softmax(z2, dim=1)).sum(dim=1).mean()
    grads = torch.autograd.grad(loss, params)
    eta = float(eta)
    with torch.no_grad():
        for p, v, g in zip(params, velocity, grads):
            if p.ndim == 2:
                g = g + common.WEIGHT_DECAY * p
            v.mul_(common.MOMENTUM).sub_(eta * g)
            p.add_(v)
    return params, velocity


def convert(array):
    # A leaf autograd can differentiate by (harmless for the velocity,
    # which is only ever changed in place under no_grad).
    return torch.from_numpy(array).clone().requires_grad_(True)


def main(epochs, seed):
    params, seconds, x_test, labels_test = common.train(
        epochs, seed, step, convert=convert
    )
    with torch.no_grad():
        w1, b1, w2, b2 = params
        x = torch.from_numpy(x_test)
        scores = (torch.relu(x @ w1.T + b1) @ w2.T + b2).numpy()
    common.report(seconds, float((scores.argmax(1) == labels_test).mean()))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
