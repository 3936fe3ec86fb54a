//! Chapter 14 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 14.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    unused_imports,
    reason = "a stub receives its arguments before you write the body"
)]

use crate::compare::cross_entropy;
use crate::model::{Mlp, tensor};
use burn::optim::{GradientsAccumulator, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use ch07_minibatches::{Cost, Gradients, Network, backprop_batch};
use ch08_mnist::labels_to_matrix;
use ndarray::{ArrayView2, s};

// ANCHOR: split_gradient
/// Exercise 14.1: the gradient of the minibatch (x, y), computed in
/// pieces: the first `shares[0]` columns, then the next `shares[1]`, …
/// (the shares add up to m), each by chapter 7's `backprop_batch`, then
/// combined into the whole minibatch's gradient.
pub fn split_gradient(
    net: &Network<f64>,
    x: ArrayView2<f64>, // (n_in, m)
    y: ArrayView2<f64>, // (n_out, m)
    cost: Cost,
    shares: &[usize],
) -> Gradients<f64> {
    // TODO: backprop each share, weight it by mₖ/m, add them up.
    todo!("exercise 14.1: split_gradient")
}
// ANCHOR_END: split_gradient

// ANCHOR: sigmoid_forward
/// Exercise 14.2: the logits of a network whose hidden layers are
/// sigmoid, A⁽ˡ⁾ = σ(A⁽ˡ⁻¹⁾ W + b), the last layer left linear (softmax
/// is inside the cost). x is (m, n_in); the result (m, n_out).
pub fn sigmoid_forward(mlp: &Mlp, x: Tensor<2>) -> Tensor<2> {
    // TODO: chapter 14's Mlp::forward, with sigmoid for ReLU.
    todo!("exercise 14.2: sigmoid_forward")
}
// ANCHOR_END: sigmoid_forward

// ANCHOR: accumulated_step
/// Exercise 14.3: one optimizer step on the minibatch (x, labels), its
/// gradient accumulated over micro-batches of at most `micro` samples
/// (the memory of a small batch, the step of a large one).
pub fn accumulated_step(
    mlp: Mlp,
    optimizer: &mut ModuleOptimizer,
    eta: f64,
    x: ArrayView2<f32>, // (784, m)
    labels: &[u8],
    micro: usize,
    device: &Device,
) -> Mlp {
    // TODO: each micro-batch's scaled gradient into a GradientsAccumulator.
    todo!("exercise 14.3: accumulated_step")
}
// ANCHOR_END: accumulated_step
