"""Chapter 13's GPT, ours against the same model in PyTorch (CPU; eager,
and torch.compile) and in JAX (CPU, jit), on 1 and 2 threads,
interleaved round by round: milliseconds per training step (median) and
the validation loss after the same steps. JAX runs in its own
environment (JAX_PYTHON); it is held to one core with taskset for the
one-thread rounds.

    python benches/compare/gpt.py ROUNDS STEPS
"""

import os
import re
import subprocess
import sys

from interleaved import compare, result

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OURS = os.path.join(ROOT, "target", "release", "ch13-transformer")


def warmup_of(steps):
    return max(1, steps // 20)


def run_ours(steps, threads, seed):
    out = subprocess.run(
        [OURS, "train", "--corpus", "shakespeare", "--steps", str(steps),
         "--warmup", str(warmup_of(steps)), "--seed", str(seed),
         "--threads", str(threads), "--save-as", "compare-gpt"],
        capture_output=True, text=True, check=True).stdout
    seconds = float(re.search(r"Trained in ([\d.]+) s", out).group(1))
    last = re.findall(r"validation ([\d.]+)", out)[-1]
    return seconds / steps, float(last)


def run_torch(mode):
    def run(steps, threads, seed):
        out = subprocess.run(
            [sys.executable, os.path.join(HERE, "gpt_torch.py"), str(steps),
             str(warmup_of(steps)), str(threads), str(seed), mode],
            capture_output=True, text=True, check=True).stdout
        return result(out)
    return run


def run_jax(steps, threads, seed):
    python = os.environ["JAX_PYTHON"]
    cores = "0" if threads == 1 else "0-1"
    out = subprocess.run(
        ["taskset", "-c", cores, python, os.path.join(HERE, "gpt_jax.py"),
         str(steps), str(warmup_of(steps)), str(seed)],
        capture_output=True, text=True, check=True).stdout
    return result(out)


def main():
    rounds, steps = int(sys.argv[1]), int(sys.argv[2])
    import torch
    print(f"PyTorch {torch.__version__}; {steps} steps of nanoGPT's CPU "
          f"setting on Shakespeare; {rounds} rounds, interleaved")
    runners = [("ours (Rust)", run_ours),
               ("PyTorch eager", run_torch("eager")),
               ("PyTorch compile", run_torch("compile"))]
    if os.environ.get("JAX_PYTHON"):
        runners.append(("JAX jit", run_jax))
    compare(runners, rounds, steps, 15)


if __name__ == "__main__":
    main()
