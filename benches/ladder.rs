//! The appendix's ladder: one matrix product, C = W·X for the default
//! network's first layer and a minibatch of 64 — (256, 784)·(784, 64), 12.8
//! million multiply-adds — computed by each rung in turn, beside ndarray's
//! `general_mat_mul` and the machine's multiply-add peak, in one run.
//!
//! Rungs 1–3 also run on a copy of X stored row by row: which of their
//! loop orders runs along memory depends on how X is stored. On a CPU
//! with AVX-512, rungs 5 and 6 and the peak also run held to AVX2, so the
//! two instruction sets stand side by side in one run.
//!
//! Run: `cargo bench --bench ladder`; then `python3 benches/tables.py`.

mod common;

use common::{Product, ndarray_gemm};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fastpath::{Instructions, ladder};
use ndarray::{Array2, ShapeBuilder};
use shared::rng::{seeded, uniform};

const M: usize = 256;
const K: usize = 784;
const N: usize = 64;

fn ladder(c: &mut Criterion) {
    println!(
        "fastpath: {} with {} threads",
        fastpath::instruction_set(),
        fastpath::threads()
    );
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
    let mut group = c.benchmark_group("ladder f32 256x784x64");
    group.sample_size(20);
    group.throughput(Throughput::Elements((2 * M * K * N) as u64));
    // On a CPU with AVX-512, rungs 5 and 6 also run held to AVX2.
    let avx512 = fastpath::instruction_set() == "AVX-512";
    let (widest, avx2) = (Instructions::Widest, Instructions::Avx2);
    let (x, x_rows) = (&x, &x_rows);
    let rungs: [(&str, Product<f32>, bool, Instructions, _); 12] = [
        ("1 naive", ladder::naive, true, widest, x),
        ("1 naive rows", ladder::naive, true, widest, x_rows),
        ("2 reordered", ladder::reordered, true, widest, x),
        ("2 reordered rows", ladder::reordered, true, widest, x_rows),
        ("3 blocked", ladder::blocked, true, widest, x),
        ("3 blocked rows", ladder::blocked, true, widest, x_rows),
        ("4 packed", ladder::packed, true, widest, x),
        ("5 simd avx2", fastpath::gemm, true, avx2, x),
        ("5 simd", fastpath::gemm, true, widest, x),
        ("6 threads avx2", fastpath::gemm, false, avx2, x),
        ("6 threads", fastpath::gemm, false, widest, x),
        ("ndarray", ndarray_gemm, false, widest, x),
    ];
    for (name, rung, single, set, x) in rungs {
        if set == avx2 && !avx512 {
            continue;
        }
        fastpath::limit_instructions(set);
        group.bench_function(name, |b| {
            let run = || {
                b.iter(|| {
                    rung(1.0, &w.view(), &x.view(), 0.0, &mut z.view_mut())
                })
            };
            if single {
                one_thread.install(run)
            } else {
                fastpath::install(run)
            }
        });
        fastpath::limit_instructions(widest);
    }
    group.finish();
    let mut group = c.benchmark_group("fma peak");
    group.sample_size(10);
    for (suffix, set) in [("", widest), (" avx2", avx2)] {
        if set == avx2 && !avx512 {
            continue;
        }
        fastpath::limit_instructions(set);
        let burst = fastpath::peak::burst_flops::<f32>();
        group.throughput(Throughput::Elements(burst));
        group.bench_function(format!("f32 one core{suffix}"), |b| {
            b.iter(fastpath::peak::burst::<f32>)
        });
        let all = burst * fastpath::threads() as u64;
        group.throughput(Throughput::Elements(all));
        group.bench_function(format!("f32 every core{suffix}"), |b| {
            b.iter(|| rayon::broadcast(|_| fastpath::peak::burst::<f32>()))
        });
    }
    fastpath::limit_instructions(widest);
    group.finish();
}

criterion_group!(benches, ladder);
criterion_main!(benches);
