//! Universal approximation, the picture version: a sum of shifted, scaled
//! sigmoids can follow any continuous curve, better as more are added.
//!
//! The construction is a staircase. Split [0, 1] into n + 1 steps, give each
//! step the target's value at its middle, and build each rise between steps
//! from one steep sigmoid scaled by the height of the rise. One hidden layer
//! of n sigmoid neurons and a weighted sum on top compute exactly this.

use crate::sigmoid;

// ANCHOR: target
/// The bumpy curve to approximate on [0, 1].
pub fn target(x: f64) -> f64 {
    0.5 + 0.25 * (7.0 * x).sin() + 0.15 * x * (17.0 * x).cos()
}
// ANCHOR_END: target

// ANCHOR: staircase
/// g(x) = c + Σₖ hₖ σ(s (x − tₖ)): a constant plus n sigmoids.
#[derive(Clone, Debug)]
pub struct Staircase {
    /// The level left of every step, c.
    pub base: f64,
    /// Where each sigmoid rises, tₖ.
    pub centers: Vec<f64>,
    /// How far each one rises, hₖ (negative: it falls).
    pub heights: Vec<f64>,
    /// How steep every sigmoid is, s.
    pub steepness: f64,
}

impl Staircase {
    /// Fits `n` sigmoids to `f` on [0, 1]: n + 1 steps of width 1/(n + 1),
    /// each at the height of `f` at its middle.
    pub fn fit(f: impl Fn(f64) -> f64, n: usize) -> Self {
        let width = 1.0 / (n + 1) as f64;
        let level = |k: usize| f((k as f64 + 0.5) * width);
        Staircase {
            base: level(0),
            centers: (1..=n).map(|k| k as f64 * width).collect(),
            heights: (1..=n).map(|k| level(k) - level(k - 1)).collect(),
            // Each rise takes about a fifth of a step.
            steepness: 20.0 / width,
        }
    }

    /// The staircase's value at `x`.
    pub fn eval(&self, x: f64) -> f64 {
        let rises = self.centers.iter().zip(&self.heights);
        self.base
            + rises
                .map(|(t, h)| h * sigmoid(self.steepness * (x - t)))
                .sum::<f64>()
    }
}
// ANCHOR_END: staircase

/// The root-mean-square distance between `f` and `g` on 1001 evenly spaced
/// points of [0, 1].
pub fn rms_error(f: impl Fn(f64) -> f64, g: impl Fn(f64) -> f64) -> f64 {
    let n = 1001;
    let sum: f64 = (0..n)
        .map(|i| {
            let x = i as f64 / (n - 1) as f64;
            (f(x) - g(x)).powi(2)
        })
        .sum();
    (sum / n as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_sigmoids_fit_better() {
        let errors: Vec<f64> = [1, 2, 4, 8, 16, 32, 64]
            .iter()
            .map(|&n| {
                let g = Staircase::fit(target, n);
                rms_error(target, |x| g.eval(x))
            })
            .collect();
        for pair in errors[2..].windows(2) {
            assert!(pair[1] < pair[0], "errors {errors:?}");
        }
        assert!(errors[6] < 0.02, "64 sigmoids: {}", errors[6]);
    }

    #[test]
    fn a_staircase_of_a_constant_is_that_constant() {
        let g = Staircase::fit(|_| 0.3, 5);
        assert!(g.heights.iter().all(|&h| h == 0.0));
        assert_eq!(g.eval(0.7), 0.3);
    }
}
