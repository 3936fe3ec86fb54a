//! Chapter 1 exercises: fill in each `todo!()`.
//!
//! Check your answers with
//! `cargo test -p ch01-neuron --features my-answers --test exercises`.
//! Hints are on each function and in the book; reference solutions are in
//! `solutions.rs` (try first!).
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

// ANCHOR: weighted_sum
/// Exercise 1.1: the weighted sum z = w₁x₁ + … + wₙxₙ + b, with plain
/// slices and a loop (no ndarray).
///
/// Hint: walk `w` and `x` together with `.iter().zip(…)`, or index both
/// with one `i`. Start the sum at `b`.
pub fn weighted_sum(w: &[f64], x: &[f64], b: f64) -> f64 {
    // TODO: return b plus the sum of w[i] * x[i] over every i.
    todo!("exercise 1.1: weighted_sum")
}
// ANCHOR_END: weighted_sum

// ANCHOR: and_gate
/// Exercise 1.2: choose weights (w₁, w₂) and a bias b so that a neuron
/// with the *step* activation, a = 1 if z > 0 and 0 otherwise, computes
/// logical AND of two inputs that are 0 or 1.
///
/// Hint: with w₁ = w₂ = 1 the sum w·x is 0, 1 or 2. Which bias puts only
/// the 2 above zero? The bias is a threshold.
pub fn and_gate() -> ([f64; 2], f64) {
    // TODO: return ([w1, w2], b).
    todo!("exercise 1.2: and_gate")
}
// ANCHOR_END: and_gate

// ANCHOR: sigmoid_gradient
/// Exercise 1.3: for a sigmoid neuron a = σ(w·x + b), return (∂a/∂w, ∂a/∂b)
/// — one entry per weight, then the bias's.
///
/// Hint: first compute a. Then σ'(z) = a(1 − a), ∂z/∂wᵢ = xᵢ and
/// ∂z/∂b = 1; the chain rule multiplies them. The grader compares your
/// answer with finite differences, so there is no answer key to peek at.
pub fn sigmoid_gradient(w: &[f64], x: &[f64], b: f64) -> (Vec<f64>, f64) {
    // TODO: return (vec of σ'(z)·x[i], σ'(z)).
    todo!("exercise 1.3: sigmoid_gradient")
}
// ANCHOR_END: sigmoid_gradient
