//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use shared::testing::assert_graders_reject;

/// Counts labels from 1: off by one, and accepts label = classes.
fn one_hot_from_one(label: usize, classes: usize) -> Option<Vec<f64>> {
    if label == 0 || label > classes {
        return None;
    }
    let mut y = vec![0.0; classes];
    y[label - 1] = 1.0;
    Some(y)
}

/// Forgets the ½.
fn cost_without_half(a: &[f64], y: &[f64]) -> f64 {
    a.iter().zip(y).map(|(ai, yi)| (yi - ai).powi(2)).sum()
}

fn softmax(z: &[f64]) -> Vec<f64> {
    ch02_activations::softmax(ndarray::aview1(z)).to_vec()
}

/// Flips the sign: y − softmax(z).
fn gradient_flipped(z: &[f64], y: &[f64]) -> Vec<f64> {
    softmax(z).iter().zip(y).map(|(s, y)| y - s).collect()
}

/// Exercise 4.3's answer, s − y: right for cross-entropy, not here.
fn cross_entropy_answer(z: &[f64], y: &[f64]) -> Vec<f64> {
    softmax(z).iter().zip(y).map(|(s, y)| s - y).collect()
}

/// (s − y) ⊙ s(1 − s): the diagonal of the Jacobian only, as if each
/// output were its own sigmoid.
fn diagonal_only(z: &[f64], y: &[f64]) -> Vec<f64> {
    let s = softmax(z);
    s.iter()
        .zip(y)
        .map(|(s, y)| (s - y) * s * (1.0 - s))
        .collect()
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("4.1 labels from 1", || grade::one_hot(one_hot_from_one)),
        ("4.2 no ½", || grade::quadratic_cost(cost_without_half)),
        ("4.3 sign flipped", || {
            grade::softmax_cross_entropy_gradient(gradient_flipped)
        }),
        ("4.4 the cross-entropy answer", || {
            grade::softmax_quadratic_gradient(cross_entropy_answer)
        }),
        ("4.4 the diagonal only", || {
            grade::softmax_quadratic_gradient(diagonal_only)
        }),
    ]);
}
