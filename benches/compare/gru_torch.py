"""Chapter 12's GRU in PyTorch (CPU, torch.nn.GRU), trained the way
`ch12-sequences train --model gru --corpus shakespeare` trains it: the same
text, split and vocabulary, windows of 65 characters drawn at random, 32
per step, Adam with eta 0.01 on a cosine schedule to 0, the gradient
clipped to norm 1, f32. Prints the training seconds (measuring excluded)
and the validation loss after the last step, measured as chapter 12
measures it (stretches of 256 characters, each predicted from its start).

    python gru_torch.py STEPS THREADS SEED
"""

import math
import os
import sys
import time

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEXT = os.path.join(ROOT, "data", "shakespeare", "shakespeare.txt")
H, BATCH, WINDOW, ETA, CLIP, STRETCH = 128, 32, 65, 0.01, 1.0, 256


def main():
    steps, threads, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    with open(TEXT, encoding="ascii") as f:
        text = f.read()
    symbols = sorted(set(text))
    index = {c: i for i, c in enumerate(symbols)}
    tokens = np.array([index[c] for c in text], dtype=np.int64)
    n = len(tokens)
    train, validation = tokens[: n * 90 // 100], tokens[n * 90 // 100 : n * 95 // 100]
    v = len(symbols)
    gru = torch.nn.GRU(v, H)
    out = torch.nn.Linear(H, v)
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
        count = len(validation) // STRETCH
        stretches = torch.from_numpy(validation[: count * STRETCH].reshape(count, STRETCH).T.copy())
        total = 0.0
        for first in range(0, count, 64):
            chunk = stretches[:, first : first + 64]
            total += loss_of(chunk).item() * chunk.shape[1]
        validation_loss = total / count
    print(f"RESULT seconds={seconds:.3f} steps={steps} validation={validation_loss:.4f}")


if __name__ == "__main__":
    main()
