//! Chapter 3 exercises: fill in each `todo!()`.
//!
//! Check your answers with
//! `cargo test -p ch03-forward --features my-answers --test exercises`.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

// ANCHOR: count_parameters
/// Exercise 3.1: how many (weights, biases) does a fully connected network
/// with these layer sizes have? `sizes[0]` is the input.
///
/// Hint: between layers of n and m neurons there are n·m connections, one
/// weight each; every neuron except the inputs has one bias.
pub fn count_parameters(sizes: &[usize]) -> (usize, usize) {
    // TODO: sum n·m over consecutive pairs; sum the sizes after the first.
    todo!("exercise 3.1: count_parameters")
}
// ANCHOR_END: count_parameters

// ANCHOR: sigmoid_layer
/// Exercise 3.2: a sigmoid layer by hand, a' = σ(W a + b), with `w` of
/// shape (n_out, n_in). Use loops over rows and columns, not `dot`.
///
/// Hint: output j is σ(Σₖ w[(j, k)]·a[k] + b[j]).
/// `ch02_activations::sigmoid` is there to use.
pub fn sigmoid_layer(
    w: ArrayView2<f64>, // (n_out, n_in)
    b: ArrayView1<f64>, // (n_out,)
    a: ArrayView1<f64>, // (n_in,)
) -> Array1<f64> {
    // TODO: one weighted sum per row of w, then the sigmoid.
    todo!("exercise 3.2: sigmoid_layer")
}
// ANCHOR_END: sigmoid_layer

// ANCHOR: input_jacobian
/// Exercise 3.3: the Jacobian ∂a'/∂a of a sigmoid layer, shape
/// (n_out, n_in). Graded against finite differences.
///
/// Hint: a'ⱼ depends on aₖ only through zⱼ, and ∂zⱼ/∂aₖ = w[(j, k)];
/// so entry (j, k) is σ'(zⱼ)·w[(j, k)].
pub fn sigmoid_layer_jacobian(
    w: ArrayView2<f64>, // (n_out, n_in)
    b: ArrayView1<f64>, // (n_out,)
    a: ArrayView1<f64>, // (n_in,)
) -> Array2<f64> {
    // TODO: compute z = W a + b, then scale row j of W by σ'(zⱼ).
    todo!("exercise 3.3: sigmoid_layer_jacobian")
}
// ANCHOR_END: input_jacobian
