"""Chapter 13's GPT against an independent implementation: the same model
written in PyTorch in the style of nanoGPT's model (by us), loaded from our
saved file, must give our logits on the validation text and our gradient
on one batch, the way llm.c's test_gpt2.c checks itself against PyTorch.

    python gpt_parity.py MODEL.safetensors DIR

DIR holds what `cargo run --release -p ch13-transformer --example parity`
wrote. Prints the worst differences; exits 1 if the logits differ by more
than 1e-4 or any tensor's gradient by more than 1e-4 relative to its
largest entry.
"""

import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import load_file


class CausalSelfAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.c_attn(x).split(d, dim=2)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (m.view(shape).transpose(1, 2) for m in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        future = torch.ones(t, t, dtype=torch.bool).triu(1)
        weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        y = (weights @ v).transpose(1, 2).contiguous().view(b, t, d)
        return self.c_proj(y)


class Mlp(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d)
        self.c_proj = nn.Linear(4 * d, d)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, eps=1e-5)
        self.attn = CausalSelfAttention(d, heads)
        self.ln_2 = nn.LayerNorm(d, eps=1e-5)
        self.mlp = Mlp(d)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, vocab, block, layers, heads, d):
        super().__init__()
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(vocab, d),
                wpe=nn.Embedding(block, d),
                h=nn.ModuleList(Block(d, heads) for _ in range(layers)),
                ln_f=nn.LayerNorm(d, eps=1e-5),
            )
        )
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied

    def forward(self, idx):
        t = idx.shape[1]
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(t))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


def worst(a, b):
    return (a - b).abs().max().item()


def main():
    model_path, folder = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    with safe_open(model_path, framework="pt") as f:
        meta = f.metadata()
    weights = load_file(model_path)
    vocab = weights["transformer.wte.weight"].shape[0]
    sizes = [int(meta[k]) for k in ("block", "layers", "heads", "width")]
    model = Gpt(vocab, *sizes)
    missing, unexpected = model.load_state_dict(weights, strict=False)
    assert missing == ["lm_head.weight"] and not unexpected, (missing, unexpected)

    ours = load_file(os.path.join(folder, "logits.safetensors"))
    tokens = ours["tokens"].long().unsqueeze(0)
    with torch.no_grad():
        logits = model(tokens)[0]
    logit_error = worst(logits, ours["logits"])
    print(f"logits on {tokens.shape[1]} validation characters: worst "
          f"difference {logit_error:.2e} (largest logit "
          f"{ours['logits'].abs().max().item():.2f})")

    batch = load_file(os.path.join(folder, "batch.safetensors"))
    windows = batch["windows"].long().t()  # (B, T + 1)
    x, y = windows[:, :-1], windows[:, 1:]
    z = model(x)
    loss = F.cross_entropy(z.reshape(-1, vocab), y.reshape(-1))
    loss.backward()
    print(f"loss on one batch of {windows.shape[0]} windows: PyTorch "
          f"{loss.item():.6f}, ours {batch['loss'].item():.6f}")
    gradient = load_file(os.path.join(folder, "gradient.safetensors"))
    named = dict(model.named_parameters())
    relative = {}
    for name, g in gradient.items():
        theirs = named[name].grad
        relative[name] = worst(g, theirs) / theirs.abs().max().item()
    name = max(relative, key=relative.get)
    print(f"gradients of {len(relative)} tensors: worst relative difference "
          f"{relative[name]:.2e} ({name})")
    ok = logit_error <= 1e-4 and max(relative.values()) <= 1e-4
    print("parity:", "yes" if ok else "NO")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
