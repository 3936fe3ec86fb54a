//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use ndarray::{Array2, ArrayView2, s};
use shared::testing::assert_graders_reject;

/// Ignores the stride: slides one pixel at a time whatever it is told.
fn convolve_stride_one(
    x: ArrayView2<f64>,
    w: ArrayView2<f64>,
    _stride: usize,
) -> Array2<f64> {
    let k = w.nrows();
    Array2::from_shape_fn((x.nrows() - k + 1, x.ncols() - k + 1), |(i, j)| {
        (&x.slice(s![i..i + k, j..j + k]) * &w).sum()
    })
}

/// Sends each block's gradient to all four cells.
fn pool_gradient_everywhere(
    x: ArrayView2<f64>,
    delta: ArrayView2<f64>,
) -> Array2<f64> {
    Array2::from_shape_fn(x.raw_dim(), |(r, c)| delta[(r / 2, c / 2)])
}

/// Uses the filter turned by 180° (mixing up the input gradient's flipped
/// filter with the filter's own gradient).
fn filter_gradient_flipped(
    x: ArrayView2<f64>,
    delta: ArrayView2<f64>,
    k: usize,
) -> Array2<f64> {
    let mut nabla_w = Array2::zeros((k, k));
    for ((i, j), &d) in delta.indexed_iter() {
        nabla_w.scaled_add(d, &x.slice(s![i..i + k, j..j + k]));
    }
    nabla_w.slice(s![..;-1, ..;-1]).to_owned()
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("a convolution that ignores its stride", || {
            grade::convolve(convolve_stride_one)
        }),
        ("a pooling gradient sent to every cell", || {
            grade::max_pool_gradient(pool_gradient_everywhere)
        }),
        ("a filter gradient turned by 180°", || {
            grade::filter_gradient(filter_gradient_flipped)
        }),
    ]);
}
