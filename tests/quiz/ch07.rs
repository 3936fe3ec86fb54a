//! Chapter 7's numbers, computed with chapter 7's code.

use ch07_minibatches::{
    Activation::Identity, Cost::Quadratic, Init, Network, Sgd, backprop_batch,
    output_error_batch, sgd_epoch,
};
use ndarray::{Array2, array};
use shared::rng::seeded;

use super::assert_number;

const CHAPTER: &str = "ch07-minibatches";

/// One identity neuron with one input, w = 0 and b = 0: with the quadratic
/// cost its error is a − y = −y, and its ∂C/∂w is −y·x.
fn zero_neuron() -> Network<f64> {
    let mut net =
        Network::new(&[1, 1], Identity, Identity, Init::He, &mut seeded(1))
            .unwrap();
    net.layers[0].w.fill(0.0);
    net.layers[0].b.fill(0.0);
    net
}

#[test]
fn chapter_7_numbers_come_from_its_code() {
    let mut rng = seeded(1);
    // 1: the steps of one epoch of 60,000 samples in minibatches of 128.
    let mut net = zero_neuron();
    let (x, y) = (Array2::zeros((1, 60_000)), Array2::zeros((1, 60_000)));
    let sgd = Sgd {
        eta: 0.1,
        batch_size: 128,
    };
    let steps =
        sgd_epoch(&mut net, x.view(), y.view(), Quadratic, sgd, &mut rng);
    assert_number(CHAPTER, 1, steps as f64);
    // 2: one minibatch of two samples whose gradients are 0.2 and −0.6
    // (x = 1, y = −0.2 and y = 0.6), one step with η = 0.5.
    let mut net = zero_neuron();
    let (x, y) = (array![[1.0, 1.0]], array![[-0.2, 0.6]]);
    let sgd = Sgd {
        eta: 0.5,
        batch_size: 2,
    };
    sgd_epoch(&mut net, x.view(), y.view(), Quadratic, sgd, &mut rng);
    assert_number(CHAPTER, 2, net.layers[0].w[(0, 0)]);
    // 3: BP4 for a minibatch with inputs 2 and 4 whose errors, a − y with
    // the neuron's outputs 0, are Δ = [0.5, −0.1].
    let (x, y) = (array![[2.0, 4.0]], array![[-0.5, 0.1]]);
    let a = Array2::zeros((1, 2));
    let delta = output_error_batch(Quadratic, Identity, &a, &a, y.view());
    assert_eq!(delta, array![[0.5, -0.1]]);
    let grads = backprop_batch(&zero_neuron(), x.view(), y.view(), Quadratic);
    assert_number(CHAPTER, 3, grads.nabla_w[0][(0, 0)]);
}
