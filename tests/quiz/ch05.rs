//! Chapter 5's numbers, computed with its code.

use ch05_gradient_descent::{
    bowl_gradient, forward_difference, gradient_descent,
};

use super::assert_number;

const CHAPTER: &str = "ch05-gradient-descent";

#[test]
fn chapter_5_numbers_come_from_its_code() {
    let path = gradient_descent(bowl_gradient, [1.0, 1.0], 0.1, 2);
    assert_number(CHAPTER, 1, path[2][0]);
    assert_number(CHAPTER, 3, forward_difference(|x| x * x, 1.0, 0.1));
}
