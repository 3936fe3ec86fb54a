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

import os
import sys

import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import load_file

from gpt_model import Gpt


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
