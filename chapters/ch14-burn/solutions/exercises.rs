//! Chapter 14 exercises: reference solutions.

use burn::optim::{GradientsAccumulator, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use ch07_minibatches::{Cost, Gradients, Network, backprop_batch};
use ch08_mnist::labels_to_matrix;
use ch14_burn::compare::cross_entropy;
use ch14_burn::model::{Mlp, tensor};
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
    let m = x.ncols() as f64;
    let mut total = Gradients::zeros_like(net);
    let mut start = 0;
    for &m_k in shares {
        let piece = s![.., start..start + m_k];
        let g_k = backprop_batch(net, x.slice(piece), y.slice(piece), cost);
        let weight = m_k as f64 / m; // mₖ/m: a piece counts by its size
        for l in 0..net.layers.len() {
            total.nabla_w[l].scaled_add(weight, &g_k.nabla_w[l]);
            total.nabla_b[l].scaled_add(weight, &g_k.nabla_b[l]);
        }
        start += m_k;
    }
    total
}
// ANCHOR_END: split_gradient

// ANCHOR: sigmoid_forward
/// Exercise 14.2: the logits of a network whose hidden layers are
/// sigmoid, A⁽ˡ⁾ = σ(A⁽ˡ⁻¹⁾ W + b), the last layer left linear (softmax
/// is inside the cost). x is (m, n_in); the result (m, n_out).
pub fn sigmoid_forward(mlp: &Mlp, x: Tensor<2>) -> Tensor<2> {
    let last = mlp.layers.len() - 1;
    let mut a = x;
    for layer in &mlp.layers[..last] {
        a = sigmoid(layer.forward(a));
    }
    mlp.layers[last].forward(a)
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
    let m = x.ncols();
    let mut accumulator = GradientsAccumulator::new();
    for start in (0..m).step_by(micro) {
        let end = (start + micro).min(m);
        let x_k = x.slice(s![.., start..end]);
        let y_k = labels_to_matrix::<f32>(&labels[start..end]);
        let z = mlp.forward(tensor(x_k.t(), device));
        let weight = (end - start) as f64 / m as f64; // mₖ/m
        let cost = cross_entropy(z, tensor(y_k.t(), device)) * weight;
        let grads = GradientsParams::from_grads(cost.backward(), &mlp);
        accumulator.accumulate(&mlp, grads);
    }
    optimizer.step(eta, mlp, accumulator.grads())
}
// ANCHOR_END: accumulated_step
