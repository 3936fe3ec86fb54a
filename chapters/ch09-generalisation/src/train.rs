//! One training run with every refinement of the chapter switchable:
//! chapter 8's loop (`fit`) with dropout, augmentation, Adam and
//! schedules in its epoch, on chapter 7's fast path.
//!
//! Leaves out the lesson code of each refinement (`regularise`,
//! `augment`, `optim`), which this module calls.

use ch07_minibatches::fast::{Trainer, Workspace};
use ch07_minibatches::{Activation, Cost, Init, Network};
use ch08_mnist::{
    Epoch, Mnist, Optimizer, Validated, argmax, fit, labels_to_matrix,
};
use ndarray::{ArrayView2, s};
use shared::rng::{Rng, seeded};

use crate::augment::Augment;
use crate::optim::{Adam, Schedule};
use crate::regularise::draw_dropout;

/// How the weights move (`--optimizer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Plain SGD: w ← w − η∇C.
    Sgd,
    /// SGD with momentum μ (chapter 8).
    Momentum,
    /// Adam.
    Adam,
}

impl Method {
    /// The name the command line uses.
    pub fn name(self) -> &'static str {
        match self {
            Method::Sgd => "sgd",
            Method::Momentum => "momentum",
            Method::Adam => "adam",
        }
    }
}

// ANCHOR: settings
/// Everything that defines a run of this chapter.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Hidden layer widths (the input and the 10 outputs are added).
    pub hidden: Vec<usize>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// How the first weights are drawn.
    pub init: Init,
    /// How the weights move.
    pub method: Method,
    /// Momentum μ (for `Method::Momentum`).
    pub momentum: f64,
    /// The first learning rate η₀.
    pub eta: f64,
    /// How η changes over the epochs.
    pub schedule: Schedule,
    /// Samples per minibatch.
    pub batch_size: usize,
    /// Passes over the training images.
    pub epochs: usize,
    /// L2 weight decay λ.
    pub weight_decay: f64,
    /// Dropout rate p of the hidden layers.
    pub dropout: f64,
    /// Distortions of the training images, fresh every epoch.
    pub augment: Augment,
    /// The seed of the first weights, the shuffles, masks and distortions.
    pub seed: u64,
}

impl Settings {
    /// The baseline every refinement is measured against: 784-512-512-10,
    /// ReLU, He, momentum 0.9, η 0.1 on a cosine, batches of 64, 15
    /// epochs — and no regularisation at all.
    pub fn baseline() -> Settings {
        Settings {
            hidden: vec![512, 512],
            activation: Activation::Relu,
            init: Init::He,
            method: Method::Momentum,
            momentum: 0.9,
            eta: 0.1,
            schedule: Schedule::Cosine,
            batch_size: 64,
            epochs: 15,
            weight_decay: 0.0,
            dropout: 0.0,
            augment: Augment::NONE,
            seed: shared::rng::DEFAULT_SEED,
        }
    }
}
// ANCHOR_END: settings

/// One epoch's numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Record {
    /// 1 for the first epoch.
    pub epoch: usize,
    /// Mean cost on (up to 10,000 of) the training images, undistorted,
    /// every neuron on.
    pub train_loss: f64,
    /// Accuracy on the same training images.
    pub train_accuracy: f64,
    /// Mean cost on the validation images.
    pub validation_loss: f64,
    /// Accuracy on the validation images.
    pub validation_accuracy: f64,
    /// Seconds of training (augmentation included, evaluation not).
    pub seconds: f64,
}

impl Validated for Record {
    fn validation_score(&self) -> f64 {
        self.validation_accuracy
    }
}

/// Training images the training loss and accuracy are measured on.
pub const SAMPLE: usize = 10_000;

/// One epoch of minibatch SGD with the chosen update rule, on chapter
/// 7's fast path (its `Trainer`: buffers allocated once, every core; the
/// dropout masks drawn by `regularise::draw_dropout`).
struct Minibatches {
    trainer: Trainer<f32>,
    rule: Rule,
    batch_size: usize,
}

/// The update rule in use.
enum Rule {
    Momentum(Optimizer<f32>),
    Adam(Adam<f32>),
}

impl Minibatches {
    fn new(settings: &Settings, net: &Network<f32>, n: usize) -> Self {
        let lambda = settings.weight_decay;
        let rule = match settings.method {
            Method::Sgd => Rule::Momentum(Optimizer::new(net, 0.0, lambda)),
            Method::Momentum => {
                Rule::Momentum(Optimizer::new(net, settings.momentum, lambda))
            }
            Method::Adam => Rule::Adam(Adam::new(net, lambda)),
        };
        let mut trainer = Trainer::new(net, n, settings.batch_size);
        let p = settings.dropout;
        if p > 0.0 {
            trainer.masks =
                Some(Box::new(move |mask, rng| draw_dropout(mask, p, rng)));
        }
        Minibatches {
            trainer,
            rule,
            batch_size: settings.batch_size,
        }
    }

