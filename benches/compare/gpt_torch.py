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
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from gpt_common import BATCH, CLIP, DECAY, ETA, HEADS, LAYERS, D, T
from gpt_common import eta_at, stream_loss, windows
from shakespeare import corpus
from gpt_model import Gpt


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


def main():
    steps, warmup, threads, seed = (int(a) for a in sys.argv[1:5])
    mode = sys.argv[5] if len(sys.argv) > 5 else "eager"
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    vocab, train, validation = corpus()
    model = Gpt(vocab, T, LAYERS, HEADS, D)
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
        batch = torch.from_numpy(windows(rng, train))
        for group in adamw.param_groups:
            group["lr"] = eta_at(step, warmup, steps)
        train_step(batch)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        validation_loss = stream_loss(
            lambda rows: model(torch.from_numpy(rows)).numpy(), validation)
    print(f"RESULT seconds={seconds:.3f} steps={steps} validation={validation_loss:.4f}")


if __name__ == "__main__":
    main()
