//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use ch02_activations::{sigmoid, sigmoid_prime};
use ch06_backprop::Network;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use shared::testing::assert_graders_reject;

/// Uses ½(a − y)²'s derivative for (a − y)²: a missing factor 2.
fn last_weight_without_two(a_prev: f64, w: f64, b: f64, y: f64) -> f64 {
    let z = w * a_prev + b;
    a_prev * sigmoid_prime(z) * (sigmoid(z) - y)
}

/// ∂C/∂a instead of ∂C/∂z: forgets σ'(z).
fn error_without_sigmoid_prime(
    z: ArrayView1<f64>,
    y: ArrayView1<f64>,
) -> Array1<f64> {
    z.mapv(sigmoid) - y
}

/// W_nextᵀ δ_next without ⊙ σ'(z).
fn hidden_error_without_sigmoid_prime(
    w_next: ArrayView2<f64>,
    delta_next: ArrayView1<f64>,
    _z: ArrayView1<f64>,
) -> Array1<f64> {
    w_next.t().dot(&delta_next)
}

/// Right at the output, but steps back without σ'(z): wrong as soon as
/// the network has a hidden layer.
fn backprop_without_sigmoid_prime_in_bp2(
    net: &Network<f64>,
    x: ArrayView1<f64>,
    y: ArrayView1<f64>,
) -> Vec<(Array2<f64>, Array1<f64>)> {
    let trace = net.forward_trace(x);
    let last = net.layers.len() - 1;
    let a_out = &trace.activations[last + 1];
    let mut delta = (a_out - &y) * trace.zs[last].mapv(sigmoid_prime);
    let mut grads = Vec::new();
    for l in (0..=last).rev() {
        let a_in = &trace.activations[l];
        let dw = delta
            .view()
            .insert_axis(Axis(1))
            .dot(&a_in.view().insert_axis(Axis(0)));
        grads.push((dw, delta.clone()));
        if l > 0 {
            delta = net.layers[l].w.t().dot(&delta);
        }
    }
    grads.reverse();
    grads
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("6.1 no factor 2", || {
            grade::last_weight_gradient(last_weight_without_two)
        }),
        ("6.2 no σ'(z)", || {
            grade::output_error(error_without_sigmoid_prime)
        }),
        ("6.3 no σ'(z)", || {
            grade::hidden_error(hidden_error_without_sigmoid_prime)
        }),
        ("6.4 no σ'(z) in BP2", || {
            grade::backprop(backprop_without_sigmoid_prime_in_bp2)
        }),
    ]);
}
