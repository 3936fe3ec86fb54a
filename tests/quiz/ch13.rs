//! Chapter 13's numbers, computed with its code.

use ch13_transformer::ops::causal_softmax;
use ch13_transformer::run::dot_variance;
use ndarray::Array2;
use shared::rng::seeded;

use super::assert_number;

const CHAPTER: &str = "ch13-transformer";

#[test]
fn chapter_13_numbers_come_from_its_code() {
    let spread = dot_variance(64, 20_000, &mut seeded(1)).sqrt();
    assert_number(CHAPTER, 1, spread);
    let p = causal_softmax(Array2::<f64>::zeros((4, 4)).view());
    let non_zero = p.iter().filter(|&&w| w != 0.0).count();
    assert_number(CHAPTER, 2, non_zero as f64);
    assert_number(CHAPTER, 3, p[(0, 2)]);
}
