"""Chapter 12's GRU, ours against PyTorch's (CPU), on 1 and 2 threads,
interleaved round by round: milliseconds per training step (median) and
the validation loss after the same steps.

    python benches/compare/gru.py ROUNDS STEPS
"""

import os
import re
import statistics
import subprocess
import sys

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
    line = re.search(r"RESULT seconds=([\d.]+) steps=\d+ validation=([\d.]+)", out)
    return float(line.group(1)) / steps, float(line.group(2))


def main():
    rounds, steps = int(sys.argv[1]), int(sys.argv[2])
    import torch
    print(f"PyTorch {torch.__version__}; {steps} steps of 32 windows of 65 "
          f"characters, H = 128, Shakespeare; {rounds} rounds, interleaved")
    for threads in (1, 2):
        times = {"ours (Rust)": [], "PyTorch (CPU)": []}
        losses = {"ours (Rust)": [], "PyTorch (CPU)": []}
        for r in range(rounds):
            for name, run in (("ours (Rust)", run_ours), ("PyTorch (CPU)", run_torch)):
                step, validation = run(steps, threads, r + 1)
                times[name].append(step)
                losses[name].append(validation)
                print(f"  threads {threads} round {r + 1} {name:14} "
                      f"{1e3 * step:7.2f} ms/step  validation {validation:.4f}", flush=True)
        ours = statistics.median(times["ours (Rust)"])
        for name in times:
            median = statistics.median(times[name])
            print(f"threads {threads}: {name:14} {1e3 * median:7.2f} ms/step (median), "
                  f"validation {statistics.mean(losses[name]):.4f} (mean), "
                  f"ours {median / ours:.2f}x as fast")


if __name__ == "__main__":
    main()
