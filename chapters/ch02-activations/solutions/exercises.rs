//! Reference solutions to chapter 2's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

// ANCHOR: tanh_from_sigmoid
/// Exercise 2.1: tanh(z) = 2σ(2z) − 1.
pub fn tanh_from_sigmoid(z: f64) -> f64 {
    2.0 * crate::sigmoid(2.0 * z) - 1.0
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
/// Exercise 2.3: J[i][j] = sᵢ([i = j] − sⱼ).
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

// ANCHOR: relu_interpolant
/// Exercise 2.4: start at f(0) with slope 0; the neuron at knot k = j/n
/// changes the slope from the previous segment's to segment j's.
pub fn relu_interpolant(
    f: fn(f64) -> f64,
    n: usize,
) -> (f64, Vec<f64>, Vec<f64>) {
    let knot = |j: usize| j as f64 / n as f64;
    let slope = |j: usize| (f(knot(j + 1)) - f(knot(j))) * n as f64;
    let t: Vec<f64> = (0..n).map(knot).collect();
    let h = (0..n)
        .map(|j| {
            if j == 0 {
                slope(0)
            } else {
                slope(j) - slope(j - 1)
            }
        })
        .collect();
    (f(0.0), t, h)
}
// ANCHOR_END: relu_interpolant
