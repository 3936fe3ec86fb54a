//! Reference solutions to chapter 3's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

use ch02_activations::{sigmoid, sigmoid_prime};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, array};

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

// ANCHOR: sigmoid_layer_jacobian
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
// ANCHOR_END: sigmoid_layer_jacobian

// ANCHOR: inside_square
/// Exercise 3.4: four steep hidden neurons test x > 0, x < 1, y > 0 and
/// y < 1; the output fires only when all four do (a sum above 3.5).
pub fn inside_square() -> crate::Network<f64> {
    use crate::{Activation, Layer, Network};
    let s = 100.0; // steep: σ(100 · 0.05) = σ(5) ≈ 0.993
    let hidden = Layer::new(
        s * array![[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]],
        s * array![0.0, 1.0, 0.0, 1.0],
        Activation::Sigmoid,
    );
    let output = Layer::new(
        array![[20.0, 20.0, 20.0, 20.0]],
        array![-20.0 * 3.5],
        Activation::Sigmoid,
    );
    Network::from_layers(vec![hidden, output])
}
// ANCHOR_END: inside_square
