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

use ch07_minibatches::fast::{Float, Trainer, Workspace, sgd_update};
use ch07_minibatches::{Activation, Cost, Init, Network};
use ch08_mnist::{Config, Optimizer, labels_to_matrix, predict_all};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, ShapeBuilder, s};
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
fn data<T: Float>(n: usize) -> (Array2<T>, Array2<T>) {
    let mut rng = seeded(DEFAULT_SEED);
    let x = Array2::from_shape_simple_fn((784, n).f(), || {
        T::from_f64(uniform(&mut rng, 0.0, 1.0))
    });
    let labels: Vec<u8> = (0..n).map(|k| (k % 10) as u8).collect();
    (x, labels_to_matrix(&labels))
}

fn network<T: Float>(sizes: &[usize]) -> Network<T> {
    let (relu, softmax) = (Activation::Relu, Activation::Softmax);
    Network::new(sizes, relu, softmax, Init::He, &mut seeded(1))
        .expect("valid sizes")
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

/// A matrix product C ← α·A·B + β·C, as ndarray's `general_mat_mul`.
type Product<T> =
    fn(T, &ArrayView2<T>, &ArrayView2<T>, T, &mut ArrayViewMut2<T>);

/// ndarray's `general_mat_mul` on views.
fn ndarray_gemm<T: Float>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    general_mat_mul(alpha, a, b, beta, c);
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

impl<T: Float> StepProducts<T> {
    fn new(sizes: &[usize], batch: usize) -> Self {
        let layers: Vec<(usize, usize)> =
            sizes.windows(2).map(|p| (p[1], p[0])).collect();
        let mut rng = seeded(2);
        let mut each = |shape: &dyn Fn(usize, usize) -> (usize, usize)| {
            layers
                .iter()
                .map(|&(o, i)| {
                    Array2::from_shape_simple_fn(shape(o, i), || {
                        T::from_f64(uniform(&mut rng, -1.0, 1.0))
                    })
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
    fn run(&mut self, gemm: Product<T>, m: usize) {
        let (one, zero) = (T::one(), T::zero());
        for l in 0..self.ws.len() {
            let a_in = self.a_in[l].slice(s![.., ..m]);
            let mut out = self.outs[l].slice_mut(s![.., ..m]);
            gemm(one, &self.ws[l].view(), &a_in, zero, &mut out);
            let mut grad = self.grads[l].view_mut();
            gemm(one, &out.view(), &a_in.t(), zero, &mut grad);
            if l > 0 {
                let mut back = self.backs[l].slice_mut(s![.., ..m]);
                gemm(one, &self.ws[l].t(), &out.view(), zero, &mut back);
            }
        }
    }
}

/// The matrix products of one step alone, for every shape and batch.
fn matmul<T: Float>(c: &mut Criterion, group_name: &str, gemm: Product<T>) {
    let mut group = c.benchmark_group(group_name);
    for sizes in SHAPES {
        for batch in BATCHES {
            let mut products = StepProducts::<T>::new(sizes, batch);
            group.throughput(Throughput::Elements(batch as u64));
            group.bench_with_input(
                BenchmarkId::new(name(sizes), batch),
                &batch,
                |b, _| {
                    fastpath::install(|| b.iter(|| products.run(gemm, batch)));
                },
            );
        }
    }
    group.finish();
}

/// Chapter 8's default run, ready to train epoch after epoch on the fast
/// path: network, buffers, optimizer and shuffling.
struct DefaultRun {
    config: Config,
    net: Network<f32>,
    trainer: Trainer<f32>,
    optimizer: Optimizer<f32>,
    rng: shared::rng::Rng,
}

impl DefaultRun {
    /// Call it on the pool the epochs will run on.
    fn new(n: usize) -> Self {
        let config = Config::default_run();
        let net = network::<f32>(&config.sizes);
        let trainer = Trainer::new(&net, n, config.batch_size);
        let optimizer =
            Optimizer::new(&net, config.momentum, config.weight_decay);
        let rng = seeded(config.seed);
        DefaultRun {
            config,
            net,
            trainer,
            optimizer,
            rng,
        }
    }

    /// One epoch: shuffle, copy minibatches, backprop, momentum update.
    fn epoch(&mut self, x: &Array2<f32>, y: &Array2<f32>) {
        let optimizer = &mut self.optimizer;
        self.trainer.epoch_with(
            &mut self.net,
            x.view(),
            y.view(),
            self.config.cost,
            self.config.batch_size,
            &mut self.rng,
            |net, grads| optimizer.step_fast(net, grads, 0.01),
        );
    }
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
            b.iter(|| {
                // 937 full minibatches and one of 32, as in the epoch.
                for start in (0..x.ncols()).step_by(batch) {
                    products.run(fastpath::gemm, batch.min(x.ncols() - start));
                }
            })
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
    matmul::<f32>(c, "matmul f32", fastpath::gemm);
    matmul::<f64>(c, "matmul f64", fastpath::gemm);
    matmul::<f32>(c, "ndarray matmul f32", ndarray_gemm);
    matmul::<f64>(c, "ndarray matmul f64", ndarray_gemm);
    epoch(c);
    threads(c);
}

criterion_group!(benches, all);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
