//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use burn::optim::{GradientsAccumulator, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use ch07_minibatches::{Cost, Gradients, Network, backprop_batch};
use ch08_mnist::labels_to_matrix;
use ch14_burn::compare::cross_entropy;
use ch14_burn::model::{Mlp, tensor};
use ndarray::{ArrayView2, s};
use shared::testing::assert_graders_reject;

/// The pieces' gradients averaged as equals: right only when the shares
/// are the same size.
fn plain_mean(
    net: &Network<f64>,
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    cost: Cost,
    shares: &[usize],
) -> Gradients<f64> {
    let mut total = Gradients::zeros_like(net);
    let mut start = 0;
    for &m_k in shares {
        let piece = s![.., start..start + m_k];
        let g = backprop_batch(net, x.slice(piece), y.slice(piece), cost);
        for l in 0..net.layers.len() {
            let k = 1.0 / shares.len() as f64;
            total.nabla_w[l].scaled_add(k, &g.nabla_w[l]);
            total.nabla_b[l].scaled_add(k, &g.nabla_b[l]);
        }
        start += m_k;
    }
    total
}

/// The lesson's ReLU forward pass, not sigmoid.
fn relu_forward(mlp: &Mlp, x: Tensor<2>) -> Tensor<2> {
    mlp.forward(x)
}

/// Sigmoid on the output layer too: the logits squashed.
fn sigmoid_everywhere(mlp: &Mlp, x: Tensor<2>) -> Tensor<2> {
    let mut a = x;
    for layer in &mlp.layers {
        a = sigmoid(layer.forward(a));
    }
    a
}

/// Micro-batch gradients summed without the mₖ/m weights: a step as if
/// the learning rate were (number of micro-batches) times larger.
fn unscaled_accumulation(
    mlp: Mlp,
    optimizer: &mut ModuleOptimizer,
    eta: f64,
    x: ArrayView2<f32>,
    labels: &[u8],
    micro: usize,
    device: &Device,
) -> Mlp {
    let m = x.ncols();
    let mut accumulator = GradientsAccumulator::new();
    for start in (0..m).step_by(micro) {
        let end = (start + micro).min(m);
        let y = labels_to_matrix::<f32>(&labels[start..end]);
        let z = mlp.forward(tensor(x.slice(s![.., start..end]).t(), device));
        let cost = cross_entropy(z, tensor(y.t(), device));
        let grads = GradientsParams::from_grads(cost.backward(), &mlp);
        accumulator.accumulate(&mlp, grads);
    }
    optimizer.step(eta, mlp, accumulator.grads())
}

/// A step per micro-batch: small steps, not one large one.
fn step_per_micro_batch(
    mut mlp: Mlp,
    optimizer: &mut ModuleOptimizer,
    eta: f64,
    x: ArrayView2<f32>,
    labels: &[u8],
    micro: usize,
    device: &Device,
) -> Mlp {
    for start in (0..x.ncols()).step_by(micro) {
        let end = (start + micro).min(x.ncols());
        let piece = x.slice(s![.., start..end]);
        mlp = ch14_burn::train::burn_step(
            mlp,
            optimizer,
            eta,
            piece,
            &labels[start..end],
            device,
        );
    }
    mlp
}

#[test]
fn the_graders_reject_wrong_answers() {
    assert_graders_reject(&[
        ("14.1 pieces averaged as equals", || {
            grade::split_gradient(plain_mean)
        }),
        ("14.2 ReLU, not sigmoid", || {
            grade::sigmoid_forward(relu_forward)
        }),
        ("14.2 sigmoid on the logits too", || {
            grade::sigmoid_forward(sigmoid_everywhere)
        }),
        ("14.3 gradients summed unweighted", || {
            grade::accumulated_step(unscaled_accumulation)
        }),
        ("14.3 a step per micro-batch", || {
            grade::accumulated_step(step_per_micro_batch)
        }),
    ]);
}
