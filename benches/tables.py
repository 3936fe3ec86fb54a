"""Prints the appendix's tables from the last `cargo bench --bench training`
run (criterion's estimates under target/criterion).

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


def epoch_table():
    group = "epoch 784-128-10 f32"
    epoch = median_ns(group, "epoch 60000 batch 128")
    floor = median_ns(group, "matmul floor 60000 batch 128")
    gflops = flops_per_sample("784-128-10") * 60_000 / epoch
    print("| 784-128-10, batch 128, f32 | epoch | matmul floor "
          "| epoch / floor | GFLOP/s |")
    print("|---|---:|---:|---:|---:|")
    print(f"| 60,000 images | {duration(epoch)} | {duration(floor)} "
          f"| {epoch / floor:.2f}× | {gflops:.1f} |")
    print()


def main():
    step_table("f32")
    step_table("f64")
    epoch_table()
    for bench in ["epoch 60000", "evaluate 10000"]:
        ns = median_ns("default run f32", bench)
        print(f"default run f32 / {bench}: {duration(ns)}")


main()
