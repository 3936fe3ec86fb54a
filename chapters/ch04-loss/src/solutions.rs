//! Reference solutions to the chapter 4 exercises, mirroring
//! `exercises.rs`.

// ANCHOR: one_hot
/// Exercise 4.1: a single 1 at `label`.
pub fn one_hot(label: usize, classes: usize) -> Option<Vec<f64>> {
    if label >= classes {
        return None;
    }
    let mut y = vec![0.0; classes];
    y[label] = 1.0;
    Some(y)
}
// ANCHOR_END: one_hot

// ANCHOR: quadratic_cost
/// Exercise 4.2: ½ Σ (yᵢ − aᵢ)².
pub fn quadratic_cost(a: &[f64], y: &[f64]) -> f64 {
    0.5 * a
        .iter()
        .zip(y)
        .map(|(ai, yi)| (yi - ai).powi(2))
        .sum::<f64>()
}
// ANCHOR_END: quadratic_cost

// ANCHOR: softmax_ce_gradient
/// Exercise 4.3: softmax(z) − y.
pub fn softmax_cross_entropy_gradient(z: &[f64], y: &[f64]) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().zip(y).map(|(ei, yi)| ei / sum - yi).collect()
}
// ANCHOR_END: softmax_ce_gradient
