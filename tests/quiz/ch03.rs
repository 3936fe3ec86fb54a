//! Chapter 3's numbers, computed with its code.

use ch03_forward::{Activation, Layer, ParameterCount};
use ndarray::array;

use super::assert_number;

const CHAPTER: &str = "ch03-forward";

#[test]
fn chapter_3_numbers_come_from_its_code() {
    let count = ParameterCount::of(&[784, 30, 10]).unwrap();
    assert_number(CHAPTER, 1, count.total() as f64);
    let layer = Layer::new(
        array![[1.0f64, -1.0], [2.0, 0.0]],
        array![0.0, 1.0],
        Activation::Relu,
    );
    let a = layer.forward(array![3.0, 1.0].view());
    assert_number(CHAPTER, 2, a[1]);
}
