//! Chapter 8's numbers, computed with its code.

use ch08_mnist::{cosine_eta, momentum_rule};

use super::assert_number;

const CHAPTER: &str = "ch08-mnist";

#[test]
fn chapter_8_numbers_come_from_its_code() {
    let step = momentum_rule(0.9f64, 0.1, 0.0);
    let (mut w, mut v) = (0.0, 0.0);
    step(&mut w, &mut v, &1.0);
    step(&mut w, &mut v, &1.0);
    assert_number(CHAPTER, 1, w);
    assert_number(CHAPTER, 2, cosine_eta(0.1, 5, 10));
}
