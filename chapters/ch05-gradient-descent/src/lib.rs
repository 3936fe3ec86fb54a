//! Chapter 5: gradient descent.
//!
//! Covers the derivative as a limit; forward and central finite
//! differences and how their error behaves as the step h shrinks (the basis
//! of the gradient checker every chapter uses); gradient descent on a
//! two-variable function with a too-small, a good and a divergent learning
//! rate; and a single sigmoid neuron trained by gradient descent on a
//! two-dimensional data set (logistic regression).
//!
//! Leaves out: computing gradients of whole networks (chapter 6) and
//! minibatches (chapter 7).

// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod figures;
pub mod logistic;
mod walkthrough;

/// What `cargo run -p ch05-gradient-descent` runs.
pub const CHAPTER: shared::chapter::Chapter = shared::chapter::Chapter {
    name: "ch05-gradient-descent",
    walkthrough: walkthrough::print,
    figures: figures::all,
};

// ANCHOR: differences
/// f'(x) ≈ (f(x + h) − f(x)) / h: error proportional to h.
pub fn forward_difference(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x)) / h
}

/// f'(x) ≈ (f(x + h) − f(x − h)) / 2h: f(x) and the h² terms cancel,
/// leaving an error proportional to h².
pub fn central_difference(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}
// ANCHOR_END: differences

/// The function of the error study: f(x) = sin(x)·eˣ.
pub fn wavy(x: f64) -> f64 {
    x.sin() * x.exp()
}

/// Its exact derivative, (sin x + cos x)·eˣ.
pub fn wavy_prime(x: f64) -> f64 {
    (x.sin() + x.cos()) * x.exp()
}

/// One row of the error study: a step h and the two differences' errors.
#[derive(Clone, Copy, Debug)]
pub struct DifferenceError {
    /// The step.
    pub h: f64,
    /// |forward difference − f'(x)|.
    pub forward: f64,
    /// |central difference − f'(x)|.
    pub central: f64,
}

/// The errors of both differences of [`wavy`] at x = 1 for h = 10⁻¹ …
/// 10⁻¹⁴, a few steps per decade.
pub fn difference_errors() -> Vec<DifferenceError> {
    let exact = wavy_prime(1.0);
    (2..=56)
        .map(|k| {
            let h = 10f64.powf(-f64::from(k) / 4.0);
            DifferenceError {
                h,
                forward: (forward_difference(wavy, 1.0, h) - exact).abs(),
                central: (central_difference(wavy, 1.0, h) - exact).abs(),
            }
        })
        .collect()
}

// ANCHOR: bowl
/// A long, narrow valley: f(x, y) = ½(x² + 10y²). Its minimum is at
/// (0, 0); it is ten times steeper across (y) than along (x).
pub fn bowl(p: [f64; 2]) -> f64 {
    0.5 * (p[0] * p[0] + 10.0 * p[1] * p[1])
}

/// ∇f = (x, 10y).
pub fn bowl_gradient(p: [f64; 2]) -> [f64; 2] {
    [p[0], 10.0 * p[1]]
}
// ANCHOR_END: bowl

// ANCHOR: descent
/// Gradient descent: from `start`, take `steps` steps of
/// p ← p − η ∇f(p). Returns the path, start included.
pub fn gradient_descent(
    gradient: impl Fn([f64; 2]) -> [f64; 2],
    start: [f64; 2],
    eta: f64,
    steps: usize,
) -> Vec<[f64; 2]> {
    let mut path = vec![start];
    let mut p = start;
    for _ in 0..steps {
        let g = gradient(p);
        p = [p[0] - eta * g[0], p[1] - eta * g[1]];
        path.push(p);
    }
    path
}
// ANCHOR_END: descent

/// The start and the three learning rates of the descent figure.
pub const START: [f64; 2] = [-9.0, 2.5];
/// Too small, good, divergent (above 2/10, the valley's steepest
/// curvature, every step across overshoots by more than it corrects).
pub const ETAS: [f64; 3] = [0.01, 0.15, 0.205];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};

    #[test]
    fn central_differences_beat_forward_ones_until_round_off() {
        let rows = difference_errors();
        let at = |h: f64| {
            *rows
                .iter()
                .min_by(|a, b| {
                    (a.h.log10() - h.log10())
                        .abs()
                        .total_cmp(&(b.h.log10() - h.log10()).abs())
                })
                .unwrap()
        };
        // Truncation: forward error ∝ h, central ∝ h².
        let (big, small) = (at(1e-2), at(1e-3));
        let forward_ratio = big.forward / small.forward;
        let central_ratio = big.central / small.central;
        assert!((8.0..12.0).contains(&forward_ratio), "{forward_ratio}");
        assert!((80.0..120.0).contains(&central_ratio), "{central_ratio}");
        // At the checker's h = 1e-5, central is far better than forward.
        assert!(at(1e-5).central < 1e-9);
        assert!(at(1e-5).forward > 1e-6);
        // Far below, round-off takes over and errors grow again.
        assert!(at(1e-13).central > 100.0 * at(1e-5).central);
    }

    #[test]
    fn descent_converges_crawls_or_diverges_with_the_learning_rate() {
        let finals: Vec<f64> = ETAS
            .iter()
            .map(|&eta| {
                bowl(
                    *gradient_descent(bowl_gradient, START, eta, 50)
                        .last()
                        .unwrap(),
                )
            })
            .collect();
        assert!(finals[0] > 10.0, "too small is still far: {}", finals[0]);
        assert!(finals[1] < 1e-3, "good converges: {}", finals[1]);
        assert!(finals[2] > bowl(START), "divergent grows: {}", finals[2]);
    }

    proptest! {
        #[test]
        fn bowl_gradient_matches_finite_differences(
            x in shared::testing::away_from_zero(0.1, 10.0),
            y in shared::testing::away_from_zero(0.1, 10.0),
        ) {
            let g = bowl_gradient([x, y]);
            let report = check_gradient(|p| bowl([p[0], p[1]]), &[x, y], &g);
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        }
    }
}
