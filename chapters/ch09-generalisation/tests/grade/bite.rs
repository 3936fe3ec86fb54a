//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use ch09_generalisation::Settings;
use ch09_generalisation::run::small_baseline;
use ndarray::{Array2, ArrayView2};
use shared::testing::assert_graders_reject;

/// Drops, but forgets to scale the kept activations by 1/(1 − p).
fn dropout_unscaled(
    a: ArrayView2<f64>,
    keep: ArrayView2<bool>,
    _p: f64,
) -> Array2<f64> {
    &a * &keep.mapv(|k| if k { 1.0 } else { 0.0 })
}

/// Moves the image the wrong way: dx down and dy right.
fn shift_swapped(image: ArrayView2<f32>, dx: i32, dy: i32) -> Array2<f32> {
    ch09_generalisation::augment::shift(image, dy, dx)
}

/// Adam without the bias corrections.
fn adam_uncorrected(
    w: &mut [f64],
    m: &mut [f64],
    v: &mut [f64],
    g: &[f64],
    _t: i32,
    eta: f64,
) {
    for i in 0..w.len() {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        w[i] -= eta * m[i] / (v[i].sqrt() + 1e-8);
    }
}

/// Changes the network, not its regularisation.
fn wider_network() -> Settings {
    Settings {
        hidden: vec![800],
        ..small_baseline(100)
    }
}

#[test]
fn every_grader_rejects_a_wrong_answer() {
    assert_graders_reject(&[
        ("9.1 unscaled", || grade::inverted_dropout(dropout_unscaled)),
        ("9.2 swapped", || grade::shift_image(shift_swapped)),
        ("9.3 uncorrected", || grade::adam_step(adam_uncorrected)),
        ("9.4 another network", || {
            grade::tame_overfitting(wider_network, 94.0)
        }),
    ]);
}

/// The 9.4 grader trains: the baseline itself, unregularised, falls short.
#[test]
#[ignore = "trains on MNIST: run in .ci/run"]
fn the_experiment_grader_rejects_the_unregularised_baseline() {
    assert_graders_reject(&[("9.4 baseline", || {
        grade::tame_overfitting(|| small_baseline(100), 94.0)
    })]);
}
