//! Chapter 1 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 1.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

// ANCHOR: weighted_sum
/// Exercise 1.1: the weighted sum z = w₁x₁ + … + wₙxₙ + b, with plain
/// slices and a loop (no ndarray).
pub fn weighted_sum(w: &[f64], x: &[f64], b: f64) -> f64 {
    // TODO: return z for these weights, inputs and bias.
    todo!("exercise 1.1: weighted_sum")
}
// ANCHOR_END: weighted_sum

// ANCHOR: and_gate
/// Exercise 1.2: choose weights (w₁, w₂) and a bias b so that a neuron
/// with the *step* activation, a = 1 if z > 0 and 0 otherwise, computes
/// logical AND of two inputs that are 0 or 1.
pub fn and_gate() -> ([f64; 2], f64) {
    // TODO: return ([w1, w2], b).
    todo!("exercise 1.2: and_gate")
}
// ANCHOR_END: and_gate

// ANCHOR: sigmoid_gradient
/// Exercise 1.3: for a sigmoid neuron a = σ(w·x + b), return (∂a/∂w, ∂a/∂b)
/// — one entry per weight, then the bias's. Graded against finite
/// differences, so there is no answer key to peek at.
pub fn sigmoid_gradient(w: &[f64], x: &[f64], b: f64) -> (Vec<f64>, f64) {
    // TODO: return (∂a/∂w₁, …, ∂a/∂wₙ) and ∂a/∂b.
    todo!("exercise 1.3: sigmoid_gradient")
}
// ANCHOR_END: sigmoid_gradient

// ANCHOR: xor_network
/// Two step neurons feeding a third: hidden weights (one row per hidden
/// neuron), hidden biases, the output neuron's weights and its bias.
pub type StepNetwork = ([[f64; 2]; 2], [f64; 2], [f64; 2], f64);

/// Exercise 1.4: no single step neuron computes XOR — no line separates
/// {(0, 1), (1, 0)} from {(0, 0), (1, 1)}. Wire two hidden step neurons
/// into a third so that the network outputs x₁ XOR x₂. The grader also
/// nudges the inputs by up to ±0.1, so leave a margin.
pub fn xor_network() -> StepNetwork {
    // TODO: return (hidden weights, hidden biases, output weights, bias).
    todo!("exercise 1.4: xor_network")
}
// ANCHOR_END: xor_network
