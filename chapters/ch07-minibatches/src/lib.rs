//! Chapter 7: minibatches and stochastic gradient descent.
//!
//! Covers epochs, seeded shuffling and minibatches; the three update
//! frequencies (online, minibatch, full batch) compared; and backprop for a
//! whole minibatch at once as matrix products — chapter 6's four equations
//! with one column per sample.
//!
//! Leaves out: the refinements chapter 8 adds for MNIST (momentum, weight
//! decay, learning-rate schedules), and speed. The same step, fast —
//! buffers allocated once, every core, SIMD — is [`fast`], which the book
//! never includes; the appendix "How fast is it?" teaches it, and a test
//! proves it computes what this page's code computes.

use ndarray::{Array2, ArrayView2, Axis, NewAxis, s};
use rand::seq::SliceRandom;
use shared::Real;
use shared::rng::Rng;

use ch02_activations::{relu_prime, sigmoid_prime, tanh_prime};
use ch03_forward::activate_columns;
pub use ch06_backprop::{
    Activation, Cost, Gradients, Init, Network, apply_gradients, backprop,
};

pub mod compare;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod fast;
pub mod figures;
mod walkthrough;

/// What `cargo run -p ch07-minibatches` runs.
pub const CHAPTER: shared::chapter::Chapter = shared::chapter::Chapter {
    name: "ch07-minibatches",
    walkthrough: walkthrough::print,
    figures: figures::all,
};

// ANCHOR: batch_forward
/// Every layer's weighted inputs Z and activations A for a batch, one
/// column per sample; `activations[0]` is the input X.
pub struct BatchTrace<T: Real> {
    /// Z for each layer, (n_l, m).
    pub zs: Vec<Array2<T>>,
    /// X, then A for each layer, (n_l, m).
    pub activations: Vec<Array2<T>>,
}

/// The forward pass for a batch X (n_in, m), keeping every Z and A.
pub fn forward_trace_batch<T: Real>(
    net: &Network<T>,
    x: ArrayView2<T>, // (n_in, m)
) -> BatchTrace<T> {
    let mut zs = Vec::new();
    let mut activations = vec![x.to_owned()];
    for layer in &net.layers {
        let a = activations.last().expect("X is there"); // (n_in, m)
        let z = layer.w.dot(a) + layer.b.slice(s![.., NewAxis]); // W A + b 1ᵀ
        let mut a = z.clone();
        activate_columns(layer.activation, &mut a); // A = f(Z)
        zs.push(z);
        activations.push(a);
    }
    BatchTrace { zs, activations }
}
// ANCHOR_END: batch_forward

// ANCHOR: batch_backward_through
/// Chapter 6's `backward_through` for every column at once: G ⊙ f'(Z);
/// for softmax, column k is aₖ ⊙ (gₖ − aₖ·gₖ).
pub fn backward_through_batch<T: Real>(
    f: Activation,
    z: &Array2<T>, // (n, m)
    a: &Array2<T>, // (n, m)
    g: Array2<T>,  // (n, m)
) -> Array2<T> {
    match f {
        Activation::Identity => g,
        Activation::Sigmoid => g * z.mapv(sigmoid_prime),
        Activation::Tanh => g * z.mapv(tanh_prime),
        Activation::Relu => g * z.mapv(relu_prime),
        Activation::Softmax => {
            let a_dot_g = (a * &g).sum_axis(Axis(0)); // (m,): aₖ·gₖ
            a * &(g - a_dot_g) // (m,) broadcasts down every row
        }
    }
}

/// (BP1) for a batch: Δᴸ = ∇_A C ⊙ f'(Zᴸ), or A − Y for softmax with
/// cross-entropy.
pub fn output_error_batch<T: Real>(
    cost: Cost,
    f: Activation,
    z: &Array2<T>, // (n_L, m)
    a: &Array2<T>, // (n_L, m)
    y: ArrayView2<T>,
) -> Array2<T> {
    let tiny = T::min_positive_value(); // keeps −y/a finite
    match (cost, f) {
        (Cost::CrossEntropy, Activation::Softmax) => a - &y,
        (Cost::Quadratic, _) => backward_through_batch(f, z, a, a - &y),
        (Cost::CrossEntropy, _) => {
            // ∂C/∂a = −y/a
            let grad_a = y.mapv(|y| -y) / a.mapv(|a| a.max(tiny));
            backward_through_batch(f, z, a, grad_a)
        }
    }
}
// ANCHOR_END: batch_backward_through

