//! One epoch of chapter 8's default run against its floor and the
//! machine's peak, interleaved: round after round, the epoch, then the same
//! epoch's matrix products alone, then the FMA peak on every core. On a
//! shared machine whose speed drifts by ±10 % from one minute to the next,
//! measuring the three side by side and comparing the best of each is
//! fairer than comparing medians taken minutes apart.
//!
//! Run: `cargo bench --bench epoch_floor` (`-- 9` for nine rounds).

mod common;

use std::time::Instant;

use ch08_mnist::Config;
use common::{DefaultRun, StepProducts, data, default_floor};

/// Seconds `work` takes.
fn seconds(work: impl FnOnce()) -> f64 {
    let start = Instant::now();
    work();
    start.elapsed().as_secs_f64()
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; a number among the arguments sets the
    // rounds.
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(7);
    let config = Config::default_run();
    let n = 60_000;
    let (x, y) = data::<f32>(n);
    let flops_burst = fastpath::peak::burst_flops::<f32>() as f64;
    // Multiply-adds actually made per epoch: W·A and Δ·Aᵀ for both layers,
    // Wᵀ·Δ for the second only; 2 flops each.
    let (n0, n1, n2) = (config.sizes[0], config.sizes[1], config.sizes[2]);
    let epoch_flops = (2 * (2 * n0 * n1 + 3 * n1 * n2) * n) as f64;
    let (mut epochs, mut floors, mut peaks) = (vec![], vec![], vec![]);
    fastpath::install(|| {
        let mut run = DefaultRun::new(n);
        let mut products = StepProducts::<f32>::new(&config.sizes, 64);
        // Warm-up: buffers sized, caches and clocks settled.
        run.epoch(&x, &y);
        default_floor(&mut products, n);
        for _ in 0..rounds {
            epochs.push(seconds(|| run.epoch(&x, &y)));
            floors.push(seconds(|| default_floor(&mut products, n)));
            let burst = seconds(|| {
                rayon::broadcast(|_| fastpath::peak::burst::<f32>());
            });
            peaks.push(fastpath::threads() as f64 * flops_burst / burst / 1e9);
        }
    });
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let peak = peaks.iter().copied().fold(0.0, f64::max);
    println!(
        "default epoch (784-256-10, batch 64, f32), {rounds} interleaved \
         rounds, {} threads, {}:",
        fastpath::threads(),
        fastpath::instruction_set()
    );
    println!("| | best | median |");
    println!("|---|---:|---:|");
    println!(
        "| epoch | {:.1} ms | {:.1} ms |",
        1e3 * best(&epochs),
        1e3 * median(&epochs)
    );
    println!(
        "| matmul floor | {:.1} ms | {:.1} ms |",
        1e3 * best(&floors),
        1e3 * median(&floors)
    );
    println!(
        "| epoch / floor | {:.2}× | {:.2}× |",
        best(&epochs) / best(&floors),
        median(&epochs) / median(&floors)
    );
    let rate = |t: f64| epoch_flops / t / 1e9;
    println!(
        "| GFLOP/s (real work) | {:.1} | {:.1} |",
        rate(best(&epochs)),
        rate(median(&epochs))
    );
    println!(
        "| share of the FMA peak ({peak:.1} GFLOP/s) | {:.0} % | {:.0} % |",
        100.0 * rate(best(&epochs)) / peak,
        100.0 * rate(median(&epochs)) / peak
    );
}
