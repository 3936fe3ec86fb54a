//! Chapter 6 exercises: fill in each `todo!()`.
//!
//! Check your answers with
//! `cargo test -p ch06-backprop --features my-answers --test exercises`.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use ndarray::{Array1, ArrayView1, ArrayView2};

// ANCHOR: last_weight
/// Exercise 6.1: the chain rule by hand. A single sigmoid neuron with
/// input `a_prev`, weight `w` and bias `b` outputs a = σ(w·a_prev + b);
/// the cost is C = (a − y)². Return ∂C/∂w.
///
/// Hint: ∂C/∂w = ∂z/∂w · ∂a/∂z · ∂C/∂a = a_prev · σ'(z) · 2(a − y).
pub fn last_weight_gradient(a_prev: f64, w: f64, b: f64, y: f64) -> f64 {
    // TODO: compute z and a, then multiply the three factors.
    todo!("exercise 6.1: last_weight_gradient")
}
// ANCHOR_END: last_weight

// ANCHOR: output_error
/// Exercise 6.2 (BP1): the output error δ = ∂C/∂z of a sigmoid output layer
/// under the quadratic cost C = ½‖a − y‖², given its weighted inputs `z`.
///
/// Hint: δⱼ = (aⱼ − yⱼ) · σ'(zⱼ), with a = σ(z).
pub fn output_error(z: ArrayView1<f64>, y: ArrayView1<f64>) -> Array1<f64> {
    // TODO: a = σ(z); then (a − y) ⊙ σ'(z).
    todo!("exercise 6.2: output_error")
}
// ANCHOR_END: output_error

// ANCHOR: hidden_error
/// Exercise 6.3 (BP2): pass the error back one layer. Given the next
/// layer's weights `w_next` (n_next, n), its error `delta_next` (n_next,)
/// and this sigmoid layer's weighted inputs `z` (n,), return this layer's
/// error δ = (W_nextᵀ δ_next) ⊙ σ'(z). Graded by finite differences.
///
/// Hint: `w_next.t().dot(&delta_next)` is W_nextᵀ δ_next.
pub fn hidden_error(
    w_next: ArrayView2<f64>,     // (n_next, n)
    delta_next: ArrayView1<f64>, // (n_next,)
    z: ArrayView1<f64>,          // (n,)
) -> Array1<f64> {
    // TODO: transpose-multiply, then scale by σ'(z) elementwise.
    todo!("exercise 6.3: hidden_error")
}
// ANCHOR_END: hidden_error