// ANCHOR: batch_backprop
/// Backprop for a whole minibatch: the mean over its m samples (columns)
/// of the gradient of the cost. Chapter 6's `backprop`, line for line,
/// with a matrix Δ in place of the vector δ.
pub fn backprop_batch<T: Real>(
    net: &Network<T>,
    x: ArrayView2<T>, // (n_in, m)
    y: ArrayView2<T>, // (n_out, m)
    cost: Cost,
) -> Gradients<T> {
    // feedforward, keeping every Z and A
    let BatchTrace { zs, activations: a } = forward_trace_batch(net, x);
    let f = |l: usize| net.layers[l].activation;
    let last = net.layers.len() - 1;
    let m = T::from_f64(x.ncols() as f64);
    let mut grads = Gradients::zeros_like(net);

    // backward pass
    let mut delta =
        output_error_batch(cost, f(last), &zs[last], &a[last + 1], y); // BP1
    for l in (0..=last).rev() {
        grads.nabla_b[l] = delta.sum_axis(Axis(1)) / m; // BP3: mean of δₖ
        grads.nabla_w[l] = delta.dot(&a[l].t()) / m; // BP4: Δ Aᵀ / m
        if l > 0 {
            let g = net.layers[l].w.t().dot(&delta); // Wᵀ Δ
            // BP2: Δ = (Wᵀ Δ) ⊙ f'(Z) for the layer below
            delta = backward_through_batch(f(l - 1), &zs[l - 1], &a[l], g);
        }
    }
    grads
}
// ANCHOR_END: batch_backprop

// ANCHOR: sgd
/// The settings of stochastic gradient descent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    /// The learning rate η.
    pub eta: f64,
    /// Samples per update; 1 is online learning, the data set size is
    /// full-batch gradient descent.
    pub batch_size: usize,
}

/// One epoch of SGD on the samples (columns of `x`, targets `y`): shuffle,
/// cut into minibatches, and step W ← W − η ∂C/∂W, b ← b − η ∂C/∂b after
/// each. Returns the number of steps.
pub fn sgd_epoch<T: Real>(
    net: &mut Network<T>,
    x: ArrayView2<T>, // (n_in, samples)
    y: ArrayView2<T>, // (n_out, samples)
    cost: Cost,
    sgd: Sgd,
    rng: &mut Rng,
) -> usize {
    let eta = T::from_f64(sgd.eta);
    epoch_with(net, x, y, cost, sgd.batch_size, rng, |net, grads| {
        apply_gradients(net, grads, eta)
    })
}

/// One epoch with any update rule: `update` gets the network and each
/// minibatch's mean gradient (chapter 8 plugs in momentum this way).
pub fn epoch_with<T: Real>(
    net: &mut Network<T>,
    x: ArrayView2<T>, // (n_in, samples)
    y: ArrayView2<T>, // (n_out, samples)
    cost: Cost,
    batch_size: usize,
    rng: &mut Rng,
    update: impl FnMut(&mut Network<T>, &Gradients<T>),
) -> usize {
    let backprop = |net: &_, x: ArrayView2<_>, y: ArrayView2<_>| {
        backprop_batch(net, x, y, cost)
    };
    epoch_using(net, x, y, batch_size, rng, backprop, update)
}

/// One epoch with any gradient and any update rule: shuffle, cut into
/// minibatches, and for each, `gradient` of the minibatch, then `update`
/// (chapter 11 plugs in the gradient of its engine this way).
pub fn epoch_using<T: Real>(
    net: &mut Network<T>,
    x: ArrayView2<T>, // (n_in, samples)
    y: ArrayView2<T>, // (n_out, samples)
    batch_size: usize,
    rng: &mut Rng,
    mut gradient: impl FnMut(
        &Network<T>,
        ArrayView2<T>,
        ArrayView2<T>,
    ) -> Gradients<T>,
    mut update: impl FnMut(&mut Network<T>, &Gradients<T>),
) -> usize {
    let mut order: Vec<usize> = (0..x.ncols()).collect();
    order.shuffle(rng);
    for batch in order.chunks(batch_size) {
        let x_batch = x.select(Axis(1), batch); // (n_in, m)
        let y_batch = y.select(Axis(1), batch); // (n_out, m)
        let grads = gradient(net, x_batch.view(), y_batch.view());
        update(net, &grads);
    }
    order.len().div_ceil(batch_size)
}
// ANCHOR_END: sgd

/// The average cost over all samples (columns of `x`, targets `y`).
pub fn average_cost<T: Real>(
    net: &Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    cost: Cost,
) -> f64 {
    let a = net.feedforward_batch(x); // (n_out, samples)
    let total: f64 = a
        .columns()
        .into_iter()
        .zip(y.columns())
        .map(|(ak, yk)| cost.value(ak, yk).into_f64())
        .sum();
    total / x.ncols().max(1) as f64
}

#[cfg(test)]
mod tests;
