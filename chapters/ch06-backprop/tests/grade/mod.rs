//! The graders of chapter 6's exercises — all by finite differences.

use ch02_activations::sigmoid;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, aview1};
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
use shared::rng::{normal_array, seeded};
use shared::testing::{away_from_zero, property};

/// Exercise 6.1.
pub fn last_weight_gradient(f: fn(f64, f64, f64, f64) -> f64) {
    let strategy = (
        away_from_zero(0.2, 1.0),
        away_from_zero(0.2, 2.0),
        -1.0..1.0f64,
        0.0..1.0f64,
    );
    property(200, strategy, |(a_prev, w, b, y)| {
        let cost = |p: &[f64]| (sigmoid(p[0] * a_prev + b) - y).powi(2);
        let analytic = f(a_prev, w, b, y);
        prop_assume!(analytic.abs() > 1e-6);
        let report = check_gradient(cost, &[w], &[analytic]);
        prop_assert!(
            report.passes(SMOOTH_TOLERANCE),
            "a_prev {a_prev}, w {w}, b {b}, y {y}: {report}"
        );
        Ok(())
    });
}

/// Exercise 6.2.
pub fn output_error(f: fn(ArrayView1<f64>, ArrayView1<f64>) -> Array1<f64>) {
    property(200, (1..8usize, any::<u64>()), |(n, seed)| {
        let mut rng = seeded(seed);
        let z = normal_array(&mut rng, n, 1.5);
        let y = normal_array(&mut rng, n, 1.0);
        let cost = |v: &[f64]| {
            0.5 * v
                .iter()
                .zip(&y)
                .map(|(zi, yi)| (sigmoid(*zi) - yi).powi(2))
                .sum::<f64>()
        };
        let analytic = f(z.view(), y.view());
        prop_assert_eq!(analytic.len(), n);
        let report = check_gradient(
            cost,
            z.as_slice().unwrap(),
            analytic.as_slice().unwrap(),
        );
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        Ok(())
    });
}

type HiddenError =
    fn(ArrayView2<f64>, ArrayView1<f64>, ArrayView1<f64>) -> Array1<f64>;

/// Exercise 6.3: the cost C = δ_next · (W_next σ(z)) has ∂C/∂z_next =
/// δ_next, so its gradient with respect to z is exactly BP2.
pub fn hidden_error(f: HiddenError) {
    property(
        200,
        (1..7usize, 1..7usize, any::<u64>()),
        |(n, n_next, seed)| {
            let mut rng = seeded(seed);
            let away = |v: f64| v.signum() * (0.2 + v.abs());
            let w_next: Array2<f64> =
                normal_array(&mut rng, (n_next, n), 1.0).mapv(away);
            let delta_next = normal_array(&mut rng, n_next, 1.0).mapv(away);
            let z = normal_array(&mut rng, n, 1.0);
            let cost = |v: &[f64]| {
                let a = aview1(v).mapv(sigmoid);
                delta_next.dot(&w_next.dot(&a))
            };
            let analytic = f(w_next.view(), delta_next.view(), z.view());
            prop_assert_eq!(analytic.len(), n);
            // Cancellation in W_nextᵀ δ_next can make an entry unmeasurably small.
            prop_assume!(analytic.iter().all(|g| g.abs() > 1e-4));
            let report = check_gradient(
                cost,
                z.as_slice().unwrap(),
                analytic.as_slice().unwrap(),
            );
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
            Ok(())
        },
    );
}
