//! Reference solutions to the chapter 2 exercises, mirroring
//! `exercises.rs`.

use crate::sigmoid;

// ANCHOR: tanh_from_sigmoid
/// Exercise 2.1: tanh(z) = 2σ(2z) − 1.
pub fn tanh_from_sigmoid(z: f64) -> f64 {
    2.0 * sigmoid(2.0 * z) - 1.0
}
// ANCHOR_END: tanh_from_sigmoid

// ANCHOR: stable_softmax
/// Exercise 2.2: softmax shifted by the max score.
pub fn stable_softmax(z: &[f64]) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}
// ANCHOR_END: stable_softmax

// ANCHOR: softmax_jacobian
/// Exercise 2.3: J[i][j] = sᵢ(δᵢⱼ − sⱼ).
pub fn softmax_jacobian(z: &[f64]) -> Vec<Vec<f64>> {
    let s = stable_softmax(z);
    (0..s.len())
        .map(|i| {
            (0..s.len())
                .map(|j| s[i] * (f64::from(u8::from(i == j)) - s[j]))
                .collect()
        })
        .collect()
}
// ANCHOR_END: softmax_jacobian
