//! Chapter 5 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 5.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

// ANCHOR: central_difference
/// Exercise 5.1: the central difference (f(x + h) − f(x − h)) / 2h.
pub fn central_difference(f: fn(f64) -> f64, x: f64, h: f64) -> f64 {
    // TODO: return the central difference of f at x with step h.
    todo!("exercise 5.1: central_difference")
}
// ANCHOR_END: central_difference

// ANCHOR: descend
/// Exercise 5.2: from `start`, take `steps` steps of gradient descent
/// p ← p − η∇f(p) and return where you end up.
pub fn descend(
    gradient: fn([f64; 2]) -> [f64; 2],
    start: [f64; 2],
    eta: f64,
    steps: usize,
) -> [f64; 2] {
    // TODO: return the point reached after `steps` steps.
    todo!("exercise 5.2: descend")
}
// ANCHOR_END: descend

// ANCHOR: logistic_gradient
/// Exercise 5.3: the gradient of the average cross-entropy of a sigmoid
/// neuron (w, b) over points `xs` with labels `ys` (0 or 1): returns
/// (∂C/∂w, ∂C/∂b). Graded against finite differences.
pub fn logistic_gradient(
    w: [f64; 2],
    b: f64,
    xs: &[[f64; 2]],
    ys: &[f64],
) -> ([f64; 2], f64) {
    // TODO: return (∂C/∂w, ∂C/∂b).
    todo!("exercise 5.3: logistic_gradient")
}
// ANCHOR_END: logistic_gradient

// ANCHOR: learning_rates
/// Exercise 5.4: the chapter's valley had fixed curvatures; take any. For
/// f(x, y) = ½(a·x² + b·y²) with 0 < a ≤ b, return (η_max, η_best):
/// the learning rate above which gradient descent diverges, and the one
/// that reaches the minimum in the fewest steps. The grader runs descent
/// with your rates (and ones near them) on many valleys.
pub fn learning_rates(a: f64, b: f64) -> (f64, f64) {
    // TODO: return (η_max, η_best) for this valley.
    todo!("exercise 5.4: learning_rates")
}
// ANCHOR_END: learning_rates
