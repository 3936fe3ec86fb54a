//! Chapter 10 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 10.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use ndarray::{Array2, ArrayView2};

// ANCHOR: convolve
/// Exercise 10.1: one filter w (k, k) slid over one image x (h, w) with
/// `stride` s and no padding: z[i, j] = Σ_p Σ_q w[p, q] · x[s·i + p, s·j + q],
/// shape ((h − k)/s + 1, (w − k)/s + 1).
pub fn convolve(
    x: ArrayView2<f64>,
    w: ArrayView2<f64>,
    stride: usize,
) -> Array2<f64> {
    // TODO: return z.
    todo!("exercise 10.1: convolve")
}
// ANCHOR_END: convolve

// ANCHOR: max_pool_gradient
/// Exercise 10.2: back through 2×2 max pooling of one map x (h, w), both
/// even: given δ = ∂C/∂y (h/2, w/2) for y = max_pool(x), return ∂C/∂x
/// (h, w).
pub fn max_pool_gradient(
    x: ArrayView2<f64>,
    delta: ArrayView2<f64>,
) -> Array2<f64> {
    // TODO: return ∂C/∂x.
    todo!("exercise 10.2: max_pool_gradient")
}
// ANCHOR_END: max_pool_gradient

// ANCHOR: filter_gradient
/// Exercise 10.3: the backward pass for the filter of exercise 10.1's
/// convolution (stride 1): given the image x (h, w) and δ = ∂C/∂z
/// (h − k + 1, w − k + 1), return ∂C/∂w (k, k).
pub fn filter_gradient(
    x: ArrayView2<f64>,
    delta: ArrayView2<f64>,
    k: usize,
) -> Array2<f64> {
    // TODO: return ∂C/∂w.
    todo!("exercise 10.3: filter_gradient")
}
// ANCHOR_END: filter_gradient
