//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use ch08_mnist::{Config, Preset};
use ndarray::ArrayView2;
use shared::testing::assert_graders_reject;

/// Takes the *smallest* output as the answer.
fn accuracy_by_argmin(outputs: ArrayView2<f32>, labels: &[u8]) -> f64 {
    let right = outputs
        .columns()
        .into_iter()
        .zip(labels)
        .filter(|(column, label)| {
            let answer = ch08_mnist::argmax(column.iter().map(|v| -v));
            answer == usize::from(**label)
        })
        .count();
    right as f64 / labels.len() as f64
}

/// Moves the weight with the old velocity, then updates the velocity.
fn momentum_step_out_of_order(
    w: &mut [f64],
    v: &mut [f64],
    grad: &[f64],
    eta: f64,
    momentum: f64,
    weight_decay: f64,
) {
    for i in 0..w.len() {
        w[i] += v[i];
        v[i] = momentum * v[i] - eta * (grad[i] + weight_decay * w[i]);
    }
}

/// (column, row): the coordinates swapped.
fn center_of_mass_swapped(image: ArrayView2<f32>) -> (f32, f32) {
    let (r, c) = ch08_mnist::photo::center_of_mass(image);
    (c, r)
}

/// The default run's 784-256-10: 203,530 parameters.
fn over_budget() -> Config {
    Config {
        epochs: 5,
        ..Config::default_run()
    }
}

/// Within the budget, but trains for the default run's 10 epochs.
fn too_many_epochs() -> Config {
    Config {
        sizes: vec![784, 16, 10],
        ..Config::default_run()
    }
}

/// Within every limit, but Nielsen's network.py settings on 784-8-10 for
/// one epoch: far short of 95 %.
fn undertrained() -> Config {
    Config {
        sizes: vec![784, 8, 10],
        epochs: 1,
        ..Preset::Nielsen.config()
    }
}

fn small_network(f: fn() -> Config) {
    // The budget exercise 8.4 states.
    grade::small_network(f, 15_000);
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("8.1 argmin", || grade::accuracy(accuracy_by_argmin)),
        ("8.2 weight first", || {
            grade::momentum_step(momentum_step_out_of_order)
        }),
        ("8.3 swapped", || {
            grade::center_of_mass(center_of_mass_swapped)
        }),
        ("8.4 over budget", || small_network(over_budget)),
        ("8.4 ten epochs", || small_network(too_many_epochs)),
    ]);
}

#[test]
#[ignore = "trains on MNIST: run by .ci/run"]
fn the_budget_grader_rejects_an_undertrained_network() {
    assert_graders_reject(&[("8.4 undertrained", || {
        small_network(undertrained)
    })]);
}
