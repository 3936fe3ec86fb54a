//! Chapter 7 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 7.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use std::ops::Range;

use ndarray::{Array2, ArrayView2};
use shared::rng::Rng;

// ANCHOR: minibatches
/// Exercise 7.1: split sample positions 0..n into consecutive minibatches
/// of `batch_size`; the last one may be smaller. E.g. n = 7, size 3:
/// [0..3, 3..6, 6..7].
pub fn minibatches(n: usize, batch_size: usize) -> Vec<Range<usize>> {
    // TODO: return the minibatches' ranges, in order.
    todo!("exercise 7.1: minibatches")
}
// ANCHOR_END: minibatches

// ANCHOR: shuffle
/// Exercise 7.2: shuffle `items` in place with the Fisher–Yates algorithm,
/// drawing from `rng`, so that every order is equally likely.
pub fn shuffle(items: &mut [usize], rng: &mut Rng) {
    // TODO: shuffle `items` in place, drawing from `rng`.
    todo!("exercise 7.2: shuffle")
}
// ANCHOR_END: shuffle

// ANCHOR: batch_weight_gradient
/// Exercise 7.3 (BP4 for a batch): given the errors Δ (n_out, m) and the
/// layer's inputs A (n_in, m) of a minibatch, one column per sample,
/// return the mean weight gradient (1/m) Σₖ δₖ aₖᵀ, shape (n_out, n_in).
pub fn batch_weight_gradient(
    delta: ArrayView2<f64>, // (n_out, m)
    a_in: ArrayView2<f64>,  // (n_in, m)
) -> Array2<f64> {
    // TODO: return the mean weight gradient, shape (n_out, n_in).
    todo!("exercise 7.3: batch_weight_gradient")
}
// ANCHOR_END: batch_weight_gradient

// ANCHOR: train_epoch
/// Exercise 7.4: one epoch of minibatch SGD, yours from end to end. Visit
/// the samples (columns of `x` and `y`) in a fresh random order drawn from
/// `rng`, cut it into minibatches of `batch_size` (the last may be
/// smaller), and after each minibatch move every weight and bias against
/// its mean gradient, scaled by η. [`crate::backprop_batch`] with
/// [`crate::Cost::Quadratic`] gives the gradients. Graded by training
/// networks on a small problem to a target.
pub fn train_epoch(
    net: &mut crate::Network<f64>,
    x: ArrayView2<f64>, // (n_in, samples)
    y: ArrayView2<f64>, // (n_out, samples)
    batch_size: usize,
    eta: f64,
    rng: &mut Rng,
) {
    // TODO: update `net` in place, one step per minibatch.
    todo!("exercise 7.4: train_epoch")
}
// ANCHOR_END: train_epoch
