//! Reference solutions to chapter 6's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

use ch02_activations::{sigmoid, sigmoid_prime};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

// ANCHOR: last_weight_gradient
/// Exercise 6.1: a_prev · σ'(z) · 2(a − y).
pub fn last_weight_gradient(a_prev: f64, w: f64, b: f64, y: f64) -> f64 {
    let z = w * a_prev + b;
    let a = sigmoid(z);
    a_prev * sigmoid_prime(z) * 2.0 * (a - y)
}
// ANCHOR_END: last_weight_gradient

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

// ANCHOR: backprop
/// Exercise 6.4: forward once, keeping every z and a; then BP1 at the
/// output, BP3 and BP4 at each layer, and BP2 to step back a layer.
pub fn backprop(
    net: &crate::Network<f64>,
    x: ArrayView1<f64>, // (n₀,)
    y: ArrayView1<f64>, // (n_L,)
) -> Vec<(Array2<f64>, Array1<f64>)> {
    let trace = net.forward_trace(x);
    let last = net.layers.len() - 1;
    let a_out = &trace.activations[last + 1];
    // BP1: δᴸ = (aᴸ − y) ⊙ σ'(zᴸ).
    let mut delta = (a_out - &y) * trace.zs[last].mapv(sigmoid_prime);
    let mut grads = Vec::with_capacity(net.layers.len());
    for l in (0..=last).rev() {
        let a_in = &trace.activations[l]; // (n_in,)
        // BP4: ∂C/∂W = δ a_inᵀ, an outer product; BP3: ∂C/∂b = δ.
        let dw = delta
            .view()
            .insert_axis(ndarray::Axis(1))
            .dot(&a_in.view().insert_axis(ndarray::Axis(0)));
        grads.push((dw, delta.clone()));
        if l > 0 {
            // BP2, one layer back: (Wᵀ δ) ⊙ σ'(z) of the layer before.
            // (Code index l is the page's layer l + 1.)
            let w = &net.layers[l].w;
            delta = w.t().dot(&delta) * trace.zs[l - 1].mapv(sigmoid_prime);
        }
    }
    grads.reverse();
    grads
}
// ANCHOR_END: backprop
