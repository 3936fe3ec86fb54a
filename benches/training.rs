//! How fast does the network train, and how close is that to the floor
//! that the matrix products alone set?
//!
//! - `step`: one training step (batched forward + backward + chapter 7's
//!   SGD update) for 784-16-16-10, 784-30-10, 784-100-10 and 784-128-10 at
//!   batch 1, 10, 32 and 128, in f32 and f64;
//! - `matmul`: the same step's matrix products alone, into preallocated
//!   buffers, with `shared::matmul` — the floor the step has to pay;
//! - `ndarray matmul`: the same products with ndarray's `general_mat_mul`
//!   (matrixmultiply), for comparison;
//! - `epoch 784-128-10`: one epoch of 784-128-10 at batch 128 over 60,000
//!   images (chapter 7's `Trainer`: shuffle, copy minibatches, backprop,
//!   SGD) beside the same epoch's matrix products alone, its floor;
//! - `default run`: one epoch of chapter 8's default run (784-256-10, batch
//!   64, momentum) over 60,000 images, and evaluating 10,000.
//!
//! Inputs are random pixels of MNIST's shape (speed does not depend on
//! what the pixels show), so the benchmarks need no data files.
//!
//! Run: `cargo bench --bench training` (`BENCH_THREADS=1 cargo bench …`
//! for one thread; the default is every core).

use ch07_minibatches::{Activation, Cost, Init, Network, Sgd, sgd_update};
use ch08_mnist::{
    Config, Optimizer, Trainer, Workspace, labels_to_matrix, predict_all,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, ShapeBuilder, Slice};
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
                            sgd_update(&mut net, &workspace.grads, eta);
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

/// Preallocated operands for the matrix products of a training step.
struct StepProducts<T> {
    /// W for each layer, (n_out, n_in).
    ws: Vec<Array2<T>>,
    /// The layer's input A_in, (n_in, batch).
    a_in: Vec<Array2<T>>,
    /// Z (and, standing in for it, Δ), (n_out, batch).
    outs: Vec<Array2<T>>,
    /// ∂C/∂W, (n_out, n_in).
    grads: Vec<Array2<T>>,
    /// Wᵀ Δ, (n_in, batch).
    backs: Vec<Array2<T>>,
}

impl<T: Real> StepProducts<T> {
    fn new(sizes: &[usize], batch: usize) -> Self {
        let layers: Vec<(usize, usize)> =
            sizes.windows(2).map(|p| (p[1], p[0])).collect();
        let mut rng = seeded(2);
        let mut random = |r: usize, c: usize| {
            Array2::from_shape_simple_fn((r, c), || {
                T::from_f64(uniform(&mut rng, -1.0, 1.0))
            })
        };
        let mut each =
            |shape: &dyn Fn(usize, usize) -> (usize, usize)| -> Vec<_> {
                layers
                    .iter()
                    .map(|&(o, i)| {
                        let (r, c) = shape(o, i);
                        random(r, c)
                    })
                    .collect()
            };
        StepProducts {
            ws: each(&|o, i| (o, i)),
            a_in: each(&|_, i| (i, batch)),
            outs: each(&|o, _| (o, batch)),
            grads: each(&|o, i| (o, i)),
            backs: each(&|_, i| (i, batch)),
        }
    }

    /// The products of one step on the first `m` samples: per layer W·A
    /// (forward) and Δ·Aᵀ (weight gradient), and Wᵀ·Δ (error passed back)
    /// for all but the first.
    fn run(&mut self, product: &mut impl Product<T>, m: usize) {
        for l in 0..self.ws.len() {
            let mut out =
                self.outs[l].slice_axis_mut(Axis(1), Slice::from(0..m));
            product.gemm(
                T::one(),
                self.ws[l].view(),
                first(&self.a_in[l], m),
                T::zero(),
                out.view_mut(),
            );
            product.gemm(
                T::one(),
                out.view(),
                first(&self.a_in[l], m).t(),
                T::zero(),
                self.grads[l].view_mut(),
            );
            if l > 0 {
                let mut back =
                    self.backs[l].slice_axis_mut(Axis(1), Slice::from(0..m));
                product.gemm(
                    T::one(),
                    self.ws[l].t(),
                    out.view(),
                    T::zero(),
                    back.view_mut(),
                );
            }
        }
    }
}

/// The first `m` columns of `a`.
fn first<T>(a: &Array2<T>, m: usize) -> ArrayView2<'_, T> {
    a.slice_axis(Axis(1), Slice::from(0..m))
}

/// The matrix products of one step alone, for every shape and batch.
fn matmul<T: Real>(
    c: &mut Criterion,
    group_name: &str,
    product: &mut (impl Product<T> + Send),
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
                    shared::matmul::install(|| {
                        b.iter(|| products.run(product, batch))
                    });
                },
            );
        }
    }
    group.finish();
}

/// A whole epoch of 784-128-10 at batch 128 (chapter 7's `Trainer`, plain
/// SGD: shuffling, copying each minibatch, backprop, update) beside its
/// floor: the same epoch's matrix products alone.
fn epoch_vs_floor(c: &mut Criterion) {
    const SIZES: [usize; 3] = [784, 128, 10];
    const BATCH: usize = 128;
    let (x, y) = data::<f32>(60_000);
    let mut group = c.benchmark_group("epoch 784-128-10 f32");
    group.sample_size(20);
    group.throughput(Throughput::Elements(60_000));
    group.bench_function("epoch 60000 batch 128", |b| {
        let mut rng = seeded(1);
        let mut net = Network::<f32>::new(
            &SIZES,
            Activation::Relu,
            Activation::Softmax,
            Init::He,
            &mut rng,
        )
        .expect("valid sizes");
        let mut trainer = Trainer::new(&net, x.ncols(), BATCH);
        let sgd = Sgd {
            eta: 0.01,
            batch_size: BATCH,
        };
        b.iter(|| {
            trainer.epoch(
                &mut net,
                x.view(),
                y.view(),
                Cost::CrossEntropy,
                sgd,
                &mut rng,
            )
        });
    });
    let mut products = StepProducts::<f32>::new(&SIZES, BATCH);
    let mut matmul = MatMul::new();
    group.bench_function("matmul floor 60000 batch 128", |b| {
        shared::matmul::install(|| {
            b.iter(|| {
                // 468 full minibatches and one of 96, as in the epoch.
                for start in (0..x.ncols()).step_by(BATCH) {
                    let m = BATCH.min(x.ncols() - start);
                    products.run(&mut matmul, m);
                }
            })
        });
    });
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
    epoch_vs_floor(c);
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
