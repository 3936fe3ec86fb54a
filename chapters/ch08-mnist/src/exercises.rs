//! Chapter 8 exercises: fill in each `todo!()`.
//!
//! Check your answers with
//! `cargo test -p ch08-mnist --features my-answers --test exercises`.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use ndarray::ArrayView2;

// ANCHOR: accuracy
/// Exercise 8.1: the accuracy of a batch of outputs, one column per image
/// (shape (10, n)), against the true labels: the fraction of columns whose
/// largest entry is at the label's index.
///
/// Hint: for each column, find the index of the largest value (the
/// network's answer), compare with the label, count the matches.
pub fn accuracy(outputs: ArrayView2<f32>, labels: &[u8]) -> f64 {
    // TODO: argmax per column, then matches / n.
    todo!("exercise 8.1: accuracy")
}
// ANCHOR_END: accuracy

// ANCHOR: momentum_step
/// Exercise 8.2: one step of SGD with momentum μ and weight decay λ on a
/// weight vector: v ← μv − η(g + λw), then w ← w + v.
///
/// Hint: update `v[i]` first, then `w[i]`, for each i. With μ = 0 and
/// λ = 0 this is chapter 5's plain gradient-descent step.
pub fn momentum_step(
    w: &mut [f64],
    v: &mut [f64],
    grad: &[f64],
    eta: f64,
    momentum: f64,
    weight_decay: f64,
) {
    // TODO: the two update lines, element by element.
    todo!("exercise 8.2: momentum_step")
}
// ANCHOR_END: momentum_step

// ANCHOR: center_of_mass
/// Exercise 8.3: the centre of mass (row, column) of a grayscale image,
/// each pixel weighted by its brightness — how MNIST centres its digits.
///
/// Hint: Σ row·value / Σ value, and the same for columns.
pub fn center_of_mass(image: ArrayView2<f32>) -> (f32, f32) {
    // TODO: two weighted sums, divided by the total brightness.
    todo!("exercise 8.3: center_of_mass")
}
// ANCHOR_END: center_of_mass
