//! Tuning: three ways to spend a budget of training runs on choosing
//! hyperparameters — a grid, random points, and Bayesian optimisation
//! (a Gaussian process that predicts the validation error everywhere,
//! and expected improvement to pick the next point to try).

use ndarray::{Array1, Array2};
use rand::Rng as _;
use shared::rng::Rng;

/// A point in the search box, each coordinate scaled to [0, 1].
pub type Point = [f64; 2];

/// One training run: where, and the validation error it reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trial {
    /// The hyperparameters, scaled to [0, 1].
    pub point: Point,
    /// The validation error (the fraction wrong).
    pub error: f64,
}

/// The best error after each trial: the curve each search is judged by.
pub fn best_so_far(trials: &[Trial]) -> Vec<f64> {
    let mut best = f64::INFINITY;
    trials
        .iter()
        .map(|t| {
            best = best.min(t.error);
            best
        })
        .collect()
}

// ANCHOR: grid_random
/// Grid search: a side × side grid over the box, corners included.
pub fn grid(side: usize) -> Vec<Point> {
    let at = |i: usize| i as f64 / (side.max(2) - 1) as f64;
    (0..side)
        .flat_map(|i| (0..side).map(move |j| [at(i), at(j)]))
        .collect()
}

/// Random search: `budget` points drawn uniformly from the box. With the
/// same budget it tries `budget` different values of each hyperparameter
/// where the grid tries √budget — it wins when one matters more.
pub fn random_points(budget: usize, rng: &mut Rng) -> Vec<Point> {
    (0..budget)
        .map(|_| [rng.random::<f64>(), rng.random::<f64>()])
        .collect()
}
// ANCHOR_END: grid_random

/// Runs `objective` at each point.
pub fn evaluate(
    points: &[Point],
    mut objective: impl FnMut(Point) -> f64,
) -> Vec<Trial> {
    points
        .iter()
        .map(|&point| Trial {
            point,
            error: objective(point),
        })
        .collect()
}

// ANCHOR: gp
/// A Gaussian process: a prior belief that the error is a smooth function
/// of the hyperparameters — nearby points have similar errors, with
/// correlation k(a, b) = exp(−|a − b|² / 2ℓ²) — updated by the trials.
pub struct Gp {
    points: Vec<Point>,
    /// K⁻¹(y − ȳ), for the mean.
    alpha: Array1<f64>,
    /// The Cholesky factor L of K (K = LLᵀ), for the variance.
    l: Array2<f64>,
    y_mean: f64,
    y_scale: f64,
}

/// The kernel's length scale ℓ, in the box's [0, 1] units.
pub const LENGTH: f64 = 0.25;
/// Observation noise (relative): training runs are not perfectly smooth.
pub const NOISE: f64 = 1e-4;

/// The squared-exponential kernel.
pub fn kernel(a: Point, b: Point) -> f64 {
    let d2 = (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2);
    (-d2 / (2.0 * LENGTH * LENGTH)).exp()
}

impl Gp {
    /// The process after the trials (at least one).
    pub fn fit(trials: &[Trial]) -> Gp {
        let n = trials.len();
        let y = Array1::from_iter(trials.iter().map(|t| t.error));
        let y_mean = y.mean().expect("at least one trial");
        let spread = y.mapv(|v| (v - y_mean).powi(2)).mean().unwrap().sqrt();
        let y_scale = if spread > 0.0 { spread } else { 1.0 };
        let k = Array2::from_shape_fn((n, n), |(i, j)| {
            kernel(trials[i].point, trials[j].point)
                + if i == j { NOISE } else { 0.0 }
        });
        let l = cholesky(&k);
        let y = (y - y_mean) / y_scale;
        let alpha = solve_upper(&l, &solve_lower(&l, &y)); // K⁻¹y
        Gp {
            points: trials.iter().map(|t| t.point).collect(),
            alpha,
            l,
            y_mean,
            y_scale,
        }
    }

    /// The predicted error at x and its uncertainty (standard deviation):
    /// μ(x) = k*ᵀK⁻¹y, σ²(x) = k(x, x) − k*ᵀK⁻¹k*.
    pub fn predict(&self, x: Point) -> (f64, f64) {
        let k_star =
            Array1::from_iter(self.points.iter().map(|&p| kernel(p, x)));
        let mu = k_star.dot(&self.alpha);
        let v = solve_lower(&self.l, &k_star); // L⁻¹k*
        let var = (kernel(x, x) - v.dot(&v)).max(1e-12);
        (self.y_mean + self.y_scale * mu, self.y_scale * var.sqrt())
    }
}
// ANCHOR_END: gp

// ANCHOR: ei
/// Expected improvement at x over the best error so far: how much lower
/// than `best` the error is expected to be there, counting only
/// improvements. Large where the prediction is low (exploit) or unsure
/// (explore): EI = (best − μ)Φ(z) + σφ(z), z = (best − μ)/σ.
pub fn expected_improvement(gp: &Gp, x: Point, best: f64) -> f64 {
    let (mu, sigma) = gp.predict(x);
    let z = (best - mu) / sigma;
    (best - mu) * normal_cdf(z) + sigma * normal_pdf(z)
}

