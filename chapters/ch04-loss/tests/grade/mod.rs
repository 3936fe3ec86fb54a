//! The graders of chapter 4's exercises.

use ch04_loss::softmax_cross_entropy;
use ndarray::aview1;
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
use shared::testing::property;

/// Exercise 4.1.
pub fn one_hot(f: fn(usize, usize) -> Option<Vec<f64>>) {
    assert_eq!(
        f(3, 10),
        Some(vec![0., 0., 0., 1., 0., 0., 0., 0., 0., 0.]),
        "the target for 3"
    );
    assert_eq!(f(10, 10), None, "10 is not a digit");
    assert_eq!(f(12, 10), None, "12 is not a digit");
    assert_eq!(f(0, 1), Some(vec![1.0]), "one class");
}

/// Exercise 4.2.
pub fn quadratic_cost(f: fn(&[f64], &[f64]) -> f64) {
    let c = f(&[0.2, 0.9, 0.1], &[0.0, 1.0, 0.0]);
    assert!(
        (c - 0.03).abs() < 1e-12,
        "½(0.04 + 0.01 + 0.01) = 0.03, got {c}"
    );
    property(
        200,
        prop::collection::vec((0.0..1.0f64, 0.0..1.0f64), 0..12),
        |pairs| {
            let (a, y): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            let want = ch04_loss::quadratic_cost(aview1(&a), aview1(&y));
            let got = f(&a, &y);
            prop_assert!(
                (got - want).abs() < 1e-12,
                "a = {a:?}, y = {y:?}: {got} vs {want}"
            );
            Ok(())
        },
    );
}

/// Exercise 4.3, graded by finite differences.
pub fn softmax_cross_entropy_gradient(f: fn(&[f64], &[f64]) -> Vec<f64>) {
    let strategy = (2..10usize).prop_flat_map(|n| {
        (
            prop::collection::vec(-3.0..3.0f64, n),
            prop::collection::vec(0.05..1.0f64, n),
        )
    });
    property(200, strategy, |(z, weights)| {
        // A target distribution: positive, summing to 1.
        let total: f64 = weights.iter().sum();
        let y: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let analytic = f(&z, &y);
        prop_assert_eq!(analytic.len(), z.len());
        let report = check_gradient(
            |x| softmax_cross_entropy(aview1(x), aview1(&y)),
            &z,
            &analytic,
        );
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "z = {z:?}: {report}");
        Ok(())
    });
}

/// Exercise 4.4, graded by finite differences of ½‖softmax(z) − y‖² —
/// including one-hot targets, the case training meets.
pub fn softmax_quadratic_gradient(f: fn(&[f64], &[f64]) -> Vec<f64>) {
    let strategy = (2..10usize).prop_flat_map(|n| {
        (
            prop::collection::vec(-3.0..3.0f64, n),
            prop::collection::vec(0.05..1.0f64, n),
            0..n,
            any::<bool>(),
        )
    });
    property(200, strategy, |(z, weights, label, one_hot)| {
        let total: f64 = weights.iter().sum();
        let y: Vec<f64> = if one_hot {
            (0..z.len())
                .map(|i| f64::from(u8::from(i == label)))
                .collect()
        } else {
            weights.iter().map(|w| w / total).collect()
        };
        let cost = |x: &[f64]| {
            let s = ch02_activations::softmax(aview1(x));
            0.5 * s
                .iter()
                .zip(&y)
                .map(|(si, yi)| (si - yi).powi(2))
                .sum::<f64>()
        };
        let analytic = f(&z, &y);
        prop_assert_eq!(analytic.len(), z.len());
        // Entries can cancel to nearly 0; those finite differences cannot
        // measure relatively.
        prop_assume!(analytic.iter().all(|g| g.abs() > 1e-5));
        let report = check_gradient(cost, &z, &analytic);
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "z = {z:?}: {report}");
        Ok(())
    });
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
