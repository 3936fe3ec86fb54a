//! Chapter 5 exercises: fill in each `todo!()`.
//!
//! Check your answers with
//! `cargo test -p ch05-gradient-descent --features my-answers --test exercises`.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

// ANCHOR: central_difference
/// Exercise 5.1: the central difference (f(x + h) − f(x − h)) / 2h.
///
/// Hint: two calls of `f`, one subtraction, one division.
pub fn central_difference(f: fn(f64) -> f64, x: f64, h: f64) -> f64 {
    // TODO: the symmetric difference quotient.
    todo!("exercise 5.1: central_difference")
}
// ANCHOR_END: central_difference

// ANCHOR: descend
/// Exercise 5.2: from `start`, take `steps` steps of gradient descent
/// p ← p − η∇f(p) and return where you end up.
///
/// Hint: keep the point in a `let mut p = start;` and update both
/// coordinates from the same gradient each step.
pub fn descend(
    gradient: fn([f64; 2]) -> [f64; 2],
    start: [f64; 2],
    eta: f64,
    steps: usize,
) -> [f64; 2] {
    // TODO: loop `steps` times: g = gradient(p); p = p − η·g.
    todo!("exercise 5.2: descend")
}
// ANCHOR_END: descend

// ANCHOR: logistic_gradient
/// Exercise 5.3: the gradient of the average cross-entropy of a sigmoid
/// neuron (w, b) over points `xs` with labels `ys` (0 or 1): returns
/// (∂C/∂w, ∂C/∂b). Graded against finite differences.
///
/// Hint: per point, ∂C/∂z = σ(w·x + b) − y (chapter 4); then ∂z/∂wᵢ = xᵢ
/// and ∂z/∂b = 1. Average over the points.
pub fn logistic_gradient(
    w: [f64; 2],
    b: f64,
    xs: &[[f64; 2]],
    ys: &[f64],
) -> ([f64; 2], f64) {
    // TODO: sum (a − y)·x and (a − y) over the points, divide by n.
    todo!("exercise 5.3: logistic_gradient")
}
// ANCHOR_END: logistic_gradient
