"""The side-by-side harness of gru.py and gpt.py: runners timed round by
round, interleaved, on 1 and 2 threads; medians of the step times and
means of the validation losses printed, with each runner's speed against
ours."""

import re
import statistics


def result(out):
    """(seconds per step, validation loss) from a peer script's RESULT line."""
    line = re.search(r"RESULT seconds=([\d.]+) steps=(\d+) validation=([\d.]+)", out)
    return float(line.group(1)) / int(line.group(2)), float(line.group(3))


def compare(runners, rounds, steps, width):
    """Runs each (name, run) of `runners` — run(steps, threads, seed) gives
    (seconds per step, validation loss) — `rounds` times on each thread
    count, interleaved; the first runner is ours."""
    ours_name = runners[0][0]
    for threads in (1, 2):
        times = {name: [] for name, _ in runners}
        losses = {name: [] for name, _ in runners}
        for r in range(rounds):
            for name, run in runners:
                step, validation = run(steps, threads, r + 1)
                times[name].append(step)
                losses[name].append(validation)
                print(f"  threads {threads} round {r + 1} {name:{width}} "
                      f"{1e3 * step:7.2f} ms/step  validation {validation:.4f}",
                      flush=True)
        ours = statistics.median(times[ours_name])
        for name in times:
            median = statistics.median(times[name])
            print(f"threads {threads}: {name:{width}} {1e3 * median:7.2f} ms/step "
                  f"(median), validation {statistics.mean(losses[name]):.4f} "
                  f"(mean), ours {median / ours:.2f}x as fast")
