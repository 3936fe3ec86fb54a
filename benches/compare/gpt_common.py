"""What the PyTorch and JAX versions of chapter 13's GPT share: the
Shakespeare setting, the learning-rate schedule, and the validation loss
measured as chapter 13 measures it (the corpus is shakespeare.py's)."""

import math

import numpy as np

LAYERS, HEADS, D, T, BATCH = 4, 4, 128, 64, 12
ETA, DECAY, CLIP, STRETCH = 1e-3, 0.1, 1.0, 256


def windows(rng, train):
    """BATCH windows of T + 1 tokens at random starts."""
    starts = rng.integers(0, len(train) - T, size=BATCH)
    return np.stack([train[s : s + T + 1] for s in starts])


def eta_at(step, warmup, steps):
    """A linear warm-up, then a cosine to 0."""
    if step < warmup:
        return ETA * (step + 1) / warmup
    t = (step - warmup) / (steps - warmup)
    return ETA * 0.5 * (1 + math.cos(math.pi * t))


def stream_loss(logits, stream):
    """Mean loss over every prediction after the first, as chapter 13
    measures it: stretches of 256 characters, each read in pieces of T + 1
    every T/2, each prediction counted once. `logits(tokens)` maps a
    (batch, t) array of tokens to (batch, t, vocabulary) logits."""
    predicted = len(stream) - 1
    whole, rest = divmod(predicted, STRETCH)
    stretches = [stream[i * STRETCH : i * STRETCH + STRETCH + 1] for i in range(whole)]
    batches = [np.stack(stretches[i : i + 64]) for i in range(0, whole, 64)]
    if rest:
        batches.append(stream[whole * STRETCH :][None, :])
    total = 0.0
    for rows in batches:
        n = rows.shape[1] - 1
        done, start = 0, 0
        while done < n:
            end = min(start + T, n)
            z = np.asarray(logits(rows[:, start:end]), dtype=np.float64)
            y = rows[:, start + 1 : end + 1]
            first = done - start
            z, y = z[:, first:], y[:, first:]
            top = z.max(axis=-1, keepdims=True)
            log_sum = top[..., 0] + np.log(np.exp(z - top).sum(axis=-1))
            chosen = np.take_along_axis(z, y[..., None], axis=-1)[..., 0]
            total += float((log_sum - chosen).sum())
            done, start = end, start + T // 2
    return total / predicted
