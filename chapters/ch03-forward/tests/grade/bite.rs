//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use ch02_activations::sigmoid;
use ch03_forward::{Activation, Layer, Network};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, array};
use shared::testing::assert_graders_reject;

/// Gives the inputs biases too.
fn biases_for_inputs(sizes: &[usize]) -> (usize, usize) {
    let weights = sizes.windows(2).map(|p| p[0] * p[1]).sum();
    (weights, sizes.iter().sum())
}

/// Forgets the bias.
fn layer_without_bias(
    w: ArrayView2<f64>,
    _b: ArrayView1<f64>,
    a: ArrayView1<f64>,
) -> Array1<f64> {
    w.dot(&a).mapv(sigmoid)
}

/// ∂z/∂a = W, without σ'(z).
fn jacobian_without_sigmoid_prime(
    w: ArrayView2<f64>,
    _b: ArrayView1<f64>,
    _a: ArrayView1<f64>,
) -> Array2<f64> {
    w.to_owned()
}

/// Three walls only: forgets y < 1.
fn open_topped_square() -> Network<f64> {
    let s = 100.0;
    let hidden = Layer::new(
        s * array![[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]],
        s * array![0.0, 1.0, 0.0],
        Activation::Sigmoid,
    );
    let output = Layer::new(
        array![[20.0, 20.0, 20.0]],
        array![-20.0 * 2.5],
        Activation::Sigmoid,
    );
    Network::from_layers(vec![hidden, output])
}

/// The right walls, but gentle sigmoids: blurred near the edges.
fn gentle_square() -> Network<f64> {
    let hidden = Layer::new(
        array![[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]],
        array![0.0, 1.0, 0.0, 1.0],
        Activation::Sigmoid,
    );
    let output = Layer::new(
        array![[20.0, 20.0, 20.0, 20.0]],
        array![-20.0 * 2.4],
        Activation::Sigmoid,
    );
    Network::from_layers(vec![hidden, output])
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("3.1 biases for the inputs", || {
            grade::count_parameters(biases_for_inputs)
        }),
        ("3.2 no bias", || grade::sigmoid_layer(layer_without_bias)),
        ("3.3 no σ'(z)", || {
            grade::sigmoid_layer_jacobian(jacobian_without_sigmoid_prime)
        }),
        ("3.4 three walls", || {
            grade::inside_square(open_topped_square)
        }),
        ("3.4 gentle sigmoids", || {
            grade::inside_square(gentle_square)
        }),
    ]);
}
