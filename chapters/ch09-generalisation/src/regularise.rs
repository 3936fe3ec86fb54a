//! The two regularisers that change the cost or the network: L2 weight
//! decay and dropout, as the lesson writes them. Training runs them on the
//! fast path (chapter 8's optimizer applies λW; chapter 7's `Trainer`
//! applies the masks [`draw_dropout`] draws), and the tests show both
//! compute what this code computes.

use ch03_forward::activate_columns;
use ch07_minibatches::{
    BatchTrace, Cost, Gradients, Network, backward_through_batch,
    output_error_batch,
};
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, NewAxis, s};
use rand::Rng as _;
use shared::Real;
use shared::rng::Rng;

// ANCHOR: l2
/// The L2 penalty λ/2 · Σₗ ‖Wˡ‖²: the sum of every weight squared (the
/// biases are left out), added to the cost C₀.
pub fn l2_penalty<T: Real>(net: &Network<T>, lambda: T) -> T {
    let half = T::from_f64(0.5);
    net.layers
        .iter()
        .map(|layer| half * lambda * layer.w.mapv(|w| w * w).sum())
        .fold(T::zero(), |total, term| total + term)
}

/// Its gradient, added to backprop's: ∂C/∂Wˡ = ∂C₀/∂Wˡ + λWˡ. A step
/// W ← W − η(∂C₀/∂W + λW) = (1 − ηλ)W − η∂C₀/∂W shrinks every weight by
/// the factor 1 − ηλ before the usual step: hence "weight decay".
pub fn add_l2_gradient<T: Real>(
    grads: &mut Gradients<T>,
    net: &Network<T>,
    lambda: T,
) {
    for (nabla_w, layer) in grads.nabla_w.iter_mut().zip(&net.layers) {
        nabla_w.scaled_add(lambda, &layer.w); // + λWˡ
    }
}
// ANCHOR_END: l2

// ANCHOR: dropout_mask
/// A dropout mask for a layer of `n` neurons and `m` samples: each entry
/// is 0 with probability p (the neuron is dropped for that sample), else
/// 1/(1 − p), so the mean activation stays what it was.
pub fn dropout_mask<T: Real>(
    n: usize,
    m: usize,
    p: f64,
    rng: &mut Rng,
) -> Array2<T> {
    let mut mask = Array2::zeros((n, m));
    draw_dropout(mask.view_mut(), p, rng);
    mask
}

/// Fills `mask` as above, entry after entry (row by row) from `rng`,
/// so the same generator always gives the same mask.
pub fn draw_dropout<T: Real>(
    mut mask: ArrayViewMut2<T>,
    p: f64,
    rng: &mut Rng,
) {
    let keep = T::from_f64(1.0 / (1.0 - p));
    for entry in mask.iter_mut() {
        *entry = if rng.random::<f64>() < p {
            T::zero()
        } else {
            keep
        };
    }
}
// ANCHOR_END: dropout_mask

// ANCHOR: dropout_forward
/// Chapter 7's batch forward pass with dropout: every hidden layer's
/// activations are multiplied by that layer's mask, Aˡ = f(Zˡ) ⊙ Mˡ.
/// `masks[l]` is (nˡ, m), one per hidden layer; the output layer keeps
/// every neuron.
pub fn forward_with_dropout<T: Real>(
    net: &Network<T>,
    x: ArrayView2<T>,    // (n_in, m)
    masks: &[Array2<T>], // (n_l, m) each
) -> BatchTrace<T> {
    let mut zs = Vec::new();
    let mut activations = vec![x.to_owned()];
    let last = net.layers.len() - 1;
    for (l, layer) in net.layers.iter().enumerate() {
        let a = activations.last().expect("X is there");
        let z = layer.w.dot(a) + layer.b.slice(s![.., NewAxis]); // W A + b
        let mut a = z.clone();
        activate_columns(layer.activation, &mut a); // f(Zˡ)
        if l < last {
            a *= &masks[l]; // Aˡ = f(Zˡ) ⊙ Mˡ
        }
        zs.push(z);
        activations.push(a);
    }
    BatchTrace { zs, activations }
}
// ANCHOR_END: dropout_forward

// ANCHOR: dropout_backprop
/// Chapter 7's `backprop_batch` with dropout. A dropped neuron passed
/// nothing forward, so no error flows back through it: the error reaching
/// layer l's activations is multiplied by the same mask,
/// Δˡ = (Wˡ⁺¹ᵀ Δˡ⁺¹ ⊙ Mˡ) ⊙ f'(Zˡ).
pub fn backprop_with_dropout<T: Real>(
    net: &Network<T>,
    x: ArrayView2<T>, // (n_in, m)
    y: ArrayView2<T>, // (n_out, m)
    cost: Cost,
    masks: &[Array2<T>],
) -> Gradients<T> {
    let BatchTrace { zs, activations: a } = forward_with_dropout(net, x, masks);
    let f = |l: usize| net.layers[l].activation;
    let last = net.layers.len() - 1;
    let m = T::from_f64(x.ncols() as f64);
    let mut grads = Gradients::zeros_like(net);
    let mut delta =
        output_error_batch(cost, f(last), &zs[last], &a[last + 1], y); // BP1
    for l in (0..=last).rev() {
        grads.nabla_b[l] = delta.sum_axis(Axis(1)) / m; // BP3
        grads.nabla_w[l] = delta.dot(&a[l].t()) / m; // BP4: Δ Aᵀ / m
        if l > 0 {
            let g = net.layers[l].w.t().dot(&delta) * &masks[l - 1]; // ⊙ M
            delta = backward_through_batch(f(l - 1), &zs[l - 1], &a[l], g);
        }
    }
    grads
}
// ANCHOR_END: dropout_backprop

/// The mean cost of the network's outputs with dropout masks `masks`:
/// the function the gradient checks differentiate.
pub fn cost_with_dropout<T: Real>(
    net: &Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    cost: Cost,
    masks: &[Array2<T>],
) -> T {
    let trace = forward_with_dropout(net, x, masks);
    let a = trace.activations.last().expect("an output");
    let total = a
        .columns()
        .into_iter()
        .zip(y.columns())
        .map(|(a_k, y_k)| cost.value(a_k, y_k))
        .fold(T::zero(), |s, c| s + c);
    total / T::from_f64(x.ncols() as f64)
}

/// Fresh masks for every hidden layer of `net`, for `m` samples, drawn
/// layer after layer, as training on the fast path draws them (chapter
/// 7's `Trainer` hands each layer's mask to [`draw_dropout`]), so the
/// same generator gives the same masks.
pub fn dropout_masks<T: Real>(
    net: &Network<T>,
    m: usize,
    p: f64,
    rng: &mut Rng,
) -> Vec<Array2<T>> {
    let hidden = &net.layers[..net.layers.len() - 1];
    hidden
        .iter()
        .map(|layer| dropout_mask(layer.w.nrows(), m, p, rng))
        .collect()
}
