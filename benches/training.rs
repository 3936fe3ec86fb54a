//! How fast does the network train, and how close is that to the floor
//! that the matrix products alone set?
//!
//! - `step`: one training step (batched forward + backward + SGD update)
//!   for 784-16-16-10, 784-30-10, 784-100-10 and 784-128-10 at batch 1, 10,
//!   32 and 128, in f32 and f64;
//! - `matmul`: the same step's matrix products alone, into preallocated
//!   buffers, with `shared::matmul` — the floor the step has to pay;
//! - `ndarray matmul`: the same products with ndarray's `general_mat_mul`
//!   (matrixmultiply), for comparison;
//! - `epoch`: one epoch of chapter 8's default run (784-256-10, batch 64,
//!   momentum) over 60,000 images, and evaluating 10,000.
//!
//! Inputs are random pixels of MNIST's shape (speed does not depend on
//! what the pixels show), so the benchmarks need no data files.
//!
//! Run: `cargo bench --bench training` (`BENCH_THREADS=1 cargo bench …`
//! for one thread; the default is every core).

use ch07_minibatches::{Activation, Cost, Init, Network, apply_gradients};
use ch08_mnist::{
    Config, Optimizer, Trainer, Workspace, labels_to_matrix, predict_all,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, ShapeBuilder};
use shared::Real;
use shared::matmul::MatMul;
use shared::rng::{DEFAULT_SEED, seeded, uniform};

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

/// Random pixels in [0, 1], (784, n) in column-major order like chapter
/// 8's data (each image contiguous), and one-hot targets for them.
fn data<T: Real>(n: usize) -> (Array2<T>, Array2<T>) {
    let mut rng = seeded(DEFAULT_SEED);
    let x = Array2::from_shape_simple_fn((784, n).f(), || {
        T::from_f64(uniform(&mut rng, 0.0, 1.0))
    });
    let labels: Vec<u8> = (0..n).map(|k| (k % 10) as u8).collect();
    (x, labels_to_matrix(&labels))
}

fn step<T: Real>(c: &mut Criterion, type_name: &str) {
    let mut group = c.benchmark_group(format!("step {type_name}"));
    for sizes in SHAPES {
        for batch in BATCHES {
            let mut net = Network::<T>::new(
                sizes,
                Activation::Relu,
                Activation::Softmax,
                Init::He,
                &mut seeded(1),
            )
            .expect("valid sizes");
            let (x, y) = data::<T>(batch);
            let mut workspace = Workspace::new(&net, batch);
            let eta = T::from_f64(0.01);
            group.throughput(Throughput::Elements(batch as u64));
            group.bench_with_input(
                BenchmarkId::new(name(sizes), batch),
                &batch,
                |b, _| {
                    // On the product threads, as a Trainer runs.
                    shared::matmul::install(|| {
                        b.iter(|| {
                            workspace.backprop(
                                &net,
                                x.view(),
                                y.view(),
                                Cost::CrossEntropy,
                            );
                            apply_gradients(&mut net, &workspace.grads, eta);
                        })
                    });
                },
            );
        }
    }
    group.finish();
}

/// A matrix product C ← α·A·B + β·C.
trait Product<T> {
    fn gemm(
        &mut self,
        alpha: T,
        a: ArrayView2<T>,
        b: ArrayView2<T>,
        beta: T,
        c: ArrayViewMut2<T>,
    );
}

impl<T: Real> Product<T> for MatMul<T> {
    fn gemm(
        &mut self,
        alpha: T,
        a: ArrayView2<T>,
        b: ArrayView2<T>,
        beta: T,
        c: ArrayViewMut2<T>,
    ) {
        MatMul::gemm(self, alpha, a, b, beta, c);
    }
}

/// ndarray's `general_mat_mul`.
struct Ndarray;

impl<T: Real> Product<T> for Ndarray {
    fn gemm(
        &mut self,
        alpha: T,
        a: ArrayView2<T>,
        b: ArrayView2<T>,
        beta: T,
        mut c: ArrayViewMut2<T>,
    ) {
        general_mat_mul(alpha, &a, &b, beta, &mut c);
    }
}

