"""Chapter 10's convolutional network in PyTorch on the CPU (eager): the
same network, initialisation (common.py), loss and momentum update as
cnn_jax.py (conv 5x5x20 -> ReLU -> max-pool 2 -> conv 5x5x40 -> ReLU ->
max-pool 2 -> 100 (ReLU) -> 10), the gradient by autograd, PyTorch's own
convolutions (oneDNN), every core's threads."""

import sys

import torch
import torch.nn.functional as F

import common
import torch_common


def logits(params, xb):
    w1, b1, w2, b2, w3, b3, w4, b4 = params
    x = xb.reshape(-1, 1, 28, 28)
    a = F.max_pool2d(torch.relu(F.conv2d(x, w1, b1)), 2)
    a = F.max_pool2d(torch.relu(F.conv2d(a, w2, b2)), 2)
    f = a.reshape(a.shape[0], -1)  # channel by channel, as ours
    return torch.relu(f @ w3.T + b3) @ w4.T + b4


def main(epochs, seed):
    step = torch_common.momentum_step(logits, common.CNN_WEIGHT_DECAY)
    params, seconds, x_test, labels_test = common.train(
        epochs, seed, step, convert=torch_common.convert,
        initial=common.cnn_initial_params, eta0=common.CNN_ETA,
    )
    right = 0
    with torch.no_grad():
        for b in range(0, len(x_test), 1000):
            x = torch.from_numpy(x_test[b : b + 1000])
            scores = logits(params, x).numpy()
            right += int((scores.argmax(1) == labels_test[b : b + 1000]).sum())
    common.report(seconds, right / len(x_test))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
