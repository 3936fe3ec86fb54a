//! Chapter 2 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 2.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

// ANCHOR: tanh_from_sigmoid
/// Exercise 2.1: tanh is a sigmoid in disguise. Compute tanh(z) using only
/// [`crate::sigmoid`] and arithmetic.
pub fn tanh_from_sigmoid(z: f64) -> f64 {
    // TODO: return tanh(z), calling crate::sigmoid (not f64::tanh).
    todo!("exercise 2.1: tanh_from_sigmoid")
}
// ANCHOR_END: tanh_from_sigmoid

// ANCHOR: stable_softmax
/// Exercise 2.2: softmax that never overflows. For any finite scores,
/// including ±10⁴, return probabilities that are finite and sum to 1.
pub fn stable_softmax(z: &[f64]) -> Vec<f64> {
    // TODO: return softmax(z), finite for every finite z.
    todo!("exercise 2.2: stable_softmax")
}
// ANCHOR_END: stable_softmax

// ANCHOR: softmax_jacobian
/// Exercise 2.3: the Jacobian of softmax, J[i][j] = ∂sᵢ/∂zⱼ, as a vector
/// of rows. Graded against finite differences.
pub fn softmax_jacobian(z: &[f64]) -> Vec<Vec<f64>> {
    // TODO: return the n×n matrix of ∂sᵢ/∂zⱼ, row i first.
    todo!("exercise 2.3: softmax_jacobian")
}
// ANCHOR_END: softmax_jacobian

// ANCHOR: relu_interpolant
/// Exercise 2.4: the chapter builds curves from steep sigmoids; build one
/// from ReLUs. Return (c, t, h) for g(x) = c + Σₖ hₖ ReLU(x − tₖ), at most
/// `n` neurons, such that g equals f at the n + 1 points 0, 1/n, …, 1 and
/// is a straight line between neighbouring points.
pub fn relu_interpolant(
    f: fn(f64) -> f64,
    n: usize,
) -> (f64, Vec<f64>, Vec<f64>) {
    // TODO: return (c, the knots tₖ, the heights hₖ).
    todo!("exercise 2.4: relu_interpolant")
}
// ANCHOR_END: relu_interpolant
