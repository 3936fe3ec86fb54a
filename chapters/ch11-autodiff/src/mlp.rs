//! Chapter 3's network on the tape: the forward pass recorded, the
//! gradient by [`Tape::backward`] — and training on MNIST with it, the
//! rest of chapter 8's recipe unchanged.

use ch07_minibatches::epoch_using;
use ch07_minibatches::fast::Float;
use ch08_mnist::{EpochRecord, Measure, Optimizer, train_with};
use ndarray::{ArrayView2, Axis};
use shared::Real;

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
/// Chapter 8's `train` with each minibatch's gradient from the engine:
/// chapter 7's epoch (`epoch_using`: the same shuffles and minibatches)
/// with [`gradients`] in place of `backprop_batch`, and chapter 8's
/// initial weights, optimizer, schedule and measurements (`train_with`).
/// Returns the best epoch's network and every epoch's numbers.
pub fn train_on_tape<T: Float>(
    config: &Config,
    x: ArrayView2<T>, // (n_in, n)
    y: ArrayView2<T>, // (n_out, n)
    x_val: ArrayView2<T>,
    labels_val: &[u8],
    report: impl FnMut(&EpochRecord),
) -> (Network<T>, Vec<EpochRecord>) {
    let (cost, batch_size) = (config.cost, config.batch_size);
    let measure = Measure::new(cost, x, y, x_val, labels_val);
    let epoch =
        |net: &mut _, rng: &mut _, optimizer: &mut Optimizer<T>, eta| {
            let on_tape = |net: &_, x: ArrayView2<_>, y: ArrayView2<_>| {
                gradients(net, x, y, cost)
            };
            epoch_using(net, x, y, batch_size, rng, on_tape, |net, grads| {
                optimizer.step(net, grads, eta)
            });
        };
    train_with(config, &measure, epoch, report)
}
// ANCHOR_END: epoch
