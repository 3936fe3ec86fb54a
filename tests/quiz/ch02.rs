//! Chapter 2's numbers, computed with its code.

use ch02_activations::{relu_prime, softmax, tanh_prime};
use ndarray::array;

use super::assert_number;

const CHAPTER: &str = "ch02-activations";

#[test]
fn chapter_2_numbers_come_from_its_code() {
    assert_number(CHAPTER, 1, tanh_prime(0.5f64));
    let p = softmax(array![1.0f64, 2.0, 3.0].view());
    assert_number(CHAPTER, 2, p.fold(0.0, |m: f64, &v| m.max(v)));
    assert_number(CHAPTER, 5, relu_prime(-2.0f64));
}
