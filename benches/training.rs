//! How fast does the network train, and how close is that to the floor
//! that the matrix products alone set? All on the fast path
//! (`ch07_minibatches::fast`, `fastpath::gemm`).
//!
//! - `step`: one training step (batched forward + backward + SGD update)
//!   for 784-16-16-10, 784-30-10, 784-100-10 and 784-128-10 at batch 1,
//!   10, 32 and 128, in f32 and f64;
//! - `matmul`: the same step's matrix products alone, into preallocated
//!   buffers, with `fastpath::gemm` — the floor the step has to pay;
//! - `ndarray matmul`: the same products with ndarray's `general_mat_mul`
//!   (matrixmultiply), for comparison;
//! - `epoch`: one epoch of chapter 8's default run (784-256-10, batch 64,
//!   momentum) over 60,000 images beside the same epoch's products alone,
//!   its floor; and evaluating 10,000 images;
//! - `threads`: the default epoch on pools of 1, 2, 4 and 8 threads;
//! - `fma peak`: the machine's multiply-add ceiling, one core and every
//!   core, in the same run.
//!
//! Inputs are random pixels of MNIST's shape (speed does not depend on
//! what the pixels show), so the benchmarks need no data files. Print the
//! appendix's tables after a run with `python3 benches/tables.py`.
//!
//! Run: `cargo bench --bench training`.

mod common;

use ch07_minibatches::Cost;
use ch07_minibatches::fast::{Float, Workspace, sgd_update};
use ch08_mnist::{Config, predict_all};
use common::{
    DefaultRun, Product, StepProducts, data, default_floor, ndarray_gemm,
    network,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};

const SHAPES: [&[usize]; 4] = [
    &[784, 16, 16, 10],
    &[784, 30, 10],
    &[784, 100, 10],
    &[784, 128, 10],
];
const BATCHES: [usize; 4] = [1, 10, 32, 128];

fn name(sizes: &[usize]) -> String {
    sizes
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join("-")
}

fn step<T: Float>(c: &mut Criterion, type_name: &str) {
    let mut group = c.benchmark_group(format!("step {type_name}"));
    for sizes in SHAPES {
        for batch in BATCHES {
            let mut net = network::<T>(sizes);
            let (x, y) = data::<T>(batch);
            let mut workspace = Workspace::new(&net, batch);
            let eta = T::from_f64(0.01);
            group.throughput(Throughput::Elements(batch as u64));
            group.bench_with_input(
                BenchmarkId::new(name(sizes), batch),
                &batch,
                |b, _| {
                    // On a pool thread, as a Trainer runs.
                    fastpath::install(|| {
                        b.iter(|| {
                            let cost = Cost::CrossEntropy;
                            workspace.backprop(&net, x.view(), y.view(), cost);
                            sgd_update(&mut net, &workspace.grads, eta);
                        })
                    });
                },
            );
        }
    }
    group.finish();
}

/// The matrix products of one step alone, for every shape and batch.
/// `gemm` runs the forward and backward products, `gradient` the weight
/// gradient's, as the step does (`fastpath::gemm_by_rows` there).
fn matmul<T: Float>(
    c: &mut Criterion,
    group_name: &str,
    (gemm, gradient): (Product<T>, Product<T>),
) {
    let mut group = c.benchmark_group(group_name);
    for sizes in SHAPES {
        for batch in BATCHES {
            let mut products = StepProducts::<T>::new(sizes, batch);
            group.throughput(Throughput::Elements(batch as u64));
            group.bench_with_input(
                BenchmarkId::new(name(sizes), batch),
                &batch,
                |b, _| {
                    fastpath::install(|| {
                        b.iter(|| products.run(gemm, gradient, batch))
                    });
                },
            );
        }
    }
    group.finish();
}

/// Chapter 8's default epoch beside its floor, and evaluation.
fn epoch(c: &mut Criterion) {
    let config = Config::default_run();
    let (x, y) = data::<f32>(60_000);
    let (x_test, _) = data::<f32>(10_000);
    let mut group = c.benchmark_group("default run f32");
    group.sample_size(10);
    group.throughput(Throughput::Elements(60_000));
    group.bench_function("epoch 60000", |b| {
        // On a pool thread, as the floor below and chapter 8's run.
        fastpath::install(|| {
            let mut run = DefaultRun::new(x.ncols());
            b.iter(|| run.epoch(&x, &y))
        });
    });
    let batch = config.batch_size;
    let mut products = StepProducts::<f32>::new(&config.sizes, batch);
    group.bench_function("matmul floor 60000", |b| {
        fastpath::install(|| {
            b.iter(|| default_floor(&mut products, x.ncols()))
        });
    });
    let net = network::<f32>(&config.sizes);
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("evaluate 10000", |b| {
        b.iter(|| predict_all(&net, x_test.view()));
    });
    group.finish();
}

/// The default epoch on pools of 1, 2, 4 and 8 threads.
fn threads(c: &mut Criterion) {
    let (x, y) = data::<f32>(60_000);
    let mut group = c.benchmark_group("threads default epoch f32");
    group.sample_size(10);
    group.throughput(Throughput::Elements(60_000));
    for threads in [1usize, 2, 4, 8] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        group.bench_with_input(
            BenchmarkId::from_parameter(threads),
            &threads,
            |b, _| {
                pool.install(|| {
                    let mut run = DefaultRun::new(x.ncols());
                    b.iter(|| run.epoch(&x, &y))
                });
            },
        );
    }
    group.finish();
}

/// The machine's multiply-add peak: one burst on one core, and one burst
/// on every thread at once. Throughput is in floating-point operations.
fn fma_peak(c: &mut Criterion) {
    let mut group = c.benchmark_group("fma peak");
    group.sample_size(10);
    group
        .throughput(Throughput::Elements(fastpath::peak::burst_flops::<f32>()));
    group.bench_function("f32 one core", |b| {
        b.iter(fastpath::peak::burst::<f32>)
    });
    let all = fastpath::threads() as u64;
    group.throughput(Throughput::Elements(
        all * fastpath::peak::burst_flops::<f32>(),
    ));
    group.bench_function("f32 every core", |b| {
        b.iter(|| rayon::broadcast(|_| fastpath::peak::burst::<f32>()))
    });
    group.finish();
}

fn all(c: &mut Criterion) {
    println!(
        "fastpath: {} with {} threads",
        fastpath::instruction_set(),
        fastpath::threads()
    );
    fma_peak(c);
    step::<f32>(c, "f32");
    step::<f64>(c, "f64");
    matmul::<f32>(c, "matmul f32", (fastpath::gemm, fastpath::gemm_by_rows));
    matmul::<f64>(c, "matmul f64", (fastpath::gemm, fastpath::gemm_by_rows));
    matmul::<f32>(c, "ndarray matmul f32", (ndarray_gemm, ndarray_gemm));
    matmul::<f64>(c, "ndarray matmul f64", (ndarray_gemm, ndarray_gemm));
    epoch(c);
    threads(c);
}

criterion_group!(benches, all);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
