//! The graders of chapter 10's exercises. The gradients are graded by
//! finite differences, with no answer key.

use ch10_cnn::conv::{Geometry, conv_forward};
use ch10_cnn::pool::max_pool;
use ndarray::{Array1, Array2, ArrayView2};
use proptest::prelude::*;
use rand::seq::SliceRandom;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
use shared::rng::{normal_array, seeded};
use shared::testing::property;

/// The chapter's convolution of one image by one filter.
fn reference(
    x: ArrayView2<f64>,
    w: ArrayView2<f64>,
    stride: usize,
) -> Array2<f64> {
    let x3 = x.to_shape((1, x.nrows(), x.ncols())).unwrap().to_owned();
    let k = w.nrows();
    let w4 = w.to_shape((1, 1, k, k)).unwrap().to_owned();
    let g = Geometry { k, stride, pad: 0 };
    let z = conv_forward(x3.view(), w4.view(), Array1::zeros(1).view(), g);
    let (_, oh, ow) = z.dim();
    z.into_shape_with_order((oh, ow)).unwrap()
}

/// Exercise 10.1: against the chapter's convolution, random sizes and
/// strides.
pub fn convolve(f: fn(ArrayView2<f64>, ArrayView2<f64>, usize) -> Array2<f64>) {
    property(
        100,
        (1..5usize, 1..3usize, 0..6usize, 0..6usize, any::<u64>()),
        |(k, stride, extra_h, extra_w, seed)| {
            let mut rng = seeded(seed);
            let x = normal_array(&mut rng, (k + extra_h, k + extra_w), 1.0);
            let w = normal_array(&mut rng, (k, k), 1.0);
            let got = f(x.view(), w.view(), stride);
            let want = reference(x.view(), w.view(), stride);
            prop_assert_eq!(got.dim(), want.dim(), "output shape");
            for (a, b) in got.iter().zip(&want) {
                prop_assert!((a - b).abs() < 1e-10, "{} (want {})", a, b);
            }
            Ok(())
        },
    );
}

/// Exercise 10.2: against central differences of C = Σ δ ⊙ max_pool(x),
/// on maps of distinct values (no ties within the step h).
pub fn max_pool_gradient(
    f: fn(ArrayView2<f64>, ArrayView2<f64>) -> Array2<f64>,
) {
    property(60, (1..5usize, 1..5usize, any::<u64>()), |(h, w, seed)| {
        let (h, w) = (2 * h, 2 * w);
        let mut values: Vec<f64> =
            (0..h * w).map(|i| 0.01 * i as f64 - 0.3).collect();
        values.shuffle(&mut seeded(seed));
        let x = Array2::from_shape_vec((h, w), values.clone()).unwrap();
        let delta = normal_array(&mut seeded(seed ^ 7), (h / 2, w / 2), 1.0);
        let cost = |v: &[f64]| {
            let x = Array2::from_shape_vec((1, h * w), v.to_vec()).unwrap();
            let x = x.into_shape_with_order((1, h, w)).unwrap();
            let y = max_pool(x.view(), 2);
            (y.into_shape_with_order((h / 2, w / 2)).unwrap() * &delta).sum()
        };
        let got = f(x.view(), delta.view());
        prop_assert_eq!(got.dim(), (h, w), "∂C/∂x has x's shape");
        let report = check_gradient(cost, &values, got.as_slice().unwrap());
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{}", report);
        Ok(())
    });
}

/// Exercise 10.3: against central differences of C = Σ δ ⊙ (w ★ x).
pub fn filter_gradient(
    f: fn(ArrayView2<f64>, ArrayView2<f64>, usize) -> Array2<f64>,
) {
    property(
        60,
        (1..5usize, 0..5usize, 0..5usize, any::<u64>()),
        |(k, extra_h, extra_w, seed)| {
            let mut rng = seeded(seed);
            let x = normal_array(&mut rng, (k + extra_h, k + extra_w), 1.0);
            let w = normal_array(&mut rng, (k, k), 1.0);
            let delta = normal_array(&mut rng, (extra_h + 1, extra_w + 1), 1.0);
            let cost = |v: &[f64]| {
                let w = Array2::from_shape_vec((k, k), v.to_vec()).unwrap();
                (reference(x.view(), w.view(), 1) * &delta).sum()
            };
            let got = f(x.view(), delta.view(), k);
            prop_assert_eq!(got.dim(), (k, k), "∂C/∂w has w's shape");
            let w_values: Vec<f64> = w.iter().copied().collect();
            let report =
                check_gradient(cost, &w_values, got.as_slice().unwrap());
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{}", report);
            Ok(())
        },
    );
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
