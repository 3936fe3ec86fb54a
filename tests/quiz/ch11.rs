//! Chapter 11's numbers, computed with its code.

use ch11_autodiff::scalar::{Dual, Value};

use super::assert_number;

const CHAPTER: &str = "ch11-autodiff";

#[test]
fn chapter_11_numbers_come_from_its_code() {
    // 1: x's gradient after walking back from f = x·y + x.
    let (x, y) = (Value::new(2.0, "x"), Value::new(3.0, "y"));
    let f = x.clone() * y + x.clone();
    f.backward();
    assert_number(CHAPTER, 1, x.grad());
    // 3: the snippet, as the question prints it.
    let x = Dual {
        value: 3.0,
        tangent: 1.0,
    };
    let y = x * x * x;
    assert_number(CHAPTER, 3, y.tangent);
}
