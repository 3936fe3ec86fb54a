//! One epoch of chapter 8's default run (its 50,000 training images)
//! against its floor and the machine's peak, interleaved: round after
//! round, the epoch, the epoch with its update made after backprop in a
//! pass of its own (rather than inside the weight gradient's product),
//! the same epoch's matrix products alone, then the FMA peak on every
//! core. On a shared machine whose speed drifts by ±10 %
//! from one minute to the next, measuring side by side and comparing the
//! best of each is fairer than comparing medians taken minutes apart.
//!
//! On a CPU with AVX-512 each round also runs the three with the fast path
//! held to AVX2 (`fastpath::limit_instructions`), so the two instruction
//! sets are compared in one run. Then the epoch on pools of 1, 2, 4, 8 and
//! 16 threads, interleaved the same way, each with its threads kept awake
//! for the epoch (`fastpath::install`, the default) and left to sleep
//! between parallel pieces (`fastpath::let_threads_sleep`).
//!
//! Run: `cargo bench --bench epoch_floor` (`-- 9` for nine rounds).

mod common;

use std::time::Instant;

use ch08_mnist::Config;
use common::{DefaultRun, StepProducts, best, data, default_floor, median};
use fastpath::Instructions;

/// Chapter 8's training images per epoch.
const IMAGES: usize = 50_000;

/// Seconds `work` takes.
fn seconds(work: impl FnOnce()) -> f64 {
    let start = Instant::now();
    work();
    start.elapsed().as_secs_f64()
}

/// One instruction set's times, round by round.
#[derive(Default)]
struct Times {
    epochs: Vec<f64>,
    /// The epoch with the update in a pass of its own after backprop.
    after: Vec<f64>,
    floors: Vec<f64>,
    peaks: Vec<f64>,
}

fn main() {
    // `cargo bench` passes `--bench`; a number among the arguments sets the
    // rounds.
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(7);
    let config = Config::default_run();
    let n = IMAGES;
    let (x, y) = data::<f32>(n);
    // Multiply-adds actually made per epoch: W·A and Δ·Aᵀ for both layers,
    // Wᵀ·Δ for the second only; 2 flops each.
    let (n0, n1, n2) = (config.sizes[0], config.sizes[1], config.sizes[2]);
    let epoch_flops = (2 * (2 * n0 * n1 + 3 * n1 * n2) * n) as f64;
    let widest = fastpath::instruction_set();
    let mut sets = vec![(widest, Instructions::Widest)];
    if widest == "AVX-512" {
        sets.push(("AVX2+FMA", Instructions::Avx2));
    }
    let mut times: Vec<Times> = sets.iter().map(|_| Times::default()).collect();
    fastpath::install(|| {
        let mut run = DefaultRun::new(n);
        let mut products = StepProducts::<f32>::new(&config.sizes, 64);
        // Warm-up: buffers sized, caches and clocks settled.
        run.epoch(&x, &y);
        default_floor(&mut products, n);
        for _ in 0..rounds {
            for ((_, set), times) in sets.iter().zip(&mut times) {
                fastpath::limit_instructions(*set);
                let flops_burst = fastpath::peak::burst_flops::<f32>() as f64;
                times.epochs.push(seconds(|| run.epoch(&x, &y)));
                let after = seconds(|| run.epoch_update_after(&x, &y));
                times.after.push(after);
                times
                    .floors
                    .push(seconds(|| default_floor(&mut products, n)));
                let burst = seconds(|| {
                    rayon::broadcast(|_| fastpath::peak::burst::<f32>());
                });
                let threads = fastpath::threads() as f64;
                times.peaks.push(threads * flops_burst / burst / 1e9);
            }
        }
        fastpath::limit_instructions(Instructions::Widest);
    });
    println!(
        "default epoch (784-256-10, batch 64, f32, {n} images), {rounds} \
         interleaved rounds, {} threads:",
        fastpath::threads(),
    );
    print!("| |");
    for (name, _) in &sets {
        print!(" {name}: best | median |");
    }
    println!();
    println!("|---|{}", "---:|---:|".repeat(sets.len()));
    let row = |label: &str, cell: &dyn Fn(&Times) -> (String, String)| {
        print!("| {label} |");
        for t in &times {
            let (b, m) = cell(t);
            print!(" {b} | {m} |");
        }
        println!();
    };
    let ms = |t: f64| format!("{:.1} ms", 1e3 * t);
    row("epoch", &|t| (ms(best(&t.epochs)), ms(median(&t.epochs))));
    row("matmul floor", &|t| {
        (ms(best(&t.floors)), ms(median(&t.floors)))
    });
    row("epoch / floor", &|t| {
        let b = best(&t.epochs) / best(&t.floors);
        let m = median(&t.epochs) / median(&t.floors);
        (format!("{b:.2}×"), format!("{m:.2}×"))
    });
    row("epoch, update after backprop", &|t| {
        (ms(best(&t.after)), ms(median(&t.after)))
    });
    row("its epoch / floor", &|t| {
        let b = best(&t.after) / best(&t.floors);
        let m = median(&t.after) / median(&t.floors);
        (format!("{b:.2}×"), format!("{m:.2}×"))
    });
    let rate = |t: f64| epoch_flops / t / 1e9;
    row("GFLOP/s (real work)", &|t| {
        let (b, m) = (rate(best(&t.epochs)), rate(median(&t.epochs)));
        (format!("{b:.1}"), format!("{m:.1}"))
    });
    row("products' GFLOP/s", &|t| {
        let (b, m) = (rate(best(&t.floors)), rate(median(&t.floors)));
        (format!("{b:.1}"), format!("{m:.1}"))
    });
    row("FMA peak (GFLOP/s)", &|t| {
        let top = t.peaks.iter().copied().fold(0.0, f64::max);
        (format!("{top:.1}"), format!("{:.1}", median(&t.peaks)))
    });
    row("share of the peak", &|t| {
        let top = t.peaks.iter().copied().fold(0.0, f64::max);
        let b = 100.0 * rate(best(&t.epochs)) / top;
        let m = 100.0 * rate(median(&t.epochs)) / top;
        (format!("{b:.0} %"), format!("{m:.0} %"))
    });
    threads(rounds, &x, &y);
}

