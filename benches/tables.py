"""Prints the appendix's step tables from the last `cargo bench --bench
training` run (criterion's estimates under target/criterion). The ladder
and `epoch_floor` benches print their own tables.

    python3 benches/tables.py
"""

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"
SHAPES = ["784-16-16-10", "784-30-10", "784-100-10", "784-128-10"]
BATCHES = [1, 10, 32, 128]


def median_ns(group, bench):
    path = ROOT / group / bench / "new" / "estimates.json"
    return json.loads(path.read_text())["median"]["point_estimate"]


def duration(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e3:.1f} µs"


def flops_per_sample(shape):
    sizes = [int(s) for s in shape.split("-")]
    return 6 * sum(a * b for a, b in zip(sizes, sizes[1:]))


def step_table(kind):
    print(f"| network | batch | step ({kind}) | samples/s | GFLOP/s "
          "| matmul floor | step / floor | ndarray's products |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for shape in SHAPES:
        for batch in BATCHES:
            bench = f"{shape}/{batch}"
            step = median_ns(f"step {kind}", bench)
            floor = median_ns(f"matmul {kind}", bench)
            ndarray = median_ns(f"ndarray matmul {kind}", bench)
            rate = batch / (step / 1e9)
            gflops = flops_per_sample(shape) * batch / step
            print(f"| {shape} | {batch} | {duration(step)} | {rate:,.0f} "
                  f"| {gflops:.1f} | {duration(floor)} | {step / floor:.2f}× "
                  f"| {duration(ndarray)} |")
    print()


def flops_per_second(group, bench, flops):
    return flops / (median_ns(group, bench) / 1e9)


def peak():
    """(one core, every core) FMA peak in GFLOP/s, from the training run
    (it writes `fma peak`)."""
    from_burst = ["f32 one core", "f32 every core"]
    burst = json.loads((ROOT / "fma peak" / from_burst[0] / "new"
                        / "benchmark.json").read_text())
    flops = burst["throughput"]["Elements"]
    one = flops_per_second("fma peak", from_burst[0], flops) / 1e9
    every = json.loads((ROOT / "fma peak" / from_burst[1] / "new"
                        / "benchmark.json").read_text())
    all_flops = every["throughput"]["Elements"]
    return one, flops_per_second("fma peak", from_burst[1], all_flops) / 1e9


def epoch_table():
    group = "default run f32"
    epoch = median_ns(group, "epoch 60000")
    floor = median_ns(group, "matmul floor 60000")
    # Multiply-adds per sample actually made: W·A and Δ·Aᵀ for both
    # layers, Wᵀ·Δ for the second only.
    real = 2 * (2 * 784 * 256 + 3 * 256 * 10) * 60_000
    _, every = peak()
    print("| default run, 784-256-10, batch 64, f32 | epoch | matmul floor "
          "| epoch / floor | GFLOP/s | share of the peak |")
    print("|---|---:|---:|---:|---:|---:|")
    rate = real / epoch
    print(f"| 60,000 images | {duration(epoch)} | {duration(floor)} "
          f"| {epoch / floor:.2f}× | {rate:.1f} | {100 * rate / every:.0f} % |")
    print()
    ns = median_ns(group, "evaluate 10000")
    print(f"evaluating 10,000 images: {duration(ns)}")
    print()


def threads_table():
    group = "threads default epoch f32"
    print("| threads | epoch | speed-up over 1 |")
    print("|---:|---:|---:|")
    one = median_ns(group, "1")
    for threads in ["1", "2", "4", "8"]:
        ns = median_ns(group, threads)
        print(f"| {threads} | {duration(ns)} | {one / ns:.2f}× |")
    print()


def main():
    if (ROOT / "step f32").exists():
        step_table("f32")
        step_table("f64")
        epoch_table()
        threads_table()


main()