/// Bayesian optimisation: `initial` random trials, then each next trial
/// where expected improvement is largest (over 2,000 random candidates).
pub fn bayesian_search(
    budget: usize,
    initial: usize,
    rng: &mut Rng,
    mut objective: impl FnMut(Point) -> f64,
) -> Vec<Trial> {
    let mut trials = evaluate(&random_points(initial, rng), &mut objective);
    while trials.len() < budget {
        let gp = Gp::fit(&trials);
        let best = best_so_far(&trials).last().copied().unwrap_or(1.0);
        let next = random_points(2000, rng)
            .into_iter()
            .map(|x| (expected_improvement(&gp, x, best), x))
            .fold((f64::NEG_INFINITY, [0.5, 0.5]), |a, b| {
                if b.0 > a.0 { b } else { a }
            })
            .1;
        trials.push(Trial {
            point: next,
            error: objective(next),
        });
    }
    trials
}
// ANCHOR_END: ei

/// φ, the standard normal density.
pub fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Φ, the standard normal distribution function, through erf.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * (1.0 + erf(z / std::f64::consts::SQRT_2))
}

/// The error function, by Abramowitz and Stegun's formula 7.1.26
/// (absolute error below 1.5e-7: plenty to rank candidates).
pub fn erf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741
                    + t * (-1.453_152_027 + t * 1.061_405_429))));
    let y = 1.0 - poly * (-x * x).exp();
    if x >= 0.0 { y } else { -y }
}

/// The Cholesky factor: lower-triangular L with LLᵀ = K (K symmetric,
/// positive definite).
pub fn cholesky(k: &Array2<f64>) -> Array2<f64> {
    let n = k.nrows();
    let mut l = Array2::<f64>::zeros((n, n));
    for i in 0..n {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|p| l[(i, p)] * l[(j, p)]).sum();
            if i == j {
                l[(i, i)] = (k[(i, i)] - dot).max(1e-12).sqrt();
            } else {
                l[(i, j)] = (k[(i, j)] - dot) / l[(j, j)];
            }
        }
    }
    l
}

/// Solves Lx = b for lower-triangular L.
fn solve_lower(l: &Array2<f64>, b: &Array1<f64>) -> Array1<f64> {
    let mut x = Array1::zeros(b.len());
    for i in 0..b.len() {
        let dot: f64 = (0..i).map(|p| l[(i, p)] * x[p]).sum();
        x[i] = (b[i] - dot) / l[(i, i)];
    }
    x
}

/// Solves Lᵀx = b for lower-triangular L.
fn solve_upper(l: &Array2<f64>, b: &Array1<f64>) -> Array1<f64> {
    let n = b.len();
    let mut x = Array1::zeros(n);
    for i in (0..n).rev() {
        let dot: f64 = (i + 1..n).map(|p| l[(p, i)] * x[p]).sum();
        x[i] = (b[i] - dot) / l[(i, i)];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::testing::close;

    use shared::rng::seeded;

    #[test]
    fn erf_matches_known_values() {
        for (x, want) in [
            (0.0, 0.0),
            (0.5, 0.520_499_877_8),
            (1.0, 0.842_700_792_9),
            (2.0, 0.995_322_265_0),
            (-1.0, -0.842_700_792_9),
        ] {
            assert!((erf(x) - want).abs() < 2e-7, "erf({x}) = {}", erf(x));
        }
    }

    #[test]
    fn the_gp_passes_through_its_trials_and_is_unsure_far_away() {
        let f = |p: Point| (p[0] - 0.3).powi(2) + (p[1] - 0.6).powi(2);
        let mut rng = seeded(1);
        let trials = evaluate(&random_points(10, &mut rng), f);
        let gp = Gp::fit(&trials);
        for t in &trials {
            let (mu, sigma) = gp.predict(t.point);
            assert!((mu - t.error).abs() < 0.01, "{mu} vs {}", t.error);
            assert!(sigma < 0.02);
        }
        let (_, far) = gp.predict([5.0, 5.0]);
        let (_, near) = gp.predict(trials[0].point);
        assert!(far > 10.0 * near);
        let k = Array2::from_shape_fn((3, 3), |(i, j)| {
            kernel(trials[i].point, trials[j].point)
        });
        let l = cholesky(&k);
        assert!(close(&l.dot(&l.t()), &k, 1e-12));
    }

    #[test]
    fn bayesian_search_finds_a_smooth_minimum_sooner_than_random() {
        let f = |p: Point| (p[0] - 0.71).powi(2) + 3.0 * (p[1] - 0.23).powi(2);
        let (mut wins, rounds) = (0, 10);
        for seed in 0..rounds {
            let mut rng = seeded(seed);
            let bayes = bayesian_search(16, 4, &mut rng, f);
            let random = evaluate(&random_points(16, &mut rng), f);
            let (b, r) = (
                *best_so_far(&bayes).last().unwrap(),
                *best_so_far(&random).last().unwrap(),
            );
            assert!(b < 0.03, "seed {seed}: Bayesian best {b}");
            wins += usize::from(b < r);
        }
        assert!(wins >= 7, "Bayesian search won only {wins} of {rounds}");
    }

    #[test]
    fn expected_improvement_is_never_negative() {
        let f = |p: Point| p[0].sin() + p[1];
        let mut rng = seeded(2);
        let trials = evaluate(&random_points(6, &mut rng), f);
        let gp = Gp::fit(&trials);
        for x in random_points(200, &mut rng) {
            assert!(expected_improvement(&gp, x, 0.2) >= -1e-12);
        }
        assert_eq!(grid(4).len(), 16);
        assert_eq!(grid(4)[15], [1.0, 1.0]);
    }
}
