//! Chapter 8 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 8.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use ndarray::ArrayView2;

// ANCHOR: accuracy
/// Exercise 8.1: the accuracy of a batch of outputs, one column per image
/// (shape (10, n)), against the true labels: the fraction of columns whose
/// largest entry is at the label's index.
pub fn accuracy(outputs: ArrayView2<f32>, labels: &[u8]) -> f64 {
    // TODO: return the fraction of columns that name their label.
    todo!("exercise 8.1: accuracy")
}
// ANCHOR_END: accuracy

// ANCHOR: momentum_step
/// Exercise 8.2: one step of SGD with momentum μ and weight decay λ on a
/// weight vector: v ← μv − η(g + λw), then w ← w + v.
pub fn momentum_step(
    w: &mut [f64],
    v: &mut [f64],
    grad: &[f64],
    eta: f64,
    momentum: f64,
    weight_decay: f64,
) {
    // TODO: update `v`, then `w`, in place.
    todo!("exercise 8.2: momentum_step")
}
// ANCHOR_END: momentum_step

// ANCHOR: center_of_mass
/// Exercise 8.3: the centre of mass (row, column) of a grayscale image,
/// each pixel weighted by its brightness — how MNIST centres its digits.
pub fn center_of_mass(image: ArrayView2<f32>) -> (f32, f32) {
    // TODO: return (row, column) of the centre of mass.
    todo!("exercise 8.3: center_of_mass")
}
// ANCHOR_END: center_of_mass

// ANCHOR: small_network
/// The most parameters exercise 8.4 allows.
pub const PARAMETER_BUDGET: usize = 15_000;

/// Exercise 8.4: a network for MNIST on a budget. Return settings (start
/// from a preset: `crate::Config { …, ..crate::Config::default_run() }`)
/// whose network has at most [`PARAMETER_BUDGET`] weights and biases and
/// that, trained for at most 5 epochs on the first 50,000 training images,
/// classifies at least 95 % of the other 10,000 — the *validation* images
/// — correctly. Experiment: choose on validation, never on the test set.
/// The grader trains your settings (about 15 s in a test build).
pub fn small_network() -> crate::Config {
    // TODO: return your settings.
    todo!("exercise 8.4: small_network")
}
// ANCHOR_END: small_network
