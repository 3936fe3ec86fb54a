//! The finite-difference gradient checker.
//!
//! Backprop is easy to get subtly wrong; finite differences are slow but
//! nearly impossible to get wrong. So every gradient in the book is checked
//! against them, the way CS231n's notes do it:
//!
//! - **central differences** with step [`H`]:
//!   `∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h`,
//! - the **relative error** `|a − n| / max(1e-8, |a| + |n|)` of analytic `a`
//!   and numeric `n`, reported at the **worst coordinate**,
//! - smooth functions must reach [`SMOOTH_TOLERANCE`].
//!
//! Chapter 5 explains why central differences and why `h = 1e-5`. The
//! checker works in `f64` only: in `f32` round-off swamps the difference.
//!
//! One limit to know: `f(x ± h)` carries round-off of about `1e-16·|f|`, so
//! the numeric derivative is off by about `1e-11·|f|`. A gradient coordinate
//! smaller than about `1e-4·|f|` cannot reach a relative error of `1e-7`
//! even when it is right. Property tests therefore sample inputs where the
//! gradient does not vanish: inputs away from zero, sums away from the flat
//! tails of a sigmoid.

use std::fmt;

use ndarray::Array2;

/// The finite-difference step.
pub const H: f64 = 1e-5;

/// The worst relative error a smooth function's gradient may show.
pub const SMOOTH_TOLERANCE: f64 = 1e-7;

// ANCHOR: relative_error
/// `|a − n| / max(1e-8, |a| + |n|)`: 0 when they agree, 1 when they have
/// opposite signs, about 1e-10 for a correct gradient in f64.
pub fn relative_error(analytic: f64, numeric: f64) -> f64 {
    (analytic - numeric).abs() / (analytic.abs() + numeric.abs()).max(1e-8)
}
// ANCHOR_END: relative_error

// ANCHOR: numerical_gradient
/// The gradient of a scalar function `f` at `x` by central differences.
pub fn numerical_gradient(
    mut f: impl FnMut(&[f64]) -> f64,
    x: &[f64],
) -> Vec<f64> {
    let mut x = x.to_vec();
    (0..x.len())
        .map(|i| {
            let xi = x[i];
            x[i] = xi + H;
            let f_plus = f(&x);
            x[i] = xi - H;
            let f_minus = f(&x);
            x[i] = xi;
            (f_plus - f_minus) / (2.0 * H)
        })
        .collect()
}

// ANCHOR_END: numerical_gradient

/// The Jacobian of a vector function `f` at `x`: shape `(m, n)` where `m`
/// is the length of `f(x)` and `n` the length of `x`; row `j` is the
/// gradient of output `j`.
pub fn numerical_jacobian(
    mut f: impl FnMut(&[f64]) -> Vec<f64>,
    x: &[f64],
) -> Array2<f64> {
    let m = f(x).len();
    let mut jacobian = Array2::zeros((m, x.len())); // (m, n)
    let mut x = x.to_vec();
    for i in 0..x.len() {
        let xi = x[i];
        x[i] = xi + H;
        let f_plus = f(&x);
        x[i] = xi - H;
        let f_minus = f(&x);
        x[i] = xi;
        for j in 0..m {
            jacobian[(j, i)] = (f_plus[j] - f_minus[j]) / (2.0 * H);
        }
    }
    jacobian
}

/// The result of comparing an analytic gradient with a numeric one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Report {
    /// The largest relative error over all coordinates.
    pub worst: f64,
    /// The coordinate where it occurred.
    pub index: usize,
    /// The analytic value there.
    pub analytic: f64,
    /// The numeric value there.
    pub numeric: f64,
    /// How many coordinates were compared.
    pub len: usize,
}

impl Report {
    /// Whether the worst relative error is within `tolerance`.
    pub fn passes(&self, tolerance: f64) -> bool {
        self.worst <= tolerance
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "worst relative error {:.2e} at coordinate {} of {} \
             (analytic {:.6e}, numeric {:.6e})",
            self.worst, self.index, self.len, self.analytic, self.numeric
        )
    }
}

/// Compares two gradients coordinate by coordinate.
///
/// Panics if their lengths differ: that is a bug in the caller.
pub fn compare(analytic: &[f64], numeric: &[f64]) -> Report {
    assert_eq!(
        analytic.len(),
        numeric.len(),
        "analytic gradient has {} entries, numeric has {}",
        analytic.len(),
        numeric.len()
    );
    let mut report = Report {
        worst: 0.0,
        index: 0,
        analytic: analytic.first().copied().unwrap_or(0.0),
        numeric: numeric.first().copied().unwrap_or(0.0),
        len: analytic.len(),
    };
    for (i, (&a, &n)) in analytic.iter().zip(numeric).enumerate() {
        let error = relative_error(a, n);
        // A NaN error counts as worse than anything: it must never pass.
        if error.is_nan() || error > report.worst {
            report = Report {
                worst: error,
                index: i,
                analytic: a,
                numeric: n,
                ..report
            };
        }
    }
    report
}

