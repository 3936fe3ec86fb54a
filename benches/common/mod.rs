//! What the benchmarks share: random MNIST-shaped data, the networks, the
//! matrix products of a training step (the floor), and chapter 8's default
//! run on the fast path.

#![allow(dead_code, reason = "each benchmark uses part of this module")]

use ch07_minibatches::fast::{Float, Trainer};
use ch07_minibatches::{Activation, Init, Network};
use ch08_mnist::{Config, Optimizer, labels_to_matrix};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, ShapeBuilder, s};
use shared::rng::{DEFAULT_SEED, seeded, uniform};

/// Random pixels in [0, 1], (784, n) in column-major order like chapter
/// 8's data (each image contiguous), and one-hot targets for them.
pub fn data<T: Float>(n: usize) -> (Array2<T>, Array2<T>) {
    let mut rng = seeded(DEFAULT_SEED);
    let x = Array2::from_shape_simple_fn((784, n).f(), || {
        T::from_f64(uniform(&mut rng, 0.0, 1.0))
    });
    let labels: Vec<u8> = (0..n).map(|k| (k % 10) as u8).collect();
    (x, labels_to_matrix(&labels))
}

pub fn network<T: Float>(sizes: &[usize]) -> Network<T> {
    let (relu, softmax) = (Activation::Relu, Activation::Softmax);
    Network::new(sizes, relu, softmax, Init::He, &mut seeded(1))
        .expect("valid sizes")
}

/// A matrix product C ← α·A·B + β·C, as ndarray's `general_mat_mul`.
pub type Product<T> =
    fn(T, &ArrayView2<T>, &ArrayView2<T>, T, &mut ArrayViewMut2<T>);

/// ndarray's `general_mat_mul` on views.
pub fn ndarray_gemm<T: Float>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    general_mat_mul(alpha, a, b, beta, c);
}

/// Preallocated operands for the matrix products of a training step.
pub struct StepProducts<T> {
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
    pub fn new(sizes: &[usize], batch: usize) -> Self {
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
    /// (forward) and Δ·Aᵀ (weight gradient, by `gradient`), and Wᵀ·Δ
    /// (error passed back) for all but the first.
    pub fn run(&mut self, gemm: Product<T>, gradient: Product<T>, m: usize) {
        let (one, zero) = (T::one(), T::zero());
        for l in 0..self.ws.len() {
            let a_in = self.a_in[l].slice(s![.., ..m]);
            let mut out = self.outs[l].slice_mut(s![.., ..m]);
            gemm(one, &self.ws[l].view(), &a_in, zero, &mut out);
            let mut grad = self.grads[l].view_mut();
            gradient(one, &out.view(), &a_in.t(), zero, &mut grad);
            if l > 0 {
                let mut back = self.backs[l].slice_mut(s![.., ..m]);
                gemm(one, &self.ws[l].t(), &out.view(), zero, &mut back);
            }
        }
    }
}

/// Chapter 8's default run, ready to train epoch after epoch on the fast
/// path: network, buffers, optimizer and shuffling.
pub struct DefaultRun {
    config: Config,
    net: Network<f32>,
    trainer: Trainer<f32>,
    optimizer: Optimizer<f32>,
    rng: shared::rng::Rng,
}

impl DefaultRun {
    /// Call it on the pool the epochs will run on.
    pub fn new(n: usize) -> Self {
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

    /// [`epoch`](Self::epoch) with the update made after backprop, in a
    /// pass of its own (`Optimizer::step_fast`): the same numbers.
    pub fn epoch_update_after(&mut self, x: &Array2<f32>, y: &Array2<f32>) {
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

    /// One epoch: shuffle, copy minibatches, backprop with the momentum
    /// update made inside it (as chapter 8 trains).
    pub fn epoch(&mut self, x: &Array2<f32>, y: &Array2<f32>) {
        self.trainer.epoch_update(
            &mut self.net,
            x.view(),
            y.view(),
            self.config.cost,
            self.config.batch_size,
            &mut self.rng,
            self.optimizer.update(0.01),
            || {},
        );
    }
}

/// The products of one epoch of the default run alone, cut between the
/// threads as the step cuts them: 781 minibatches of 64 and one of 16, as
/// in the epoch.
pub fn default_floor(products: &mut StepProducts<f32>, n: usize) {
    let batch = Config::default_run().batch_size;
    for start in (0..n).step_by(batch) {
        let m = batch.min(n - start);
        products.run(fastpath::gemm, fastpath::gemm_by_rows, m);
    }
}

/// The middle of interleaved rounds' times.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// The best (least) of interleaved rounds' times: on a shared machine,
/// the round that met it least disturbed.
pub fn best(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}
