//! Chapter 2's numbers, computed with its code.

use ch02_activations::{sigmoid_prime, softmax, tanh_prime, two_linear_layers};
use ndarray::array;

use super::assert_number;

const CHAPTER: &str = "ch02-activations";

#[test]
fn chapter_2_numbers_come_from_its_code() {
    // 1: b′ of two stacked one-neuron linear layers; at x = 0 the one
    // layer W′x + b′ gives b′ (and the pair must give the same).
    let (w1, b1) = (array![[2.0]], array![1.0]);
    let (w2, b2) = (array![[3.0]], array![-1.0]);
    let (two, one) = two_linear_layers((&w1, &b1), (&w2, &b2), &array![0.0]);
    assert_eq!(two, one);
    assert_number(CHAPTER, 1, one[0]);
    // 2: the slope of tanh at z = 1.
    assert_number(CHAPTER, 2, tanh_prime(1.0f64));
    // 3: the largest probability softmax gives z = (1, 2, 3).
    let p = softmax(array![1.0f64, 2.0, 3.0].view());
    assert_number(CHAPTER, 3, p.fold(0.0, |m: f64, &v| m.max(v)));
    // 5: σ′(10), quoted in the right choice as ≈ 0.000045.
    let slope = sigmoid_prime(10.0f64);
    assert!((slope - 0.000045).abs() < 0.0000005, "σ′(10) = {slope}");
}
