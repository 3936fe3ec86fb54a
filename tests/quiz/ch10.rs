//! Chapter 10's numbers, computed with its code.

use ch10_cnn::Architecture;
use ch10_cnn::conv::Geometry;

use super::assert_number;

const CHAPTER: &str = "ch10-cnn";

#[test]
fn chapter_10_numbers_come_from_its_code() {
    // 1: a 3×3 filter, stride 2, padding 1, over a 7×7 image.
    let geometry = Geometry {
        k: 3,
        stride: 2,
        pad: 1,
    };
    assert_number(CHAPTER, 1, geometry.output_side(7) as f64);
    // 2: the second convolution's weights and biases.
    let (weights, biases) = Architecture::MNIST.parameter_counts()[1];
    assert_number(CHAPTER, 2, (weights + biases) as f64);
}