    fn epoch(
        &mut self,
        net: &mut Network<f32>,
        x: ArrayView2<f32>, // (784, n)
        y: ArrayView2<f32>, // (10, n)
        eta: f32,
        rng: &mut Rng,
    ) {
        let (rule, batch) = (&mut self.rule, self.batch_size);
        let cost = Cost::CrossEntropy;
        self.trainer.epoch_with(
            net,
            x,
            y,
            cost,
            batch,
            rng,
            |net, g| match rule {
                Rule::Momentum(optimizer) => optimizer.step_fast(net, g, eta),
                Rule::Adam(adam) => adam.step_fast(net, g, eta),
            },
        );
    }
}

// ANCHOR: train
/// Trains as `settings` say with chapter 8's [`fit`]: each epoch a fresh
/// distorted copy of the images (if any), then minibatches with dropout,
/// backprop and the update rule; measured on training and validation
/// images after every epoch. Returns the best epoch's network on
/// validation, and every epoch's numbers.
pub fn train(
    settings: &Settings,
    data: &Mnist,
    report: impl FnMut(&Record),
) -> (Network<f32>, Vec<Record>) {
    let mut rng: Rng = seeded(settings.seed);
    let sizes = [&[data.x.nrows()][..], &settings.hidden, &[10]].concat();
    let (f, init) = (settings.activation, settings.init);
    let net = Network::new(&sizes, f, Activation::Softmax, init, &mut rng)
        .expect("the command line checks the sizes");
    let y = labels_to_matrix::<f32>(&data.labels); // (10, n)
    let mut sgd = Minibatches::new(settings, &net, data.x.ncols());
    let (eta0, epochs) = (settings.eta, settings.epochs);
    let train_epoch = |net: &mut Network<f32>, epoch| {
        let eta = settings.schedule.eta(eta0, epoch, epochs) as f32;
        // A fresh distorted copy of every training image, or the images.
        let distorted = settings.augment.any().then(|| {
            settings.augment.epoch(data.x.view(), settings.seed, epoch)
        });
        let x = distorted.as_ref().unwrap_or(&data.x).view();
        // One epoch of minibatches: dropout, backprop, the update rule.
        sgd.epoch(net, x, y.view(), eta, &mut rng);
    };
    let record = |net: &Network<f32>, e: Epoch<()>| measure(net, data, e);
    fit(net, epochs, train_epoch, record, report)
}
// ANCHOR_END: train

/// The epoch's numbers: cost and accuracy on training and validation.
fn measure(net: &Network<f32>, data: &Mnist, epoch: Epoch<()>) -> Record {
    let n = SAMPLE.min(data.x.ncols());
    let x_sample = data.x.slice(s![.., ..n]);
    let (train_loss, train_accuracy) =
        loss_and_accuracy(net, x_sample, &data.labels[..n]);
    let (validation_loss, validation_accuracy) =
        loss_and_accuracy(net, data.x_val.view(), &data.labels_val);
    Record {
        epoch: epoch.number,
        train_loss,
        train_accuracy,
        validation_loss,
        validation_accuracy,
        seconds: epoch.total_seconds,
    }
}

/// The mean cross-entropy and the accuracy of the network on images `x`
/// with `labels`, in one forward pass on the fast path, a thousand images
/// at a time. With one-hot targets the cross-entropy of an output column
/// is −ln aᵧ, y the label.
pub fn loss_and_accuracy(
    net: &Network<f32>,
    x: ArrayView2<f32>, // (n_in, n)
    labels: &[u8],
) -> (f64, f64) {
    const STEP: usize = 1000;
    let mut workspace = Workspace::new(net, STEP.min(x.ncols()).max(1));
    let (mut loss, mut right) = (0.0, 0);
    fastpath::install(|| {
        for start in (0..x.ncols()).step_by(STEP) {
            let end = (start + STEP).min(x.ncols());
            let a = workspace.forward(net, x.slice(s![.., start..end]));
            for (column, &label) in
                a.columns().into_iter().zip(&labels[start..end])
            {
                let a_y = f64::from(column[usize::from(label)]);
                loss -= a_y.max(f64::from(f32::MIN_POSITIVE)).ln();
                right += usize::from(
                    argmax(column.iter().copied()) == usize::from(label),
                );
            }
        }
    });
    let n = x.ncols().max(1) as f64;
    (loss / n, right as f64 / n)
}
