//! Chapter 8: the full MNIST.
//!
//! Covers loading the real data (fetched and verified by `shared::data`),
//! training the network of chapters 3–7 on 60,000 images in `f32`, the
//! improvements that take it past 98 % (ReLU, softmax + cross-entropy, He
//! initialisation, momentum, weight decay, a learning-rate schedule),
//! evaluation, the published 3Blue1Brown and Nielsen settings reproduced,
//! saving and loading a model, and predicting a digit from a PNG.
//!
//! Training runs on chapter 7's fast path (`ch07_minibatches::fast`),
//! which computes what the lesson code computes (tested), faster;
//! `--path lesson` trains with the lesson code itself.
//!
//! Leaves out: convolutional networks, which the study notes sketch but
//! this book does not build.

use std::time::Instant;

use ch07_minibatches::fast::{self, Float, Trainer, Workspace};
use ndarray::{Array2, ArrayView2, ShapeBuilder, Zip, s};
use shared::Real;
use shared::idx::Images;
use shared::rng::{Rng, seeded};

pub use ch07_minibatches::{Activation, Cost, Gradients, Init, Network};

pub mod cli;
mod error;
pub mod exercises;
pub mod figures;
pub mod model;
pub mod photo;
pub mod runs;
pub mod web;

pub use error::Error;

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

/// One parameter's update, v ← μv − η(g + λw), then w ← w + v.
pub fn momentum_rule<T: Real>(
    mu: T,
    eta: T,
    lambda: T,
) -> impl Fn(&mut T, &mut T, &T) + Sync + Send {
    move |w, v, &g| {
        *v = mu * *v - eta * (g + lambda * *w);
        *w += *v;
    }
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

    /// One update with learning rate `eta` and minibatch gradient `grads`:
    /// every weight (with weight decay) and every bias (without).
    pub fn step(&mut self, net: &mut Network<T>, grads: &Gradients<T>, eta: T) {
        let (mu, lambda) = (self.momentum, self.weight_decay);
        let v = &mut self.velocity;
        for (l, layer) in net.layers.iter_mut().enumerate() {
            Zip::from(&mut layer.w)
                .and(&mut v.nabla_w[l])
                .and(&grads.nabla_w[l])
                .for_each(momentum_rule(mu, eta, lambda));
            Zip::from(&mut layer.b)
                .and(&mut v.nabla_b[l])
                .and(&grads.nabla_b[l])
                .for_each(momentum_rule(mu, eta, T::zero()));
        }
    }
}
// ANCHOR_END: optimizer

impl<T: Float> Optimizer<T> {
    /// [`step`](Self::step) on the fast path: the same rule, the large
    /// arrays on every thread.
    pub fn step_fast(
        &mut self,
        net: &mut Network<T>,
        grads: &Gradients<T>,
        eta: T,
    ) {
        let (mu, lambda) = (self.momentum, self.weight_decay);
        fast::update_each(
            net,
            &mut self.velocity,
            grads,
            momentum_rule(mu, eta, lambda),
            momentum_rule(mu, eta, T::zero()),
        );
    }
}

// ANCHOR: schedule
/// The learning rate for `epoch` (from 0) of `epochs`: cosine decay from
/// η₀ to near 0, so late epochs take small, careful steps.
pub fn cosine_eta(eta0: f64, epoch: usize, epochs: usize) -> f64 {
    let t = epoch as f64 / epochs as f64;
    eta0 * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
}
// ANCHOR_END: schedule

// ANCHOR: config
/// Everything that defines a training run.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The preset it started from.
    pub preset: Preset,
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
    /// The hidden layers' dropout rate p (0: none; chapter 9 explains it).
    pub dropout: f64,
    /// The seed for initial weights and shuffling.
    pub seed: u64,
    /// Which code trains: the lesson's, or the fast path (the default).
    pub path: TrainingPath,
}

/// The named settings `--preset` chooses from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// This book's network: 784-256-10 with every improvement.
    Default,
    /// 3Blue1Brown's 784-16-16-10, trained as Nielsen's `network.py`.
    #[value(name = "3b1b")]
    ThreeBlueOneBrown,
    /// Nielsen's first network, 784-30-10.
    Nielsen,
    /// The default network for one epoch: proves the pipeline.
    Quick,
}