/// The matrix products of one step: per layer W·A (forward) and Δ·Aᵀ
/// (weight gradient), and Wᵀ·Δ (error passed back) for all but the first.
fn matmul<T: Real>(
    c: &mut Criterion,
    group_name: &str,
    product: &mut (impl Product<T> + Send),
) {
    let mut group = c.benchmark_group(group_name);
    for sizes in SHAPES {
        for batch in BATCHES {
            let layers: Vec<(usize, usize)> =
                sizes.windows(2).map(|p| (p[1], p[0])).collect();
            let mut rng = seeded(2);
            let mut random = |r: usize, c: usize| {
                Array2::from_shape_simple_fn((r, c), || {
                    T::from_f64(uniform(&mut rng, -1.0, 1.0))
                })
            };
            let ws: Vec<Array2<T>> =
                layers.iter().map(|&(o, i)| random(o, i)).collect();
            let a_in: Vec<Array2<T>> =
                layers.iter().map(|&(_, i)| random(i, batch)).collect();
            let mut outs: Vec<Array2<T>> =
                layers.iter().map(|&(o, _)| random(o, batch)).collect();
            let mut grads: Vec<Array2<T>> =
                layers.iter().map(|&(o, i)| random(o, i)).collect();
            let mut backs: Vec<Array2<T>> =
                layers.iter().map(|&(_, i)| random(i, batch)).collect();
            group.throughput(Throughput::Elements(batch as u64));
            group.bench_with_input(
                BenchmarkId::new(name(sizes), batch),
                &batch,
                |b, _| {
                    shared::matmul::install(|| {
                        b.iter(|| {
                            for l in 0..layers.len() {
                                product.gemm(
                                    T::one(),
                                    ws[l].view(),
                                    a_in[l].view(),
                                    T::zero(),
                                    outs[l].view_mut(),
                                );
                                product.gemm(
                                    T::one(),
                                    outs[l].view(),
                                    a_in[l].t(),
                                    T::zero(),
                                    grads[l].view_mut(),
                                );
                                if l > 0 {
                                    product.gemm(
                                        T::one(),
                                        ws[l].t(),
                                        outs[l].view(),
                                        T::zero(),
                                        backs[l].view_mut(),
                                    );
                                }
                            }
                        })
                    });
                },
            );
        }
    }
    group.finish();
}

fn epoch(c: &mut Criterion) {
    let config = Config::default_run();
    let (x, y) = data::<f32>(60_000);
    let (x_test, _) = data::<f32>(10_000);
    let mut group = c.benchmark_group("default run f32");
    group.sample_size(10);
    group.throughput(Throughput::Elements(60_000));
    group.bench_function("epoch 60000", |b| {
        let mut rng = seeded(config.seed);
        let mut net = Network::<f32>::new(
            &config.sizes,
            config.hidden,
            config.output,
            config.init,
            &mut rng,
        )
        .expect("valid sizes");
        let mut trainer = Trainer::new(&net, x.ncols(), config.batch_size);
        let mut optimizer =
            Optimizer::new(&net, config.momentum, config.weight_decay);
        b.iter(|| {
            trainer.epoch_with(
                &mut net,
                x.view(),
                y.view(),
                config.cost,
                config.batch_size,
                &mut rng,
                |net, grads| optimizer.step(net, grads, 0.01),
            )
        });
    });
    let net = Network::<f32>::new(
        &config.sizes,
        config.hidden,
        config.output,
        config.init,
        &mut seeded(1),
    )
    .expect("valid sizes");
    let mut workspace = Workspace::new(&net, 1000);
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("evaluate 10000", |b| {
        b.iter(|| predict_all(&net, &mut workspace, x_test.view()));
    });
    group.finish();
}

fn all(c: &mut Criterion) {
    step::<f32>(c, "f32");
    step::<f64>(c, "f64");
    matmul::<f32>(c, "matmul f32", &mut MatMul::new());
    matmul::<f64>(c, "matmul f64", &mut MatMul::new());
    matmul::<f32>(c, "ndarray matmul f32", &mut Ndarray);
    matmul::<f64>(c, "ndarray matmul f64", &mut Ndarray);
    epoch(c);
}

criterion_group!(benches, all);

fn main() {
    if let Ok(threads) = std::env::var("BENCH_THREADS") {
        let threads = threads.parse().expect("BENCH_THREADS is a number");
        shared::matmul::set_threads(threads);
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
