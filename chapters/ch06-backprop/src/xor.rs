//! A two-dimensional problem no single neuron can solve, XOR's
//! checkerboard: points in the square [−1, 1]² are class 1 where x₁ and x₂
//! have the same sign — strictly the XNOR of the two signs, XOR with its
//! classes swapped, which is just as far from a straight line.

use ndarray::{Array2, ArrayView2};
use shared::rng::{DEFAULT_SEED, Rng, seeded, uniform};

use crate::{
    Activation, Cost, Gradients, Init, Network, apply_gradients, average_cost,
    backprop,
};

/// `n` XOR points: inputs (2, n), one-hot targets (2, n) and labels.
pub fn xor_data(
    rng: &mut Rng,
    n: usize,
) -> (Array2<f64>, Array2<f64>, Vec<usize>) {
    let mut x = Array2::zeros((2, n)); // (2, samples)
    let mut y = Array2::zeros((2, n)); // (2, samples)
    let mut labels = Vec::with_capacity(n);
    for k in 0..n {
        let (x1, x2) = (uniform(rng, -1.0, 1.0), uniform(rng, -1.0, 1.0));
        let label = usize::from(x1 * x2 > 0.0);
        x[(0, k)] = x1;
        x[(1, k)] = x2;
        y[(label, k)] = 1.0;
        labels.push(label);
    }
    (x, y, labels)
}

// ANCHOR: train
/// Full-batch gradient descent: every epoch averages the backprop gradient
/// over all samples and takes one step. Returns the average cost before
/// each epoch and after the last.
pub fn train(
    net: &mut Network<f64>,
    x: ArrayView2<f64>,
    ys: ArrayView2<f64>,
    cost: Cost,
    eta: f64,
    epochs: usize,
) -> Vec<f64> {
    let n = x.ncols() as f64;
    let mut losses = vec![average_cost(net, x, ys, cost)];
    for _ in 0..epochs {
        let mut grads = Gradients::zeros_like(net);
        for (xk, yk) in x.columns().into_iter().zip(ys.columns()) {
            grads.add_scaled(1.0 / n, &backprop(net, xk, yk, cost));
        }
        apply_gradients(net, &grads, eta);
        losses.push(average_cost(net, x, ys, cost));
    }
    losses
}
// ANCHOR_END: train

/// The fraction of samples whose largest output is their label.
pub fn accuracy(
    net: &Network<f64>,
    x: ArrayView2<f64>,
    labels: &[usize],
) -> f64 {
    let right = x
        .columns()
        .into_iter()
        .zip(labels)
        .filter(|(xk, label)| {
            let a = net.feedforward(xk.view());
            usize::from(a[1] > a[0]) == **label
        })
        .count();
    right as f64 / labels.len() as f64
}

/// The chapter's network: 2-8-8-2, tanh hidden, softmax output.
pub fn fresh_network() -> Network<f64> {
    Network::new(
        &[2, 8, 8, 2],
        Activation::Tanh,
        Activation::Softmax,
        Init::Scaled,
        &mut seeded(DEFAULT_SEED),
    )
    .expect("valid sizes")
}

/// Learning rate and epochs of the chapter's run.
pub const ETA: f64 = 0.5;
/// Epochs of full-batch gradient descent.
pub const EPOCHS: usize = 1000;

/// The chapter's run: 200 XOR points, trained from [`fresh_network`].
pub struct Run {
    /// Inputs, (2, 200).
    pub x: Array2<f64>,
    /// Labels.
    pub labels: Vec<usize>,
    /// The trained network.
    pub net: Network<f64>,
    /// Average cost before each epoch and after the last.
    pub losses: Vec<f64>,
}

/// Trains the chapter's network on the chapter's data.
pub fn chapter_run() -> Run {
    let (x, ys, labels) = xor_data(&mut seeded(DEFAULT_SEED), 200);
    let mut net = fresh_network();
    let losses = train(
        &mut net,
        x.view(),
        ys.view(),
        Cost::CrossEntropy,
        ETA,
        EPOCHS,
    );
    Run {
        x,
        labels,
        net,
        losses,
    }
}

// ANCHOR: vanishing
/// The average size ‖∂C/∂W⁽ˡ⁾‖ of each layer's weight gradient over the
/// samples, layer 1 first.
pub fn gradient_norms(
    net: &Network<f64>,
    x: ArrayView2<f64>,
    ys: ArrayView2<f64>,
    cost: Cost,
) -> Vec<f64> {
    let mut norms = vec![0.0; net.layers.len()];
    for (xk, yk) in x.columns().into_iter().zip(ys.columns()) {
        let grads = backprop(net, xk, yk, cost);
        for (norm, nw) in norms.iter_mut().zip(&grads.nabla_w) {
            *norm += nw.iter().map(|g| g * g).sum::<f64>().sqrt();
        }
    }
    norms.iter().map(|s| s / x.ncols() as f64).collect()
}

/// A deep, narrow network: 2 inputs, eight hidden layers of 8, 2 outputs.
pub fn deep_network(hidden: Activation) -> Network<f64> {
    let init = if hidden == Activation::Relu {
        Init::He
    } else {
        Init::Scaled
    };
    let mut sizes = vec![2];
    sizes.extend([8; 8]);
    sizes.push(2);
    Network::new(
        &sizes,
        hidden,
        Activation::Softmax,
        init,
        &mut seeded(DEFAULT_SEED),
    )
    .expect("valid sizes")
}
// ANCHOR_END: vanishing