impl Preset {
    /// The preset's settings.
    pub fn config(self) -> Config {
        let default = Config {
            preset: self,
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
            dropout: 0.0,
            seed: shared::rng::DEFAULT_SEED,
            path: TrainingPath::Fast,
        };
        // Nielsen's network.py: sigmoid, quadratic cost, N(0, 1) weights,
        // η = 3.0, minibatches of 10, 30 epochs, plain SGD.
        let network_py = Config {
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
            ..default.clone()
        };
        match self {
            Preset::Default => default,
            Preset::ThreeBlueOneBrown => network_py,
            Preset::Nielsen => Config {
                sizes: vec![784, 30, 10],
                ..network_py
            },
            Preset::Quick => Config {
                epochs: 1,
                ..default
            },
        }
    }
}
// ANCHOR_END: config

/// Which code trains the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TrainingPath {
    /// Chapter 7's `epoch_with` and this chapter's `Optimizer::step`:
    /// the code the book shows.
    Lesson,
    /// Chapter 7's fast path: the same numbers (to rounding), buffers
    /// allocated once, every core.
    Fast,
}

impl Preset {
    /// The name `--preset` takes, used for saved models and runs.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Default => "default",
            Preset::ThreeBlueOneBrown => "3b1b",
            Preset::Nielsen => "nielsen",
            Preset::Quick => "quick",
        }
    }

    /// A published accuracy to compare with, and where it was published.
    pub fn published(self) -> Option<(f64, &'static str)> {
        match self {
            Preset::ThreeBlueOneBrown => {
                Some((96.0, "3Blue1Brown, Neural networks, part 2: about 96 %"))
            }
            Preset::Nielsen => Some((
                95.42,
                "Nielsen, Neural Networks and Deep Learning, ch. 1",
            )),
            _ => None,
        }
    }
}

impl Config {
    /// This book's network: 784-256-10 with every improvement.
    pub fn default_run() -> Self {
        Preset::Default.config()
    }
}

/// One epoch's numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochRecord {
    /// 1 for the first epoch.
    pub epoch: usize,
    /// Mean cost over the first 10,000 training images after the epoch.
    pub train_loss: f64,
    /// Fraction of validation images classified correctly after the epoch.
    pub validation_accuracy: f64,
    /// Seconds of training (not evaluation) so far.
    pub seconds: f64,
}

/// Training images the training loss is measured on.
pub const LOSS_SAMPLE: usize = 10_000;

/// MNIST's 60,000 training images are split as Nielsen splits them: the
/// first 50,000 to learn from, the last 10,000 to choose with (which
/// epoch, which settings). The 10,000 test images judge the final choice,
/// once.
pub const TRAIN_SIZE: usize = 50_000;

/// The epoch with the best validation accuracy (the first, on a tie): the
/// one [`train`] returns the network of.
pub fn best_epoch(history: &[EpochRecord]) -> Option<&EpochRecord> {
    history
        .iter()
        .fold(None, |best: Option<&EpochRecord>, r| match best {
            Some(b) if b.validation_accuracy >= r.validation_accuracy => {
                Some(b)
            }
            _ => Some(r),
        })
}

// ANCHOR: train
/// Trains a network as `config` says on (x, y), measuring it on the
/// validation images (x_val, labels_val) after every epoch; `report` sees
/// each epoch as it ends, `tick` every minibatch (for a progress bar).
/// Returns the network of the epoch that did best on validation — the
/// test set plays no part in the choice — and every epoch's numbers.
pub fn train<T: Float>(
    config: &Config,
    x: ArrayView2<T>, // (784, samples)
    y: ArrayView2<T>, // (10, samples)
    x_val: ArrayView2<T>,
    labels_val: &[u8],
    mut report: impl FnMut(&EpochRecord),
    mut tick: impl FnMut() + Send,
) -> (Network<T>, Vec<EpochRecord>) {
    let mut rng: Rng = seeded(config.seed);
    let (sizes, cost) = (&config.sizes, config.cost);
    let mut net = Network::new(
        sizes,
        config.hidden,
        config.output,
        config.init,
        &mut rng,
    )
    .expect("presets have valid sizes");
    let mut optimizer =
        Optimizer::new(&net, config.momentum, config.weight_decay);
    let (mut history, mut seconds) = (vec![], 0.0);
    let mut best = (f64::NEG_INFINITY, net.clone());
    let mut epochs = Epochs::new(config.path, &net, x.ncols(), config);
    for epoch in 0..config.epochs {
        let eta = match config.cosine {
            true => cosine_eta(config.eta, epoch, config.epochs),
            false => config.eta,
        };
        let start = Instant::now();
        // One epoch of minibatch SGD, each step `optimizer.step`.
        let step = (&mut optimizer, T::from_f64(eta));
        epochs.run(&mut net, (x, y), &mut rng, step, &mut tick);
        seconds += start.elapsed().as_secs_f64();
        let sample = LOSS_SAMPLE.min(x.ncols());
        let (x_sample, y_sample) =
            (x.slice(s![.., ..sample]), y.slice(s![.., ..sample]));
        let record = EpochRecord {
            epoch: epoch + 1,
            train_loss: average_cost(&net, x_sample, y_sample, cost),
            validation_accuracy: accuracy(
                &predict_all(&net, x_val),
                labels_val,
            ),
            seconds,
        };
        if record.validation_accuracy > best.0 {
            best = (record.validation_accuracy, net.clone());
        }
        report(&record);
        history.push(record);
    }
    (best.1, history)
}
// ANCHOR_END: train

