//! Reference solutions to chapter 4's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

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

// ANCHOR: softmax_cross_entropy_gradient
/// Exercise 4.3: softmax(z) − y.
pub fn softmax_cross_entropy_gradient(z: &[f64], y: &[f64]) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().zip(y).map(|(ei, yi)| ei / sum - yi).collect()
}
// ANCHOR_END: softmax_cross_entropy_gradient

// ANCHOR: softmax_quadratic_gradient
/// Exercise 4.4: with s = softmax(z) and e = s − y, ∂C/∂aᵢ = eᵢ and
/// ∂sᵢ/∂zⱼ = sᵢ([i = j] − sⱼ), so ∂C/∂zⱼ = Σᵢ eᵢ sᵢ([i = j] − sⱼ)
/// = sⱼ (eⱼ − Σᵢ sᵢ eᵢ).
pub fn softmax_quadratic_gradient(z: &[f64], y: &[f64]) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = z.iter().map(|&v| (v - max).exp()).collect();
    let sum: f64 = exp.iter().sum();
    let s: Vec<f64> = exp.iter().map(|v| v / sum).collect();
    let e: Vec<f64> = s.iter().zip(y).map(|(si, yi)| si - yi).collect();
    let s_dot_e: f64 = s.iter().zip(&e).map(|(si, ei)| si * ei).sum();
    s.iter()
        .zip(&e)
        .map(|(sj, ej)| sj * (ej - s_dot_e))
        .collect()
}
// ANCHOR_END: softmax_quadratic_gradient
