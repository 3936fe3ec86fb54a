//! Chapter 3's network on the tape: the forward pass recorded, the
//! gradient by [`Tape::backward`] — and training on MNIST with it, the
//! rest of chapter 8's recipe unchanged.

use std::time::Instant;

use ch07_minibatches::fast::Float;
use ch08_mnist::{
    EpochRecord, LOSS_SAMPLE, Optimizer, accuracy, average_cost, cosine_eta,
    predict_all,
};
use ndarray::{ArrayView2, Axis, s};
use rand::seq::SliceRandom;
use shared::Real;
use shared::rng::{Rng, seeded};

pub use ch06_backprop::{Activation, Cost, Gradients, Network};
pub use ch08_mnist::Config;

use crate::tensor::{ColumnSums, Ln};
use crate::tensor::{
    Relu, Sigmoid, Softmax, SoftmaxCrossEntropy, Tanh, Tape, Var,
};

// ANCHOR: record
/// The network's parameters on a tape: W⁽ˡ⁾ and b⁽ˡ⁾ for each layer.
pub struct Params {
    /// W⁽ˡ⁾, (n_out, n_in).
    pub w: Vec<Var>,
    /// b⁽ˡ⁾ as a column, (n_out, 1).
    pub b: Vec<Var>,
}

/// The cost of `net` on a batch X (n_in, m) with targets Y (n_out, m),
/// recorded on `tape`: chapter 7's forward pass, then the cost's mean
/// over the batch. Returns the parameters and the cost.
pub fn record_cost<T: Real>(
    tape: &mut Tape<T>,
    net: &Network<T>,
    x: ArrayView2<T>, // (n_in, m)
    y: ArrayView2<T>, // (n_out, m)
    cost: Cost,
) -> (Params, Var) {
    let mut p = Params {
        w: vec![],
        b: vec![],
    };
    let (x, y) = (tape.constant(x.to_owned()), tape.constant(y.to_owned()));
    let last = net.layers.len() - 1;
    let mut a = x;
    for (l, layer) in net.layers.iter().enumerate() {
        p.w.push(tape.param(layer.w.clone()));
        p.b.push(tape.param(layer.b.clone().insert_axis(Axis(1))));
        let wa = tape.matmul(p.w[l], a); // W A
        let z = tape.add_column(wa, p.b[l]); // Z = W A + b 1ᵀ
        let softmax = layer.activation == Activation::Softmax;
        if l == last && softmax && cost == Cost::CrossEntropy {
            let per_sample = tape.apply(SoftmaxCrossEntropy, &[z, y]);
            return (p, tape.mean(per_sample)); // C = mean of −Σ y ln a
        }
        a = activate(tape, layer.activation, z); // A = f(Z)
    }
    let per_sample = match cost {
        Cost::Quadratic => {
            let d = tape.sub(a, y); // A − Y
            let d_squared = tape.mul(d, d); // d used twice
            let half = tape.scale(0.5, d_squared);
            tape.apply(ColumnSums, &[half]) // ½‖a − y‖² per column
        }
        Cost::CrossEntropy => {
            let ln_a = tape.apply(Ln, &[a]);
            let y_ln_a = tape.mul(y, ln_a);
            let sums = tape.apply(ColumnSums, &[y_ln_a]);
            tape.scale(-1.0, sums) // −Σ y ln a per column
        }
    };
    (p, tape.mean(per_sample))
}

// ANCHOR_END: record

// ANCHOR: activate
/// A = f(Z) on the tape.
pub fn activate<T: Real>(tape: &mut Tape<T>, f: Activation, z: Var) -> Var {
    match f {
        Activation::Identity => z,
        Activation::Sigmoid => tape.apply(Sigmoid, &[z]),
        Activation::Tanh => tape.apply(Tanh, &[z]),
        Activation::Relu => tape.apply(Relu, &[z]),
        Activation::Softmax => tape.apply(Softmax, &[z]),
    }
}
// ANCHOR_END: activate