/// One epoch of chapter 7's minibatch SGD with the optimizer's update, on
/// the path `config.path` chose: the lesson's `epoch_with` and
/// `Optimizer::step`, or the fast path's `Trainer` and `step_fast`.
struct Epochs<'c, T: Float> {
    config: &'c Config,
    /// The fast path's buffers; `None` on the lesson path.
    trainer: Option<Trainer<T>>,
}

impl<'c, T: Float> Epochs<'c, T> {
    fn new(
        path: TrainingPath,
        net: &Network<T>,
        n: usize,
        config: &'c Config,
    ) -> Self {
        let trainer = match path {
            TrainingPath::Lesson => None,
            TrainingPath::Fast => {
                let mut trainer = Trainer::new(net, n, config.batch_size);
                trainer.dropout = config.dropout;
                Some(trainer)
            }
        };
        Epochs { config, trainer }
    }

    fn run(
        &mut self,
        net: &mut Network<T>,
        (x, y): (ArrayView2<T>, ArrayView2<T>),
        rng: &mut Rng,
        (optimizer, eta): (&mut Optimizer<T>, T),
        tick: &mut (impl FnMut() + Send),
    ) {
        let (cost, batch) = (self.config.cost, self.config.batch_size);
        match &mut self.trainer {
            None => {
                ch07_minibatches::epoch_with(
                    net,
                    x,
                    y,
                    cost,
                    batch,
                    rng,
                    |net, grads| {
                        optimizer.step(net, grads, eta);
                        tick();
                    },
                );
            }
            Some(trainer) => {
                trainer.epoch_with(
                    net,
                    x,
                    y,
                    cost,
                    batch,
                    rng,
                    |net, grads| {
                        optimizer.step_fast(net, grads, eta);
                        tick();
                    },
                );
            }
        }
    }
}

// ANCHOR: evaluate
/// The predicted digit (the brightest output) for every column of `x`.
pub fn predict_all<T: Float>(net: &Network<T>, x: ArrayView2<T>) -> Vec<u8> {
    let mut predictions = Vec::with_capacity(x.ncols());
    for_each_output(net, x, |a| {
        predictions.extend(
            a.columns()
                .into_iter()
                .map(|column| argmax(column.iter().copied()) as u8),
        );
    });
    predictions
}

/// The mean cost over the columns of `x` (targets `y`).
pub fn average_cost<T: Float>(
    net: &Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    cost: Cost,
) -> f64 {
    let (mut total, mut k) = (0.0, 0);
    for_each_output(net, x, |a| {
        for a_k in a.columns() {
            total += cost.value(a_k, y.column(k)).into_f64();
            k += 1;
        }
    });
    total / x.ncols().max(1) as f64
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

/// The network's outputs for `x`, a thousand columns at a time, on the
/// fast path (the same numbers as `feedforward_batch`, sooner).
fn for_each_output<T: Float>(
    net: &Network<T>,
    x: ArrayView2<T>,
    mut see: impl FnMut(ArrayView2<T>) + Send,
) {
    const STEP: usize = 1000;
    let mut workspace = Workspace::new(net, STEP.min(x.ncols()).max(1));
    fastpath::install(|| {
        for start in (0..x.ncols()).step_by(STEP) {
            let end = (start + STEP).min(x.ncols());
            see(workspace.forward(net, x.slice(s![.., start..end])));
        }
    });
}

#[cfg(test)]
mod tests;
