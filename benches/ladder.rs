//! The appendix's ladder: one matrix product, C = W·X for the default
//! network's first layer and a minibatch of 64 — (256, 784)·(784, 64), 12.8
//! million multiply-adds — computed by each rung in turn, beside ndarray's
//! `general_mat_mul` and the machine's multiply-add peak, in one run.
//!
//! Rungs 1–3 also run on a copy of X stored row by row: which of their
//! loop orders runs along memory depends on how X is stored. On a CPU
//! with AVX-512, rungs 5 and 6 and the peak also run held to AVX2, so the
//! two instruction sets stand side by side.
//!
//! The rungs and the peak are interleaved, round after round, and each
//! row reports the best round and the median: on a shared machine whose
//! speed drifts from one minute to the next (and whose second core is now
//! and then busy with someone else's work), the best of interleaved
//! rounds is the fairest comparison, as in `epoch_floor`.
//!
//! Run: `cargo bench --bench ladder` (`-- 15` for fifteen rounds).

mod common;

use std::time::Instant;

use common::{Product, best, median, ndarray_gemm};
use fastpath::{Instructions, ladder};
use ndarray::{Array2, ShapeBuilder};
use shared::rng::{seeded, uniform};

const M: usize = 256;
const K: usize = 784;
const N: usize = 64;
/// Multiply-adds, two flops each.
const FLOPS: f64 = (2 * M * K * N) as f64;
/// About how long one rung is timed for in one round.
const SPELL: f64 = 0.05;

/// One rung: its name in the table, its product, whether it runs on one
/// thread (else every thread), its instructions, and whether X is the
/// copy stored row by row.
struct Rung {
    name: &'static str,
    product: Product<f32>,
    one_thread: bool,
    set: Instructions,
    x_rows: bool,
}

/// Seconds per call of `work`, timed over `calls` calls.
fn per_call(calls: usize, mut work: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        work();
    }
    start.elapsed().as_secs_f64() / calls as f64
}

fn duration(seconds: f64) -> String {
    match seconds >= 1e-3 {
        true => format!("{:.2} ms", 1e3 * seconds),
        false => format!("{:.1} µs", 1e6 * seconds),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a number among the arguments sets the
    // rounds.
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(9);
    let mut rng = seeded(3);
    let w = Array2::from_shape_simple_fn((M, K), || {
        uniform(&mut rng, -1.0, 1.0) as f32
    });
    // The minibatch is column-major, as the fast path stores it.
    let x = Array2::from_shape_simple_fn((K, N).f(), || {
        uniform(&mut rng, 0.0, 1.0) as f32
    });
    // The same numbers stored row by row, for rungs 1–3.
    let x_rows = x.as_standard_layout().into_owned();
    let mut z = Array2::<f32>::zeros((M, N));
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let avx512 = fastpath::instruction_set() == "AVX-512";
    let (widest, avx2) = (Instructions::Widest, Instructions::Avx2);
    let rung = |name, product, one_thread, set, x_rows| Rung {
        name,
        product,
        one_thread,
        set,
        x_rows,
    };
    let rungs: Vec<Rung> = [
        rung("1 naive", ladder::naive, true, widest, false),
        rung("1 naive, X row by row", ladder::naive, true, widest, true),
        rung("2 reordered", ladder::reordered, true, widest, false),
        rung(
            "2 reordered, X row by row",
            ladder::reordered,
            true,
            widest,
            true,
        ),
        rung("3 blocked", ladder::blocked, true, widest, false),
        rung(
            "3 blocked, X row by row",
            ladder::blocked,
            true,
            widest,
            true,
        ),
        rung("4 packed", ladder::packed, true, widest, false),
        rung("5 SIMD, held to AVX2", fastpath::gemm, true, avx2, false),
        rung("5 SIMD", fastpath::gemm, true, widest, false),
        rung(
            "6 threads, held to AVX2",
            fastpath::gemm,
            false,
            avx2,
            false,
        ),
        rung("6 threads", fastpath::gemm, false, widest, false),
        rung(
            "ndarray's `general_mat_mul`",
            ndarray_gemm,
            false,
            widest,
            false,
        ),
    ]
    .into_iter()
    .filter(|r| avx512 || r.set != avx2)
    .collect();
    // One rung's product, timed for `calls` calls on its pool.
    let mut time = |r: &Rung, calls: usize| {
        fastpath::limit_instructions(r.set);
        let x = if r.x_rows { &x_rows } else { &x };
        let (w, x, z) = (w.view(), x.view(), &mut z);
        let run = || {
            per_call(calls, || (r.product)(1.0, &w, &x, 0.0, &mut z.view_mut()))
        };
        let seconds = match r.one_thread {
            true => one_thread.install(run),
            false => fastpath::install(run),
        };
        fastpath::limit_instructions(widest);
        seconds
    };
    // Calls per round: about SPELL seconds each, from one warm-up call.
    let calls: Vec<usize> = rungs
        .iter()
        .map(|r| {
            time(r, 1);
            (SPELL / time(r, 1)).ceil().max(1.0) as usize
        })
        .collect();
    let sets: &[Instructions] =
        if avx512 { &[widest, avx2] } else { &[widest] };
    // Peaks per round, GFLOP/s: [set][one core, every core].
    let mut peaks = vec![[Vec::new(), Vec::new()]; sets.len()];
    let mut times = vec![Vec::new(); rungs.len()];
    let threads = fastpath::threads();
    for _ in 0..rounds {
        for (r, (rung, &calls)) in rungs.iter().zip(&calls).enumerate() {
            times[r].push(time(rung, calls));
        }
        for (&set, peak) in sets.iter().zip(&mut peaks) {
            fastpath::limit_instructions(set);
            let flops = fastpath::peak::burst_flops::<f32>() as f64;
            let one = one_thread.install(|| {
                per_call(20, || {
                    fastpath::peak::burst::<f32>();
                })
            });
            let every = fastpath::install(|| {
                per_call(20, || {
                    rayon::broadcast(|_| fastpath::peak::burst::<f32>());
                })
            });
            peak[0].push(flops / one / 1e9);
            peak[1].push(threads as f64 * flops / every / 1e9);
            fastpath::limit_instructions(widest);
        }
    }
    let top = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    println!(
        "ladder, f32 (256, 784)·(784, 64), {} with {threads} threads, \
         {rounds} interleaved rounds",
        fastpath::instruction_set()
    );
    println!();
    for (&set, peak) in sets.iter().zip(&peaks) {
        let name = match set == avx2 {
            true => "held to AVX2",
            false => fastpath::instruction_set(),
        };
        println!(
            "FMA peak, {name}: {:.1} GFLOP/s on one core, {:.1} on every \
             core (best of the rounds; medians {:.1} and {:.1})",
            top(&peak[0]),
            top(&peak[1]),
            median(&peak[0]),
            median(&peak[1]),
        );
    }
    println!();
    println!("| rung | best | median | GFLOP/s (best) | share of the peak |");
    println!("|---|---:|---:|---:|---:|");
    for (rung, t) in rungs.iter().zip(&times) {
        let peak = &peaks[usize::from(rung.set == avx2 && avx512)];
        let ceiling = top(&peak[usize::from(!rung.one_thread)]);
        let rate = FLOPS / best(t) / 1e9;
        let of = match rung.set == avx2 {
            true => " of AVX2's",
            false => "",
        };
        println!(
            "| {} | {} | {} | {rate:.1} | {:.0} %{of} |",
            rung.name,
            duration(best(t)),
            duration(median(t)),
            100.0 * rate / ceiling,
        );
    }
}
