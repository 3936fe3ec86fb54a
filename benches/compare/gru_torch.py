"""Chapter 12's GRU in PyTorch (CPU, torch.nn.GRU), trained the way
`ch12-sequences train --model gru --corpus shakespeare` trains it: the same
text, split and vocabulary, windows of 65 characters drawn at random, 32
per step, Adam with eta 0.01 on a cosine schedule to 0, the gradient
clipped to norm 1, f32. Prints the training seconds (measuring excluded)
and the validation loss after the last step, measured as chapter 12
measures it (every character after the first, in stretches of 256). The
first weights are drawn from chapter 12's distributions.

    python gru_torch.py STEPS THREADS SEED
"""

import math
import sys
import time

import numpy as np
import torch

from shakespeare import corpus

H, BATCH, WINDOW, ETA, CLIP, STRETCH = 128, 32, 65, 0.01, 1.0, 256


def main():
    steps, threads, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    v, train, validation = corpus()
    gru = torch.nn.GRU(v, H)
    out = torch.nn.Linear(H, v)
    # Chapter 12's first weights (the same distributions, other draws):
    # W_x ~ N(0, 1/4), W_h and W_hy ~ N(0, 1/H), biases 0.
    with torch.no_grad():
        gru.weight_ih_l0.normal_(0.0, 0.5)
        gru.weight_hh_l0.normal_(0.0, H ** -0.5)
        gru.bias_ih_l0.zero_()
        gru.bias_hh_l0.zero_()
        out.weight.normal_(0.0, H ** -0.5)
        out.bias.zero_()
    params = list(gru.parameters()) + list(out.parameters())
    adam = torch.optim.Adam(params, lr=ETA)
    eye = torch.eye(v)

    def loss_of(windows):
        x = eye[windows[:-1]]  # one-hot inputs (L, B, V)
        h, _ = gru(x)
        z = out(h)
        return torch.nn.functional.cross_entropy(z.reshape(-1, v), windows[1:].reshape(-1))

    start = time.perf_counter()
    for step in range(steps):
        starts = rng.integers(0, len(train) - WINDOW + 1, size=BATCH)
        windows = torch.from_numpy(np.stack([train[s : s + WINDOW] for s in starts], axis=1))
        for group in adam.param_groups:
            group["lr"] = ETA * 0.5 * (1 + math.cos(math.pi * step / steps))
        loss = loss_of(windows)
        adam.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP)
        adam.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        # Every character after the first predicted once: stretches of 256
        # predictions, each read from the character before it.
        predicted = len(validation) - 1
        whole, rest = divmod(predicted, STRETCH)
        total = 0.0
        for first in range(0, whole, 64):
            count = min(64, whole - first)
            windows = np.stack([validation[i * STRETCH : i * STRETCH + STRETCH + 1]
                                for i in range(first, first + count)], axis=1)
            total += loss_of(torch.from_numpy(windows)).item() * count * STRETCH
        if rest:
            last = validation[whole * STRETCH :].reshape(-1, 1)
            total += loss_of(torch.from_numpy(last.copy())).item() * rest
        validation_loss = total / predicted
    print(f"RESULT seconds={seconds:.3f} steps={steps} validation={validation_loss:.4f}")


if __name__ == "__main__":
    main()
