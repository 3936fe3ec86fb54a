//! Chapter 6's numbers, computed with the code its backward pass uses.

use ch02_activations::sigmoid_prime;
use ch04_loss::sigmoid_quadratic_dz;

use super::assert_number;

const CHAPTER: &str = "ch06-backprop";

#[test]
fn chapter_6_numbers_come_from_its_code() {
    assert_number(CHAPTER, 1, sigmoid_quadratic_dz(0.0, 1.0));
    assert_number(CHAPTER, 3, sigmoid_prime(0.0f64).powi(5));
}
