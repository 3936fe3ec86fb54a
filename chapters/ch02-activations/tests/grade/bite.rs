//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use ch02_activations::sigmoid;
use shared::testing::assert_graders_reject;

/// Stretched vertically but not horizontally.
fn tanh_unscaled(z: f64) -> f64 {
    2.0 * sigmoid(z) - 1.0
}

/// The textbook formula, unshifted: overflows for large scores.
fn naive_softmax(z: &[f64]) -> Vec<f64> {
    let e: Vec<f64> = z.iter().map(|v| v.exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

/// Only the diagonal, sᵢ(1 − sᵢ): forgets that every output depends on
/// every score.
fn diagonal_jacobian(z: &[f64]) -> Vec<Vec<f64>> {
    let s = ch02_activations::softmax(ndarray::aview1(z));
    (0..z.len())
        .map(|i| {
            (0..z.len())
                .map(|j| if i == j { s[i] * (1.0 - s[i]) } else { 0.0 })
                .collect()
        })
        .collect()
}

/// Uses each chord's slope as the height: the slopes pile up.
fn slopes_as_heights(f: fn(f64) -> f64, n: usize) -> (f64, Vec<f64>, Vec<f64>) {
    let knot = |j: usize| j as f64 / n as f64;
    let t = (0..n).map(knot).collect();
    let h = (0..n)
        .map(|j| (f(knot(j + 1)) - f(knot(j))) * n as f64)
        .collect();
    (f(0.0), t, h)
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("2.1 not stretched horizontally", || {
            grade::tanh_from_sigmoid(tanh_unscaled)
        }),
        ("2.2 unshifted softmax", || {
            grade::stable_softmax(naive_softmax)
        }),
        ("2.3 diagonal only", || {
            grade::softmax_jacobian(diagonal_jacobian)
        }),
        ("2.4 slopes as heights", || {
            grade::relu_interpolant(slopes_as_heights)
        }),
    ]);
}