// ANCHOR: gradients
/// The mean gradient of the cost over a batch, by the engine: record the
/// forward pass, walk the tape back. What chapter 7's `backprop_batch`
/// computes by hand.
pub fn gradients<T: Real>(
    net: &Network<T>,
    x: ArrayView2<T>, // (n_in, m)
    y: ArrayView2<T>, // (n_out, m)
    cost: Cost,
) -> Gradients<T> {
    let mut tape = Tape::new();
    let (p, c) = record_cost(&mut tape, net, x, y, cost);
    let grads = tape.backward(c);
    Gradients {
        nabla_w: p.w.iter().map(|&w| grads.of(&tape, w)).collect(),
        nabla_b: p
            .b
            .iter()
            .map(|&b| grads.of(&tape, b).remove_axis(Axis(1)))
            .collect(),
    }
}
// ANCHOR_END: gradients

/// Targets that sum to 1 for softmax with cross-entropy, as labels do:
/// chapters 6 and 7 use the shortcut a − y, which assumes it.
pub fn targets_for(
    y: ndarray::Array2<f64>,
    output: Activation,
    cost: Cost,
) -> ndarray::Array2<f64> {
    match (output, cost) {
        (Activation::Softmax, Cost::CrossEntropy) => &y / &y.sum_axis(Axis(0)),
        _ => y,
    }
}

/// The cost C the tape records (for checks against chapter 6's).
pub fn cost_value<T: Real>(
    net: &Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    cost: Cost,
) -> f64 {
    let mut tape = Tape::new();
    let (_, c) = record_cost(&mut tape, net, x, y, cost);
    tape.value(c)[(0, 0)].into_f64()
}

// ANCHOR: epoch
/// One epoch of chapter 7's minibatch SGD with the gradient from the
/// engine: the same shuffle, the same minibatches, the same `update`.
pub fn epoch_on_tape<T: Real>(
    net: &mut Network<T>,
    (x, y): (ArrayView2<T>, ArrayView2<T>), // (n_in, n), (n_out, n)
    cost: Cost,
    batch_size: usize,
    rng: &mut Rng,
    mut update: impl FnMut(&mut Network<T>, &Gradients<T>),
) {
    let mut order: Vec<usize> = (0..x.ncols()).collect();
    order.shuffle(rng);
    for batch in order.chunks(batch_size) {
        let x_batch = x.select(Axis(1), batch); // (n_in, m)
        let y_batch = y.select(Axis(1), batch); // (n_out, m)
        let grads = gradients(net, x_batch.view(), y_batch.view(), cost);
        update(net, &grads);
    }
}
// ANCHOR_END: epoch

/// Chapter 8's `train`, with each epoch's gradients from the engine:
/// the same initial weights, shuffles, optimizer and schedule, measured
/// on validation after each epoch; returns the best epoch's network and
/// every epoch's numbers (`seconds` counts training alone).
pub fn train_on_tape<T: Float>(
    config: &Config,
    (x, y): (ArrayView2<T>, ArrayView2<T>),
    (x_val, labels_val): (ArrayView2<T>, &[u8]),
    mut report: impl FnMut(&EpochRecord),
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
    let mut optimizer =
        Optimizer::new(&net, config.momentum, config.weight_decay);
    let (mut history, mut seconds) = (vec![], 0.0);
    let mut best = (f64::NEG_INFINITY, net.clone());
    for epoch in 0..config.epochs {
        let eta = match config.cosine {
            true => cosine_eta(config.eta, epoch, config.epochs),
            false => config.eta,
        };
        let eta = T::from_f64(eta);
        let start = Instant::now();
        epoch_on_tape(
            &mut net,
            (x, y),
            config.cost,
            config.batch_size,
            &mut rng,
            |net, grads| optimizer.step(net, grads, eta),
        );
        seconds += start.elapsed().as_secs_f64();
        let sample = LOSS_SAMPLE.min(x.ncols());
        let record = EpochRecord {
            epoch: epoch + 1,
            train_loss: average_cost(
                &net,
                x.slice(s![.., ..sample]),
                y.slice(s![.., ..sample]),
                config.cost,
            ),
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
