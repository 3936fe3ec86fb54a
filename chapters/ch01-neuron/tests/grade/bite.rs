//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use shared::testing::assert_graders_reject;

/// Forgets the bias.
fn weighted_sum_without_bias(w: &[f64], x: &[f64], _b: f64) -> f64 {
    w.iter().zip(x).map(|(wi, xi)| wi * xi).sum()
}

/// OR, not AND: the bias lets a single input through.
fn or_gate() -> ([f64; 2], f64) {
    ([1.0, 1.0], -0.5)
}

/// ∂z/∂w instead of ∂a/∂w: the σ'(z) factor is missing.
fn gradient_without_sigmoid_prime(
    _w: &[f64],
    x: &[f64],
    _b: f64,
) -> (Vec<f64>, f64) {
    (x.to_vec(), 1.0)
}

/// The output neuron is OR of (OR, AND): it fires on (1, 1) too.
fn or_network() -> ([[f64; 2]; 2], [f64; 2], [f64; 2], f64) {
    ([[1.0, 1.0], [1.0, 1.0]], [-0.5, -1.5], [1.0, 1.0], -0.5)
}

/// Right on the corners, but with the thresholds exactly at the sums
/// (z > 0 only just): a nudge of 0.05 flips it.
fn xor_without_margin() -> ([[f64; 2]; 2], [f64; 2], [f64; 2], f64) {
    ([[1.0, 1.0], [1.0, 1.0]], [-0.95, -1.95], [1.0, -1.0], -0.5)
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("1.1 without the bias", || {
            grade::weighted_sum(weighted_sum_without_bias)
        }),
        ("1.2 OR for AND", || grade::and_gate(or_gate)),
        ("1.3 no σ'(z)", || {
            grade::sigmoid_gradient(gradient_without_sigmoid_prime)
        }),
        ("1.4 OR of OR and AND", || grade::xor_network(or_network)),
        ("1.4 no margin", || grade::xor_network(xor_without_margin)),
    ]);
}
