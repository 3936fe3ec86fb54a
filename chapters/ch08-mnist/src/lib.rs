//! Chapter 8: the full MNIST.
//!
//! Covers loading the real data (fetched and verified by `shared::data`,
//! split once by [`Mnist`]), the training loop every later chapter calls
//! ([`fit`]: train, measure on validation, keep the best epoch), training
//! the network of chapters 3–7 on 50,000 images in `f32`, the
//! improvements that take it past 98 % (ReLU, softmax + cross-entropy, He
//! initialisation, momentum, weight decay, a learning-rate schedule),
//! evaluation, the published 3Blue1Brown and Nielsen settings reproduced,
//! saving and loading a model, and predicting a digit from a PNG.
//!
//! Training runs on chapter 7's fast path (`ch07_minibatches::fast`),
//! which computes what the lesson code computes (tested), faster;
//! `--path lesson` trains with the lesson code itself.
//!
//! Leaves out: regularisation and tuning (chapter 9), convolutional
//! networks (chapter 10).

use std::time::Instant;

use ch07_minibatches::fast::{self, Float, Trainer, Workspace};
use ndarray::{Array2, ArrayView2, ShapeBuilder, Zip, s};
use shared::Real;
use shared::idx::Images;
use shared::rng::{Rng, seeded};

pub use ch07_minibatches::{Activation, Cost, Gradients, Init, Network};

pub mod cli;
mod error;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod figures;
mod mnist;
pub mod model;
#[cfg(feature = "fonts")]
pub mod nobody_drew;
pub mod photo;
pub mod runs;
pub mod web;

pub use error::Error;
pub use mnist::{Mnist, TRAIN_SIZE};

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

    /// [`step`](Self::step)'s rules and this optimizer's velocity, for
    /// the fast path to apply inside backprop as each gradient is made
    /// ([`Trainer::epoch_update`]): the same numbers as `step_fast` after
    /// backprop.
    pub fn update(
        &mut self,
        eta: T,
    ) -> fast::Update<'_, T, impl fast::Rule<T>, impl fast::Rule<T>> {
        let (mu, lambda) = (self.momentum, self.weight_decay);
        fast::Update {
            state: &mut self.velocity,
            rule_w: momentum_rule(mu, eta, lambda),
            rule_b: momentum_rule(mu, eta, T::zero()),
        }
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

// ANCHOR: warmup
/// The learning rate for `step` (from 0) of `steps` with a linear
/// warm-up: η rises from η₀/w to η₀ over the first w steps (while Adam's
/// running means are still guesses), then decays on the cosine.
pub fn warmup_cosine_eta(
    eta0: f64,
    step: usize,
    warmup: usize,
    steps: usize,
) -> f64 {
    match step < warmup {
        true => eta0 * (step + 1) as f64 / warmup as f64,
        false => cosine_eta(eta0, step - warmup, steps - warmup),
    }
}
// ANCHOR_END: warmup

/// The most memory a training run's network and buffers may take (bytes).
pub const MAX_MEMORY: f64 = 8e9;

/// Refuses, in one line with the number, settings whose training would
/// need more than [`MAX_MEMORY`]: f32 weights four times over (the
/// weights, their gradient and the optimiser's two running means), and
/// every layer's values four times over for the larger of a minibatch and
/// the 10,000 images measured at once. Checked before anything is
/// allocated, so `--hidden 100000,100000` says so instead of aborting.
pub fn check_memory(sizes: &[usize], batch: usize) -> Result<(), String> {
    let weights: f64 = sizes
        .windows(2)
        .map(|w| w[0] as f64 * w[1] as f64 + w[1] as f64)
        .sum();
    let units: f64 = sizes.iter().map(|&n| n as f64).sum();
    let columns = batch.max(10_000) as f64;
    let bytes = 4.0 * (4.0 * weights + 4.0 * units * columns);
    match bytes <= MAX_MEMORY {
        true => Ok(()),
        false => Err(format!(
            "these settings need about {:.0} GB for the network and its \
             buffers, more than the {:.0} GB a run may take: fewer or \
             narrower hidden layers, or a smaller --batch-size",
            bytes / 1e9,
            MAX_MEMORY / 1e9
        )),
    }
}

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

impl Config {
    /// The learning rate η for `epoch` (from 0).
    pub fn eta_at(&self, epoch: usize) -> f64 {
        match self.cosine {
            true => cosine_eta(self.eta, epoch, self.epochs),
            false => self.eta,
        }
    }

    /// The network to start from: the first thing a run draws from its
    /// generator, seeded with `seed`.
    pub fn network<T: Real>(&self, rng: &mut Rng) -> Network<T> {
        let (sizes, init) = (&self.sizes, self.init);
        Network::new(sizes, self.hidden, self.output, init, rng)
            .expect("the command line checks the sizes")
    }
}

