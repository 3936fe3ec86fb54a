//! Chapter 4 exercises: fill in each `todo!()`.
//!
//! Check your answers with
//! `cargo test -p ch04-loss --features my-answers --test exercises`.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

// ANCHOR: one_hot
/// Exercise 4.1: the one-hot target of `label` among `classes` classes, or
/// `None` if the label is not one of them.
///
/// Hint: `vec![0.0; classes]`, then set one entry. Labels run from 0 to
/// `classes − 1`.
pub fn one_hot(label: usize, classes: usize) -> Option<Vec<f64>> {
    // TODO: reject label ≥ classes; otherwise a vector with a single 1.
    todo!("exercise 4.1: one_hot")
}
// ANCHOR_END: one_hot

// ANCHOR: quadratic_cost
/// Exercise 4.2: the quadratic cost ½ Σᵢ (yᵢ − aᵢ)².
///
/// Hint: don't forget the ½ — it is there so that the gradient is a − y.
pub fn quadratic_cost(a: &[f64], y: &[f64]) -> f64 {
    // TODO: half the sum of squared differences.
    todo!("exercise 4.2: quadratic_cost")
}
// ANCHOR_END: quadratic_cost

// ANCHOR: softmax_ce_gradient
/// Exercise 4.3: ∂C/∂z for C = cross-entropy(softmax(z), y), where `y` sums
/// to 1. Graded against finite differences.
///
/// Hint: the answer is famously short. Compute softmax(z) (shifted by the
/// max, as in chapter 2), then subtract y.
pub fn softmax_cross_entropy_gradient(z: &[f64], y: &[f64]) -> Vec<f64> {
    // TODO: softmax(z) − y.
    todo!("exercise 4.3: softmax_cross_entropy_gradient")
}
// ANCHOR_END: softmax_ce_gradient
