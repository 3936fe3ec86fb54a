//! Reference solutions to chapter 1's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

// ANCHOR: weighted_sum
/// Exercise 1.1: the weighted sum z = w₁x₁ + … + wₙxₙ + b.
pub fn weighted_sum(w: &[f64], x: &[f64], b: f64) -> f64 {
    assert_eq!(w.len(), x.len(), "{} weights, {} inputs", w.len(), x.len());
    let mut z = b;
    for (wi, xi) in w.iter().zip(x) {
        z += wi * xi;
    }
    z
}
// ANCHOR_END: weighted_sum

// ANCHOR: and_gate
/// Exercise 1.2: AND with a step neuron. w·x is 0, 1 or 2; a bias of −1.5
/// puts only 2 above zero.
pub fn and_gate() -> ([f64; 2], f64) {
    ([1.0, 1.0], -1.5)
}
// ANCHOR_END: and_gate

// ANCHOR: sigmoid_gradient
/// Exercise 1.3: (∂a/∂w, ∂a/∂b) for a = σ(w·x + b).
pub fn sigmoid_gradient(w: &[f64], x: &[f64], b: f64) -> (Vec<f64>, f64) {
    let a = crate::sigmoid(weighted_sum(w, x, b));
    let da_dz = a * (1.0 - a);
    let da_dw = x.iter().map(|xi| da_dz * xi).collect();
    (da_dw, da_dz)
}
// ANCHOR_END: sigmoid_gradient

// ANCHOR: xor_network
/// Two step neurons feeding a third: hidden weights (one row per hidden
/// neuron), hidden biases, the output neuron's weights and its bias.
pub type StepNetwork = ([[f64; 2]; 2], [f64; 2], [f64; 2], f64);

/// Exercise 1.4: XOR = (x₁ OR x₂) AND NOT (x₁ AND x₂). The first hidden
/// neuron is OR (fires from a sum of 0.5), the second AND (from 1.5); the
/// output fires when OR does and AND does not.
pub fn xor_network() -> StepNetwork {
    let hidden_w = [[1.0, 1.0], [1.0, 1.0]];
    let hidden_b = [-0.5, -1.5];
    let output_w = [1.0, -1.0];
    (hidden_w, hidden_b, output_w, -0.5)
}
// ANCHOR_END: xor_network
