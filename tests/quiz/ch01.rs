//! Chapter 1's numbers, computed with chapter 1's code.

use ch01_neuron::{Neuron, relu, umbrella_neuron};
use ndarray::array;

use super::assert_number;

const CHAPTER: &str = "ch01-neuron";

#[test]
fn chapter_1_numbers_come_from_its_code() {
    // 1: the umbrella neuron at 1 °C in the rain.
    let a = umbrella_neuron().activate(array![1.0, 1.0].view(), relu);
    assert_number(CHAPTER, 1, a);
    // 2: ∂a/∂b of a sigmoid neuron whose weighted sum is 0.
    let neuron = Neuron {
        w: array![0.0],
        b: 0.0,
    };
    let (_, da_db) = neuron.sigmoid_gradient(array![1.0].view());
    assert_number(CHAPTER, 2, da_db);
    // 4: the weighted sum w·x that puts the edge detector at z = 0.
    let detector = ch01_neuron::edge_detector();
    assert_number(CHAPTER, 4, -detector.b);
}
