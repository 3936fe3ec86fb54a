//! Proptest inputs for gradient checks, and the fixed-seed runner that the
//! exercise graders use.
//!
//! Gradient checks need inputs where the gradient does not vanish (see
//! [`crate::gradcheck`]): these strategies keep values away from zero.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// A value whose magnitude lies in `[low, high)`, either sign.
pub fn away_from_zero(low: f64, high: f64) -> impl Strategy<Value = f64> {
    (low..high, any::<bool>()).prop_map(
        |(m, negative)| {
            if negative { -m } else { m }
        },
    )
}

/// `n` values, each with magnitude in `[low, high)`.
pub fn vec_away_from_zero(
    n: usize,
    low: f64,
    high: f64,
) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(away_from_zero(low, high), n)
}

/// Runs a property on `cases` cases from proptest's fixed seed and panics
/// with the failing case, so a grade is the same on every run.
pub fn property<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    if let Err(e) = TestRunner::new_with_rng(config, rng).run(&strategy, test) {
        panic!("{e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;

    #[test]
    fn away_from_zero_keeps_its_magnitude_and_takes_both_signs() {
        let mut signs = [false, false];
        property(500, away_from_zero(0.25, 2.0), |x| {
            prop_assert!((0.25..2.0).contains(&x.abs()), "{x}");
            Ok(())
        });
        let mut runner = TestRunner::deterministic();
        for _ in 0..100 {
            let x = away_from_zero(0.25, 2.0)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            signs[usize::from(x > 0.0)] = true;
        }
        assert_eq!(signs, [true, true]);
    }

    #[test]
    #[should_panic(expected = "always fails")]
    fn property_panics_with_the_failure() {
        property(10, 0..10u8, |_| Err(TestCaseError::fail("always fails")));
    }
}
