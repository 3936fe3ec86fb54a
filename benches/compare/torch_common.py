"""What the PyTorch peers of chapters 8 and 10 (mlp_torch.py, cnn_torch.py)
share: their parameters as autograd leaves, and the training step."""

import torch

import common


def convert(array):
    """A NumPy array as a leaf autograd can differentiate by (harmless for
    the velocity, which is only ever changed in place under no_grad)."""
    return torch.from_numpy(array).clone().requires_grad_(True)


def momentum_step(logits, weight_decay):
    """A step(params, velocity, xb, yb, eta) for common.train: softmax +
    cross-entropy on `logits(params, xb)`, the gradient by autograd, then
    momentum with weight decay on the weights (the arrays of 2 or more
    dimensions), as the NumPy and JAX peers do."""

    def step(params, velocity, xb, yb, eta):
        xb, yb = torch.from_numpy(xb), torch.from_numpy(yb)
        log_p = torch.log_softmax(logits(params, xb), dim=1)
        loss = -(yb * log_p).sum(dim=1).mean()
        grads = torch.autograd.grad(loss, params)
        eta = float(eta)
        with torch.no_grad():
            for p, v, g in zip(params, velocity, grads):
                if p.ndim >= 2:
                    g = g + weight_decay * p
                v.mul_(common.MOMENTUM).sub_(eta * g)
                p.add_(v)
        return params, velocity

    return step