impl std::fmt::Display for Config {
    /// Every setting of the network and its training, on two lines (the
    /// second indented), as a run prints it before training. (Which code
    /// trains, `path`, is the run's to say.)
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: Vec<String> =
            self.sizes.iter().map(|s| s.to_string()).collect();
        let epochs = self.epochs;
        write!(
            f,
            "{} ({} hidden, {} output, {} cost, {:?} init)\n  η = {}{}, \
             batch {}, momentum {}, weight decay {}, {epochs} epoch{}, \
             seed {}",
            sizes.join("-"),
            self.hidden.name(),
            self.output.name(),
            self.cost.name(),
            self.init,
            self.eta,
            if self.cosine { " (cosine decay)" } else { "" },
            self.batch_size,
            self.momentum,
            self.weight_decay,
            if epochs == 1 { "" } else { "s" },
            self.seed,
        )
    }
}

// ANCHOR: epoch
/// What [`fit`] needs of an epoch's numbers.
pub trait Validated {
    /// How well the network did on validation, higher better: the
    /// fraction of images classified correctly (chapters 8–11), or minus
    /// a loss (chapter 12).
    fn validation_score(&self) -> f64;
}

/// The epoch just trained, as [`fit`] hands it to `measure`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Epoch<S> {
    /// 1 for the first epoch.
    pub number: usize,
    /// Seconds this epoch's training took (measuring not counted).
    pub seconds: f64,
    /// Seconds of training so far, this epoch's included.
    pub total_seconds: f64,
    /// What the epoch's training returned (a loss, or nothing).
    pub trained: S,
}

// ANCHOR_END: epoch

// ANCHOR: fit
/// Trains `net` for `epochs` epochs: `train_epoch(net, e)` runs epoch e
/// (from 0), `measure` takes the network's numbers after it (validation
/// score among them), `report` sees them as each epoch ends. Returns
/// the network of the epoch that did best on validation — the test set
/// plays no part in the choice — and every epoch's numbers.
pub fn fit<N: Clone, S, R: Validated>(
    mut net: N,
    epochs: usize,
    mut train_epoch: impl FnMut(&mut N, usize) -> S,
    mut measure: impl FnMut(&N, Epoch<S>) -> R,
    mut report: impl FnMut(&R),
) -> (N, Vec<R>) {
    let mut history = Vec::with_capacity(epochs);
    let mut best = (f64::NEG_INFINITY, net.clone());
    let mut total_seconds = 0.0;
    for e in 0..epochs {
        let start = Instant::now();
        let trained = train_epoch(&mut net, e);
        let seconds = start.elapsed().as_secs_f64();
        total_seconds += seconds;
        let number = e + 1;
        let epoch = Epoch {
            number,
            seconds,
            total_seconds,
            trained,
        };
        let record = measure(&net, epoch);
        // Keep the best network so far (the first, on a tie).
        if record.validation_score() > best.0 {
            best = (record.validation_score(), net.clone());
        }
        report(&record);
        history.push(record);
    }
    (best.1, history)
}

/// The epoch with the best validation score (the first, on a tie): the
/// one [`fit`] returns the network of.
pub fn best_epoch<R: Validated>(history: &[R]) -> Option<&R> {
    history.iter().fold(None, |best: Option<&R>, r| match best {
        Some(b) if b.validation_score() >= r.validation_score() => Some(b),
        _ => Some(r),
    })
}
// ANCHOR_END: fit

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

impl std::fmt::Display for EpochRecord {
    /// One line: "epoch  3  loss 0.0602  validation  96.98 %     2.8 s".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "epoch {:2}  loss {:.4}  validation {:6.2} %  {:6.1} s",
            self.epoch,
            self.train_loss,
            100.0 * self.validation_accuracy,
            self.seconds
        )
    }
}

impl Validated for EpochRecord {
    fn validation_score(&self) -> f64 {
        self.validation_accuracy
    }
}

/// Training images the training loss is measured on.
pub const LOSS_SAMPLE: usize = 10_000;

// ANCHOR: train
/// Trains a network as `config` says on (x, y), measuring it on the
/// validation images (x_val, labels_val) after every epoch; `report`
/// sees each epoch as it ends, `tick` every minibatch (for a progress
/// bar). Returns the best epoch's network and every epoch's numbers.
pub fn train<T: Float>(
    config: &Config,
    x: ArrayView2<T>, // (784, samples)
    y: ArrayView2<T>, // (10, samples)
    x_val: ArrayView2<T>,
    labels_val: &[u8],
    report: impl FnMut(&EpochRecord),
    mut tick: impl FnMut() + Send,
) -> (Network<T>, Vec<EpochRecord>) {
    let measure = Measure::new(config.cost, x, y, x_val, labels_val);
    let mut sgd = Epochs::new(config, x, y);
    let epoch = |net: &mut _, rng: &mut _, optimizer: &mut _, eta| {
        sgd.run(net, rng, optimizer, eta, &mut tick);
    };
    train_with(config, &measure, epoch, report)
}

