//! Chapter 2 exercises: fill in each `todo!()`.
//!
//! Check your answers with
//! `cargo test -p ch02-activations --features my-answers --test exercises`.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

// ANCHOR: tanh_from_sigmoid
/// Exercise 2.1: tanh is a sigmoid in disguise. Compute tanh(z) using only
/// [`crate::sigmoid`] and arithmetic.
///
/// Hint: tanh(z) = 2σ(2z) − 1. Why? Write both over e^{2z}.
pub fn tanh_from_sigmoid(z: f64) -> f64 {
    // TODO: stretch σ horizontally by 2 and vertically to (−1, 1).
    todo!("exercise 2.1: tanh_from_sigmoid")
}
// ANCHOR_END: tanh_from_sigmoid

// ANCHOR: stable_softmax
/// Exercise 2.2: softmax that never overflows. For any finite scores,
/// including ±10⁴, return probabilities that are finite and sum to 1.
///
/// Hint: e^{zᵢ − m} / Σⱼ e^{zⱼ − m} is the same for every m; choose
/// m = max(z) so the largest exponent is 0.
pub fn stable_softmax(z: &[f64]) -> Vec<f64> {
    // TODO: subtract the max, exponentiate, divide by the sum.
    todo!("exercise 2.2: stable_softmax")
}
// ANCHOR_END: stable_softmax

// ANCHOR: softmax_jacobian
/// Exercise 2.3: the Jacobian of softmax, J[i][j] = ∂sᵢ/∂zⱼ, as a vector
/// of rows.
///
/// Hint: ∂sᵢ/∂zⱼ = sᵢ(1 − sᵢ) when i = j and −sᵢsⱼ otherwise. Graded
/// against finite differences.
pub fn softmax_jacobian(z: &[f64]) -> Vec<Vec<f64>> {
    // TODO: compute s = softmax(z), then fill the n×n matrix.
    todo!("exercise 2.3: softmax_jacobian")
}
// ANCHOR_END: softmax_jacobian
