//! Pooling: each channel shrunk by taking one number per size × size
//! block — its largest (max pooling) or its mean (average pooling) — and
//! the two backward passes. Blocks do not overlap (stride = size), as in
//! the network of this chapter; the sides must be multiples of the size.

use ndarray::{Array3, ArrayView3, s};
use shared::Real;

fn pooled_shape(
    x: (usize, usize, usize),
    size: usize,
) -> (usize, usize, usize) {
    let (c, h, w) = x;
    assert!(
        size > 0 && h % size == 0 && w % size == 0,
        "pooling {size}×{size} blocks needs sides that are multiples of \
         {size}, not {h}×{w}"
    );
    (c, h / size, w / size)
}

/// The (row, column) of the first largest entry of a block.
fn winner<T: Real>(block: ArrayView3<T>) -> (usize, usize) {
    let mut best = (0, 0);
    for ((_, r, c), &v) in block.indexed_iter() {
        if v > block[[0, best.0, best.1]] {
            best = (r, c);
        }
    }
    best
}

// ANCHOR: max_pool
/// Max pooling: y[c, i, j] = max of x[c] over block (i, j), the block's
/// most telling feature.
pub fn max_pool<T: Real>(x: ArrayView3<T>, size: usize) -> Array3<T> {
    let mut y = Array3::zeros(pooled_shape(x.dim(), size)); // (C, H/s, W/s)
    for ((c, i, j), y) in y.indexed_iter_mut() {
        let block =
            s![c..=c, size * i..size * (i + 1), size * j..size * (j + 1)];
        let (r, q) = winner(x.slice(block));
        *y = x[[c, size * i + r, size * j + q]];
    }
    y
}

/// Back through max pooling: each block's gradient goes to its winner
/// alone (the others did not change the output); ∂C/∂x is 0 elsewhere.
pub fn max_pool_backward<T: Real>(
    x: ArrayView3<T>,     // (C, H, W)
    delta: ArrayView3<T>, // (C, H/size, W/size)
    size: usize,
) -> Array3<T> {
    assert_eq!(delta.dim(), pooled_shape(x.dim(), size), "δ's shape");
    let mut nabla_x = Array3::zeros(x.raw_dim()); // (C, H, W)
    for ((c, i, j), &d) in delta.indexed_iter() {
        let block =
            s![c..=c, size * i..size * (i + 1), size * j..size * (j + 1)];
        let (r, q) = winner(x.slice(block));
        nabla_x[[c, size * i + r, size * j + q]] = d;
    }
    nabla_x
}
// ANCHOR_END: max_pool

// ANCHOR: avg_pool
/// Average pooling: y[c, i, j] = the mean of x[c] over block (i, j).
pub fn avg_pool<T: Real>(x: ArrayView3<T>, size: usize) -> Array3<T> {
    let mut y = Array3::zeros(pooled_shape(x.dim(), size)); // (C, H/s, W/s)
    for ((c, i, j), y) in y.indexed_iter_mut() {
        let block = s![c, size * i..size * (i + 1), size * j..size * (j + 1)];
        *y = x.slice(block).sum() / T::from_f64((size * size) as f64);
    }
    y
}

/// Back through average pooling: every cell of a block moved the mean
/// by 1/size², so each gets that share of the block's gradient.
pub fn avg_pool_backward<T: Real>(
    x_shape: (usize, usize, usize),
    delta: ArrayView3<T>, // (C, H/size, W/size)
    size: usize,
) -> Array3<T> {
    assert_eq!(delta.dim(), pooled_shape(x_shape, size), "δ's shape");
    let share = T::from_f64(1.0 / (size * size) as f64);
    let mut nabla_x = Array3::zeros(x_shape); // (C, H, W)
    for ((c, i, j), &d) in delta.indexed_iter() {
        let block = s![c, size * i..size * (i + 1), size * j..size * (j + 1)];
        nabla_x.slice_mut(block).fill(d * share);
    }
    nabla_x
}
// ANCHOR_END: avg_pool
