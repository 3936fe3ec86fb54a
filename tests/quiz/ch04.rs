//! Chapter 4's numbers, computed with its code.

use ch04_loss::{
    quadratic_cost, softmax_cross_entropy, softmax_cross_entropy_gradient,
};
use ndarray::array;

use super::assert_number;

const CHAPTER: &str = "ch04-loss";

#[test]
fn chapter_4_numbers_come_from_its_code() {
    let (a, y) = (array![0.8f64, 0.2], array![1.0, 0.0]);
    assert_number(CHAPTER, 1, quadratic_cost(a.view(), y.view()));
    let z = array![0.0f64, 0.0];
    assert_number(CHAPTER, 2, softmax_cross_entropy(z.view(), y.view()));
    let g = softmax_cross_entropy_gradient(z.view(), y.view());
    assert_number(CHAPTER, 3, g[0]);
}
