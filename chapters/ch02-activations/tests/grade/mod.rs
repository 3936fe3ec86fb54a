//! The graders of chapter 2's exercises.

use ch02_activations::softmax;
use ndarray::aview1;
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, compare, numerical_jacobian};
use shared::testing::property;

/// Exercise 2.1.
pub fn tanh_from_sigmoid(f: fn(f64) -> f64) {
    assert_eq!(f(0.0), 0.0, "tanh(0) = 0");
    property(300, -20.0..20.0f64, |z| {
        let (got, want) = (f(z), z.tanh());
        prop_assert!((got - want).abs() < 1e-12, "z = {z}: {got} vs {want}");
        Ok(())
    });
}

/// Exercise 2.2.
pub fn stable_softmax(f: fn(&[f64]) -> Vec<f64>) {
    let s = f(&[1e4, -1e4, 0.0]);
    assert_eq!(s, [1.0, 0.0, 0.0], "softmax(1e4, −1e4, 0)");
    property(300, prop::collection::vec(-1e4..1e4f64, 1..12), |z| {
        let s = f(&z);
        prop_assert_eq!(s.len(), z.len());
        let want = softmax(aview1(&z));
        for (got, want) in s.iter().zip(&want) {
            prop_assert!(got.is_finite(), "z = {z:?}: {s:?}");
            prop_assert!((got - want).abs() < 1e-12, "z = {z:?}: {s:?}");
        }
        Ok(())
    });
}

/// Exercise 2.3, graded by finite differences.
pub fn softmax_jacobian(f: fn(&[f64]) -> Vec<Vec<f64>>) {
    property(200, prop::collection::vec(-1.0..1.0f64, 1..7), |z| {
        let rows = f(&z);
        prop_assert_eq!(rows.len(), z.len(), "one row per output");
        let analytic: Vec<f64> = rows.concat();
        prop_assert_eq!(analytic.len(), z.len() * z.len(), "n×n entries");
        let numeric = numerical_jacobian(|x| softmax(aview1(x)).to_vec(), &z);
        let report = compare(&analytic, numeric.as_slice().unwrap());
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "z = {z:?}: {report}");
        Ok(())
    });
}
