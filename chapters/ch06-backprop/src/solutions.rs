//! Reference solutions to the chapter 6 exercises, mirroring
//! `exercises.rs`.

use ch02_activations::{sigmoid, sigmoid_prime};
use ndarray::{Array1, ArrayView1, ArrayView2};

// ANCHOR: last_weight
/// Exercise 6.1: a_prev · σ'(z) · 2(a − y).
pub fn last_weight_gradient(a_prev: f64, w: f64, b: f64, y: f64) -> f64 {
    let z = w * a_prev + b;
    let a = sigmoid(z);
    a_prev * sigmoid_prime(z) * 2.0 * (a - y)
}
// ANCHOR_END: last_weight

// ANCHOR: output_error
/// Exercise 6.2: (a − y) ⊙ σ'(z).
pub fn output_error(z: ArrayView1<f64>, y: ArrayView1<f64>) -> Array1<f64> {
    Array1::from_shape_fn(z.len(), |j| {
        (sigmoid(z[j]) - y[j]) * sigmoid_prime(z[j])
    })
}
// ANCHOR_END: output_error

// ANCHOR: hidden_error
/// Exercise 6.3: (W_nextᵀ δ_next) ⊙ σ'(z).
pub fn hidden_error(
    w_next: ArrayView2<f64>,     // (n_next, n)
    delta_next: ArrayView1<f64>, // (n_next,)
    z: ArrayView1<f64>,          // (n,)
) -> Array1<f64> {
    let back = w_next.t().dot(&delta_next); // (n,)
    back * z.mapv(sigmoid_prime)
}
// ANCHOR_END: hidden_error
