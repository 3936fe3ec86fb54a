#!/usr/bin/env bash
# Chapter 8's default network four ways — ours, NumPy, JAX and PyTorch (CPU)
# — on the same MNIST files, interleaved, medians printed; with a third
# argument `cnn`, chapter 10's convolutional network, ours, JAX's and
# PyTorch's. One command does all the set-up: virtual environments with the
# peers from PyPI (pinned in requirements.txt and requirements-torch.txt),
# our release build, and MNIST (fetched once).
#
#   bash benches/compare/run.sh [ROUNDS=3] [EPOCHS=10] [mlp|cnn]
#   bash benches/compare/run.sh [ROUNDS=3] [STEPS=300] gru
#   bash benches/compare/run.sh [ROUNDS=3] [STEPS=300] gpt
#   bash benches/compare/run.sh - - gpt-parity
#
# With `gru`, chapter 12's GRU against PyTorch's torch.nn.GRU (CPU), on 1
# and 2 threads; PyTorch is installed from PyPI into its own environment
# (pinned in requirements-torch.txt; about 7 GB with its CUDA libraries,
# which the CPU run does not use).
set -euo pipefail
cd "$(dirname "$0")/../.."

torch_venv() {
    venv=target/compare-torch-venv
    if [ ! -x "$venv/bin/python" ] ||
        ! "$venv/bin/python" -c "import safetensors" 2>/dev/null; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --upgrade pip
        "$venv/bin/pip" install --quiet numpy -r benches/compare/requirements-torch.txt
    fi
}

if [ "${3:-mlp}" = gpt-parity ]; then
    # With `gpt-parity`, chapter 13's GPT against the same model in
    # PyTorch (gpt_parity.py): a model trained for 200 steps on
    # Shakespeare, its logits and its gradient on one batch.
    torch_venv
    cargo build --release --quiet -p ch13-transformer --example parity
    model=data/models/compare-gpt.safetensors
    target/release/ch13-transformer train --corpus shakespeare \
        --steps 200 --save-as compare-gpt >/dev/null
    target/release/examples/parity "$model" target/gpt-parity
    exec "$venv/bin/python" benches/compare/gpt_parity.py "$model" \
        target/gpt-parity
fi

jax_venv() {
    jax=target/compare-venv
    if [ ! -x "$jax/bin/python" ]; then
        python3 -m venv "$jax"
        "$jax/bin/pip" install --quiet --upgrade pip
        "$jax/bin/pip" install --quiet -r benches/compare/requirements.txt
    fi
}

if [ "${3:-mlp}" = gpt ]; then
    # With `gpt`, chapter 13's GPT against the same model in PyTorch
    # (eager and torch.compile) and JAX (jit) on 1 and 2 threads.
    torch_venv
    jax_venv
    cargo build --release --quiet -p ch13-transformer
    JAX_PYTHON="$PWD/$jax/bin/python" exec "$venv/bin/python" \
        benches/compare/gpt.py "${1:-3}" "${2:-300}"
fi

if [ "${3:-mlp}" = gru ]; then
    torch_venv
    cargo build --release --quiet -p ch12-sequences
    # Fetch and verify the corpora into data/ if they are not there yet.
    target/release/ch12-sequences train --model bigram --corpus shakespeare \
        --save-as compare-fetch >/dev/null
    exec "$venv/bin/python" benches/compare/gru.py "${1:-3}" "${2:-300}"
fi

torch_venv
jax_venv
cargo build --release --quiet -p ch08-mnist -p ch10-cnn
# Fetch and verify MNIST into data/mnist if it is not there yet.
target/release/ch08-mnist --quick >/dev/null
TORCH_PYTHON="$PWD/$venv/bin/python" "$jax/bin/python" \
    benches/compare/compare.py "${1:-3}" "${2:-10}" "${3:-mlp}"
