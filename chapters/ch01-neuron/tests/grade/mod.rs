//! The graders of chapter 1's exercises. Each takes the learner's function
//! and panics with a message that says what is wrong.

use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient};
use shared::testing::{property, vec_away_from_zero};

/// Weights, inputs away from zero, and a bias, with |z| ≤ 5.5 so finite
/// differences can measure every coordinate of the gradient.
fn weights_inputs_bias() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, f64)> {
    (1..=6usize).prop_flat_map(|n| {
        (
            prop::collection::vec(-0.5..0.5f64, n),
            vec_away_from_zero(n, 0.25, 1.5),
            -1.0..1.0f64,
        )
    })
}

/// Exercise 1.1.
pub fn weighted_sum(f: fn(&[f64], &[f64], f64) -> f64) {
    let z = f(&[-0.5, 2.0], &[10.0, 1.0], 1.0);
    assert_eq!(z, -2.0, "the umbrella example gives z = −2, you gave {z}");
    assert_eq!(f(&[], &[], 0.5), 0.5, "no inputs: z is the bias alone");
    property(200, weights_inputs_bias(), |(w, x, b)| {
        let expected: f64 =
            b + w.iter().zip(&x).map(|(wi, xi)| wi * xi).sum::<f64>();
        let z = f(&w, &x, b);
        prop_assert!(
            (z - expected).abs() <= 1e-12 * (1.0 + expected.abs()),
            "w = {w:?}, x = {x:?}, b = {b}: got {z}, expected {expected}"
        );
        Ok(())
    });
}

/// Exercise 1.2.
pub fn and_gate(f: fn() -> ([f64; 2], f64)) {
    let (w, b) = f();
    let step = |z: f64| if z > 0.0 { 1 } else { 0 };
    for (x1, x2) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let z = w[0] * f64::from(x1) + w[1] * f64::from(x2) + b;
        assert_eq!(
            step(z),
            x1 & x2,
            "inputs ({x1}, {x2}): z = {z}, so the neuron says {}, \
             but {x1} AND {x2} = {}",
            step(z),
            x1 & x2
        );
    }
}

/// A function of (w, x, b) returning (∂a/∂w, ∂a/∂b).
type NeuronGradient = fn(&[f64], &[f64], f64) -> (Vec<f64>, f64);

/// Exercise 1.3, graded by finite differences: no answer key.
pub fn sigmoid_gradient(f: NeuronGradient) {
    property(200, weights_inputs_bias(), |(w, x, b)| {
        let n = w.len();
        let (da_dw, da_db) = f(&w, &x, b);
        prop_assert_eq!(da_dw.len(), n, "one entry of ∂a/∂w per weight");
        let mut analytic = da_dw;
        analytic.push(da_db);
        let mut params = w.clone();
        params.push(b);
        let a = |p: &[f64]| {
            let z: f64 = p[n]
                + p[..n].iter().zip(&x).map(|(wi, xi)| wi * xi).sum::<f64>();
            1.0 / (1.0 + (-z).exp())
        };
        let report = check_gradient(a, &params, &analytic);
        prop_assert!(
            report.passes(SMOOTH_TOLERANCE),
            "w = {w:?}, x = {x:?}, b = {b}: {report} \
             (the last coordinate is ∂a/∂b)"
        );
        Ok(())
    });
}

/// Two hidden step neurons and an output step neuron.
type StepNetwork = ([[f64; 2]; 2], [f64; 2], [f64; 2], f64);

/// Exercise 1.4: the network's output on the four corners, and on every
/// corner nudged by up to ±0.1 in each input.
pub fn xor_network(f: fn() -> StepNetwork) {
    let (hidden_w, hidden_b, output_w, output_b) = f();
    let step = |z: f64| if z > 0.0 { 1.0 } else { 0.0 };
    let network = |x: [f64; 2]| {
        let h = [0, 1].map(|j| {
            step(hidden_w[j][0] * x[0] + hidden_w[j][1] * x[1] + hidden_b[j])
        });
        step(output_w[0] * h[0] + output_w[1] * h[1] + output_b)
    };
    let nudges = [-0.1, -0.05, 0.0, 0.05, 0.1];
    for (x1, x2) in [(0u8, 0u8), (0, 1), (1, 0), (1, 1)] {
        let want = f64::from(x1 ^ x2);
        for d1 in nudges {
            for d2 in nudges {
                let x = [f64::from(x1) + d1, f64::from(x2) + d2];
                let a = network(x);
                assert_eq!(
                    a, want,
                    "inputs {x:?} (corner ({x1}, {x2})): the network says \
                     {a}, but {x1} XOR {x2} = {want}"
                );
            }
        }
    }
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
