//! Reference solutions to chapter 13's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};

// ANCHOR: causal_softmax
/// Exercise 13.1: the causal softmax.
pub fn causal_softmax(s: ArrayView2<f64>) -> Array2<f64> {
    let mut p = Array2::zeros(s.raw_dim());
    for i in 0..s.ncols() {
        let seen = s.slice(s![..=i, i]);
        let max = seen.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let e = seen.mapv(|v| (v - max).exp());
        p.slice_mut(s![..=i, i]).assign(&(&e / e.sum()));
    }
    p
}
// ANCHOR_END: causal_softmax

// ANCHOR: attention_backward
/// Exercise 13.2: one head's backward pass.
pub fn attention_backward(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
    v: ArrayView2<f64>,
    p: ArrayView2<f64>,
    delta: ArrayView2<f64>,
) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let scale = 1.0 / (q.nrows() as f64).sqrt();
    let dv = delta.dot(&p.t());
    let dp = v.t().dot(&delta);
    let weighted = (&p * &dp).sum_axis(Axis(0));
    let ds = &p * &(&dp - &weighted) * scale;
    (k.dot(&ds), q.dot(&ds.t()), dv)
}
// ANCHOR_END: attention_backward

// ANCHOR: layer_norm_backward
/// Exercise 13.3: LayerNorm's backward pass.
pub fn layer_norm_backward(
    x_hat: ArrayView2<f64>,
    s: ArrayView2<f64>,
    gamma: ArrayView2<f64>,
    delta: ArrayView2<f64>,
) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let d = x_hat.nrows() as f64;
    let g = &delta * &gamma;
    let g_mean = g.sum_axis(Axis(0)) / d;
    let gx_mean = (&g * &x_hat).sum_axis(Axis(0)) / d;
    let dx = (g - &g_mean - &x_hat * &gx_mean) * s;
    let d_gamma = (&delta * &x_hat).sum_axis(Axis(1)).insert_axis(Axis(1));
    let d_beta = delta.sum_axis(Axis(1)).insert_axis(Axis(1));
    (dx, d_gamma, d_beta)
}
// ANCHOR_END: layer_norm_backward

// ANCHOR: top_k
/// Exercise 13.4: top-k.
pub fn top_k(z: ArrayView1<f64>, k: usize) -> Array1<f64> {
    let mut sorted = z.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let cut = sorted[k.min(sorted.len()) - 1];
    z.mapv(|v| if v >= cut { v } else { f64::NEG_INFINITY })
}
// ANCHOR_END: top_k

// ANCHOR: learn_merges
/// Exercise 13.5: the merge loop, with a hash map of pair counts.
pub fn learn_merges(
    stream: &[usize],
    symbols: usize,
    merges: usize,
) -> Vec<(usize, usize)> {
    let mut tokens = stream.to_vec();
    let mut rules = Vec::new();
    for new in symbols..symbols + merges {
        let mut counts = std::collections::HashMap::new();
        for pair in tokens.windows(2) {
            *counts.entry((pair[0], pair[1])).or_insert(0) += 1;
        }
        let best = counts.into_iter().max_by_key(|&(pair, n)| (n, pair));
        let Some((pair, n)) = best else { break };
        if n < 2 {
            break;
        }
        let mut merged = Vec::with_capacity(tokens.len());
        let mut i = 0;
        while i < tokens.len() {
            if i + 1 < tokens.len() && (tokens[i], tokens[i + 1]) == pair {
                merged.push(new);
                i += 2;
            } else {
                merged.push(tokens[i]);
                i += 1;
            }
        }
        tokens = merged;
        rules.push(pair);
    }
    rules
}
// ANCHOR_END: learn_merges
