//! Chapter 7 exercises: fill in each `todo!()`.
//!
//! Check your answers with
//! `cargo test -p ch07-minibatches --features my-answers --test exercises`.
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
///
/// Hint: step a start position by `batch_size` and cap each end at `n`.
pub fn minibatches(n: usize, batch_size: usize) -> Vec<Range<usize>> {
    // TODO: ranges start..min(start + batch_size, n).
    todo!("exercise 7.1: minibatches")
}
// ANCHOR_END: minibatches

// ANCHOR: shuffle
/// Exercise 7.2: shuffle `items` in place with the Fisher–Yates algorithm,
/// drawing from `rng`, so that every order is equally likely.
///
/// Hint: for i from the last index down to 1, swap item i with item j,
/// where j is uniform in 0..=i (`rng.random_range(0..=i)`, with
/// `use rand::Rng;`).
pub fn shuffle(items: &mut [usize], rng: &mut Rng) {
    // TODO: walk i backwards, swapping with a random earlier-or-same j.
    todo!("exercise 7.2: shuffle")
}
// ANCHOR_END: shuffle

// ANCHOR: batch_weight_gradient
/// Exercise 7.3 (BP4 for a batch): given the errors Δ (n_out, m) and the
/// layer's inputs A (n_in, m) of a minibatch, one column per sample,
/// return the mean weight gradient (1/m) Σₖ δₖ aₖᵀ, shape (n_out, n_in).
///
/// Hint: that sum of outer products is one matrix product, Δ Aᵀ.
pub fn batch_weight_gradient(
    delta: ArrayView2<f64>, // (n_out, m)
    a_in: ArrayView2<f64>,  // (n_in, m)
) -> Array2<f64> {
    // TODO: delta.dot(&a_in.t()) divided by the number of columns.
    todo!("exercise 7.3: batch_weight_gradient")
}
// ANCHOR_END: batch_weight_gradient
