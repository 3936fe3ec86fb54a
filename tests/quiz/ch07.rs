//! Chapter 7's numbers, computed with its code.

use ch07_minibatches::{
    Activation, Cost, Gradients, Init, Network, Sgd, apply_gradients, sgd_epoch,
};
use ndarray::{Array1, Array2, array};
use shared::rng::seeded;

use super::assert_number;

const CHAPTER: &str = "ch07-minibatches";

#[test]
fn chapter_7_numbers_come_from_its_code() {
    // 1: the steps of one epoch of 50,000 samples in minibatches of 64.
    let mut rng = seeded(1);
    let mut net = Network::<f64>::new(
        &[1, 1],
        Activation::Identity,
        Activation::Identity,
        Init::He,
        &mut rng,
    )
    .unwrap();
    let (x, y) = (Array2::zeros((1, 50_000)), Array2::zeros((1, 50_000)));
    let sgd = Sgd {
        eta: 0.1,
        batch_size: 64,
    };
    let steps =
        sgd_epoch(&mut net, x.view(), y.view(), Cost::Quadratic, sgd, &mut rng);
    assert_number(CHAPTER, 1, steps as f64);
    // 2: a step with the mean of the gradients 0.2 and -0.6, η = 0.5.
    let before = net.layers[0].w[(0, 0)];
    let mean = Gradients {
        nabla_w: vec![array![[(0.2 - 0.6) / 2.0]]],
        nabla_b: vec![Array1::zeros(1)],
    };
    apply_gradients(&mut net, &mean, 0.5);
    assert_number(CHAPTER, 2, net.layers[0].w[(0, 0)] - before);
}
