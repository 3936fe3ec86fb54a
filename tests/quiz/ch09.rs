//! Chapter 9's numbers, computed with its code.

use ch06_backprop::{Activation, Gradients, Layer, Network, apply_gradients};
use ch09_generalisation::regularise::{add_l2_gradient, dropout_mask};
use ndarray::array;
use shared::rng::seeded;

use super::assert_number;

const CHAPTER: &str = "ch09-generalisation";

#[test]
fn chapter_9_numbers_come_from_its_code() {
    // 1: the value a kept neuron is multiplied by, read from a mask.
    let mask = dropout_mask::<f64>(10, 10, 0.2, &mut seeded(1));
    let kept = mask.iter().copied().fold(0.0, f64::max);
    assert!(mask.iter().all(|&m| m == 0.0 || m == kept));
    assert_number(CHAPTER, 1, kept);
    // 3: one step on a weight w = 2 whose data gradient is 0, η = 0.5,
    // λ = 0.01: only the L2 term moves it.
    let mut net = Network {
        layers: vec![Layer::new(array![[2.0]], array![0.0], Activation::Relu)],
    };
    let mut grads = Gradients::zeros_like(&net);
    add_l2_gradient(&mut grads, &net, 0.01);
    apply_gradients(&mut net, &grads, 0.5);
    assert_number(CHAPTER, 3, net.layers[0].w[[0, 0]]);
}
