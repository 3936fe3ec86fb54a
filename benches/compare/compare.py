"""Runs chapter 8's default network — ours, NumPy's, JAX's and
PyTorch's — several times each, interleaved, and prints median seconds per
epoch (training only), final test accuracy, and our speed-up over each.
With `cnn`, chapter 10's convolutional network instead, ours against
JAX's and PyTorch's. PyTorch runs in its own environment, named by
TORCH_PYTHON (run.sh sets it; left out where it is not set).

    python benches/compare/compare.py ROUNDS EPOCHS [mlp|cnn]
"""

import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OURS = os.path.join(ROOT, "target", "release", "ch08-mnist")
OURS_CNN = os.path.join(ROOT, "target", "release", "ch10-cnn")


def run_ours(epochs):
    # Saved under its own name, so the book's default model stays.
    out = subprocess.run([OURS, "--epochs", str(epochs), "--save-as", "compare"],
                         capture_output=True, text=True, check=True).stdout
    # Chapter 8 prints times to 0.1 s, too coarse for one epoch (about
    # 0.5 s): use the total over all epochs, which is good to 0.1 / EPOCHS.
    total = float(re.search(r"Trained in ([\d.]+) s", out).group(1))
    seconds = [total / epochs] * epochs
    accuracy = float(re.search(r"Test accuracy of that epoch's network: ([\d.]+) %", out).group(1)) / 100.0
    return seconds, accuracy


def run_ours_cnn(epochs):
    # The same network and settings as cnn_jax.py: no augmentation, so the
    # epoch times are of training alone (ours prints each to 0.1 s).
    out = subprocess.run([OURS_CNN, "train", "--epochs", str(epochs), "--augment", "none",
                          "--save-as", "compare-cnn"],
                         capture_output=True, text=True, check=True).stdout
    seconds = [float(s) for s in re.findall(r"validation +[\d.]+ %\s+([\d.]+) s", out)]
    accuracy = float(re.search(r"Test accuracy of that epoch's network: ([\d.]+) %", out).group(1)) / 100.0
    return seconds, accuracy


def run_peer(script, epochs, seed, python=sys.executable):
    out = subprocess.run([python, os.path.join(HERE, script), str(epochs), str(seed)],
                         capture_output=True, text=True, check=True).stdout
    line = re.search(r"RESULT seconds=([\d.,]+) accuracy=([\d.]+)", out)
    return [float(s) for s in line.group(1).split(",")], float(line.group(2))


def main():
    rounds, epochs = int(sys.argv[1]), int(sys.argv[2])
    cnn = len(sys.argv) > 3 and sys.argv[3] == "cnn"
    if cnn:
        tools = {
            "ours (Rust)": lambda r: run_ours_cnn(epochs),
            "JAX (jit, CPU)": lambda r: run_peer("cnn_jax.py", epochs, r),
        }
        torch_script = "cnn_torch.py"
    else:
        tools = {
            "ours (Rust)": lambda r: run_ours(epochs),
            "NumPy": lambda r: run_peer("mlp_numpy.py", epochs, r),
            "JAX (jit, CPU)": lambda r: run_peer("mlp_jax.py", epochs, r),
        }
        torch_script = "mlp_torch.py"
    torch_python = os.environ.get("TORCH_PYTHON")
    if torch_python:
        tools["PyTorch (eager, CPU)"] = lambda r: run_peer(
            torch_script, epochs, r, torch_python)
    seconds = {name: [] for name in tools}
    accuracy = {name: [] for name in tools}
    names = list(tools)
    for r in range(rounds):
        # Rotate the order each round so no tool always runs first.
        for name in names[r % len(names):] + names[: r % len(names)]:
            s, a = tools[name](r)
            seconds[name].extend(s)
            accuracy[name].append(a)
            print(f"round {r + 1}: {name}: {statistics.median(s):.3f} s/epoch, {100 * a:.2f} %", flush=True)
    ours = statistics.median(seconds[names[0]])
    network = ("conv 5x5x20, pool, conv 5x5x40, pool, 100, 10" if cnn else "784-256-10")
    print(f"\n{rounds} rounds x {epochs} epochs, {network}, batch 64, momentum, f32")
    print("| implementation | median s/epoch | test accuracy (mean) | ours is faster by |")
    print("|---|---:|---:|---:|")
    for name in names:
        median = statistics.median(seconds[name])
        mean_accuracy = 100 * statistics.mean(accuracy[name])
        speedup = "—" if name == names[0] else f"{median / ours:.2f}×"
        print(f"| {name} | {median:.3f} | {mean_accuracy:.2f} % | {speedup} |")


if __name__ == "__main__":
    main()
