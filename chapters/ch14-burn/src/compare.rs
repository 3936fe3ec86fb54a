//! The two checks that tie the engine to the book: the same weights give
//! the same answers, and the engine's autodiff gives chapter 7's backprop
//! gradients.

use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use ch07_minibatches::{
    Gradients, Network, backprop_batch, forward_trace_batch,
};
use ch08_mnist::{argmax, labels_to_matrix};
use ndarray::{Array2, ArrayView2, Axis};

use crate::model::{Mlp, matrix, tensor, vector};

// ANCHOR: loss
/// Chapter 4's cross-entropy of softmax outputs, for a batch of logits
/// z (m, 10) and one-hot targets y (m, 10):
/// C = −(1/m) Σₖ Σⱼ yₖⱼ ln softmax(zₖ)ⱼ.
pub fn cross_entropy(z: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
    let m = z.dims()[0] as f64;
    -(y * log_softmax(z, 1)).sum() / m
}
// ANCHOR_END: loss

/// Our logits Z⁽ᴸ⁾ for the columns of x (784, n): chapter 7's forward pass.
pub fn our_logits(net: &Network<f32>, x: ArrayView2<f32>) -> Array2<f32> {
    let trace = forward_trace_batch(net, x);
    trace.zs.last().expect("a layer").clone() // (10, n)
}

/// The logits in `f64`: chapter 7's forward pass with the same (`f32`)
/// weights widened, a reference to measure both `f32` results against.
pub fn exact_logits(net: &Network<f32>, x: ArrayView2<f32>) -> Array2<f32> {
    let layers = net
        .layers
        .iter()
        .map(|layer| {
            let w = layer.w.mapv(f64::from);
            let b = layer.b.mapv(f64::from);
            ch06_backprop::Layer::new(w, b, layer.activation)
        })
        .collect();
    let wide = Network::from_layers(layers);
    our_logits_of(&wide, x.mapv(f64::from).view()).mapv(|z| z as f32)
}

fn our_logits_of(net: &Network<f64>, x: ArrayView2<f64>) -> Array2<f64> {
    let trace = forward_trace_batch(net, x);
    trace.zs.last().expect("a layer").clone()
}

/// Burn's logits for the same images, one column per image like ours.
pub fn burn_logits(
    mlp: &Mlp,
    x: ArrayView2<f32>, // (784, n)
    device: &Device,
) -> Array2<f32> {
    let z = mlp.forward(tensor(x.t(), device)); // (n, 10)
    matrix(z).t().to_owned() // (10, n)
}

/// The digit each column of logits picks.
pub fn predictions(z: &Array2<f32>) -> Vec<u8> {
    z.columns()
        .into_iter()
        .map(|column| argmax(column.iter().copied()) as u8)
        .collect()
}

/// How two sets of logits for the same images compare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Agreement {
    /// Images compared.
    pub images: usize,
    /// Images where both pick the same digit.
    pub same_prediction: usize,
    /// The largest |z_ours − z_burn| over every logit of every image.
    pub max_difference: f32,
    /// The largest |z| (for scale).
    pub max_logit: f32,
}

/// Compares two (10, n) logit matrices.
pub fn agreement(ours: &Array2<f32>, burns: &Array2<f32>) -> Agreement {
    let same = predictions(ours)
        .iter()
        .zip(predictions(burns))
        .filter(|&(a, b)| *a == b)
        .count();
    Agreement {
        images: ours.ncols(),
        same_prediction: same,
        max_difference: max_difference(ours, burns),
        max_logit: ours.iter().fold(0.0, |m, z| worse(m, z.abs())),
    }
}

/// max |a − b| over all elements; NaN if either holds a NaN (`f32::max`
/// alone would skip it, and all-NaN arrays would "agree to 0").
pub fn max_difference<D: ndarray::Dimension>(
    a: &ndarray::Array<f32, D>,
    b: &ndarray::Array<f32, D>,
) -> f32 {
    assert_eq!(a.shape(), b.shape(), "compared arrays differ in shape");
    a.iter()
        .zip(b)
        .fold(0.0, |m, (x, y)| worse(m, (x - y).abs()))
}

/// The larger of two differences, NaN if either is.
pub fn worse(m: f32, d: f32) -> f32 {
    if m.is_nan() || d.is_nan() {
        f32::NAN
    } else {
        m.max(d)
    }
}

// ANCHOR: gradients
/// ∂C/∂W and ∂C/∂b for one minibatch, computed by **Burn's autodiff**:
/// record the forward pass and the cost, call `backward`, read each
/// parameter's gradient. `mlp` must live on an autodiff device. Returned
/// in our shapes (W as (n_out, n_in)) to set beside `backprop_batch`.
pub fn burn_gradients(
    mlp: &Mlp,
    x: ArrayView2<f32>, // (784, m)
    labels: &[u8],
    device: &Device,
) -> Gradients<f32> {
    let y = labels_to_matrix::<f32>(labels); // (10, m)
    let z = mlp.forward(tensor(x.t(), device)); // (m, 10)
    let cost = cross_entropy(z, tensor(y.t(), device));
    parameter_gradients(mlp, cost)
}

/// Walks back from `cost` (Burn's `backward`) and reads each parameter's
/// gradient, in our shapes.
pub fn parameter_gradients(mlp: &Mlp, cost: Tensor<1>) -> Gradients<f32> {
    let grads = cost.backward();
    let mut nabla = Gradients {
        nabla_w: vec![],
        nabla_b: vec![],
    };
    for layer in &mlp.layers {
        let dw = layer.weight.grad(&grads).expect("W is a parameter");
        let db = layer.bias.as_ref().and_then(|b| b.grad(&grads));
        nabla.nabla_w.push(matrix(dw).t().to_owned()); // (n_out, n_in)
        nabla.nabla_b.push(vector(db.expect("b is a parameter")));
    }
    nabla
}
// ANCHOR_END: gradients

/// Chapter 7's backprop on the same minibatch.
pub fn our_gradients(
    net: &Network<f32>,
    x: ArrayView2<f32>,
    labels: &[u8],
) -> Gradients<f32> {
    let y = labels_to_matrix::<f32>(labels);
    backprop_batch(net, x, y.view(), ch07_minibatches::Cost::CrossEntropy)
}

/// The largest |ours − Burn's| over every gradient entry, and the largest
/// |gradient| for scale.
pub fn gradient_difference(
    ours: &Gradients<f32>,
    burns: &Gradients<f32>,
) -> (f32, f32) {
    let mut worst = 0.0f32;
    let mut largest = 0.0f32;
    for (a, b) in ours.nabla_w.iter().zip(&burns.nabla_w) {
        worst = worse(worst, max_difference(a, b));
        largest = a.iter().fold(largest, |m, g| m.max(g.abs()));
    }
    for (a, b) in ours.nabla_b.iter().zip(&burns.nabla_b) {
        worst = worse(worst, max_difference(a, b));
        largest = a.iter().fold(largest, |m, g| m.max(g.abs()));
    }
    (worst, largest)
}

/// The columns `batch` of x, as a new (784, m) matrix.
pub fn columns(x: ArrayView2<f32>, batch: &[usize]) -> Array2<f32> {
    x.select(Axis(1), batch)
}
