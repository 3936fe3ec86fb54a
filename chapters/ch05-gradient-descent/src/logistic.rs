//! Logistic regression: one sigmoid neuron (chapter 1's `Neuron`) learning
//! to separate two clouds of points by gradient descent on the
//! cross-entropy (chapter 4).

use ch01_neuron::{Neuron, sigmoid};
use ch04_loss::sigmoid_cross_entropy;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, array};
use shared::rng::{Rng, standard_normal};

/// Two clouds of `n` points each, around (−1, −1) with label 0 and around
/// (1.5, 1) with label 1. Samples are columns: `x` has shape (2, 2n).
pub fn two_clouds(rng: &mut Rng, n: usize) -> (Array2<f64>, Array1<f64>) {
    let mut x = Array2::zeros((2, 2 * n)); // (2, samples)
    let mut y = Array1::zeros(2 * n);
    for k in 0..2 * n {
        let (center, label) = if k < n {
            ([-1.0, -1.0], 0.0)
        } else {
            ([1.5, 1.0], 1.0)
        };
        x[(0, k)] = center[0] + 0.9 * standard_normal(rng);
        x[(1, k)] = center[1] + 0.9 * standard_normal(rng);
        y[k] = label;
    }
    (x, y)
}

// ANCHOR: loss
/// The average cross-entropy of the neuron over the data set.
pub fn loss(neuron: &Neuron, x: ArrayView2<f64>, y: ArrayView1<f64>) -> f64 {
    let total: f64 = x
        .columns()
        .into_iter()
        .zip(y)
        .map(|(xk, &yk)| sigmoid_cross_entropy(neuron.weighted_sum(xk), yk))
        .sum();
    total / y.len() as f64
}

/// The gradient of [`loss`]: the average over samples of (a − y)·x for
/// the weights and (a − y) for the bias (chapter 4: ∂C/∂z = a − y).
pub fn gradient(
    neuron: &Neuron,
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
) -> (Array1<f64>, f64) {
    let mut dw = Array1::zeros(neuron.w.len());
    let mut db = 0.0;
    for (xk, &yk) in x.columns().into_iter().zip(y) {
        let dz = sigmoid(neuron.weighted_sum(xk)) - yk;
        dw.scaled_add(dz, &xk);
        db += dz;
    }
    let n = y.len() as f64;
    (dw / n, db / n)
}
// ANCHOR_END: loss

// ANCHOR: train
/// Trains a neuron from w = 0, b = 0 by `epochs` steps of gradient descent
/// with learning rate `eta`; returns it and the loss before each step and
/// after the last.
pub fn train(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    eta: f64,
    epochs: usize,
) -> (Neuron, Vec<f64>) {
    let mut neuron = Neuron {
        w: array![0.0, 0.0],
        b: 0.0,
    };
    let mut losses = vec![loss(&neuron, x, y)];
    for _ in 0..epochs {
        let (dw, db) = gradient(&neuron, x, y);
        neuron.w.scaled_add(-eta, &dw);
        neuron.b -= eta * db;
        losses.push(loss(&neuron, x, y));
    }
    (neuron, losses)
}
// ANCHOR_END: train

/// The fraction of samples on the right side of the neuron's boundary.
pub fn accuracy(
    neuron: &Neuron,
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
) -> f64 {
    let right = x
        .columns()
        .into_iter()
        .zip(y)
        .filter(|(xk, yk)| {
            (neuron.weighted_sum(xk.view()) > 0.0) == (**yk > 0.5)
        })
        .count();
    right as f64 / y.len() as f64
}

/// The data set, learning rate and epochs of the chapter's run.
pub fn chapter_run() -> (Array2<f64>, Array1<f64>, Neuron, Vec<f64>) {
    let (x, y) =
        two_clouds(&mut shared::rng::seeded(shared::rng::DEFAULT_SEED), 100);
    let (neuron, losses) = train(x.view(), y.view(), 0.5, 100);
    (x, y, neuron, losses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
    use shared::rng::seeded;

    #[test]
    fn training_lowers_the_loss_and_separates_the_clouds() {
        let (x, y, neuron, losses) = chapter_run();
        assert!((losses[0] - 2f64.ln()).abs() < 1e-12, "σ(0) = ½ everywhere");
        assert!(losses.windows(2).all(|p| p[1] <= p[0]), "never rises");
        assert!(*losses.last().unwrap() < 0.2);
        assert!(accuracy(&neuron, x.view(), y.view()) > 0.9);
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            seed in any::<u64>(),
            w0 in -1.0..1.0f64, w1 in -1.0..1.0f64, b in -1.0..1.0f64,
        ) {
            let (x, y) = two_clouds(&mut seeded(seed), 5);
            let neuron = Neuron { w: array![w0, w1], b };
            let (dw, db) = gradient(&neuron, x.view(), y.view());
            let report = check_gradient(
                |p| loss(&Neuron { w: array![p[0], p[1]], b: p[2] }, x.view(), y.view()),
                &[w0, w1, b],
                &[dw[0], dw[1], db],
            );
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{report}");
        }

        // A gradient missing the 1/n average is caught.
        #[test]
        fn a_sum_instead_of_a_mean_is_caught(seed in any::<u64>()) {
            let (x, y) = two_clouds(&mut seeded(seed), 5);
            let neuron = Neuron { w: array![0.3, -0.2], b: 0.1 };
            let (dw, db) = gradient(&neuron, x.view(), y.view());
            let n = y.len() as f64;
            let report = check_gradient(
                |p| loss(&Neuron { w: array![p[0], p[1]], b: p[2] }, x.view(), y.view()),
                &[0.3, -0.2, 0.1],
                &[dw[0] * n, dw[1] * n, db * n],
            );
            prop_assert!(!report.passes(SMOOTH_TOLERANCE), "{report}");
        }
    }
}
