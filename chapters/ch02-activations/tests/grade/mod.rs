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

/// (c, t, h) of g(x) = c + Σₖ hₖ ReLU(x − tₖ).
type ReluInterpolant = fn(fn(f64) -> f64, usize) -> (f64, Vec<f64>, Vec<f64>);

/// Exercise 2.4: on several curves and sizes, g must hit f at every point
/// j/n, be straight between them (its midpoints are averages), and use at
/// most n neurons. No answer key: any (c, t, h) with these properties
/// passes.
pub fn relu_interpolant(f: ReluInterpolant) {
    type Curve = (&'static str, fn(f64) -> f64);
    let curves: [Curve; 4] = [
        ("sin 7x", |x| (7.0 * x).sin()),
        ("x²", |x| x * x),
        ("eˣ", f64::exp),
        (
            "the chapter's bumpy curve",
            ch02_activations::approximation::target,
        ),
    ];
    for (name, curve) in curves {
        for n in [1, 2, 3, 7, 20] {
            let (c, t, h) = f(curve, n);
            assert_eq!(t.len(), h.len(), "{name}, n = {n}: one h per knot");
            assert!(t.len() <= n, "{name}, n = {n}: {} neurons", t.len());
            let g = |x: f64| {
                c + t
                    .iter()
                    .zip(&h)
                    .map(|(tk, hk)| hk * (x - tk).max(0.0))
                    .sum::<f64>()
            };
            let point = |j: usize| j as f64 / n as f64;
            for j in 0..=n {
                let (x, want) = (point(j), curve(point(j)));
                assert!(
                    (g(x) - want).abs() < 1e-9,
                    "{name}, n = {n}: g({x}) = {}, f({x}) = {want}",
                    g(x)
                );
            }
            for j in 0..n {
                let mid = 0.5 * (point(j) + point(j + 1));
                let want = 0.5 * (curve(point(j)) + curve(point(j + 1)));
                assert!(
                    (g(mid) - want).abs() < 1e-9,
                    "{name}, n = {n}: g({mid}) = {}, but a straight line \
                     between the points gives {want}",
                    g(mid)
                );
            }
        }
    }
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
