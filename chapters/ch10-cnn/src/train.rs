//! Training the convolutional network with the machinery of chapters 7–9:
//! shuffled minibatches, momentum with weight decay, a cosine schedule,
//! shifted copies of the images each epoch, and the epoch chosen on
//! validation. Every step runs on the fast path (`fast.rs`).

use ndarray::{ArrayView2, Zip};
use rand::seq::SliceRandom;
use shared::rng::seeded;

use ch07_minibatches::fast::Float;
use ch08_mnist::{Epoch, Mnist, Validated, cosine_eta, fit, momentum_rule};
use ch09_generalisation::augment::Augment;

use crate::fast::Workspace;
use crate::net::{Architecture, Cnn};

/// Everything that defines a training run.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The network's shape.
    pub arch: Architecture,
    /// The learning rate η at the start (cosine decay to 0).
    pub eta: f64,
    /// Momentum μ.
    pub momentum: f64,
    /// Weight decay λ (weights only).
    pub weight_decay: f64,
    /// Images per minibatch.
    pub batch_size: usize,
    /// Passes over the training images.
    pub epochs: usize,
    /// Distortions drawn afresh for every image every epoch (chapter 9).
    pub augment: Augment,
    /// Seed of the initial weights, the shuffles and the distortions.
    pub seed: u64,
}

impl Settings {
    /// The chapter's run, chosen on validation (see the page).
    pub fn default_run() -> Settings {
        Settings {
            arch: Architecture::MNIST,
            eta: 0.05,
            momentum: 0.9,
            weight_decay: 5e-4,
            batch_size: 64,
            epochs: 12,
            augment: Augment {
                shift: true,
                ..Augment::NONE
            },
            seed: 10,
        }
    }
}

/// What one epoch did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Record {
    /// The epoch, from 1.
    pub epoch: usize,
    /// The learning rate it used.
    pub eta: f64,
    /// Mean cross-entropy over its training minibatches.
    pub train_loss: f64,
    /// Mean cross-entropy on the validation images.
    pub validation_loss: f64,
    /// Validation accuracy, in [0, 1].
    pub validation_accuracy: f64,
    /// Seconds of training (not counting validation).
    pub seconds: f64,
}

impl Validated for Record {
    fn validation_score(&self) -> f64 {
        self.validation_accuracy
    }
}

/// Momentum with weight decay (chapter 8's rule) for every parameter.
pub struct Momentum<T: Float> {
    velocity: Cnn<T>,
    mu: T,
    lambda: T,
}

impl<T: Float> Momentum<T> {
    /// Zero velocity for `net`'s parameters.
    pub fn new(net: &Cnn<T>, momentum: f64, weight_decay: f64) -> Self {
        Momentum {
            velocity: Cnn::zeros(net.arch),
            mu: T::from_f64(momentum),
            lambda: T::from_f64(weight_decay),
        }
    }

    /// v ← μv − η(∇ + λw), w ← w + v; biases without decay.
    pub fn step(&mut self, net: &mut Cnn<T>, grads: &Cnn<T>, eta: T) {
        let layers = net.layers_mut();
        let velocity = self.velocity.layers_mut();
        for (((w, b), (vw, vb)), (gw, gb)) in
            layers.into_iter().zip(velocity).zip(grads.layers())
        {
            Zip::from(w).and(vw).and(&gw).for_each(momentum_rule(
                self.mu,
                eta,
                self.lambda,
            ));
            Zip::from(b).and(vb).and(&gb).for_each(momentum_rule(
                self.mu,
                eta,
                T::zero(),
            ));
        }
    }
}

/// Trains from `settings.seed`'s initial weights with chapter 8's
/// [`fit`]; returns the network of the epoch with the best validation
/// accuracy and every epoch's record (`report` sees each as it ends).
pub fn train(
    settings: &Settings,
    data: &Mnist,
    report: &mut dyn FnMut(&Record),
) -> (Cnn<f32>, Vec<Record>) {
    let mut rng = seeded(settings.seed);
    let net = Cnn::<f32>::new(settings.arch, &mut rng);
    let mut optimizer =
        Momentum::new(&net, settings.momentum, settings.weight_decay);
    let mut work = Workspace::new(settings.arch, settings.batch_size);
    let n = data.x.ncols();
    let mut order: Vec<usize> = (0..n).collect();
    fastpath::install(fastpath::prepare::<f32>);
    let (eta0, epochs) = (settings.eta, settings.epochs);
    // One epoch: shifted copies (if asked), shuffled minibatches, each a
    // backprop and a momentum step; returns the mean training loss and η.
    let train_epoch = |net: &mut Cnn<f32>, epoch| {
        let eta = cosine_eta(eta0, epoch, epochs);
        let x = settings.augment.any().then(|| {
            settings.augment.epoch(data.x.view(), settings.seed, epoch)
        });
        let x = x.as_ref().unwrap_or(&data.x);
        order.shuffle(&mut rng);
        let mut loss = 0.0;
        fastpath::install(|| {
            for batch in order.chunks(settings.batch_size) {
                work.backprop(net, x.view(), &data.labels, batch);
                loss += work.cost;
                optimizer.step(net, &work.grads, eta as f32);
            }
        });
        (loss / n as f64, eta)
    };
    let measure = |net: &Cnn<f32>, epoch: Epoch<(f64, f64)>| {
        let (validation_loss, validation_accuracy) =
            loss_and_accuracy(net, data.x_val.view(), &data.labels_val);
        let (train_loss, eta) = epoch.trained;
        Record {
            epoch: epoch.number,
            eta,
            train_loss,
            validation_loss,
            validation_accuracy,
            seconds: epoch.seconds,
        }
    };
    fit(net, epochs, train_epoch, measure, report)
}

/// Images per forward pass when measuring.
const CHUNK: usize = 500;

/// Mean cross-entropy and accuracy (in [0, 1]) on images `x`
/// (side², n) with `labels`.
pub fn loss_and_accuracy<T: Float>(
    net: &Cnn<T>,
    x: ArrayView2<T>,
    labels: &[u8],
) -> (f64, f64) {
    let (mut loss, mut right) = (0.0, 0usize);
    let mut work = Workspace::new(net.arch, CHUNK.min(x.ncols()).max(1));
    let all: Vec<usize> = (0..x.ncols()).collect();
    fastpath::install(|| {
        for columns in all.chunks(CHUNK) {
            work.forward(net, x, columns);
            let out = work.output(columns.len());
            for (column, &j) in out.columns().into_iter().zip(columns) {
                let y = usize::from(labels[j]);
                loss -= column[y].into_f64().ln();
                right += usize::from(
                    ch08_mnist::argmax(column.iter().copied()) == y,
                );
            }
        }
    });
    let n = x.ncols().max(1) as f64;
    (loss / n, right as f64 / n)
}

/// The predicted class of every image (column) of `x`.
pub fn predict_all<T: Float>(net: &Cnn<T>, x: ArrayView2<T>) -> Vec<u8> {
    let mut work = Workspace::new(net.arch, CHUNK.min(x.ncols()).max(1));
    let all: Vec<usize> = (0..x.ncols()).collect();
    let mut predictions = Vec::with_capacity(x.ncols());
    fastpath::install(|| {
        for columns in all.chunks(CHUNK) {
            work.forward(net, x, columns);
            let out = work.output(columns.len());
            predictions.extend(out.columns().into_iter().map(|column| {
                ch08_mnist::argmax(column.iter().copied()) as u8
            }));
        }
    });
    predictions
}
