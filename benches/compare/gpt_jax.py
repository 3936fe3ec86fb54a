"""Chapter 13's GPT in JAX (CPU, the whole step under jax.jit), trained
the way `ch13-transformer train --corpus shakespeare` trains it and
gpt_torch.py trains PyTorch's: the same text, split, setting, schedule,
AdamW (weight decay on matrices only), clipping and measuring; GPT-2's
first weights (the same distributions, other draws). Written by us.
Prints the training seconds and the validation loss after the last step.
The thread count is set by the caller (run on one core with taskset).

    python gpt_jax.py STEPS WARMUP SEED
"""

import math
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

from gpt_common import CLIP, DECAY, HEADS, LAYERS, D, T
from gpt_common import eta_at, stream_loss, windows
from shakespeare import corpus


def first_weights(key, vocab):
    """Normal(0, 0.02) matrices, the residual projections scaled by
    1/√(2·layers), zero biases, unit gains; W_te (vocab, d) also the
    output layer."""
    keys = iter(jax.random.split(key, 2 + 4 * LAYERS))

    def normal(shape, std=0.02):
        return std * jax.random.normal(next(keys), shape, jnp.float32)

    residual = 0.02 / math.sqrt(2 * LAYERS)
    blocks = []
    for _ in range(LAYERS):
        blocks.append({
            "ln1_g": jnp.ones(D), "ln1_b": jnp.zeros(D),
            "w_qkv": normal((D, 3 * D)), "b_qkv": jnp.zeros(3 * D),
            "w_o": normal((D, D), residual), "b_o": jnp.zeros(D),
            "ln2_g": jnp.ones(D), "ln2_b": jnp.zeros(D),
            "w_fc": normal((D, 4 * D)), "b_fc": jnp.zeros(4 * D),
            "w_proj": normal((4 * D, D), residual), "b_proj": jnp.zeros(D),
        })
    return {"wte": normal((vocab, D)), "wpe": normal((T, D)),
            "blocks": blocks, "lnf_g": jnp.ones(D), "lnf_b": jnp.zeros(D)}


def layer_norm(x, gain, bias):
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / jnp.sqrt(variance + 1e-5) * gain + bias


def attention(x, p):
    b, t, d = x.shape
    q, k, v = jnp.split(x @ p["w_qkv"] + p["b_qkv"], 3, axis=-1)
    q, k, v = (m.reshape(b, t, HEADS, d // HEADS).transpose(0, 2, 1, 3)
               for m in (q, k, v))
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d // HEADS)
    future = jnp.triu(jnp.ones((t, t), bool), 1)
    weights = jax.nn.softmax(jnp.where(future, -jnp.inf, scores), axis=-1)
    y = (weights @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
    return y @ p["w_o"] + p["b_o"]


def logits(params, tokens):
    t = tokens.shape[1]
    x = params["wte"][tokens] + params["wpe"][:t]
    for p in params["blocks"]:
        x = x + attention(layer_norm(x, p["ln1_g"], p["ln1_b"]), p)
        u = layer_norm(x, p["ln2_g"], p["ln2_b"]) @ p["w_fc"] + p["b_fc"]
        x = x + jax.nn.gelu(u, approximate=True) @ p["w_proj"] + p["b_proj"]
    return layer_norm(x, params["lnf_g"], params["lnf_b"]) @ params["wte"].T


def loss(params, rows):
    z = logits(params, rows[:, :-1])
    chosen = jnp.take_along_axis(
        jax.nn.log_softmax(z), rows[:, 1:, None], axis=-1)
    return -chosen.mean()


@jax.jit
def step(params, m, v, rows, eta, t):
    """One AdamW step (PyTorch's rule: decay, then the Adam step) on the
    gradient clipped to norm CLIP."""
    g = jax.grad(loss)(params, rows)
    norm = jnp.sqrt(sum(jnp.sum(x * x) for x in jax.tree.leaves(g)))
    g = jax.tree.map(lambda x: x * jnp.minimum(1.0, CLIP / (norm + 1e-6)), g)
    m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
    v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)

    def update(p, m, v):
        decay = DECAY if p.ndim == 2 else 0.0
        p = p * (1 - eta * decay)
        m_hat, v_hat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)
        return p - eta * m_hat / (jnp.sqrt(v_hat) + 1e-8)

    return jax.tree.map(update, params, m, v), m, v


def main():
    steps, warmup, seed = (int(a) for a in sys.argv[1:4])
    rng = np.random.default_rng(seed)
    vocab, train, validation = corpus()
    params = first_weights(jax.random.PRNGKey(seed), vocab)
    m = jax.tree.map(jnp.zeros_like, params)
    v = jax.tree.map(jnp.zeros_like, params)
    # Compile outside the timed steps (the compiled step is kept).
    jax.block_until_ready(step(params, m, v, windows(rng, train), 0.0, 1.0))
    start = time.perf_counter()
    for s in range(steps):
        rows = jnp.asarray(windows(rng, train))
        eta = eta_at(s, warmup, steps)
        params, m, v = step(params, m, v, rows, eta, float(s + 1))
    jax.block_until_ready(params)
    seconds = time.perf_counter() - start
    forward = jax.jit(logits)
    validation_loss = stream_loss(lambda r: forward(params, r), validation)
    print(f"RESULT seconds={seconds:.3f} steps={steps} validation={validation_loss:.4f}")


if __name__ == "__main__":
    main()
