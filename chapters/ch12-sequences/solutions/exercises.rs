//! Reference solutions to chapter 12's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

use ch12_sequences::rnn::Rnn;
use ndarray::{Array2, ArrayView2, Axis};

// ANCHOR: bigram_probabilities
/// Exercise 12.1: smoothed bigram probabilities.
pub fn bigram_probabilities(
    counts: ArrayView2<f64>,
    alpha: f64,
) -> Array2<f64> {
    let smoothed = &counts + alpha;
    let column_totals = smoothed.sum_axis(Axis(0));
    smoothed / &column_totals
}
// ANCHOR_END: bigram_probabilities

// ANCHOR: lookup_gradient
/// Exercise 12.2: the lookup's scatter-add.
pub fn lookup_gradient(
    delta: ArrayView2<f64>,
    tokens: &[usize],
    vocab: usize,
) -> Array2<f64> {
    let mut dw = Array2::zeros((delta.nrows(), vocab));
    for (j, &token) in tokens.iter().enumerate() {
        let mut column = dw.column_mut(token);
        column += &delta.column(j);
    }
    dw
}
// ANCHOR_END: lookup_gradient

// ANCHOR: rnn_bptt
/// Exercise 12.3: backpropagation through time.
pub fn rnn_bptt(
    model: &Rnn<f64>,
    x: ArrayView2<usize>,
    h: &[Array2<f64>],
    dz: &[Array2<f64>],
) -> Rnn<f64> {
    let mut g = model.zeros_like();
    let mut dh_next = Array2::zeros(h[0].raw_dim());
    for t in (0..dz.len()).rev() {
        let dh = model.w_hy.t().dot(&dz[t]) + &dh_next;
        let delta = &dh * &h[t + 1].mapv(|h| 1.0 - h * h);
        g.w_hy += &dz[t].dot(&h[t + 1].t());
        g.c += &dz[t].sum_axis(Axis(1)).insert_axis(Axis(1));
        for (j, &token) in x.row(t).iter().enumerate() {
            let mut column = g.w_xh.column_mut(token);
            column += &delta.column(j);
        }
        g.w_hh += &delta.dot(&h[t].t());
        g.b += &delta.sum_axis(Axis(1)).insert_axis(Axis(1));
        dh_next = model.w_hh.t().dot(&delta);
    }
    g
}
// ANCHOR_END: rnn_bptt

// ANCHOR: softmax_with_temperature
/// Exercise 12.4: softmax(z / τ), the largest subtracted first.
pub fn softmax_with_temperature(z: &[f64], temperature: f64) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> =
        z.iter().map(|v| ((v - max) / temperature).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}
// ANCHOR_END: softmax_with_temperature

// ANCHOR: clip_gradient
/// Exercise 12.5: gradient clipping by the norm.
pub fn clip_gradient(g: &mut [f64], c: f64) -> f64 {
    let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm > c {
        for v in g.iter_mut() {
            *v *= c / norm;
        }
    }
    norm
}
// ANCHOR_END: clip_gradient
