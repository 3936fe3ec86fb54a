//! Chapter 8: the full MNIST.
//!
//! Covers loading the real data (fetched and verified by `shared::data`),
//! training the network of chapters 3–7 on 60,000 images in `f32`, the
//! improvements that take it past 98 % (ReLU, softmax + cross-entropy, He
//! initialisation, momentum, weight decay, a learning-rate schedule),
//! evaluation, the published 3Blue1Brown and Nielsen settings reproduced,
//! saving and loading a model, and predicting a digit from a PNG.
//!
//! Leaves out: convolutional networks, which the study notes sketch but
//! this book does not build.

use std::time::Instant;

use ch07_minibatches::PAR_MIN_LEN;
use ndarray::parallel::prelude::*;
use ndarray::{Array2, ArrayView2, Axis, ShapeBuilder, Slice, Zip};
use shared::Real;
use shared::idx::Images;
use shared::rng::{Rng, seeded};

pub use ch07_minibatches::{
    Activation, Cost, Gradients, Init, Network, Trainer, Workspace,
};

pub mod cli;
pub mod exercises;
pub mod figures;
pub mod model;
pub mod preprocess;
pub mod solutions;

// ANCHOR: data
/// Images as a matrix with one column per image: shape (784, n), pixels
/// scaled to [0, 1]. The IDX bytes are image after image, which is exactly
/// column-major order for this shape — so no copy, and each column (one
/// image) is contiguous in memory.
pub fn images_to_matrix<T: Real>(images: &Images) -> Array2<T> {
    let pixels = images.rows * images.cols;
    let scale = T::from_f64(1.0 / 255.0);
    let data = images
        .pixels
        .iter()
        .map(|&p| T::from_f64(f64::from(p)) * scale)
        .collect();
    Array2::from_shape_vec((pixels, images.count).f(), data)
        .expect("sizes agree")
}

/// One-hot targets, one column per label: shape (10, n).
pub fn labels_to_matrix<T: Real>(labels: &[u8]) -> Array2<T> {
    let mut y = Array2::zeros((10, labels.len()).f());
    for (k, &label) in labels.iter().enumerate() {
        y[(usize::from(label), k)] = T::one();
    }
    y
}
// ANCHOR_END: data

// ANCHOR: optimizer
/// Plain SGD, plus two refinements.
///
/// - **Momentum** μ: the step is a running average of gradients, v ← μv −
///   η∇C, W ← W + v. Steps that agree add up; steps that zigzag (chapter 5's
///   narrow valley) cancel.
/// - **Weight decay** λ: adds λ/2·‖W‖² to the cost (L2 regularisation), so
///   the gradient gains λW and weights are pulled gently towards 0 — large
///   weights that fit noise in the training set are discouraged.
pub struct Optimizer<T: Real> {
    velocity: Gradients<T>,
    /// μ, between 0 (plain SGD) and 1.
    pub momentum: T,
    /// λ, applied to weights, not biases.
    pub weight_decay: T,
}

impl<T: Real> Optimizer<T> {
    /// An optimizer for `net`, with zero velocity.
    pub fn new(net: &Network<T>, momentum: f64, weight_decay: f64) -> Self {
        Optimizer {
            velocity: Gradients::zeros_like(net),
            momentum: T::from_f64(momentum),
            weight_decay: T::from_f64(weight_decay),
        }
    }

    /// One update with learning rate `eta` and minibatch gradient `grads`.
    pub fn step(&mut self, net: &mut Network<T>, grads: &Gradients<T>, eta: T) {
        let (mu, lambda) = (self.momentum, self.weight_decay);
        for (l, layer) in net.layers.iter_mut().enumerate() {
            // On both cores, as chapter 7's `sgd_update`.
            Zip::from(&mut layer.w)
                .and(&mut self.velocity.nabla_w[l])
                .and(&grads.nabla_w[l])
                .into_par_iter()
                .with_min_len(PAR_MIN_LEN)
                .for_each(|(w, v, &g)| {
                    *v = mu * *v - eta * (g + lambda * *w);
                    *w += *v;
                });
            Zip::from(&mut layer.b)
                .and(&mut self.velocity.nabla_b[l])
                .and(&grads.nabla_b[l])
                .for_each(|b, v, &g| {
                    *v = mu * *v - eta * g;
                    *b += *v;
                });
        }
    }
}

