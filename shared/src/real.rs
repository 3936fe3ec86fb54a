//! The float type the network code is generic over.
//!
//! Gradient checks run in `f64` (round-off would drown a finite difference in
//! `f32`); MNIST trains in `f32` for speed. One trait lets the *same* layer
//! code do both.

use ndarray::NdFloat;
use rand::distr::uniform::SampleUniform;

/// A real number: `f32` or `f64`.
///
/// `NdFloat` brings the arithmetic, `exp`, `ln`, and what ndarray needs for
/// matrix products; this trait adds conversion to and from `f64`, so
/// constants can be written once (`T::from_f64(0.5)`).
pub trait Real: NdFloat + SampleUniform + Default {
    /// Converts an `f64` (rounding, for `f32`).
    fn from_f64(x: f64) -> Self;
    /// Widens to `f64`.
    fn into_f64(self) -> f64;
}

impl Real for f32 {
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn into_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Real for f64 {
    fn from_f64(x: f64) -> Self {
        x
    }
    fn into_f64(self) -> f64 {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Real;

    #[test]
    fn f32_round_trips_through_f64() {
        assert_eq!(f32::from_f64(0.25).into_f64(), 0.25);
        assert_eq!(f64::from_f64(0.1).into_f64(), 0.1);
        assert_ne!(f32::from_f64(0.1).into_f64(), 0.1);
    }
}
