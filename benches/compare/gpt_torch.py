"""Chapter 13's GPT in PyTorch (CPU), trained the way
`ch13-transformer train --corpus shakespeare` trains it: the same text,
split and vocabulary; nanoGPT's CPU setting (4 blocks, 4 heads, width 128,
context 64, batch 12); windows drawn at random; AdamW (eta 1e-3, betas
0.9 and 0.999, weight decay 0.1 on matrices only) with a linear warm-up
then a cosine to 0; the gradient clipped to norm 1; f32. GPT-2's first
weights (the same distributions, other draws). Prints the training
seconds (measuring excluded) and the validation loss after the last step,
measured as chapter 13 measures it: every character after the first
predicted once, in stretches of 256 read in pieces of 65 every 32.

    python gpt_torch.py STEPS WARMUP THREADS SEED [eager|compile]
"""

import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from gpt_model import Gpt

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEXT = os.path.join(ROOT, "data", "shakespeare", "shakespeare.txt")
LAYERS, HEADS, D, T, BATCH = 4, 4, 128, 64, 12
ETA, DECAY, CLIP, STRETCH = 1e-3, 0.1, 1.0, 256


def first_weights(model):
    residual = 0.02 / math.sqrt(2 * LAYERS)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.zero_()
            elif "ln_" in name:
                p.fill_(1.0)
            elif name.endswith("c_proj.weight"):
                p.normal_(0.0, residual)
            else:
                p.normal_(0.0, 0.02)


def eta_at(step, warmup, steps):
    if step < warmup:
        return ETA * (step + 1) / warmup
    t = (step - warmup) / (steps - warmup)
    return ETA * 0.5 * (1 + math.cos(math.pi * t))


def stream_loss(model, stream):
    """Mean loss over every prediction after the first, as chapter 13."""
    predicted = len(stream) - 1
    whole, rest = divmod(predicted, STRETCH)
    windows = [stream[i * STRETCH : i * STRETCH + STRETCH + 1] for i in range(whole)]
    total = 0.0
    batches = [np.stack(windows[i : i + 64]) for i in range(0, whole, 64)]
    if rest:
        batches.append(stream[whole * STRETCH :][None, :])
    for batch in batches:
        rows = torch.from_numpy(batch)
        n = rows.shape[1] - 1
        done, start = 0, 0
        while done < n:
            end = min(start + T, n)
            z = model(rows[:, start:end])
            y = rows[:, start + 1 : end + 1]
            first = done - start
            losses = F.cross_entropy(
                z[:, first:].reshape(-1, z.shape[-1]),
                y[:, first:].reshape(-1),
                reduction="sum",
            )
            total += losses.item()
            done, start = end, start + T // 2
    return total / predicted


def main():
    steps, warmup, threads, seed = (int(a) for a in sys.argv[1:5])
    mode = sys.argv[5] if len(sys.argv) > 5 else "eager"
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    with open(TEXT, encoding="ascii") as f:
        text = f.read()
    symbols = sorted(set(text))
    index = {c: i for i, c in enumerate(symbols)}
    tokens = np.array([index[c] for c in text], dtype=np.int64)
    n = len(tokens)
    train = tokens[: n * 90 // 100]
    validation = tokens[n * 90 // 100 : n * 95 // 100]
    model = Gpt(len(symbols), T, LAYERS, HEADS, D)
    first_weights(model)
    params = list(model.parameters())
    decayed = [p for p in params if p.dim() >= 2]
    plain = [p for p in params if p.dim() < 2]
    adamw = torch.optim.AdamW(
        [{"params": decayed, "weight_decay": DECAY},
         {"params": plain, "weight_decay": 0.0}],
        lr=ETA, betas=(0.9, 0.999), eps=1e-8)
    step_model = torch.compile(model) if mode == "compile" else model

    def train_step(windows):
        z = step_model(windows[:, :-1])
        loss = F.cross_entropy(z.reshape(-1, z.shape[-1]), windows[:, 1:].reshape(-1))
        adamw.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP)
        adamw.step()

    if mode == "compile":  # compile outside the timed steps
        warm = torch.from_numpy(np.stack([train[:T + 1]] * BATCH))
        saved = [p.detach().clone() for p in params]
        train_step(warm)
        with torch.no_grad():
            for p, s in zip(params, saved):
                p.copy_(s)
        adamw.state.clear()
    start = time.perf_counter()
    for step in range(steps):
        starts = rng.integers(0, len(train) - T, size=BATCH)
        windows = torch.from_numpy(np.stack([train[s : s + T + 1] for s in starts]))
        for group in adamw.param_groups:
            group["lr"] = eta_at(step, warmup, steps)
        train_step(windows)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        validation_loss = stream_loss(model, validation)
    print(f"RESULT seconds={seconds:.3f} steps={steps} validation={validation_loss:.4f}")


if __name__ == "__main__":
    main()