/// Chapter 8's training with any epoch: the initial network, generator,
/// optimizer and schedule `config` gives, `epoch(net, rng, optimizer,
/// η)` for each epoch's minibatch steps, and [`fit`] to measure and keep
/// the best epoch.
pub fn train_with<T: Float>(
    config: &Config,
    measure: &Measure<T>,
    mut epoch: impl FnMut(&mut Network<T>, &mut Rng, &mut Optimizer<T>, T),
    report: impl FnMut(&EpochRecord),
) -> (Network<T>, Vec<EpochRecord>) {
    let mut rng: Rng = seeded(config.seed);
    let net = config.network(&mut rng);
    let mut optimizer =
        Optimizer::new(&net, config.momentum, config.weight_decay);
    let train_epoch = |net: &mut Network<T>, e| {
        let eta = T::from_f64(config.eta_at(e));
        // One epoch of minibatch SGD, each step `optimizer.step`.
        epoch(net, &mut rng, &mut optimizer, eta);
    };
    let record = |net: &Network<T>, e| measure.record(net, e);
    fit(net, config.epochs, train_epoch, record, report)
}

// ANCHOR_END: train

// ANCHOR: measure
/// What chapter 8 measures after every epoch: the mean cost on (up to)
/// [`LOSS_SAMPLE`] training images and the validation accuracy.
pub struct Measure<'a, T> {
    cost: Cost,
    x_sample: ArrayView2<'a, T>, // (784, ≤ LOSS_SAMPLE)
    y_sample: ArrayView2<'a, T>, // (10, ≤ LOSS_SAMPLE)
    x_val: ArrayView2<'a, T>,    // (784, validation)
    labels_val: &'a [u8],
}

impl<'a, T: Float> Measure<'a, T> {
    /// Measures with `cost` on the first images of (x, y), and on the
    /// validation images.
    pub fn new(
        cost: Cost,
        x: ArrayView2<'a, T>,
        y: ArrayView2<'a, T>,
        x_val: ArrayView2<'a, T>,
        labels_val: &'a [u8],
    ) -> Self {
        let sample = s![.., ..LOSS_SAMPLE.min(x.ncols())];
        let (x_sample, y_sample) = (x.slice_move(sample), y.slice_move(sample));
        Measure {
            cost,
            x_sample,
            y_sample,
            x_val,
            labels_val,
        }
    }

    /// The epoch's numbers for `net`, trained that far.
    pub fn record<S>(&self, net: &Network<T>, epoch: Epoch<S>) -> EpochRecord {
        let (x, y) = (self.x_sample, self.y_sample);
        EpochRecord {
            epoch: epoch.number,
            train_loss: average_cost(net, x, y, self.cost),
            validation_accuracy: accuracy(
                &predict_all(net, self.x_val),
                self.labels_val,
            ),
            seconds: epoch.total_seconds,
        }
    }
}
// ANCHOR_END: measure

/// One epoch of chapter 7's minibatch SGD with the optimizer's update, on
/// the path `config.path` chose: the lesson's `epoch_with` and
/// `Optimizer::step`, or the fast path's `Trainer` with the same update
/// made inside backprop (`Optimizer::update`).
struct Epochs<'a, T: Float> {
    config: &'a Config,
    x: ArrayView2<'a, T>, // (784, samples)
    y: ArrayView2<'a, T>, // (10, samples)
    /// The fast path's buffers, made on the first epoch; `None` on the
    /// lesson path.
    trainer: Option<Trainer<T>>,
}

impl<'a, T: Float> Epochs<'a, T> {
    fn new(
        config: &'a Config,
        x: ArrayView2<'a, T>,
        y: ArrayView2<'a, T>,
    ) -> Self {
        Epochs {
            config,
            x,
            y,
            trainer: None,
        }
    }

    fn run(
        &mut self,
        net: &mut Network<T>,
        rng: &mut Rng,
        optimizer: &mut Optimizer<T>,
        eta: T,
        tick: &mut (impl FnMut() + Send),
    ) {
        let (cost, batch) = (self.config.cost, self.config.batch_size);
        let (x, y) = (self.x, self.y);
        if self.config.path == TrainingPath::Lesson {
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
            return;
        }
        let trainer = self
            .trainer
            .get_or_insert_with(|| Trainer::new(net, x.ncols(), batch));
        let update = optimizer.update(eta);
        trainer.epoch_update(net, x, y, cost, batch, rng, update, tick);
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
