//! Chapter 6's numbers, computed with chapter 6's code.

use ch06_backprop::backward_through;
use ch06_backprop::chain::Chain;
use ch06_backprop::{Activation, Cost, Layer, Network, backprop};
use ndarray::array;

use super::assert_number;

const CHAPTER: &str = "ch06-backprop";

#[test]
fn chapter_6_numbers_come_from_its_code() {
    // 1: ∂C/∂w of a one-neuron chain with input 2, z = 2·1 − 2 = 0, y = 1.
    let chain = Chain {
        w: vec![1.0],
        b: vec![-2.0],
    };
    let (dw, _) = chain.gradient(2.0, 1.0);
    assert_number(CHAPTER, 1, dw[0]);
    // 2: BP2 for a sigmoid neuron at z = 0 (input 0, bias 0) feeding two
    // identity neurons through the weights 2 and −1: their outputs 1 and
    // −0.5 against the targets 0.7 and −0.7 give them the errors 0.3 and
    // 0.2. BP3 reads each layer's δ off as its ∂C/∂b.
    let net = Network::from_layers(vec![
        Layer::new(array![[1.0]], array![0.0], Activation::Sigmoid),
        Layer::new(
            array![[2.0], [-1.0]],
            array![0.0, 0.0],
            Activation::Identity,
        ),
    ]);
    let y = array![0.7f64, -0.7];
    let grads = backprop(&net, array![0.0].view(), y.view(), Cost::Quadratic);
    let given = &grads.nabla_b[1] - &array![0.3, 0.2];
    assert!(given.iter().all(|e| e.abs() < 1e-12), "errors {given}");
    assert_number(CHAPTER, 2, grads.nabla_b[0][0]);
    // 4: an error of 1 passed back through five sigmoids at z = 0, where
    // σ′ is largest (weights of 1 leave Wᵀδ = δ).
    let (z, a) = (array![0.0], array![0.5]);
    let mut g = array![1.0];
    for _ in 0..5 {
        g = backward_through(Activation::Sigmoid, &z, &a, g);
    }
    assert_number(CHAPTER, 4, g[0]);
}
