//! Chapter 4 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 4.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

// ANCHOR: one_hot
/// Exercise 4.1: the one-hot target of `label` among `classes` classes, or
/// `None` if the label is not one of them.
pub fn one_hot(label: usize, classes: usize) -> Option<Vec<f64>> {
    // TODO: return the target vector, or None for a label out of range.
    todo!("exercise 4.1: one_hot")
}
// ANCHOR_END: one_hot

// ANCHOR: quadratic_cost
/// Exercise 4.2: the quadratic cost ½ Σᵢ (yᵢ − aᵢ)².
pub fn quadratic_cost(a: &[f64], y: &[f64]) -> f64 {
    // TODO: return the cost of output a against target y.
    todo!("exercise 4.2: quadratic_cost")
}
// ANCHOR_END: quadratic_cost

// ANCHOR: softmax_cross_entropy_gradient
/// Exercise 4.3: ∂C/∂z for C = cross-entropy(softmax(z), y), where `y` sums
/// to 1. Graded against finite differences.
pub fn softmax_cross_entropy_gradient(z: &[f64], y: &[f64]) -> Vec<f64> {
    // TODO: return ∂C/∂z, one entry per score.
    todo!("exercise 4.3: softmax_cross_entropy_gradient")
}
// ANCHOR_END: softmax_cross_entropy_gradient

// ANCHOR: softmax_quadratic_gradient
/// Exercise 4.4: derive ∂C/∂z for the *quadratic* cost on a softmax
/// output, C = ½‖softmax(z) − y‖², and compute it. Graded against finite
/// differences. Compare your formula with exercise 4.3's: which one still
/// pushes hard when the network is confidently wrong?
pub fn softmax_quadratic_gradient(z: &[f64], y: &[f64]) -> Vec<f64> {
    // TODO: return ∂C/∂z, one entry per score.
    todo!("exercise 4.4: softmax_quadratic_gradient")
}
// ANCHOR_END: softmax_quadratic_gradient
