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

/// Steps of gradient descent on ½(a·x² + b·y²) from (1, 1) until the
/// point is within 1e-8 of the minimum; `None` if it has not after 20,000
/// steps or has run off (diverged).
fn steps_to_converge(a: f64, b: f64, eta: f64) -> Option<usize> {
    let gradient = |p: [f64; 2]| [a * p[0], b * p[1]];
    let mut p: [f64; 2] = [1.0, 1.0];
    for step in 0..20_000 {
        if p[0].hypot(p[1]) < 1e-8 {
            return Some(step);
        }
        if p[0].hypot(p[1]).is_nan() || p[0].hypot(p[1]) > 1e6 {
            return None;
        }
        p = *gradient_descent(gradient, p, eta, 1).last().unwrap();
    }
    None
}

/// Exercise 5.4, graded by running descent: just below η_max it must
/// converge and just above it diverge; no learning rate on a fine grid
/// may reach the minimum in 5 % fewer steps than η_best (where the path
/// starts matters a little, so the fastest rate by steps is not exactly the
/// fastest in the long run).
pub fn learning_rates(f: fn(f64, f64) -> (f64, f64)) {
    property(60, (0.5..5.0f64, 1.0..50.0f64), |(a, ratio)| {
        let b = a * ratio;
        let (eta_max, eta_best) = f(a, b);
        prop_assert!(
            steps_to_converge(a, b, 0.98 * eta_max).is_some(),
            "a = {a}, b = {b}: descent with η = 0.98·η_max = {} should \
             still converge",
            0.98 * eta_max
        );
        prop_assert!(
            steps_to_converge(a, b, 1.02 * eta_max).is_none(),
            "a = {a}, b = {b}: descent with η = 1.02·η_max = {} should \
             diverge, but converges",
            1.02 * eta_max
        );
        let Some(best) = steps_to_converge(a, b, eta_best) else {
            return Err(TestCaseError::fail(format!(
                "a = {a}, b = {b}: η_best = {eta_best} does not converge"
            )));
        };
        for k in 1..200 {
            let eta = eta_max * f64::from(k) / 200.0;
            if let Some(steps) = steps_to_converge(a, b, eta) {
                prop_assert!(
                    best as f64 <= 1.05 * steps as f64 + 1.0,
                    "a = {a}, b = {b}: η = {eta:.5} reaches the minimum in \
                     {steps} steps, η_best = {eta_best:.5} takes {best}"
                );
            }
        }
        Ok(())
    });
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
