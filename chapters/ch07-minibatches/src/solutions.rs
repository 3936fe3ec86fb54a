//! Reference solutions to the chapter 7 exercises, mirroring
//! `exercises.rs`.

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
