//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use shared::testing::assert_graders_reject;

/// Divides by h instead of 2h.
fn half_difference(f: fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / h
}

/// Climbs: p ← p + η∇f(p).
fn ascend(
    gradient: fn([f64; 2]) -> [f64; 2],
    start: [f64; 2],
    eta: f64,
    steps: usize,
) -> [f64; 2] {
    let mut p = start;
    for _ in 0..steps {
        let g = gradient(p);
        p = [p[0] + eta * g[0], p[1] + eta * g[1]];
    }
    p
}

/// Sums over the points instead of averaging.
fn summed_logistic_gradient(
    w: [f64; 2],
    b: f64,
    xs: &[[f64; 2]],
    ys: &[f64],
) -> ([f64; 2], f64) {
    let (mut gw, mut gb) = ([0.0; 2], 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let a = ch02_activations::sigmoid(w[0] * x[0] + w[1] * x[1] + b);
        gw[0] += (a - y) * x[0];
        gw[1] += (a - y) * x[1];
        gb += a - y;
    }
    (gw, gb)
}

/// The gentle direction's limit, 2/a: the steep direction diverges.
fn limit_of_the_gentle_direction(a: f64, b: f64) -> (f64, f64) {
    (2.0 / a, 2.0 / (a + b))
}

/// η_best = 1/b, the usual "safe" choice: stable, but slow along x.
fn safe_but_slow(_a: f64, b: f64) -> (f64, f64) {
    (2.0 / b, 1.0 / b)
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("5.1 divided by h", || {
            grade::central_difference(|x, h| {
                half_difference(ch05_gradient_descent::wavy, x, h)
            })
        }),
        ("5.2 ascent", || grade::descend(ascend)),
        ("5.3 summed", || {
            grade::logistic_gradient(summed_logistic_gradient)
        }),
        ("5.4 η_max from a", || {
            grade::learning_rates(limit_of_the_gentle_direction)
        }),
        ("5.4 η_best = 1/b", || grade::learning_rates(safe_but_slow)),
    ]);
}
