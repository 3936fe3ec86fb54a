//! Chapter 3 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 3.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

// ANCHOR: count_parameters
/// Exercise 3.1: how many (weights, biases) does a fully connected network
/// with these layer sizes have? `sizes[0]` is the input.
pub fn count_parameters(sizes: &[usize]) -> (usize, usize) {
    // TODO: return (number of weights, number of biases).
    todo!("exercise 3.1: count_parameters")
}
// ANCHOR_END: count_parameters

// ANCHOR: sigmoid_layer
/// Exercise 3.2: a sigmoid layer by hand, a' = σ(W a + b), with `w` of
/// shape (n_out, n_in). Use loops over rows and columns, not `dot`.
/// `ch02_activations::sigmoid` is there to use.
pub fn sigmoid_layer(
    w: ArrayView2<f64>, // (n_out, n_in)
    b: ArrayView1<f64>, // (n_out,)
    a: ArrayView1<f64>, // (n_in,)
) -> Array1<f64> {
    // TODO: return a', one entry per row of w.
    todo!("exercise 3.2: sigmoid_layer")
}
// ANCHOR_END: sigmoid_layer

// ANCHOR: sigmoid_layer_jacobian
/// Exercise 3.3: the Jacobian ∂a'/∂a of a sigmoid layer, shape
/// (n_out, n_in): entry (j, k) is ∂a'ⱼ/∂aₖ. Graded against finite
/// differences.
pub fn sigmoid_layer_jacobian(
    w: ArrayView2<f64>, // (n_out, n_in)
    b: ArrayView1<f64>, // (n_out,)
    a: ArrayView1<f64>, // (n_in,)
) -> Array2<f64> {
    // TODO: return the (n_out, n_in) matrix of ∂a'ⱼ/∂aₖ.
    todo!("exercise 3.3: sigmoid_layer_jacobian")
}
// ANCHOR_END: sigmoid_layer_jacobian

// ANCHOR: inside_square
/// Exercise 3.4: set the weights of a sigmoid network by hand — no
/// training — whose single output is above ½ for points (x, y) inside the
/// unit square 0 < x, y < 1 and below ½ outside it. The grader tries points
/// in [−1, 2]² at least 0.05 from the square's edges. Build it from
/// [`crate::Layer::new`] and [`crate::Network::from_layers`]; any number
/// of hidden neurons will do.
pub fn inside_square() -> crate::Network<f64> {
    // TODO: return the network, input (x, y), one output.
    todo!("exercise 3.4: inside_square")
}
// ANCHOR_END: inside_square
