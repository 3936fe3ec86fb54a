//! The appendix's ladder: one matrix product, C = W·X for the default
//! network's first layer and a minibatch of 64 — (256, 784)·(784, 64), 12.8
//! million multiply-adds — computed by each rung in turn, beside ndarray's
//! `general_mat_mul` and the machine's multiply-add peak, in one run.
//!
//! Run: `cargo bench --bench ladder`; then `python3 benches/tables.py`.

mod common;

use common::{Product, ndarray_gemm};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fastpath::ladder;
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
    let mut z = Array2::<f32>::zeros((M, N));
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let mut group = c.benchmark_group("ladder f32 256x784x64");
    group.sample_size(20);
    group.throughput(Throughput::Elements((2 * M * K * N) as u64));
    let rungs: [(&str, Product<f32>, bool); 7] = [
        ("1 naive", ladder::naive, true),
        ("2 reordered", ladder::reordered, true),
        ("3 blocked", ladder::blocked, true),
        ("4 packed", ladder::packed, true),
        ("5 simd", fastpath::gemm, true),
        ("6 threads", fastpath::gemm, false),
        ("ndarray", ndarray_gemm, false),
    ];
    for (name, rung, single) in rungs {
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
    }
    group.finish();
    let mut group = c.benchmark_group("fma peak");
    group.sample_size(10);
    let burst = fastpath::peak::burst_flops::<f32>();
    group.throughput(Throughput::Elements(burst));
    group.bench_function("f32 one core", |b| {
        b.iter(fastpath::peak::burst::<f32>)
    });
    group.throughput(Throughput::Elements(burst * fastpath::threads() as u64));
    group.bench_function("f32 every core", |b| {
        b.iter(|| rayon::broadcast(|_| fastpath::peak::burst::<f32>()))
    });
    group.finish();
}

criterion_group!(benches, ladder);
criterion_main!(benches);