/// The learning rate for `epoch` (from 0) of `epochs`: cosine decay from
/// η₀ to near 0, so late epochs take small, careful steps.
pub fn cosine_eta(eta0: f64, epoch: usize, epochs: usize) -> f64 {
    let t = epoch as f64 / epochs as f64;
    eta0 * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
}
// ANCHOR_END: optimizer

// ANCHOR: config
/// Everything that defines a training run.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The preset's name.
    pub name: &'static str,
    /// Layer sizes, input first.
    pub sizes: Vec<usize>,
    /// Hidden activation.
    pub hidden: Activation,
    /// Output activation.
    pub output: Activation,
    /// The cost.
    pub cost: Cost,
    /// Initial weights.
    pub init: Init,
    /// Initial learning rate η₀.
    pub eta: f64,
    /// Whether η decays along a cosine (else constant).
    pub cosine: bool,
    /// Samples per minibatch.
    pub batch_size: usize,
    /// Passes over the training data.
    pub epochs: usize,
    /// Momentum μ (0 = plain SGD).
    pub momentum: f64,
    /// Weight decay λ.
    pub weight_decay: f64,
    /// The seed for initial weights and shuffling.
    pub seed: u64,
    /// A published accuracy to compare with, and where it was published.
    pub published: Option<(f64, &'static str)>,
}

impl Config {
    /// This book's network: 784-256-10 with every improvement.
    pub fn default_run() -> Self {
        Config {
            name: "default",
            sizes: vec![784, 256, 10],
            hidden: Activation::Relu,
            output: Activation::Softmax,
            cost: Cost::CrossEntropy,
            init: Init::He,
            eta: 0.1,
            cosine: true,
            batch_size: 64,
            epochs: 10,
            momentum: 0.9,
            weight_decay: 1e-4,
            seed: shared::rng::DEFAULT_SEED,
            published: None,
        }
    }

    /// 3Blue1Brown's network, trained as in Nielsen's `network.py`:
    /// 784-16-16-10, sigmoid, quadratic cost, η = 3.0, minibatch 10,
    /// 30 epochs.
    pub fn three_blue_one_brown() -> Self {
        Config {
            name: "3b1b",
            sizes: vec![784, 16, 16, 10],
            hidden: Activation::Sigmoid,
            output: Activation::Sigmoid,
            cost: Cost::Quadratic,
            init: Init::StandardNormal,
            eta: 3.0,
            cosine: false,
            batch_size: 10,
            epochs: 30,
            momentum: 0.0,
            weight_decay: 0.0,
            seed: shared::rng::DEFAULT_SEED,
            published: Some((
                96.0,
                "3Blue1Brown, Neural networks, part 2: about 96 %",
            )),
        }
    }

    /// Nielsen's first network (chapter 1 of *Neural Networks and Deep
    /// Learning*): 784-30-10, same settings.
    pub fn nielsen() -> Self {
        Config {
            name: "nielsen",
            sizes: vec![784, 30, 10],
            published: Some((
                95.42,
                "Nielsen, Neural Networks and Deep Learning, ch. 1",
            )),
            ..Self::three_blue_one_brown()
        }
    }

    /// A short run for CI: the default network for one epoch.
    pub fn quick() -> Self {
        Config {
            name: "quick",
            epochs: 1,
            ..Self::default_run()
        }
    }

    /// The preset of the given name.
    pub fn preset(name: &str) -> Option<Self> {
        match name {
            "default" => Some(Self::default_run()),
            "3b1b" => Some(Self::three_blue_one_brown()),
            "nielsen" => Some(Self::nielsen()),
            "quick" => Some(Self::quick()),
            _ => None,
        }
    }
}
// ANCHOR_END: config

