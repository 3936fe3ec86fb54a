//! Chapter 10's numbers, computed with its code.

use ch10_cnn::Architecture;
use ch10_cnn::conv::Geometry;

use super::assert_number;

const CHAPTER: &str = "ch10-cnn";

#[test]
fn chapter_10_numbers_come_from_its_code() {
    assert_number(CHAPTER, 1, Geometry::valid(5).output_side(28) as f64);
    let (weights, biases) = Architecture::MNIST.parameter_counts()[1];
    assert_number(CHAPTER, 2, (weights + biases) as f64);
}
