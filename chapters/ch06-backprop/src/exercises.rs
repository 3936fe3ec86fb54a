//! Chapter 6 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 6.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

// ANCHOR: last_weight_gradient
/// Exercise 6.1: the chain rule by hand. A single sigmoid neuron with
/// input `a_prev`, weight `w` and bias `b` outputs a = σ(w·a_prev + b);
/// the cost is C = (a − y)². Return ∂C/∂w.
pub fn last_weight_gradient(a_prev: f64, w: f64, b: f64, y: f64) -> f64 {
    // TODO: return ∂C/∂w.
    todo!("exercise 6.1: last_weight_gradient")
}
// ANCHOR_END: last_weight_gradient

// ANCHOR: output_error
/// Exercise 6.2 (BP1): the output error δ = ∂C/∂z of a sigmoid output layer
/// under the quadratic cost C = ½‖a − y‖², given its weighted inputs `z`.
pub fn output_error(z: ArrayView1<f64>, y: ArrayView1<f64>) -> Array1<f64> {
    // TODO: return δ, one entry per output neuron.
    todo!("exercise 6.2: output_error")
}
// ANCHOR_END: output_error

// ANCHOR: hidden_error
/// Exercise 6.3 (BP2): pass the error back one layer. Given the next
/// layer's weights `w_next` (n_next, n), its error `delta_next` (n_next,)
/// and this sigmoid layer's weighted inputs `z` (n,), return this layer's
/// error δ = (W_nextᵀ δ_next) ⊙ σ'(z). Graded by finite differences.
pub fn hidden_error(
    w_next: ArrayView2<f64>,     // (n_next, n)
    delta_next: ArrayView1<f64>, // (n_next,)
    z: ArrayView1<f64>,          // (n,)
) -> Array1<f64> {
    // TODO: return this layer's δ.
    todo!("exercise 6.3: hidden_error")
}
// ANCHOR_END: hidden_error

// ANCHOR: backprop
/// Exercise 6.4: the whole backward pass. For a network whose layers all
/// use the sigmoid, under the quadratic cost C = ½‖a⁽ᴸ⁾ − y‖², return
/// (∂C/∂W⁽ˡ⁾, ∂C/∂b⁽ˡ⁾) for every layer, layer 1 first — BP1 to BP4 for
/// any depth. Write it with the forward trace and ndarray, not chapter 6's
/// `backprop`. Graded by finite differences on random architectures.
pub fn backprop(
    net: &crate::Network<f64>,
    x: ArrayView1<f64>, // (n₀,)
    y: ArrayView1<f64>, // (n_L,)
) -> Vec<(Array2<f64>, Array1<f64>)> {
    // TODO: return one (∂C/∂W, ∂C/∂b) pair per layer, shaped like (W, b).
    todo!("exercise 6.4: backprop")
}
// ANCHOR_END: backprop
