"""Chapter 12's GRU, ours against PyTorch's (CPU), on 1 and 2 threads,
interleaved round by round: milliseconds per training step (median) and
the validation loss after the same steps.

    python benches/compare/gru.py ROUNDS STEPS
"""

import os
import re
import subprocess
import sys

from interleaved import compare, result

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OURS = os.path.join(ROOT, "target", "release", "ch12-sequences")


def run_ours(steps, threads, seed):
    out = subprocess.run(
        [OURS, "train", "--model", "gru", "--corpus", "shakespeare",
         "--steps", str(steps), "--seed", str(seed), "--threads", str(threads),
         "--save-as", "compare-gru"],
        capture_output=True, text=True, check=True).stdout
    seconds = float(re.search(r"Trained in ([\d.]+) s", out).group(1))
    validation = float(re.search(r"after the last step: ([\d.]+)", out).group(1))
    return seconds / steps, validation


def run_torch(steps, threads, seed):
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, "gru_torch.py"), str(steps), str(threads), str(seed)],
        capture_output=True, text=True, check=True).stdout
    return result(out)


def main():
    rounds, steps = int(sys.argv[1]), int(sys.argv[2])
    import torch
    print(f"PyTorch {torch.__version__}; {steps} steps of 32 windows of 65 "
          f"characters, H = 128, Shakespeare; {rounds} rounds, interleaved")
    compare([("ours (Rust)", run_ours), ("PyTorch (CPU)", run_torch)],
            rounds, steps, 14)


if __name__ == "__main__":
    main()