/// The default epoch on pools of 1–16 threads, interleaved round by round.
fn threads(rounds: usize, x: &ndarray::Array2<f32>, y: &ndarray::Array2<f32>) {
    let counts = [1usize, 2, 4, 8, 16];
    let mut runs: Vec<(rayon::ThreadPool, DefaultRun)> = counts
        .iter()
        .map(|&threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool");
            let mut run = pool.install(|| DefaultRun::new(IMAGES));
            pool.install(|| run.epoch(x, y));
            (pool, run)
        })
        .collect();
    // Each pool's epoch with its threads kept awake (the default) and
    // left to sleep between parallel pieces, as rayon's own do.
    let mut times = vec![vec![]; counts.len()];
    let mut asleep = vec![vec![]; counts.len()];
    for _ in 0..rounds {
        let all = runs.iter_mut().zip(times.iter_mut().zip(&mut asleep));
        for ((pool, run), (awake, asleep)) in all {
            awake.push(seconds(|| pool.install(|| run.epoch(x, y))));
            fastpath::let_threads_sleep(true);
            asleep.push(seconds(|| pool.install(|| run.epoch(x, y))));
            fastpath::let_threads_sleep(false);
        }
    }
    println!();
    println!(
        "the same epoch on pools of 1–16 threads ({} cores here), \
         {rounds} interleaved rounds:",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "| threads | best | median | speed-up over 1 (best) | threads \
         left to sleep: best | median |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    let one = best(&times[0]);
    for ((threads, t), s) in counts.iter().zip(&times).zip(&asleep) {
        println!(
            "| {threads} | {:.1} ms | {:.1} ms | {:.2}× | {:.1} ms | {:.1} ms |",
            1e3 * best(t),
            1e3 * median(t),
            one / best(t),
            1e3 * best(s),
            1e3 * median(s),
        );
    }
}
