//! Reference solutions to the chapter 3 exercises, mirroring
//! `exercises.rs`.

use ch02_activations::{sigmoid, sigmoid_prime};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

// ANCHOR: count_parameters
/// Exercise 3.1: (Σ n₍ₗ₋₁₎·nₗ, Σ nₗ).
pub fn count_parameters(sizes: &[usize]) -> (usize, usize) {
    let weights = sizes.windows(2).map(|pair| pair[0] * pair[1]).sum();
    let biases = sizes.iter().skip(1).sum();
    (weights, biases)
}
// ANCHOR_END: count_parameters

// ANCHOR: sigmoid_layer
/// Exercise 3.2: a' = σ(W a + b) with explicit loops.
pub fn sigmoid_layer(
    w: ArrayView2<f64>, // (n_out, n_in)
    b: ArrayView1<f64>, // (n_out,)
    a: ArrayView1<f64>, // (n_in,)
) -> Array1<f64> {
    let (n_out, n_in) = w.dim();
    let mut out = Array1::zeros(n_out);
    for j in 0..n_out {
        let mut z = b[j];
        for k in 0..n_in {
            z += w[(j, k)] * a[k];
        }
        out[j] = sigmoid(z);
    }
    out
}
// ANCHOR_END: sigmoid_layer

// ANCHOR: input_jacobian
/// Exercise 3.3: entry (j, k) = σ'(zⱼ)·w[(j, k)].
pub fn sigmoid_layer_jacobian(
    w: ArrayView2<f64>, // (n_out, n_in)
    b: ArrayView1<f64>, // (n_out,)
    a: ArrayView1<f64>, // (n_in,)
) -> Array2<f64> {
    let z = w.dot(&a) + b;
    let mut jacobian = w.to_owned();
    for (mut row, &zj) in jacobian.rows_mut().into_iter().zip(&z) {
        row *= sigmoid_prime(zj);
    }
    jacobian
}
// ANCHOR_END: input_jacobian
