//! Reference solutions to the chapter 1 exercises, mirroring
//! `exercises.rs` function for function. `cargo test --workspace` grades
//! these, so every exercise is known to be solvable.

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