/// One epoch's numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochRecord {
    /// 1 for the first epoch.
    pub epoch: usize,
    /// Mean training cost over the epoch's minibatches.
    pub train_loss: f64,
    /// Fraction of test images classified correctly after the epoch.
    pub test_accuracy: f64,
    /// Seconds of training (not evaluation) so far.
    pub seconds: f64,
}

// ANCHOR: train
/// Trains a network as `config` says on (x, y), evaluating on
/// (x_test, labels_test) after every epoch; `report` sees each epoch as it
/// ends, `tick` every minibatch (for a progress bar).
pub fn train<T: Real>(
    config: &Config,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    x_test: ArrayView2<T>,
    labels_test: &[u8],
    mut report: impl FnMut(&EpochRecord),
    mut tick: impl FnMut() + Send,
) -> (Network<T>, Vec<EpochRecord>) {
    let mut rng: Rng = seeded(config.seed);
    let mut net = Network::new(
        &config.sizes,
        config.hidden,
        config.output,
        config.init,
        &mut rng,
    )
    .expect("presets have valid sizes");
    let mut trainer = Trainer::new(&net, x.ncols(), config.batch_size);
    let mut optimizer =
        Optimizer::new(&net, config.momentum, config.weight_decay);
    let mut eval = Workspace::new(&net, 1000);
    let mut history = Vec::with_capacity(config.epochs);
    let mut seconds = 0.0;
    for epoch in 0..config.epochs {
        let eta = if config.cosine {
            cosine_eta(config.eta, epoch, config.epochs)
        } else {
            config.eta
        };
        let eta = T::from_f64(eta);
        let start = Instant::now();
        trainer.epoch_with(
            &mut net,
            x,
            y,
            config.cost,
            config.batch_size,
            &mut rng,
            |net, grads| {
                optimizer.step(net, grads, eta);
                tick();
            },
        );
        seconds += start.elapsed().as_secs_f64();
        let record = EpochRecord {
            epoch: epoch + 1,
            train_loss: trainer.epoch_cost,
            test_accuracy: accuracy(
                &predict_all(&net, &mut eval, x_test),
                labels_test,
            ),
            seconds,
        };
        report(&record);
        history.push(record);
    }
    (net, history)
}
// ANCHOR_END: train

// ANCHOR: evaluate
/// The predicted digit (the brightest output) for every column of `x`.
pub fn predict_all<T: Real>(
    net: &Network<T>,
    workspace: &mut Workspace<T>,
    x: ArrayView2<T>,
) -> Vec<u8> {
    let mut predictions = Vec::with_capacity(x.ncols());
    let step = 1000;
    for start in (0..x.ncols()).step_by(step) {
        let end = (start + step).min(x.ncols());
        let a = workspace
            .forward(net, x.slice_axis(Axis(1), Slice::from(start..end)));
        predictions.extend(
            a.columns()
                .into_iter()
                .map(|column| argmax(column.iter().copied()) as u8),
        );
    }
    predictions
}

/// The index of the largest value.
pub fn argmax<T: Real>(values: impl Iterator<Item = T>) -> usize {
    values
        .enumerate()
        .fold((0, T::neg_infinity()), |best, (i, v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

/// The fraction of predictions equal to their labels.
pub fn accuracy(predictions: &[u8], labels: &[u8]) -> f64 {
    let right = predictions
        .iter()
        .zip(labels)
        .filter(|(p, l)| p == l)
        .count();
    right as f64 / labels.len().max(1) as f64
}

/// counts[true][predicted] over the test set.
pub fn confusion_matrix(
    predictions: &[u8],
    labels: &[u8],
) -> [[usize; 10]; 10] {
    let mut counts = [[0; 10]; 10];
    for (&p, &l) in predictions.iter().zip(labels) {
        counts[usize::from(l)][usize::from(p)] += 1;
    }
    counts
}
// ANCHOR_END: evaluate

#[cfg(test)]
mod tests;
