//! Seeded random numbers.
//!
//! Every random choice in the book (initial weights, shuffles, toy data) comes
//! from a [`Rng`] made by [`seeded`]. ChaCha8 gives the same stream on every
//! machine and every version, so a chapter prints the same numbers every run.

use ndarray::{Array, Dimension, ShapeBuilder};
use rand::{Rng as _, SeedableRng};

/// The generator every chapter uses.
pub type Rng = rand_chacha::ChaCha8Rng;

/// The seed used when a chapter is not given one.
pub const DEFAULT_SEED: u64 = 2017; // the year of 3Blue1Brown's series

/// A generator that starts from `seed`.
pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// A sample from the standard normal distribution N(0, 1).
///
/// Box–Muller: two uniform numbers become one normal one.
pub fn standard_normal(rng: &mut Rng) -> f64 {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A sample uniform in `[low, high)`.
pub fn uniform(rng: &mut Rng, low: f64, high: f64) -> f64 {
    rng.random_range(low..high)
}

/// An array of the given shape filled with N(0, std²) samples.
pub fn normal_array<Sh, D>(rng: &mut Rng, shape: Sh, std: f64) -> Array<f64, D>
where
    Sh: ShapeBuilder<Dim = D>,
    D: Dimension,
{
    Array::from_shape_simple_fn(shape, || std * standard_normal(rng))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers() {
        let a: Vec<f64> =
            (0..5).map(|_| standard_normal(&mut seeded(7))).collect();
        let mut rng = seeded(7);
        let first = standard_normal(&mut rng);
        assert!(a.iter().all(|&x| x == first));
        assert_ne!(standard_normal(&mut rng), first);
    }

    #[test]
    fn standard_normal_has_mean_zero_and_variance_one() {
        let mut rng = seeded(DEFAULT_SEED);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        // Standard errors are about 0.003 and 0.0045; allow several.
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - 1.0).abs() < 0.03, "variance {var}");
    }

    #[test]
    fn normal_array_has_the_shape_asked_for() {
        let w = normal_array(&mut seeded(1), (3, 4), 0.5);
        assert_eq!(w.shape(), &[3, 4]);
    }
}
