//! Reference solutions to chapter 7's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

use std::ops::Range;

use ndarray::{Array2, ArrayView2};
use rand::Rng as _;
use shared::rng::Rng;

// ANCHOR: minibatches
/// Exercise 7.1.
pub fn minibatches(n: usize, batch_size: usize) -> Vec<Range<usize>> {
    (0..n)
        .step_by(batch_size)
        .map(|start| start..(start + batch_size).min(n))
        .collect()
}
// ANCHOR_END: minibatches

// ANCHOR: shuffle
/// Exercise 7.2: Fisher–Yates.
pub fn shuffle(items: &mut [usize], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.random_range(0..=i);
        items.swap(i, j);
    }
}
// ANCHOR_END: shuffle

// ANCHOR: batch_weight_gradient
/// Exercise 7.3: Δ Aᵀ / m.
pub fn batch_weight_gradient(
    delta: ArrayView2<f64>, // (n_out, m)
    a_in: ArrayView2<f64>,  // (n_in, m)
) -> Array2<f64> {
    delta.dot(&a_in.t()) / delta.ncols() as f64
}
// ANCHOR_END: batch_weight_gradient

// ANCHOR: train_epoch
/// Exercise 7.4: shuffle positions, select each minibatch's columns,
/// backprop it, step.
pub fn train_epoch(
    net: &mut crate::Network<f64>,
    x: ArrayView2<f64>, // (n_in, samples)
    y: ArrayView2<f64>, // (n_out, samples)
    batch_size: usize,
    eta: f64,
    rng: &mut Rng,
) {
    use ndarray::Axis;
    let mut order: Vec<usize> = (0..x.ncols()).collect();
    shuffle(&mut order, rng);
    for batch in order.chunks(batch_size) {
        let x_batch = x.select(Axis(1), batch); // (n_in, m)
        let y_batch = y.select(Axis(1), batch); // (n_out, m)
        let grads = crate::backprop_batch(
            net,
            x_batch.view(),
            y_batch.view(),
            crate::Cost::Quadratic,
        );
        for (l, layer) in net.layers.iter_mut().enumerate() {
            layer.w.scaled_add(-eta, &grads.nabla_w[l]);
            layer.b.scaled_add(-eta, &grads.nabla_b[l]);
        }
    }
}
// ANCHOR_END: train_epoch
