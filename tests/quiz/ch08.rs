//! Chapter 8's numbers, computed with chapter 8's code.

use ch08_mnist::{cosine_eta, momentum_rule};

use super::assert_number;

const CHAPTER: &str = "ch08-mnist";

#[test]
fn chapter_8_numbers_come_from_its_code() {
    // 1: two momentum steps, μ = 0.9, η = 0.1, from v = 0, gradient 1.
    let step = momentum_rule(0.9f64, 0.1, 0.0);
    let (mut w, mut v) = (0.0, 0.0);
    step(&mut w, &mut v, &1.0);
    step(&mut w, &mut v, &1.0);
    assert_number(CHAPTER, 1, w);
    // 2: one step of plain SGD (μ = 0) with weight decay λ = 0.1, η = 0.5,
    // from w = 2 with a gradient of 0 from the data.
    let step = momentum_rule(0.0f64, 0.5, 0.1);
    let (mut w, mut v) = (2.0, 0.0);
    step(&mut w, &mut v, &0.0);
    assert_number(CHAPTER, 2, w);
    // 3: the cosine schedule's η in epoch 5 of 10, from η₀ = 0.1.
    assert_number(CHAPTER, 3, cosine_eta(0.1, 5, 10));
}