/// Checks `analytic` against the central-difference gradient of `f` at `x`.
pub fn check_gradient(
    f: impl FnMut(&[f64]) -> f64,
    x: &[f64],
    analytic: &[f64],
) -> Report {
    compare(analytic, &numerical_gradient(f, x))
}

/// Compares `analytic` with central differences of `f` on the coordinates
/// finite differences can measure to 1e-7: exactly 0 (e.g. a dropped
/// neuron's weights; both sides then agree exactly) or at least 1e-3·max(|C|, 1)
/// (round-off is about 2e-11·|C|, as chapter 6's tests measure).
pub fn check_measurable(
    mut f: impl FnMut(&[f64]) -> f64,
    x: &[f64],
    analytic: &[f64],
) -> Report {
    let c = f(x).abs().max(1.0);
    let numeric = numerical_gradient(&mut f, x);
    let (a, n): (Vec<f64>, Vec<f64>) = analytic
        .iter()
        .zip(&numeric)
        .filter(|(g, _)| **g == 0.0 || g.abs() >= 1e-3 * c)
        .unzip();
    compare(&a, &n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::vec_away_from_zero;
    use proptest::prelude::*;

    // f(x) = Σ sin(xᵢ)·xᵢ², whose gradient is cos(xᵢ)·xᵢ² + 2·xᵢ·sin(xᵢ),
    // at least 0.26 in size for 0.3 ≤ |xᵢ| ≤ 2.
    fn f(x: &[f64]) -> f64 {
        x.iter().map(|&v| v.sin() * v * v).sum()
    }

    fn grad_f(x: &[f64]) -> Vec<f64> {
        x.iter()
            .map(|&v| v.cos() * v * v + 2.0 * v * v.sin())
            .collect()
    }

    #[test]
    fn relative_error_is_scale_free() {
        assert_eq!(relative_error(1.0, 1.0), 0.0);
        assert_eq!(relative_error(1.0, -1.0), 1.0);
        let small = relative_error(1e-3, 1.001e-3);
        let large = relative_error(1e3, 1.001e3);
        assert!((small - large).abs() < 1e-12);
        // Two zeros agree; the floor keeps 0/0 away.
        assert_eq!(relative_error(0.0, 0.0), 0.0);
    }

    #[test]
    fn central_differences_of_a_quadratic_are_exact_to_round_off() {
        let g = numerical_gradient(|x| 3.0 * x[0] * x[0] + x[1], &[2.0, 5.0]);
        assert!((g[0] - 12.0).abs() < 1e-8, "{}", g[0]);
        assert!((g[1] - 1.0).abs() < 1e-8, "{}", g[1]);
    }

    #[test]
    fn jacobian_rows_are_output_gradients() {
        // f(x, y) = (x·y, x + 2y)
        let j = numerical_jacobian(
            |v| vec![v[0] * v[1], v[0] + 2.0 * v[1]],
            &[3.0, -1.0],
        );
        let expected = [[-1.0, 3.0], [1.0, 2.0]];
        for r in 0..2 {
            for c in 0..2 {
                assert!((j[(r, c)] - expected[r][c]).abs() < 1e-8);
            }
        }
    }

    #[test]
    fn report_names_the_worst_coordinate() {
        let report = compare(&[1.0, 2.0, 3.0], &[1.0, 2.5, 3.0]);
        assert_eq!(report.index, 1);
        assert!((report.worst - 0.5 / 4.5).abs() < 1e-15);
        assert!(report.to_string().contains("coordinate 1 of 3"));
    }

    #[test]
    fn nan_never_passes() {
        let report = compare(&[1.0, f64::NAN], &[1.0, 1.0]);
        assert!(!report.passes(SMOOTH_TOLERANCE));
        assert_eq!(report.index, 1);
    }

    proptest! {
        #[test]
        fn passes_a_correct_gradient(
            x in (1..10usize).prop_flat_map(|n| vec_away_from_zero(n, 0.3, 2.0))
        ) {
            let report = check_gradient(f, &x, &grad_f(&x));
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        }

        // The checker is only worth having if it fails on a wrong gradient:
        // here one coordinate forgets the product rule's second term.
        #[test]
        fn catches_a_wrong_gradient(
            x in prop::collection::vec(0.3..2.0f64, 1..10),
            k in any::<prop::sample::Index>(),
        ) {
            let mut wrong = grad_f(&x);
            let i = k.index(x.len());
            wrong[i] = x[i].cos() * x[i] * x[i];
            let report = check_gradient(f, &x, &wrong);
            prop_assert!(!report.passes(SMOOTH_TOLERANCE), "{report}");
            prop_assert_eq!(report.index, i);
        }

        #[test]
        fn catches_a_gradient_off_by_a_small_factor(
            x in prop::collection::vec(0.3..2.0f64, 1..10),
        ) {
            let wrong: Vec<f64> = grad_f(&x).iter().map(|g| g * 1.0001).collect();
            let report = check_gradient(f, &x, &wrong);
            prop_assert!(!report.passes(SMOOTH_TOLERANCE), "{report}");
        }
    }
}
