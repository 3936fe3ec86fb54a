//! Reference solutions to chapter 10's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

use ndarray::{Array2, ArrayView2, s};

// ANCHOR: convolve
/// Exercise 10.1: one filter slid over one image.
pub fn convolve(
    x: ArrayView2<f64>,
    w: ArrayView2<f64>,
    stride: usize,
) -> Array2<f64> {
    let k = w.nrows();
    let (h, wd) = x.dim();
    let side = |n: usize| (n - k) / stride + 1;
    Array2::from_shape_fn((side(h), side(wd)), |(i, j)| {
        let (r, c) = (stride * i, stride * j);
        let window = x.slice(s![r..r + k, c..c + k]);
        (&window * &w).sum()
    })
}
// ANCHOR_END: convolve

// ANCHOR: max_pool_gradient
/// Exercise 10.2: back through 2×2 max pooling.
pub fn max_pool_gradient(
    x: ArrayView2<f64>,
    delta: ArrayView2<f64>,
) -> Array2<f64> {
    let mut nabla_x = Array2::zeros(x.raw_dim());
    for ((i, j), &d) in delta.indexed_iter() {
        // the block's winner alone moved y[i, j]
        let cells = [(0, 0), (0, 1), (1, 0), (1, 1)]
            .map(|(r, c)| (2 * i + r, 2 * j + c));
        let winner = cells
            .into_iter()
            .fold(cells[0], |best, at| if x[at] > x[best] { at } else { best });
        nabla_x[winner] = d;
    }
    nabla_x
}
// ANCHOR_END: max_pool_gradient

// ANCHOR: filter_gradient
/// Exercise 10.3: ∂C/∂w of a stride-1 convolution.
pub fn filter_gradient(
    x: ArrayView2<f64>,
    delta: ArrayView2<f64>,
    k: usize,
) -> Array2<f64> {
    let mut nabla_w = Array2::zeros((k, k));
    for ((i, j), &d) in delta.indexed_iter() {
        // z[i, j] saw the window at (i, j): w's gradient gains δ · window
        nabla_w.scaled_add(d, &x.slice(s![i..i + k, j..j + k]));
    }
    nabla_w
}
// ANCHOR_END: filter_gradient
