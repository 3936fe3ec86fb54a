//! Unit and property tests of chapter 4.

use super::*;
use ndarray::{Array1, array};
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};

#[test]
fn one_hot_targets_and_bad_labels() {
    let y: Array1<f64> = one_hot(3, 10).unwrap();
    assert_eq!(y, array![0., 0., 0., 1., 0., 0., 0., 0., 0., 0.]);
    let err = one_hot::<f32>(12, 10).unwrap_err();
    assert_eq!(err.to_string(), "target 12 is outside 0–9");
    assert!(one_hot::<f64>(10, 10).is_err());
}

#[test]
fn quadratic_cost_by_hand() {
    let a: Array1<f64> = array![0.2, 0.9, 0.1];
    let y = array![0.0, 1.0, 0.0];
    // ½(0.04 + 0.01 + 0.01) = 0.03
    let c = quadratic_cost(a.view(), y.view());
    assert!((c - 0.03).abs() < 1e-15, "{c}");
    assert_eq!(Cost::Quadratic.value(a.view(), y.view()), c);
}

#[test]
fn cross_entropy_of_a_uniform_guess_is_ln_10() {
    let y: Array1<f64> = one_hot(7, 10).unwrap();
    let uniform = Array1::from_elem(10, 0.1);
    let c = cross_entropy(uniform.view(), y.view());
    assert!((c - 10f64.ln()).abs() < 1e-12);
    let c = softmax_cross_entropy(Array1::zeros(10).view(), y.view());
    assert!((c - 10f64.ln()).abs() < 1e-12);
}

#[test]
fn cross_entropy_stays_finite_when_badly_wrong() {
    let y: Array1<f64> = one_hot(0, 3).unwrap();
    let z = array![-1e4, 1e4, 0.0];
    let c = softmax_cross_entropy(z.view(), y.view());
    assert_eq!(c, 2e4, "−ln s₀ = ln Σ e^{{z}} − z₀ = 1e4 + 1e4");
    let a = softmax(z.view());
    assert!(cross_entropy(a.view(), y.view()).is_finite());
    assert!(sigmoid_cross_entropy(1e4, 0.0) == 1e4);
    assert!(sigmoid_cross_entropy(-1e4, 0.0) == 0.0);
}

#[test]
#[should_panic(expected = "the output has 3 entries but the target has 10")]
fn mismatched_shapes_name_both() {
    let y: Array1<f64> = one_hot(1, 10).unwrap();
    quadratic_cost(array![0.1, 0.2, 0.3].view(), y.view());
}

/// Outputs a in (0.05, 0.95) and a target distribution y.
fn output_and_target() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (1..10usize).prop_flat_map(|n| {
        (
            prop::collection::vec(0.05..0.95f64, n),
            prop::collection::vec(0.0..1.0f64, n),
        )
    })
}

proptest! {
    #[test]
    fn quadratic_gradient_matches_finite_differences((a, y) in output_and_target()) {
        let y = Array1::from(y);
        let analytic = quadratic_cost_gradient(ndarray::aview1(&a), y.view());
        // Entries aᵢ − yᵢ near 0 are too small to measure; skip those cases.
        prop_assume!(analytic.iter().all(|g| g.abs() > 1e-3));
        let report = check_gradient(
            |x| quadratic_cost(ndarray::aview1(x), y.view()),
            &a,
            analytic.as_slice().unwrap(),
        );
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
    }

    #[test]
    fn cross_entropy_gradient_matches_finite_differences(
        (a, y) in output_and_target()
    ) {
        let y = Array1::from(y).mapv(|v| v + 0.01);
        let analytic = Cost::CrossEntropy.gradient(ndarray::aview1(&a), y.view());
        let report = check_gradient(
            |x| Cost::CrossEntropy.value(ndarray::aview1(x), y.view()),
            &a,
            analytic.as_slice().unwrap(),
        );
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
    }

    // Softmax + cross-entropy end to end: ∂C/∂z = softmax(z) − y.
    #[test]
    fn softmax_cross_entropy_gradient_matches_finite_differences(
        z in prop::collection::vec(-3.0..3.0f64, 2..10),
        label in any::<prop::sample::Index>(),
    ) {
        let y: Array1<f64> = one_hot(label.index(z.len()), z.len()).unwrap();
        let analytic = softmax_cross_entropy_gradient(ndarray::aview1(&z), y.view());
        let report = check_gradient(
            |x| softmax_cross_entropy(ndarray::aview1(x), y.view()),
            &z,
            analytic.as_slice().unwrap(),
        );
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        // The stable form equals the textbook one where that is safe.
        let textbook = cross_entropy(softmax(ndarray::aview1(&z)).view(), y.view());
        let stable = softmax_cross_entropy(ndarray::aview1(&z), y.view());
        prop_assert!((textbook - stable).abs() < 1e-12);
    }

    // Forgetting the softmax (using z − y) is caught.
    #[test]
    fn a_gradient_without_the_softmax_is_caught(
        z in prop::collection::vec(-3.0..3.0f64, 2..10),
        label in any::<prop::sample::Index>(),
    ) {
        let y: Array1<f64> = one_hot(label.index(z.len()), z.len()).unwrap();
        let wrong = Array1::from(z.clone()) - &y;
        let report = check_gradient(
            |x| softmax_cross_entropy(ndarray::aview1(x), y.view()),
            &z,
            wrong.as_slice().unwrap(),
        );
        prop_assert!(!report.passes(SMOOTH_TOLERANCE), "{report}");
    }

    #[test]
    fn sigmoid_output_gradients_match_finite_differences(
        z in -4.0..4.0f64,
        y in prop_oneof![Just(0.0), Just(1.0)],
    ) {
        let quadratic = |x: &[f64]| {
            let a = ch02_activations::sigmoid(x[0]);
            0.5 * (a - y) * (a - y)
        };
        let report = check_gradient(quadratic, &[z], &[sigmoid_quadratic_dz(z, y)]);
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        let report = check_gradient(
            |x| sigmoid_cross_entropy(x[0], y),
            &[z],
            &[sigmoid_cross_entropy_dz(z, y)],
        );
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
    }
}
