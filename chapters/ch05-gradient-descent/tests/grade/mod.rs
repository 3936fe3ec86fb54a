//! The graders of chapter 5's exercises.

use ch05_gradient_descent::{
    bowl_gradient, gradient_descent, wavy, wavy_prime,
};
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
use shared::testing::property;

/// Exercise 5.1.
pub fn central_difference(f: fn(f64, f64) -> f64) {
    // `f(x, h)` differentiates sin(x)·eˣ.
    property(200, (-2.0..2.0f64, 1e-4..1e-2f64), |(x, h)| {
        let got = f(x, h);
        let want = (wavy(x + h) - wavy(x - h)) / (2.0 * h);
        prop_assert!(
            (got - want).abs() < 1e-9,
            "x = {x}, h = {h}: {got} vs {want}"
        );
        Ok(())
    });
    let error = (f(1.0, 1e-5) - wavy_prime(1.0)).abs();
    assert!(
        error < 1e-9,
        "at h = 1e-5 the error should be tiny, got {error}"
    );
}

/// A gradient of a function of two variables.
type Gradient = fn([f64; 2]) -> [f64; 2];

/// Exercise 5.2.
pub fn descend(f: fn(Gradient, [f64; 2], f64, usize) -> [f64; 2]) {
    let end = f(bowl_gradient, [-9.0, 2.5], 0.15, 50);
    assert!(
        end[0].abs() < 1e-2 && end[1].abs() < 1e-2,
        "should reach (0, 0): {end:?}"
    );
    property(
        100,
        (-5.0..5.0f64, -5.0..5.0f64, 0.001..0.19f64, 0..40usize),
        |(x, y, eta, steps)| {
            let want = *gradient_descent(bowl_gradient, [x, y], eta, steps)
                .last()
                .unwrap();
            let got = f(bowl_gradient, [x, y], eta, steps);
            prop_assert!(
                (got[0] - want[0]).abs() < 1e-12
                    && (got[1] - want[1]).abs() < 1e-12,
                "start ({x}, {y}), η = {eta}, {steps} steps: {got:?} vs {want:?}"
            );
            Ok(())
        },
    );
}

type LogisticGradient =
    fn([f64; 2], f64, &[[f64; 2]], &[f64]) -> ([f64; 2], f64);

/// Exercise 5.3, graded by finite differences.
pub fn logistic_gradient(f: LogisticGradient) {
    let points = prop::collection::vec(
        (
            (-3.0..3.0f64, -3.0..3.0f64),
            prop_oneof![Just(0.0), Just(1.0)],
        ),
        1..20,
    );
    property(
        200,
        (points, -1.0..1.0f64, -1.0..1.0f64, -1.0..1.0f64),
        |(data, w0, w1, b)| {
            let xs: Vec<[f64; 2]> =
                data.iter().map(|((a, c), _)| [*a, *c]).collect();
            let ys: Vec<f64> = data.iter().map(|(_, y)| *y).collect();
            let loss = |p: &[f64]| {
                let total: f64 = xs
                    .iter()
                    .zip(&ys)
                    .map(|(x, y)| {
                        let z = p[0] * x[0] + p[1] * x[1] + p[2];
                        ch04_loss::sigmoid_cross_entropy(z, *y)
                    })
                    .sum();
                total / xs.len() as f64
            };
            let (dw, db) = f([w0, w1], b, &xs, &ys);
            let report =
                check_gradient(loss, &[w0, w1, b], &[dw[0], dw[1], db]);
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
            Ok(())
        },
    );
}
